import Foundation
import TensorArchives
import TestSupport

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
