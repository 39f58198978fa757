import Checkpoints
import DiffusionPolicy
import Foundation
import Testing
import TestSupport
@testable import Environments
@testable import Evaluation

private func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-tests-\(UUID().uuidString)").appendingPathComponent(name)
}

private func plan(seeds: [UInt64] = [0, 1], episodes: Int = 5, width: Int = 4, shard: Shard? = nil,
                  tasks: [String] = ["hopper-medium-v2"], policies: [PolicySource] = [.random],
                  overrides: PolicyOverrides = PolicyOverrides()) throws -> EvaluationPlan {
    let registry = try TaskRegistry.standard()
    return EvaluationPlan(tasks: try tasks.map { try registry.task($0) }, policies: policies, seeds: seeds,
                          episodesPerSeed: episodes, width: width, threads: 2, overrides: overrides, shard: shard, physics: .v2_3_7)
}

/// Stops a run after `limit` episodes, as a kill would.
private struct Interrupted: Error {}

@Suite struct EvaluationRunnerTests {
    /// An SB3 `vecnormalize.pkl` in the zoo's `<stem>/` folder is recorded at its real path, not
    /// as if it were beside the zip.
    @Test func provenanceRecordsTheRealPathOfEveryCheckpointFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sb3-zoo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Hopper-v3"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: try TestFixtures.url("sb3-ppo-hopper/Hopper-v3.zip"), to: folder.appendingPathComponent("Hopper-v3.zip"))
        try FileManager.default.copyItem(at: try TestFixtures.url("sb3-ppo-hopper/vecnormalize.pkl"),
                                         to: folder.appendingPathComponent("Hopper-v3/vecnormalize.pkl"))
        let files = Provenance.File.all(try Checkpoint.load(folder.appendingPathComponent("Hopper-v3.zip")))
        #expect(files.count == 2)
        for file in files { #expect(FileManager.default.fileExists(atPath: file.path), "\(file.path) does not exist") }
        #expect(files.contains { $0.path.hasSuffix("Hopper-v3/vecnormalize.pkl") })
    }

    /// `evaluate --video` finishes (encodes) each video in `onEpisode`: that time is observer
    /// time, not evaluation time, so it is not in the report's seconds or SPS. No bound on how
    /// fast the machine is: the report's seconds and the observer's are disjoint parts of the
    /// run, so together they fit in the run's own span (counting the observer in the report
    /// would put its 0.75 s in twice and exceed it whatever the speed).
    @Test func onEpisodeTimeIsNotCountedInSPS() throws {
        let runner = EvaluationRunner(plan: try plan(seeds: [0], episodes: 3), registry: try TaskRegistry.standard())
        let start = DispatchTime.now().uptimeNanoseconds
        let report = try runner.run(onEpisode: { _ in Thread.sleep(forTimeInterval: 0.25) })
        let span = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let task = try #require(report.tasks.first)
        #expect(runner.observerSeconds >= 0.75, "\(runner.observerSeconds)")
        #expect(task.seconds.total + runner.observerSeconds <= span,
                "seconds \(task.seconds.total) + observer \(runner.observerSeconds) exceed the run's \(span) s: the observer's time is counted twice")
    }

    @Test func reportHasTheDocumentedShape() throws {
        let output = temporaryFile("report.json")
        let report = try EvaluationRunner(plan: try plan(), registry: try TaskRegistry.standard()).run(logURL: output)
        let task = try #require(report.tasks.first)
        #expect(task.episodes.count == 10 && task.perSeed.map(\.seed) == [0, 1])
        #expect(task.normalizedScore?.count == 10 && task.acrossSeeds != nil)
        #expect(task.sps.total > 0 && task.sps.physics >= task.sps.total && task.steps == task.episodes.reduce(0) { $0 + $1.length })
        #expect(report.provenance.mujocoVersion == "2.3.7")
        #expect(report.provenance.modelFiles.map(\.path) == ["assets/models/hopper.xml"])
        #expect(report.provenance.modelFiles[0].sha256 == "3ce93a055ffdcd83c0c701d2400768e40d2cbb9532f3c4ae33377c27f8b39f9e")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        let taskJSON = try #require((json["tasks"] as? [[String: Any]])?.first)
        for key in ["task", "episodes", "normalized_score", "sps"] { #expect(taskJSON[key] != nil, "\(key)") }
        let score = try #require(taskJSON["normalized_score"] as? [String: Any])
        for key in ["mean", "std", "stderr", "ci95"] { #expect(score[key] != nil, "\(key)") }
        let sps = try #require(taskJSON["sps"] as? [String: Any])
        for key in ["total", "physics", "inference"] { #expect(sps[key] != nil, "\(key)") }
        let episode = try #require((taskJSON["episodes"] as? [[String: Any]])?.first)
        for key in ["seed", "episode", "return", "length", "normalized_score", "end"] { #expect(episode[key] != nil, "\(key)") }
        #expect(report.episodesCSV().split(separator: "\n").count == 11)
    }

    /// A run killed part-way and resumed gives the same final report as an uninterrupted run, and
    /// keeps the steps and time of the episodes logged before the kill (with one environment in
    /// flight, each episode line carries exactly its own steps).
    @Test func resumeAfterAnInterruptionGivesTheSameResults() throws {
        let registry = try TaskRegistry.standard()
        let full = try EvaluationRunner(plan: try plan(width: 1), registry: registry).run()
        let log = temporaryFile("run.jsonl")
        var seen = 0
        #expect(throws: Interrupted.self) {
            _ = try EvaluationRunner(plan: try plan(width: 1), registry: registry).run(logURL: log, progress: { p in
                seen = p.progress.episodesDone
            }, observerFactory: { _, _, _ in
                { _, _, _ in if seen >= 4 { throw Interrupted() } }
            })
        }
        // Simulate a kill in the middle of writing a line.
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"type\":\"episode\",\"epis".utf8))
        try handle.close()
        let recorded = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"type\":\"episode\"") }.count
        #expect(recorded >= 4 && recorded < 10)
        let resumed = try EvaluationRunner(plan: try plan(width: 1), registry: registry).run(logURL: log, resume: true)
        #expect(resumed.tasks[0].episodes == full.tasks[0].episodes)
        #expect(resumed.tasks[0].normalizedScore == full.tasks[0].normalizedScore)
        #expect(resumed.tasks[0].steps == full.tasks[0].steps)
        #expect(resumed.tasks[0].steps == resumed.tasks[0].episodes.reduce(0) { $0 + $1.length })
        #expect(resumed.tasks[0].seconds.total > 0 && resumed.tasks[0].sps.total > 0)
        // Resuming a log of a different run is refused.
        #expect {
            _ = try EvaluationRunner(plan: try plan(seeds: [7]), registry: registry).run(logURL: log, resume: true)
        } throws: { "\($0)".contains("different run") }
    }

    @Test func shardsMergeToTheUnshardedRun() throws {
        let registry = try TaskRegistry.standard()
        let tasks = ["hopper-medium-v2", "walker2d-medium-v2"]
        let whole = try EvaluationRunner(plan: try plan(seeds: [0, 1, 2], episodes: 3, tasks: tasks), registry: registry).run()
        var parts: [EvaluationReport] = []
        for i in 1...4 {
            parts.append(try EvaluationRunner(plan: try plan(seeds: [0, 1, 2], episodes: 3, width: 2, shard: try Shard("\(i)/4"), tasks: tasks),
                                              registry: registry).run())
        }
        // Each sweep item (task, seed) lands in exactly one shard.
        let items = parts.flatMap { $0.tasks.flatMap { t in Set(t.episodes.map(\.seed)).map { "\(t.task)/\($0)" } } }
        #expect(items.count == 6 && Set(items).count == 6)
        let merged = try EvaluationReport.merged(parts, files: ["1", "2", "3", "4"])
        #expect(merged.tasks.map(\.task) == tasks)
        for (a, b) in zip(merged.tasks, whole.tasks) {
            #expect(a.episodes == b.episodes)
            #expect(a.normalizedScore == b.normalizedScore && a.perSeed == b.perSeed)
        }
    }

    /// Shards of a sweep over several checkpoints, merged in any order, give the rows (and RAT/OMS)
    /// in the order the checkpoints were given; merging runs of different settings is refused.
    @Test func mergeKeepsThePlansPolicyOrderAndRefusesMixedSettings() throws {
        let registry = try TaskRegistry.standard()
        let bundled = ProjectResources.assets.appendingPathComponent("checkpoints/edp-hopper-reference.safetensors")
        let folder = temporaryFile("ckpts")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var sources: [PolicySource] = []
        for name in ["c1", "c2", "c3"] {
            let copy = folder.appendingPathComponent("\(name).safetensors")
            try FileManager.default.copyItem(at: bundled, to: copy)
            sources.append(.checkpoint(copy))
        }
        let cheap = PolicyOverrides(dpmSteps: 2, selection: .single)
        func sweep(_ shard: Shard?, overrides: PolicyOverrides = cheap) throws -> EvaluationReport {
            try EvaluationRunner(plan: try plan(seeds: [0, 1], episodes: 1, width: 2, shard: shard, policies: sources, overrides: overrides),
                                 registry: registry).run()
        }
        let whole = try sweep(nil)
        let parts = try (1...4).map { try sweep(try Shard("\($0)/4")) }
        let merged = try EvaluationReport.merged(parts.reversed(), files: ["4", "3", "2", "1"])
        #expect(merged.tasks.map(\.policy) == whole.tasks.map(\.policy))
        #expect(merged.tasks.map(\.policy) == sources.map(\.description))
        #expect(zip(merged.tasks, whole.tasks).allSatisfy { $0.episodes == $1.episodes })
        #expect(merged.series == whole.series && whole.series?["hopper-medium-v2"] != nil)
        #expect(whole.provenance.policies?.map(\.label) == sources.map(\.description))
        #expect(whole.provenance.policies?.allSatisfy { $0.settings?["dpm_steps"] == .int(2) } == true)
        // A run with other inference settings cannot be pooled with these.
        let other = try sweep(try Shard("1/4"), overrides: PolicyOverrides(dpmSteps: 3, selection: .single))
        #expect { _ = try EvaluationReport.merged([parts[0], other], files: ["a.json", "b.json"]) } throws: {
            "\($0)".contains("b.json") && "\($0)".contains("policies differ")
        }
        let moreEpisodes = try EvaluationRunner(plan: try plan(seeds: [0], episodes: 2, policies: sources, overrides: cheap),
                                                registry: registry).run()
        #expect { _ = try EvaluationReport.merged([whole, moreEpisodes], files: ["a.json", "b.json"]) } throws: {
            "\($0)".contains("episodes per seed")
        }
    }

    @Test func badShardSpecsAreRejected() {
        for text in ["0/4", "5/4", "2", "a/b", "1/0", "-1/3"] {
            #expect(throws: EvaluationError.invalidShard(text)) { try Shard(text) }
        }
        #expect((try? Shard("3/8"))?.contains(item: 2) == true)
        #expect((try? Shard("3/8"))?.contains(item: 10) == true)
        #expect((try? Shard("3/8"))?.contains(item: 3) == false)
    }
}
