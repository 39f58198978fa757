import Checkpoints
import Foundation
import Testing
import TestSupport
@testable import Environments
@testable import Evaluation

/// One pass per run: a checkpoint is read, validated and hashed once, then every task's policy
/// and the report's provenance come from that read.
@Suite struct CheckpointReadOnceTests {
    /// The real SB3 PPO hopper agent (zip + `vecnormalize.pkl` beside it, Tests/Fixtures/sb3-ppo-hopper)
    /// is read once through the run's store, as `evaluate` does for its default task and its
    /// foreign-task warnings; then both files are deleted. A run over two tasks must still build
    /// both policies and report the hashes of that one read: any second read of the files fails.
    @Test func aRunOverTwoTasksUsesTheOneRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-read-once-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let zip = folder.appendingPathComponent("Hopper-v3.zip")
        try FileManager.default.copyItem(at: try TestFixtures.url("sb3-ppo-hopper/Hopper-v3.zip"), to: zip)
        try FileManager.default.copyItem(at: try TestFixtures.url("sb3-ppo-hopper/vecnormalize.pkl"),
                                         to: folder.appendingPathComponent("vecnormalize.pkl"))
        let store = CheckpointStore()
        let first = try store.checkpoint(at: zip)
        #expect(first.fileHashes.count == 2)
        for name in first.fileHashes.keys { try FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        #expect(throws: CheckpointError.self) { try Checkpoint.load(zip) }   // a second read cannot succeed

        let registry = try TaskRegistry.standard()
        let tasks = try ["hopper-medium-v2", "hopper-expert-v2"].map { try registry.task($0) }
        let plan = EvaluationPlan(tasks: tasks, policies: [.checkpoint(zip)], seeds: [0], episodesPerSeed: 1, width: 1,
                                  threads: 1, physics: .v2_3_7, checkpoints: store)
        let report = try EvaluationRunner(plan: plan, registry: registry).run()
        #expect(report.tasks.map(\.task) == ["hopper-medium-v2", "hopper-expert-v2"])
        #expect(report.tasks.allSatisfy { $0.episodes.count == 1 })
        #expect(report.provenance.policies?.first?.sha256 == first.sha256)
        #expect(report.provenance.checkpoints == Provenance.File.all(first))
    }

    /// The store hands out the same checkpoint for the same path, and does not remember failures.
    @Test func theStoreKeepsSuccessesOnly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("ff-relu.npz")
        let store = CheckpointStore()
        #expect(throws: CheckpointError.self) { try store.checkpoint(at: file) }   // not there yet
        try FileManager.default.copyItem(at: try TestFixtures.url("ff-checkpoints/ff-relu.npz"), to: file)
        let read = try store.checkpoint(at: file)
        try FileManager.default.removeItem(at: file)
        let again = try store.checkpoint(at: file)
        #expect(again.sha256 == read.sha256 && again.tensors == read.tensors && again.configuration == read.configuration)
    }
}
