import Environments
import Foundation

extension EvaluationReport {
    /// Combines reports of shards of one sweep (or of separate runs of the same tasks and policies):
    /// episodes of the same (task, policy) are pooled and the statistics recomputed; timing adds up.
    /// Rows come out in the sweep's order (tasks as given, then policies as given), so RAT/OMS over
    /// checkpoints follow the training order whatever order the shards are merged in.
    /// - Throws: if two reports hold the same episode with different results, or their MuJoCo or
    ///   task-semantics versions, episodes per seed, or policies (checkpoint hashes and inference
    ///   settings) differ: pooling those would mix different experiments under one row; and, unless
    ///   `allowIncomplete`, when the reports miss shards or episodes of the sweep plans they record
    ///   (`SweepGaps`). With `allowIncomplete` the merged report lists the gaps in
    ///   `provenance.missing`.
    /// - Parameters:
    ///   - scheduler: the job running the merge (recorded as the merged report's).
    ///   - registry: when given, every episode's normalized score is recomputed from its return
    ///     (`EpisodeResult.renormalized`), and a length beyond the task's time limit is refused.
    ///   - oneSweep: refuse reports of different sweeps (tasks, policies, seeds, episodes per seed
    ///     or shard count differ), as `edp-eval merge` does; episodes outside the plan their report
    ///     records, and impossible values, are refused either way.
    public static func merged(_ reports: [EvaluationReport], files: [String], allowIncomplete: Bool = false,
                              scheduler: Scheduler? = Scheduler.current, registry: TaskRegistry? = nil,
                              oneSweep: Bool = false) throws -> EvaluationReport {
        guard reports.first != nil else {
            throw EvaluationError.mergeMismatch(file: "-", reason: "nothing to merge")
        }
        // The recorded plans first (an impossible one is named as such), then every episode against them.
        let known = try checkedPolicies(reports, files: files, against: reports[0].provenance)
        let reports = try zip(reports, files).map { try checkedEpisodes(of: $0, file: $1, registry: registry) }
        var provenance = reports[0].provenance
        if oneSweep { try checkOneSweep(reports, files: files) }
        let gaps = SweepGaps(reports)
        if !gaps.isComplete && !allowIncomplete { throw EvaluationError.incompleteSweep(gaps.explanation) }
        var order: [GroupKey] = []
        var episodes: [GroupKey: [EpisodeID: EpisodeResult]] = [:]
        var timing: [GroupKey: RolloutTiming] = [:]
        var first: [GroupKey: TaskReport] = [:]
        for (report, file) in zip(reports, files) {
            for task in report.tasks {
                let key = GroupKey(task: task.task, policy: task.policy)
                if first[key] == nil {
                    first[key] = task
                    order.append(key)
                }
                for e in task.episodes {
                    if let existing = episodes[key]?[e.id], existing != e {
                        throw EvaluationError.mergeMismatch(file: file, reason: "episode \(e.episode) of seed \(e.seed) on \(task.task) differs from another report's")
                    }
                    episodes[key, default: [:]][e.id] = e
                }
                var t = RolloutTiming()
                t.total = task.seconds.total
                t.physics = task.seconds.physics
                t.inference = task.seconds.inference
                t.steps = task.steps
                timing[key, default: RolloutTiming()].add(t)
            }
        }
        // Sweep order: the plan's tasks, then its policies (first-seen order for old reports).
        let planTasks = reports.compactMap(\.provenance.tasks).first ?? []
        let planPolicies = reports.compactMap(\.provenance.policies).first?.map(\.label) ?? []
        let seenOrder = order
        func rank(_ key: GroupKey) -> (Int, Int, Int) {
            let template = first[key]!
            return (planTasks.firstIndex(of: template.task) ?? Int.max,
                    planPolicies.firstIndex(of: template.policy) ?? Int.max, seenOrder.firstIndex(of: key)!)
        }
        order = seenOrder.sorted { rank($0) < rank($1) }
        let tasks = order.map { key -> TaskReport in
            let template = first[key]!
            let flops = template.flopRate.map { rate in rate * template.seconds.inference / Double(max(template.steps, 1)) } ?? 0
            return TaskReport(task: template.task, policy: template.policy, policySummary: template.policySummary,
                              episodes: Array(episodes[key]!.values), timing: timing[key]!, flopsPerAction: flops)
        }
        provenance.seeds = Array(Set(reports.flatMap(\.provenance.seeds))).sorted()
        provenance.shard = nil
        provenance.scheduler = scheduler
        provenance.mergedFrom = zip(reports, files).flatMap { report, file in
            report.provenance.mergedFrom ?? [Provenance.Source(file: file, shard: report.provenance.shard,
                                                               hostname: report.provenance.machine.hostname,
                                                               startedAt: report.provenance.startedAt,
                                                               scheduler: report.provenance.scheduler,
                                                               commandLine: report.provenance.commandLine)]
        }
        provenance.missing = gaps.isComplete ? nil : gaps.items
        for report in reports.dropFirst() {
            for file in report.provenance.checkpoints where !provenance.checkpoints.contains(file) { provenance.checkpoints.append(file) }
            for file in report.provenance.modelFiles where !provenance.modelFiles.contains(file) { provenance.modelFiles.append(file) }
        }
        let policies = tasks.map(\.policy).uniqued()
        if let plan = reports.compactMap(\.provenance.policies).first {
            provenance.policies = plan.map { known[$0.label]?.record ?? $0 }
            provenance.policy = provenance.policies?.first { $0.settings != nil }?.settings ?? provenance.policy
        }
        let checkpoints = provenance.policies?.filter { $0.sha256.map { !$0.isEmpty } ?? true }.count ?? policies.count
        return EvaluationReport(provenance: provenance, tasks: tasks,
                                series: trainingCurves(tasks, policies: policies, checkpoints: checkpoints))
    }

    /// The plan `report` records (old reports without tasks or policies: the rows' own).
    static func recordedPlan(of report: EvaluationReport) -> RecordedPlan {
        let p = report.provenance
        return RecordedPlan(tasks: p.tasks ?? report.tasks.map(\.task).uniqued(),
                            policies: p.policies?.map(\.label) ?? report.tasks.map(\.policy).uniqued(),
                            seeds: p.seeds, episodesPerSeed: p.episodesPerSeed, shard: p.shard.flatMap { try? Shard($0) })
    }

    /// `report` with every episode checked against the plan it records (task, policy, seed,
    /// episode, shard), its values checked and, with `registry`, its normalized score recomputed.
    /// - Throws: `EvaluationError.mergeMismatch` naming the file, the row and the episode.
    static func checkedEpisodes(of report: EvaluationReport, file: String, registry: TaskRegistry?) throws -> EvaluationReport {
        let plan = recordedPlan(of: report)
        var copy = report
        for (r, row) in report.tasks.enumerated() {
            let spec = try registry.map { registry in
                do { return try registry.task(row.task) } catch {
                    throw EvaluationError.mergeMismatch(file: file, reason: "tasks[\(r)]: \(row.task) is not a task edp-eval knows")
                }
            }
            for (i, e) in row.episodes.enumerated() {
                let place = "tasks[\(r)].episodes[\(i)] (\(row.task) × \(row.policy))"
                guard e.task == row.task else {
                    throw EvaluationError.mergeMismatch(file: file, reason: "\(place) names task \(e.task)")
                }
                if let problem = plan.problem(with: e, policy: row.policy) {
                    throw EvaluationError.mergeMismatch(file: file, reason: "\(place): \(problem)")
                }
                if let spec {
                    do { copy.tasks[r].episodes[i] = try e.renormalized(for: spec) } catch {
                        throw EvaluationError.mergeMismatch(file: file, reason: "\(place): \(error.description)")
                    }
                }
            }
        }
        return copy
    }

    /// Refuses reports whose recorded sweeps differ from the first one's.
    static func checkOneSweep(_ reports: [EvaluationReport], files: [String]) throws {
        let first = recordedPlan(of: reports[0])
        for (report, file) in zip(reports, files).dropFirst() {
            let plan = recordedPlan(of: report)
            var differences: [String] = []
            if plan.tasks != first.tasks { differences.append("tasks \(plan.tasks.joined(separator: ", ")) vs \(first.tasks.joined(separator: ", "))") }
            if plan.policies != first.policies { differences.append("policies \(plan.policies.joined(separator: ", ")) vs \(first.policies.joined(separator: ", "))") }
            if plan.seeds != first.seeds { differences.append("seeds \(plan.seeds.map(String.init).joined(separator: ", ")) vs \(first.seeds.map(String.init).joined(separator: ", "))") }
            if plan.episodesPerSeed != first.episodesPerSeed { differences.append("episodes per seed \(plan.episodesPerSeed) vs \(first.episodesPerSeed)") }
            if plan.shard?.count != first.shard?.count {
                differences.append("shards \(plan.shard.map { "\($0.count)" } ?? "none") vs \(first.shard.map { "\($0.count)" } ?? "none")")
            }
            if !differences.isEmpty {
                throw EvaluationError.mergeMismatch(file: file, reason: "it records a different sweep than \(files[0]) (\(differences.joined(separator: "; "))); merge only the reports of one sweep")
            }
        }
    }

    /// Checks that every report can join the first one (same MuJoCo, task semantics and episodes
    /// per seed, a complete plan) and that a policy label means the same checkpoint and settings
    /// in every report that ran it (a shard that did not run a policy does not know them).
    /// Returns each run policy's record and the first file that had it.
    private static func checkedPolicies(_ reports: [EvaluationReport], files: [String], against provenance: Provenance) throws
        -> [String: (record: Provenance.PolicyRecord, file: String)] {
        for (report, file) in zip(reports, files) {
            try SweepGaps.checkPlan(of: report, file: file)
            guard report.provenance.mujocoVersion == provenance.mujocoVersion,
                  report.provenance.taskSemanticsVersion == provenance.taskSemanticsVersion else {
                throw EvaluationError.mergeMismatch(file: file, reason: "it was made with MuJoCo \(report.provenance.mujocoVersion) / task semantics v\(report.provenance.taskSemanticsVersion), the first report with MuJoCo \(provenance.mujocoVersion) / v\(provenance.taskSemanticsVersion)")
            }
            guard report.provenance.episodesPerSeed == provenance.episodesPerSeed else {
                throw EvaluationError.mergeMismatch(file: file, reason: "it ran \(report.provenance.episodesPerSeed) episodes per seed, the first report \(provenance.episodesPerSeed)")
            }
        }
        var known: [String: (record: Provenance.PolicyRecord, file: String)] = [:]
        for (report, file) in zip(reports, files) {
            for record in report.provenance.policies ?? [] where record.settings != nil {
                if let seen = known[record.label] {
                    guard seen.record == record else {
                        throw EvaluationError.mergeMismatch(file: file, reason: "its policies differ from \(seen.file)'s (checkpoint hash or inference settings of \(record.label)); merge only runs of the same policies")
                    }
                } else {
                    known[record.label] = (record, file)
                }
            }
        }
        return known
    }
}
