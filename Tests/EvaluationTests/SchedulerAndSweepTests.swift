import Foundation
import Testing
@testable import Environments
@testable import Evaluation

/// Slurm provenance (read from an injected environment) and the merge's completeness check.
@Suite struct SchedulerAndSweepTests {
    static let arrayTask: [String: String] = [
        "SLURM_JOB_ID": "1042", "SLURM_ARRAY_JOB_ID": "1040", "SLURM_ARRAY_TASK_ID": "3",
        "SLURMD_NODENAME": "node17", "SLURM_CPUS_PER_TASK": "8", "SLURM_CPUS_ON_NODE": "64", "HOME": "/root",
    ]

    @Test func slurmJobsAreRecognizedFromTheirEnvironment() throws {
        #expect(Scheduler(environment: ["HOME": "/root", "SLURM_CPUS_PER_TASK": "4"]) == nil, "no SLURM_JOB_ID: not a Slurm job")
        #expect(Scheduler(environment: ["SLURM_JOB_ID": " "]) == nil)
        let task = try #require(Scheduler(environment: Self.arrayTask))
        #expect(task == Scheduler(kind: "slurm", jobID: "1042", arrayJobID: "1040", arrayTaskID: 3, node: "node17", cpus: 8))
        // A plain job (no array), CPUs from the node's allocation when --cpus-per-task was not given.
        let plain = try #require(Scheduler(environment: ["SLURM_JOB_ID": "7", "SLURM_CPUS_ON_NODE": "2"]))
        #expect(plain.arrayJobID == nil && plain.arrayTaskID == nil && plain.node == nil && plain.cpus == 2)
        // Malformed numbers are left out, not guessed.
        let odd = try #require(Scheduler(environment: ["SLURM_JOB_ID": "7", "SLURM_ARRAY_TASK_ID": "x", "SLURM_CPUS_PER_TASK": "0"]))
        #expect(odd.arrayTaskID == nil && odd.cpus == nil)
        // JSON field names as documented in docs/report-schema.md "provenance".
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(task)) as! [String: Any]
        #expect(Set(json.keys) == ["kind", "job_id", "array_job_id", "array_task_id", "node", "cpus"])
        #expect(json["kind"] as? String == "slurm" && json["array_task_id"] as? Int == 3 && json["job_id"] as? Int == 1042)
    }

    @Test func threadsDefaultToSlurmsCPUsPerTask() throws {
        #expect(try Scheduler.defaultThreads(environment: [:], cores: 16) == 16)
        #expect(try Scheduler.defaultThreads(environment: Self.arrayTask, cores: 16) == 8)
        #expect(try Scheduler.defaultThreads(environment: ["SLURM_CPUS_ON_NODE": "4"], cores: 16) == 16,
                "only SLURM_CPUS_PER_TASK sets the default")
        for bad in ["eight", "0", "-2", "2.5"] {
            #expect(throws: SchedulerError.badVariable(name: "SLURM_CPUS_PER_TASK", value: bad, expected: "a positive integer (CPUs per task)")) {
                try Scheduler.defaultThreads(environment: ["SLURM_CPUS_PER_TASK": bad], cores: 16)
            }
        }
    }

    /// Four shards of 2 tasks × 3 seeds (6 items), each tagged as an array task.
    private func shards() throws -> [EvaluationReport] {
        let registry = try TaskRegistry.standard()
        let tasks = try ["hopper-medium-v2", "walker2d-medium-v2"].map { try registry.task($0) }
        return try (1...4).map { i in
            var report = try EvaluationRunner(plan: EvaluationPlan(tasks: tasks, policies: [.random], seeds: [0, 1, 2], episodesPerSeed: 2,
                                                                   width: 2, threads: 1, shard: try Shard("\(i)/4"), physics: .v2_3_7),
                                              registry: registry).run()
            var environment = Self.arrayTask
            environment["SLURM_ARRAY_TASK_ID"] = "\(i)"
            environment["SLURM_JOB_ID"] = "\(1040 + i)"
            report.provenance.scheduler = Scheduler(environment: environment)
            return report
        }
    }

    @Test func mergedReportsKeepEachShardsJob() throws {
        let parts = try shards()
        let merger = Scheduler(kind: "slurm", jobID: "2000")
        let merged = try EvaluationReport.merged(parts.reversed(), files: ["s4.json", "s3.json", "s2.json", "s1.json"], scheduler: merger)
        #expect(merged.provenance.scheduler == merger)
        let sources = try #require(merged.provenance.mergedFrom)
        #expect(sources.map(\.file) == ["s4.json", "s3.json", "s2.json", "s1.json"])
        #expect(sources.map(\.shard) == ["4/4", "3/4", "2/4", "1/4"])
        #expect(sources.compactMap(\.scheduler?.arrayTaskID) == [4, 3, 2, 1])
        #expect(sources.allSatisfy { $0.scheduler?.arrayJobID == "1040" && $0.scheduler?.node == "node17" })
        // Each shard's own command line is kept (docs/report-schema.md "provenance": merge keeps every shard's command line in `merged_from`).
        #expect(sources.map(\.commandLine) == parts.reversed().map(\.provenance.commandLine) && sources.allSatisfy { !$0.commandLine.isEmpty })
        #expect(merged.provenance.missing == nil)
        // Merging merged reports keeps the original shards.
        let again = try EvaluationReport.merged([merged], files: ["sweep.json"], scheduler: nil)
        #expect(again.provenance.mergedFrom == sources && again.provenance.scheduler == nil)
        // The new fields survive a JSON round trip under their documented names.
        let data = try JSONEncoder().encode(merged)
        #expect(try JSONDecoder().decode(EvaluationReport.self, from: data) == merged)
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let provenance = json["provenance"] as! [String: Any]
        let first = (provenance["merged_from"] as! [[String: Any]])[0]
        #expect((first["scheduler"] as! [String: Any])["array_task_id"] as? Int == 4 && first["started_at"] != nil)
        #expect(first["command_line"] is [String])
    }

    @Test func mergeRefusesAnIncompleteSweepAndNamesWhatIsMissing() throws {
        var parts = try shards()
        #expect(SweepGaps(parts).isComplete && SweepGaps(parts).expectedEpisodes == 12 && SweepGaps(parts).presentEpisodes == 12)
        // Shard 2/4 runs items 1 and 5 (k mod 4 = 1): hopper seed 1 and walker2d seed 2.
        let withoutShard2 = [parts[0], parts[2], parts[3]]
        let gaps = SweepGaps(withoutShard2)
        #expect(gaps.missingShards == ["2/4"])
        #expect(gaps.items.map { "\($0.task)/\($0.seed)/\($0.episodes)" } == ["hopper-medium-v2/1/[0, 1]", "walker2d-medium-v2/2/[0, 1]"])
        #expect(gaps.presentEpisodes == 8 && gaps.expectedEpisodes == 12)
        #expect {
            _ = try EvaluationReport.merged(withoutShard2, files: ["1", "3", "4"])
        } throws: { error in
            let text = "\(error)"
            return text.contains("4 of 12 episodes") && text.contains("shard 2/4: no report given")
                && text.contains("hopper-medium-v2 × random, seed 1, episodes 0-1") && text.contains("walker2d-medium-v2 × random, seed 2")
        }
        // With allowIncomplete the gaps are recorded in the report.
        let partial = try EvaluationReport.merged(withoutShard2, files: ["1", "3", "4"], allowIncomplete: true)
        #expect(partial.provenance.missing == gaps.items)
        #expect(partial.tasks.reduce(0) { $0 + $1.episodes.count } == 8)

        // An episode missing inside a shard's report (a truncated or edited file) is named too.
        let row = try #require(parts[2].tasks.firstIndex { $0.episodes.contains { $0.episode == 1 } })
        let dropped = parts[2].tasks[row].episodes.first { $0.episode == 1 }!
        parts[2].tasks[row].episodes.removeAll { $0.id == dropped.id }
        let inner = SweepGaps(parts)
        #expect(inner.missingShards.isEmpty)
        #expect(inner.items == [SweepGaps.Item(task: dropped.task, policy: "random", seed: dropped.seed, episodes: [1], shard: "3/4")])
        #expect(inner.explanation.contains("\(dropped.task) × random, seed \(dropped.seed), episodes 1 (shard 3/4)"))
    }

    /// A report edited by hand: negative episodes per seed (a trap in the episode range) or a
    /// malformed shard are refused naming the file and field; a huge shard count costs only the
    /// sweep's items, not a label per shard (it used to build 10^9 of them).
    @Test(.timeLimit(.minutes(1))) func mergeRefusesImpossiblePlansAndHugeShardCountsStayCheap() throws {
        let parts = try shards()
        var negative = parts
        negative[1].provenance.episodesPerSeed = -3
        #expect {
            _ = try EvaluationReport.merged(negative, files: ["s1.json", "s2.json", "s3.json", "s4.json"])
        } throws: { error in
            guard case EvaluationError.invalidReport(let file, let reason) = error else { return false }
            return file == "s2.json" && reason.contains("provenance.episodes_per_seed is -3")
        }
        var tooMany = parts
        tooMany[0].provenance.episodesPerSeed = Int.max
        #expect(throws: EvaluationError.self) { try SweepGaps.checkPlan(of: tooMany[0], file: "s1.json") }
        var malformed = parts
        malformed[3].provenance.shard = "5/4"
        #expect {
            _ = try EvaluationReport.merged(malformed, files: ["s1.json", "s2.json", "s3.json", "s4.json"])
        } throws: { error in
            "\(error)".contains("s4.json") && "\(error)".contains("provenance.shard is '5/4'")
        }
        for report in parts { try SweepGaps.checkPlan(of: report, file: "ok.json") }

        // Shard 1 of 10^9: the 6 items (2 tasks × 3 seeds) are items 0-5, shards 1-6; shard 1 was
        // given, so shards 2-6 are missing, and no others (the rest own nothing).
        var huge = parts[0]
        huge.provenance.shard = "1/1000000000"
        try SweepGaps.checkPlan(of: huge, file: "huge.json")
        let gaps = SweepGaps([huge])
        #expect(gaps.missingShards == (2...6).map { "\($0)/1000000000" })
        #expect(gaps.expectedEpisodes == 12 && gaps.items.count == 6 - huge.tasks.reduce(0) { $0 + Set($1.episodes.map(\.seed)).count })
    }

    @Test func episodeListsAreWrittenAsRanges() {
        #expect(SweepGaps.ranges([0, 1, 2, 5, 7, 8]) == "0-2, 5, 7-8")
        #expect(SweepGaps.ranges([3]) == "3")
        #expect(SweepGaps.ranges([]) == "")
    }
}
