import Datasets
import DatasetCheck
import Environments
import Foundation
import Testing
import TestSupport

/// `Tests/Fixtures/d4rl-datasets` (Tools/fixtures/make_d4rl_datasets.py; see its README).
private enum DatasetFixtures {
    static func data(_ name: String) throws -> Data { try TestFixtures.data("d4rl-datasets/\(name)") }
    static func json<T>(_ name: String, _ type: T.Type) throws -> T { try TestFixtures.json("d4rl-datasets/\(name)", type) }
    static func open(_ name: String) throws -> D4RLDataset { try D4RLDataset(url: TestFixtures.url("d4rl-datasets/\(name)")) }
    static func task(_ id: String) throws -> TaskSpec { try TaskRegistry.standard().task(id) }
}

/// The one-step consistency check (`dataset check`) and the task-aware summary (`dataset info --task`).
@Suite struct DatasetCheckTests {
    @Test func summaryCountsEpisodesAndNormalizesReturns() throws {
        let summary = try DatasetSummary(try DatasetFixtures.open("hopper-small.hdf5"), task: try DatasetFixtures.task("hopper-medium-v2"))
        #expect(summary.episodes == 4 && summary.timeoutEpisodes == 4 && summary.terminalEpisodes == 0)
        let task = try DatasetFixtures.task("hopper-medium-v2")
        let low = try #require(task.referenceMinScore), high = try #require(task.referenceMaxScore)
        let expected = 100 * (summary.returns.mean - low) / (high - low)
        #expect(abs(try #require(summary.normalizedReturns).mean - expected) < 1e-9)
        #expect(summary.sha256.count == 64)
    }

    @Test func sameMuJoCoFixtureIsReproducedExactly() throws {
        let report = try ConsistencyCheck.run(try DatasetFixtures.open("hopper-small.hdf5"), task: try DatasetFixtures.task("hopper-medium-v2"), physics: .v2_3_7, threads: 2)
        #expect(report.checked == 800 && report.consistent && report.maxAbsDiff == 0, "\(report.mismatches.prefix(5))")
        #expect(report.fields["next_observations"]?.compared == 800 && report.fields["terminals"]?.compared == 800)
    }

    @Test func tamperedTransitionsAreNamedExactly() throws {
        let report = try ConsistencyCheck.run(try DatasetFixtures.open("hopper-small-tampered.hdf5"), task: try DatasetFixtures.task("hopper-medium-v2"), physics: .v2_3_7, threads: 2)
        let truth = try DatasetFixtures.json("tampered.json", [String: Any].self)
        let edits = try #require(truth["tampered"] as? [[String: Any]])
        let expected = Set(try edits.map { "\(try #require($0["index"] as? Int)) \(try #require($0["field"] as? String))" })
        let found = Set(report.mismatches.map { "\($0.index) \($0.field)" })
        #expect(found == expected)
        #expect(report.mismatchCount == expected.count && !report.consistent)
        // Worst first; the 1e-3 observation edit is the smallest.
        #expect(zip(report.mismatches, report.mismatches.dropFirst()).allSatisfy { $0.maxAbsDiff >= $1.maxAbsDiff })
        let smallest = try #require(report.mismatches.last)
        #expect(smallest.index == 17 && abs(smallest.maxAbsDiff - 1e-3) < 1e-6)
    }

    @Test func antmazeEpisodesAreReproducedWithTheirGoals() throws {
        let report = try ConsistencyCheck.run(try DatasetFixtures.open("antmaze-umaze-small.hdf5"), task: try DatasetFixtures.task("antmaze-umaze-v2"), physics: .v2_3_7, threads: 2)
        #expect(report.checked == 708)
        #expect(report.consistent, "\(report.fields) \(report.mismatches.prefix(5))")
        #expect(report.nextObservationsFrom.contains("observations[i+1]"))
    }

    /// Blocks of fixed size, each warm-started from its previous transition: the report (including
    /// which transitions continued without a reset) is the same on 1, 2 and 3 threads.
    @Test(arguments: ["antmaze-umaze-small.hdf5", "hopper-small-tampered.hdf5"])
    func reportDoesNotDependOnThreads(file: String) throws {
        let task = try DatasetFixtures.task(file.hasPrefix("antmaze") ? "antmaze-umaze-v2" : "hopper-medium-v2")
        let reports = try [1, 2, 3].map { try ConsistencyCheck.run(try DatasetFixtures.open(file), task: task, physics: .v2_3_7, threads: $0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let reference = try encoder.encode(reports[0].fields)
        #expect(reports[0].warmStart && reports[0].continuedWithoutReset > 0)
        for r in reports.dropFirst() {
            #expect(try encoder.encode(r.fields) == reference, "threads \(r.threads)")
            #expect(r.mismatches == reports[0].mismatches && r.continuedWithoutReset == reports[0].continuedWithoutReset)
        }
    }

    /// Resetting before every transition (the path of float32 states) is recorded as such and
    /// stays within 1e-5 of the float64 hopper fixture (a reset clears the solver warm start).
    @Test func resetEveryTransitionIsRecorded() throws {
        let report = try ConsistencyCheck.run(try DatasetFixtures.open("hopper-small.hdf5"), task: try DatasetFixtures.task("hopper-medium-v2"),
                                              physics: .v2_3_7, threads: 2, warmStart: false)
        #expect(!report.warmStart && report.continuedWithoutReset == 0 && report.checked == 800)
        #expect(report.maxAbsDiff < 1e-5, "\(report.mismatches.prefix(5))")
    }

    @Test func limitChecksAPrefix() throws {
        let report = try ConsistencyCheck.run(try DatasetFixtures.open("hopper-small.hdf5"), task: try DatasetFixtures.task("hopper-medium-v2"), physics: .v2_3_7, threads: 1, limit: 50)
        #expect(report.checked == 50 && report.transitions == 800)
    }

    @Test func badInputNamesTheFileAndTheKey() throws {
        func failure(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("d4rl-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.hdf5")
        try Data("not hdf5".utf8).write(to: text)
        #expect(failure { _ = try D4RLDataset(url: text) }.contains("notes.hdf5: not an HDF5 file"))
        let whole = try DatasetFixtures.data("hopper-small.hdf5")
        let truncated = folder.appendingPathComponent("truncated.hdf5")
        try whole.prefix(whole.count / 3).write(to: truncated)
        let t = failure {
            let d = try D4RLDataset(url: truncated)
            _ = try ConsistencyCheck.run(d, task: try DatasetFixtures.task("hopper-medium-v2"), physics: .v2_3_7, threads: 1)
        }
        #expect(t.contains("truncated.hdf5"), "\(t)")
        #expect(failure { _ = try DatasetFixtures.open("bad-missing-rewards.hdf5") }.contains("bad-missing-rewards.hdf5: rewards: missing"))
        #expect(failure { _ = try DatasetFixtures.open("bad-length.hdf5") }.contains("actions: has 19 rows but observations has 20"))
        let nan = failure { _ = try ConsistencyCheck.run(try DatasetFixtures.open("bad-nan.hdf5"), task: try DatasetFixtures.task("hopper-medium-v2"), physics: .v2_3_7, threads: 1) }
        #expect(nan.contains("bad-nan.hdf5: next_observations: row 7 holds nan"), "\(nan)")
        let width = failure { _ = try ConsistencyCheck.run(try DatasetFixtures.open("hopper-small.hdf5"), task: try DatasetFixtures.task("walker2d-medium-v2"), physics: .v2_3_7, threads: 1) }
        #expect(width.contains("observations: rows have 11 values but walker2d-medium-v2 observations have 17"))
    }
}
