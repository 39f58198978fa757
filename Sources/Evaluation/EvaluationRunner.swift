import Checkpoints
import DiffusionPolicy
import Environments
import Foundation
import MuJoCo

/// What to evaluate: tasks × policies × seeds, E episodes per seed.
public struct EvaluationPlan: Sendable {
    public var tasks: [TaskSpec]
    public var policies: [PolicySource]
    /// Seeds S, S+1, ..., S+K−1.
    public var seeds: [UInt64]
    public var episodesPerSeed: Int
    /// Environments in flight per (task, policy): the policy's batch size. nil: each group runs
    /// `defaultWidth(episodes:)` of the episodes it actually runs (this shard's, after a resume).
    public var width: Int?
    /// Threads for environment stepping and for BLAS.
    public var threads: Int
    public var overrides: PolicyOverrides
    public var shard: Shard?
    /// The MuJoCo build every episode of the run is simulated with (docs/physics.md).
    public var physics: MuJoCoPhysics
    /// The run's checkpoints, each read once (shared with whoever read them before the run).
    public var checkpoints: CheckpointStore

    public init(tasks: [TaskSpec], policies: [PolicySource], seeds: [UInt64], episodesPerSeed: Int,
                width: Int?, threads: Int, overrides: PolicyOverrides = PolicyOverrides(), shard: Shard? = nil,
                physics: MuJoCoPhysics, checkpoints: CheckpointStore = CheckpointStore()) {
        self.physics = physics
        self.checkpoints = checkpoints
        self.tasks = tasks
        self.policies = policies
        self.seeds = seeds
        self.episodesPerSeed = episodesPerSeed
        self.width = width
        self.threads = threads
        self.overrides = overrides
        self.shard = shard
    }

    /// Default environments in flight for a group that runs M episodes: W = clamp(⌈M/2⌉, 1, 100).
    /// ⌈M/2⌉ makes the episodes finish (be logged, survive a kill, count in the ETA) in two waves
    /// or more however small the group is (M = 10: 5 in flight), while keeping the batched
    /// policy's throughput within the noise of the widest batch; ⌈M/4⌉ lost 8–20% of it (docs/evaluate.md
    /// "Environments in flight", measured side by side). From M = 200 on the batch stays at 100
    /// rows, past which the batched policy gains little.
    public static func defaultWidth(episodes: Int) -> Int {
        min(maximumDefaultWidth, max(1, (episodes + 1) / 2))
    }
    public static let maximumDefaultWidth = 100
}

/// Runs an `EvaluationPlan`, streaming episodes to an optional JSON Lines log, and builds the report.
public final class EvaluationRunner {
    public let plan: EvaluationPlan
    public let registry: TaskRegistry
    /// Seconds the last `run` spent in observers and `onEpisode` (video rendering and encoding),
    /// not counted in the report's SPS.
    public private(set) var observerSeconds = 0.0
    /// What the last `run` noticed in a resumed log and fixed (`EpisodeLog.notes`), for stderr.
    public private(set) var notes: [String] = []

    public init(plan: EvaluationPlan, registry: TaskRegistry) {
        self.plan = plan
        self.registry = registry
    }

    /// Progress of one (task, policy) group.
    public struct GroupProgress: Sendable {
        public var task: String
        public var policy: String
        public var group: Int
        public var groups: Int
        public var progress: RolloutProgress
        /// The MuJoCo build the group runs on ("2.1.0").
        public var physics: String = ""
        public init(task: String, policy: String, group: Int, groups: Int, progress: RolloutProgress, physics: String = "") {
            self.physics = physics
            self.task = task
            self.policy = policy
            self.group = group
            self.groups = groups
            self.progress = progress
        }
    }

    /// Per (task, policy) group, given the task, the policy's index in `plan.policies` and the
    /// loaded policy: an optional observer for the group's engine (video).
    public typealias ObserverFactory = (TaskSpec, Int, any RolloutPolicy) throws -> RolloutEngine.EpisodeObserver?

    /// - Parameters:
    ///   - logURL: where to append episodes as they finish (JSON Lines); nil for none.
    ///   - resume: continue the run recorded in `logURL` instead of starting over.
    ///   - observerFactory: an optional observer per (task, policy) group (`ObserverFactory`).
    ///   - onEpisode: called with each episode as it finishes (after it is logged); its time, like
    ///     the observer's, is counted in `observerSeconds`, not in the report's SPS.
    public func run(logURL: URL? = nil, resume: Bool = false,
                    progress: ((GroupProgress) -> Void)? = nil,
                    onEpisode: ((EpisodeResult) throws -> Void)? = nil,
                    observerFactory: ObserverFactory? = nil)
        throws -> EvaluationReport {
        // Policy inference uses `plan.threads` threads of its own (rows split across them;
        // OpenBLAS pinned to 1 thread); it alternates with the physics phase, which uses the same
        // threads. Results are bit-identical for any thread count (BatchInvarianceTests).
        BLASThreading.setThreadCount(plan.threads)
        let items = sweepItems(tasks: plan.tasks.count, policies: plan.policies.count, seeds: plan.seeds, shard: plan.shard)
        let policies = try loadPolicies(items)
        let log = try logURL.map { try EpisodeLog(url: $0, header: header(policies.records), resume: resume) }
        notes = log?.notes ?? []

        var reports: [TaskReport] = []
        var widest = 0
        let groups = orderedGroups(items)
        for (g, key) in groups.enumerated() {
            let task = plan.tasks[key.task], source = plan.policies[key.policy]
            let policy = policies.loaded[key.policy]![key.task]!
            let label = source.description
            let seeds = items.filter { $0.taskIndex == key.task && $0.policyIndex == key.policy }.map(\.seed)
            // Normalized scores of resumed episodes are recomputed from their returns, not trusted.
            var results: [EpisodeResult] = []
            for recorded in log?.recordedEpisodes ?? [] where recorded.policy == label && recorded.result.task == task.id {
                do { results.append(try recorded.result.renormalized(for: task)) } catch {
                    throw EvaluationError.resumeMismatch(file: logURL?.path ?? "-", reason: error.description)
                }
            }
            let done = Set(results.map(\.id))
            let todo = seeds.flatMap { seed in (0..<plan.episodesPerSeed).map { EpisodeID(seed: seed, episode: $0) } }
                .filter { !done.contains($0) }
            var timing = log?.recordedTiming[GroupKey(task: task.id, policy: label)] ?? RolloutTiming()
            if !todo.isEmpty {
                let width = plan.width ?? EvaluationPlan.defaultWidth(episodes: todo.count)
                widest = max(widest, min(width, todo.count))
                let engine = RolloutEngine(task: task, physics: plan.physics, policy: policy, width: width, threads: plan.threads)
                let observer = try observerFactory?(task, key.policy, policy)
                var logged = RolloutTiming()
                let fresh = try engine.run(episodes: todo, onEpisode: { result in
                    let now = engine.timingSoFar
                    try log?.record(episode: result, policy: label, timing: now.since(logged))
                    logged = now
                    results.append(result)
                    // The caller's work (e.g. finishing a video) is not evaluation: kept out of SPS.
                    try engine.asObserverTime { try onEpisode?(result) }
                }, onProgress: { p in
                    var shown = p
                    shown.episodesDone += done.count
                    shown.episodesTotal += done.count
                    progress?(GroupProgress(task: task.id, policy: label, group: g + 1, groups: groups.count, progress: shown,
                                            physics: self.plan.physics.rawValue))
                }, observer: observer)
                try log?.record(timing: fresh.since(logged), task: task.id, policy: label)
                timing.add(fresh)
                observerSeconds += engine.observerSeconds
            }
            reports.append(TaskReport(task: task.id, policy: label, policySummary: policy.summary, episodes: results,
                                      timing: timing, flopsPerAction: policy.flopsPerAction))
        }
        let checkpoints = plan.policies.filter { if case .checkpoint = $0 { return true } else { return false } }.count
        return EvaluationReport(provenance: try provenance(policies, widest: widest), tasks: reports,
                                series: EvaluationReport.trainingCurves(reports, policies: plan.policies.map(\.description),
                                                                        checkpoints: checkpoints))
    }

    /// The plan's policies as loaded for the tasks they run on here, with what provenance records.
    struct LoadedPolicies {
        /// [policy index][task index] → the policy.
        var loaded: [Int: [Int: any RolloutPolicy]] = [:]
        var records: [Provenance.PolicyRecord] = []
        var checkpointFiles: [Provenance.File] = []
    }

    /// Loads every policy once per task it runs on; checkpoints are hashed for the header.
    private func loadPolicies(_ items: [SweepItem]) throws -> LoadedPolicies {
        var result = LoadedPolicies()
        for (p, source) in plan.policies.enumerated() {
            var hash = ""
            var files: [String: String]?
            for t in Set(items.filter { $0.policyIndex == p }.map(\.taskIndex)).sorted() {
                let (policy, checkpoint) = try PolicyFactory.make(source, task: plan.tasks[t], physics: plan.physics, overrides: plan.overrides,
                                                                  checkpoints: plan.checkpoints)
                result.loaded[p, default: [:]][t] = policy
                if let checkpoint {
                    hash = checkpoint.sha256
                    // Every file that decides actions (a Diffusion-QL critic too) is recorded.
                    if checkpoint.fileHashes.count > 1 { files = checkpoint.fileHashes }
                    for file in Provenance.File.all(checkpoint) where !result.checkpointFiles.contains(file) {
                        result.checkpointFiles.append(file)
                    }
                }
            }
            // Settings of the policy as loaded for its first task (the same for every task); a
            // policy this shard does not run is not loaded, so its hash and settings are unknown.
            let policySettings = result.loaded[p]?.min { $0.key < $1.key }?.value.settings
            result.records.append(Provenance.PolicyRecord(label: source.description, sha256: policySettings == nil ? nil : hash,
                                                          settings: policySettings, files: policySettings == nil ? nil : files))
        }
        return result
    }

    /// The episode log's header: what a resumed run must match.
    private func header(_ records: [Provenance.PolicyRecord]) -> EpisodeLog.Header {
        EpisodeLog.Header(tasks: plan.tasks.map(\.id), policies: plan.policies.map(\.description),
                          policyHashes: records.map(\.identity),
                          policySettings: records.map { ($0.settings ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") },
                          seeds: plan.seeds,
                          episodesPerSeed: plan.episodesPerSeed, shard: plan.shard?.description,
                          taskSemanticsVersion: registry.semanticsVersion, mujocoVersion: plan.physics.rawValue)
    }

    /// The report's provenance; `widest`: the most environments any group had in flight.
    private func provenance(_ policies: LoadedPolicies, widest: Int) throws -> Provenance {
        var modelFiles: [Provenance.File] = []
        for task in plan.tasks {
            for file in try Provenance.modelFiles(for: task) where !modelFiles.contains(file) { modelFiles.append(file) }
        }
        return Provenance(physics: plan.physics, taskSemanticsVersion: registry.semanticsVersion, modelFiles: modelFiles,
                          checkpoints: policies.checkpointFiles, seeds: plan.seeds, episodesPerSeed: plan.episodesPerSeed,
                          policy: policies.records.first { $0.settings != nil }?.settings ?? [:], threads: plan.threads,
                          blasThreads: BLASThreading.threadCount, environmentsInFlight: plan.width ?? max(1, widest),
                          shard: plan.shard?.description, tasks: plan.tasks.map(\.id), policies: policies.records)
    }

    private func orderedGroups(_ items: [SweepItem]) -> [(task: Int, policy: Int)] {
        var seen = Set<Int>(), groups: [(Int, Int)] = []
        for item in items where seen.insert(item.taskIndex * 100_000 + item.policyIndex).inserted {
            groups.append((item.taskIndex, item.policyIndex))
        }
        return groups
    }
}
