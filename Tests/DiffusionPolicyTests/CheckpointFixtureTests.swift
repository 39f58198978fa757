import Foundation
import Testing
import TestSupport
@testable import DiffusionPolicy

/// Paths and helpers shared by the checkpoint test suites. The files live in Tests/Fixtures
/// (see the READMEs there); a missing one makes `Checkpoint.load` / `bytes` throw an error naming it.
enum CheckpointFixtures {
    /// `<repository>/Tests/Fixtures`.
    static let root: URL = TestFixtures.folder
    /// The real EDP hopper checkpoint at 42k steps, in EDP's own pickle format, with its
    /// params.npz, schedule.npz, variant.json and golden_trained.npz.
    static let edpReference = root.appendingPathComponent("edp-hopper-42k")
    static let edp42k = edpReference.appendingPathComponent("model_final.pkl")
    static let dqlInitActor = root.appendingPathComponent("dql/init/actor_2000.pth")
    static let dqlTrainedActor = root.appendingPathComponent("dql/trained/actor_2000.pth")
    static let dqlTrainedCritic = root.appendingPathComponent("dql/trained/critic_2000.pth")

    /// The bytes of a fixture file.
    /// - Throws: `FixtureError` naming the file when it is missing or unreadable.
    static func bytes(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw FixtureError(path: url.path, reason: "cannot be read: \(error.localizedDescription)")
        }
    }

    /// True when both tensors have the same shape and the same bit patterns.
    static func bitIdentical(_ a: Tensor?, _ b: Tensor?) -> Bool {
        guard let a, let b else { return false }
        return a.shape == b.shape && a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite struct CheckpointFixtureTests {
    @Test func directoryLoadsModelFinal() throws {
        let fromFolder = try Checkpoint.load(CheckpointFixtures.edpReference)
        #expect(fromFolder.url.lastPathComponent == "model_final.pkl")
        #expect(fromFolder.format == .edpPickle)
        #expect(fromFolder.provenance["epoch"] != nil)
    }

    @Test func formatIsDetectedFromContentNotExtension() throws {
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // An EDP pickle renamed to .safetensors still loads as a pickle.
        let renamed = folder.appendingPathComponent("weights.safetensors")
        try FileManager.default.copyItem(at: CheckpointFixtures.edp42k, to: renamed)
        #expect(try Checkpoint.load(renamed).format == .edpPickle)
        // Random text is rejected with the file named.
        let junk = folder.appendingPathComponent("junk.pkl")
        try Data("hello world, not a checkpoint".utf8).write(to: junk)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(junk) }
        #expect(error?.kind == .unrecognizedFormat)
        #expect(error?.description.contains("junk.pkl") == true)
        // A missing file is unreadable.
        #expect(throws: CheckpointError.self) { try Checkpoint.load(folder.appendingPathComponent("nope.pkl")) }
    }

    @Test func sha256MatchesKnownDigests() throws {
        // FIPS 180-4 test vector "abc".
        #expect(CheckpointHashing.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(CheckpointHashing.sha256Hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
