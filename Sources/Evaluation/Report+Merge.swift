import Foundation

extension EvaluationReport {
    /// Combines reports of shards of one sweep (or of separate runs of the same tasks and policies):
    /// episodes of the same (task, policy) are pooled and the statistics recomputed; timing adds up.
    /// - Throws: if two reports hold the same episode with different results, or their MuJoCo or
    ///   task-semantics versions differ.
    public static func merged(_ reports: [EvaluationReport], files: [String]) throws -> EvaluationReport {
        guard var provenance = reports.first?.provenance else {
            throw EvaluationError.resumeMismatch(file: "-", reason: "nothing to merge")
        }
        for (report, file) in zip(reports, files) {
            guard report.provenance.mujocoVersion == provenance.mujocoVersion,
                  report.provenance.taskSemanticsVersion == provenance.taskSemanticsVersion else {
                throw EvaluationError.resumeMismatch(file: file, reason: "it was made with MuJoCo \(report.provenance.mujocoVersion) / task semantics v\(report.provenance.taskSemanticsVersion), the first report with MuJoCo \(provenance.mujocoVersion) / v\(provenance.taskSemanticsVersion)")
            }
        }
        var order: [String] = []
        var episodes: [String: [EpisodeID: EpisodeResult]] = [:]
        var timing: [String: RolloutTiming] = [:]
        var first: [String: TaskReport] = [:]
        for (report, file) in zip(reports, files) {
            for task in report.tasks {
                let key = "\(task.task)|\(task.policy)"
                if first[key] == nil {
                    first[key] = task
                    order.append(key)
                }
                for e in task.episodes {
                    if let existing = episodes[key]?[e.id], existing != e {
                        throw EvaluationError.resumeMismatch(file: file, reason: "episode \(e.episode) of seed \(e.seed) on \(task.task) differs from another report's")
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
        let tasks = order.map { key -> TaskReport in
            let template = first[key]!
            let flops = template.flopRate.map { rate in rate * template.seconds.inference / Double(max(template.steps, 1)) } ?? 0
            return TaskReport(task: template.task, policy: template.policy, policySummary: template.policySummary,
                              episodes: Array(episodes[key]!.values), timing: timing[key]!, flopsPerAction: flops)
        }
        provenance.seeds = Array(Set(reports.flatMap(\.provenance.seeds))).sorted()
        provenance.shard = nil
        for report in reports.dropFirst() {
            for file in report.provenance.checkpoints where !provenance.checkpoints.contains(file) { provenance.checkpoints.append(file) }
            for file in report.provenance.modelFiles where !provenance.modelFiles.contains(file) { provenance.modelFiles.append(file) }
        }
        let policies = tasks.map(\.policy).uniqued()
        var series: [String: TrainingCurveScores] = [:]
        if policies.count > 1 {
            for task in Set(tasks.map(\.task)) {
                let scores = policies.compactMap { p in tasks.first { $0.task == task && $0.policy == p }?.normalizedScore.mean }
                if scores.count == policies.count { series[task] = TrainingCurveScores(scores: scores) }
            }
        }
        return EvaluationReport(provenance: provenance, tasks: tasks, series: series.isEmpty ? nil : series)
    }
}
