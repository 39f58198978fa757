import Foundation
import SampleStatistics

/// Steps per second of a run, over wall time (`total`) and over the time spent in each part.
public struct StepsPerSecond: Codable, Equatable, Sendable {
    public var total: Double
    /// Steps / seconds spent stepping and resetting environments (physics-only throughput).
    public var physics: Double
    /// Steps / seconds spent in policy calls (inference-only throughput).
    public var inference: Double
    public init(total: Double, physics: Double, inference: Double) {
        self.total = total
        self.physics = physics
        self.inference = inference
    }
}

/// Seconds of a run, split into physics, policy inference and everything else.
public struct SecondsSplit: Codable, Equatable, Sendable {
    public var total: Double
    public var physics: Double
    public var inference: Double
    public var overhead: Double
    public init(total: Double, physics: Double, inference: Double, overhead: Double) {
        self.total = total
        self.physics = physics
        self.inference = inference
        self.overhead = overhead
    }
}

/// Per-seed statistics.
public struct SeedReport: Codable, Equatable, Sendable {
    public var seed: UInt64
    /// nil for a task without reference scores.
    public var normalizedScore: Summary?
    public var `return`: Summary
    enum CodingKeys: String, CodingKey { case seed, `return`; case normalizedScore = "normalized_score" }
}

/// Results of one task with one policy.
public struct TaskReport: Codable, Equatable, Sendable {
    public var task: String
    /// The policy source label (checkpoint path, "random").
    public var policy: String
    /// Human description of the policy's inference settings.
    public var policySummary: String
    public var episodes: [EpisodeResult]
    /// Summary of the episodes' normalized scores; nil for a task without reference scores
    /// (gym ids such as `Hopper-v3`), whose table rows show returns only.
    public var normalizedScore: Summary?
    public var `return`: Summary
    public var length: Summary
    public var perSeed: [SeedReport]
    /// Mean and population std of the per-seed mean normalized scores (nil with one seed or
    /// without reference scores).
    public var acrossSeeds: AcrossSeeds?
    /// Goal-reaching tasks: fraction of episodes that reached the goal.
    public var successRate: Double?
    /// Each per-episode metric the robot reports (`EpisodeResult.metrics`), summarized over the
    /// episodes that carry it (e.g. the mean of a per-episode completion fraction is the task's
    /// completion rate); nil when no episode has metrics.
    public var metrics: [String: Summary]?
    /// Episodes per end reason.
    public var ends: [String: Int]
    public var sps: StepsPerSecond
    public var seconds: SecondsSplit
    public var steps: Int
    /// Useful policy FLOPs per second of inference time (network + critic multiply-adds × 2).
    public var flopRate: Double?

    public struct AcrossSeeds: Codable, Equatable, Sendable {
        public var mean: Double
        public var std: Double
    }

    enum CodingKeys: String, CodingKey {
        case task, policy, episodes, `return`, length, ends, sps, seconds, steps, metrics
        case policySummary = "policy_summary"
        case normalizedScore = "normalized_score"
        case perSeed = "per_seed"
        case acrossSeeds = "across_seeds"
        case successRate = "success_rate"
        case flopRate = "flop_rate"
    }

    /// Builds the statistics from the episodes (sorted by seed, then episode) and the timing.
    public init(task: String, policy: String, policySummary: String, episodes: [EpisodeResult],
                timing: RolloutTiming, flopsPerAction: Double) {
        let sorted = episodes.sorted { $0.id < $1.id }
        self.task = task
        self.policy = policy
        self.policySummary = policySummary
        self.episodes = sorted
        normalizedScore = Self.scoreSummary(sorted)
        self.return = Summary(sorted.map(\.return))
        length = Summary(sorted.map { Double($0.length) })
        let seeds = Array(Set(sorted.map(\.seed))).sorted()
        perSeed = seeds.map { seed in
            let mine = sorted.filter { $0.seed == seed }
            return SeedReport(seed: seed, normalizedScore: Self.scoreSummary(mine), return: Summary(mine.map(\.return)))
        }
        let seedMeans = perSeed.compactMap { $0.normalizedScore?.mean }
        if seedMeans.count > 1, seedMeans.count == perSeed.count {
            let means = Summary(seedMeans)
            acrossSeeds = AcrossSeeds(mean: means.mean, std: means.std)
        }
        let successes = sorted.compactMap(\.success)
        successRate = successes.isEmpty ? nil : Double(successes.filter { $0 }.count) / Double(successes.count)
        let metricNames = Set(sorted.flatMap { $0.metrics?.keys.map { $0 } ?? [] })
        if !metricNames.isEmpty {
            metrics = Dictionary(uniqueKeysWithValues: metricNames.map { name in
                (name, Summary(sorted.compactMap { $0.metrics?[name] }))
            })
        }
        ends = Dictionary(grouping: sorted, by: \.end.rawValue).mapValues(\.count)
        steps = timing.steps
        func rate(_ seconds: Double) -> Double { seconds > 0 ? Double(timing.steps) / seconds : 0 }
        sps = StepsPerSecond(total: rate(timing.total), physics: rate(timing.physics), inference: rate(timing.inference))
        seconds = SecondsSplit(total: timing.total, physics: timing.physics, inference: timing.inference, overhead: timing.overhead)
        flopRate = flopsPerAction > 0 && timing.inference > 0 ? flopsPerAction * Double(timing.steps) / timing.inference : nil
    }

    /// The normalized scores' summary when every episode has one, else nil (no reference scores).
    static func scoreSummary(_ episodes: [EpisodeResult]) -> Summary? {
        let scores = episodes.compactMap(\.normalizedScore)
        return scores.count == episodes.count && !scores.isEmpty ? Summary(scores) : nil
    }
}

/// The machine-readable report of an evaluation (`--output report.json`).
public struct EvaluationReport: Codable, Equatable, Sendable {
    public var provenance: Provenance
    public var tasks: [TaskReport]
    /// With several checkpoints of one run: RAT and OMS per task over the checkpoints in order.
    public var series: [String: TrainingCurveScores]?

    public init(provenance: Provenance, tasks: [TaskReport], series: [String: TrainingCurveScores]? = nil) {
        self.provenance = provenance
        self.tasks = tasks
        self.series = series
    }

    /// RAT/OMS per task over `policies` (labels, in training order) when more than one of them is
    /// a checkpoint; a task gets a series only when every policy has a row for it.
    static func trainingCurves(_ tasks: [TaskReport], policies: [String], checkpoints: Int) -> [String: TrainingCurveScores]? {
        guard policies.count > 1, checkpoints > 1 else { return nil }
        var result: [String: TrainingCurveScores] = [:]
        for task in Set(tasks.map(\.task)) {
            let scores = policies.compactMap { p in tasks.first { $0.task == task && $0.policy == p }?.normalizedScore?.mean }
            if scores.count == policies.count { result[task] = TrainingCurveScores(scores: scores) }
        }
        return result.isEmpty ? nil : result
    }

    /// The per-episode metric names of the report's episodes (e.g. `tasks_completed`), sorted.
    public var episodeMetricNames: [String] {
        Set(tasks.flatMap { $0.episodes.flatMap { $0.metrics?.keys.map { $0 } ?? [] } }).sorted()
    }

    /// One CSV row per episode: task, policy, seed, episode, return, length, normalized score
    /// (empty for a task without reference scores), end,
    /// for goal-reaching tasks success, time to goal (steps) and the goal (m), then one column per
    /// episode metric the robots report (`episodeMetricNames`; none for robots without metrics).
    public func episodesCSV() -> String {
        let metricNames = episodeMetricNames
        // The physics of every row: one build per report (`provenance.mujoco_version`).
        let physics = csvField(provenance.mujocoVersion)
        var lines = [(["task,policy,mujoco,seed,episode,return,length,normalized_score,end,success,time_to_goal,goal_x,goal_y"] + metricNames)
            .joined(separator: ",")]
        for task in tasks {
            for e in task.episodes {
                let success: String = e.success.map { "\($0)" } ?? ""
                let timeToGoal: String = e.timeToGoal.map { "\($0)" } ?? ""
                let goal: [String] = e.goal.map { $0.map { "\($0)" } } ?? ["", ""]
                let metrics: [String] = metricNames.map { name in e.metrics?[name].map { "\($0)" } ?? "" }
                let fields: [String] = [csvField(task.task), csvField(task.policy), physics, "\(e.seed)", "\(e.episode)", "\(e.return)",
                                        "\(e.length)", e.normalizedScore.map { "\($0)" } ?? "", e.end.rawValue, success, timeToGoal] + goal + metrics
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
