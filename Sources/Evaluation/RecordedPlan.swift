import Environments

/// The sweep plan a log header or a report's provenance records, against which `--resume` and
/// `merge` check every recorded episode: they trust nothing they can recompute or check.
public struct RecordedPlan: Equatable, Sendable {
    public var tasks: [String]
    public var policies: [String]
    public var seeds: [UInt64]
    public var episodesPerSeed: Int
    public var shard: Shard?

    public init(tasks: [String], policies: [String], seeds: [UInt64], episodesPerSeed: Int, shard: Shard?) {
        self.tasks = tasks
        self.policies = policies
        self.seeds = seeds
        self.episodesPerSeed = episodesPerSeed
        self.shard = shard
    }

    /// Largest |return| accepted. No D4RL MuJoCo task pays more than a few tens per step
    /// (halfcheetah's forward reward peaks near 15, kitchen pays at most 4) over at most 1,000
    /// steps, i.e. |return| below 10^5; 10^9 leaves room for any real episode, including an
    /// unstable one cut short, while a stored 1e308 (which made the interval [−inf, inf]) is
    /// refused.
    public static let maxAbsoluteReturn = 1e9

    /// Why episode `e` of `policy` cannot be part of this plan (task, policy, seed, episode index
    /// or shard outside it), or why its values are impossible; nil when it fits.
    public func problem(with e: EpisodeResult, policy: String) -> String? {
        guard let t = tasks.firstIndex(of: e.task) else {
            return "task \(e.task) is not in the recorded plan (tasks \(tasks.joined(separator: ", ")))"
        }
        guard let p = policies.firstIndex(of: policy) else {
            return "policy \(policy) is not in the recorded plan (policies \(policies.joined(separator: ", ")))"
        }
        guard let s = seeds.firstIndex(of: e.seed) else {
            return "seed \(e.seed) is not in the recorded plan (seeds \(seeds.map(String.init).joined(separator: ", ")))"
        }
        // (Compared, not a range: a report edited to a negative episodes_per_seed must not trap.)
        guard e.episode >= 0 && e.episode < episodesPerSeed else {
            return "episode \(e.episode) of seed \(e.seed) is outside the recorded plan (episodes 0-\(episodesPerSeed - 1) per seed)"
        }
        if let shard, !shard.contains(item: (t * policies.count + p) * seeds.count + s) {
            return "seed \(e.seed) of \(e.task) × \(policy) belongs to another shard than \(shard)"
        }
        return Self.valueProblem(e)
    }

    /// Why the episode's numbers are impossible (non-finite or absurd), or nil.
    public static func valueProblem(_ e: EpisodeResult) -> String? {
        guard e.return.isFinite, abs(e.return) <= maxAbsoluteReturn else {
            return "episode \(e.episode) of seed \(e.seed) has return \(e.return); expected a finite number of magnitude at most 1e9"
        }
        guard e.length >= 0 else { return "episode \(e.episode) of seed \(e.seed) has length \(e.length); expected ≥ 0" }
        if let bad = e.metrics?.first(where: { !$0.value.isFinite }) {
            return "episode \(e.episode) of seed \(e.seed) has metric \(bad.key) = \(bad.value); expected a finite number"
        }
        if let goal = e.goal, goal.count != 2 || !goal.allSatisfy(\.isFinite) {
            return "episode \(e.episode) of seed \(e.seed) has goal \(goal); expected two finite coordinates"
        }
        return nil
    }
}

extension EpisodeResult {
    /// The episode with its normalized score recomputed from its return and `task`'s reference
    /// scores (never trusted from a file); throws the reason when its length exceeds the task's
    /// time limit.
    public func renormalized(for task: TaskSpec) throws(RecordedEpisodeError) -> EpisodeResult {
        guard length <= task.maxEpisodeSteps else {
            throw RecordedEpisodeError("episode \(episode) of seed \(seed) has length \(length), more than \(task.id)'s time limit \(task.maxEpisodeSteps)")
        }
        var copy = self
        copy.normalizedScore = task.normalizedScore(return: self.return)
        return copy
    }
}

/// Why a recorded episode is refused (the caller adds the file and line).
public struct RecordedEpisodeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
