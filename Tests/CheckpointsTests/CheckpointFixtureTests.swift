import Digests
import Foundation
import Testing
import TestSupport
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

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
        #expect(SHA256Digest.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
