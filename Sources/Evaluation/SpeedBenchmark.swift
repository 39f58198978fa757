import Checkpoints
import DiffusionPolicy
import Environments
import Foundation
import MuJoCo
import SGEMMCeiling

/// The EDP paper's sampling-speed protocol (Kang et al. 2023, "Efficient Diffusion Policies for
/// Offline RL", sampling speed on the registry's `edp_speed_protocol_task` over 10,000 transitions): episodes are
/// run until `transitions` environment steps are collected, then SPS (total, physics, inference),
/// the policy's useful FLOP rate and OpenBLAS sgemm on 2048³ (the machine's practical ceiling,
/// measured in the same run) are reported.
public struct SpeedBenchmark {
    /// Side of the square sgemm that measures the ceiling (2048³ float32).
    public static let sgemmSize = 2048

    public let task: TaskSpec
    public let source: PolicySource
    public let overrides: PolicyOverrides
    /// Environment steps to collect.
    public let transitions: Int
    /// Environments in flight (the policy's batch size).
    public let environments: Int
    /// Threads for stepping and inference (the policy splits its rows across them itself).
    public let threads: Int
    /// The MuJoCo build the episodes run on.
    public let physics: MuJoCoPhysics
    /// Where the checkpoint is read from (shared with `task(of:)`, so the file is read once).
    public let checkpoints: CheckpointStore

    public init(task: TaskSpec, source: PolicySource, overrides: PolicyOverrides, transitions: Int, environments: Int, threads: Int,
                physics: MuJoCoPhysics, checkpoints: CheckpointStore = CheckpointStore()) {
        self.physics = physics
        self.checkpoints = checkpoints
        precondition(transitions >= 1 && environments >= 1 && threads >= 1, "sizes are checked by the caller")
        self.task = task
        self.source = source
        self.overrides = overrides
        self.transitions = transitions
        self.environments = environments
        self.threads = threads
    }

    /// The task to time a checkpoint on when none is given: the one it names (its variant `env`,
    /// as `evaluate` does); else the paper's task if the checkpoint fits its observations.
    /// Load errors are reported, never replaced by a default.
    /// - Throws: `SpeedBenchmarkError.noTask` when the checkpoint names an unknown task, or
    ///   names none and does not fit the paper's task.
    public static func task(of url: URL, registry: TaskRegistry, checkpoints: CheckpointStore = CheckpointStore()) throws -> TaskSpec {
        let loaded = try checkpoints.checkpoint(at: url)
        do {
            if let named = try CheckpointTask.named(by: loaded, registry: registry) { return named }
        } catch {
            throw SpeedBenchmarkError.noTask(file: url.path, reason: "the checkpoint names its task '\(error.name)' (variant 'env'), which is not a task edp-eval knows; pass --task")
        }
        let paper = try registry.edpSpeedProtocolTask()
        let expected = try EnvironmentFactory.make(task: paper, physics: paper.sourcePhysics).observationSize
        let observations = loaded.configuration.observationSize
        guard observations == expected else {
            throw SpeedBenchmarkError.noTask(file: url.path, reason: "the checkpoint does not name its task (no variant 'env') and takes \(observations) observation values, not the \(expected) of the default \(paper.id); pass --task (e.g. a task of the robot it was trained on)")
        }
        return paper
    }

    /// Loads the policy, collects the transitions, measures the sgemm ceiling.
    /// - Parameter progress: called as episodes finish, with the steps collected so far.
    public func run(registry: TaskRegistry, progress: ((EvaluationRunner.GroupProgress) -> Void)? = nil) throws -> Result {
        // The policy splits its rows across `threads` threads itself (OpenBLAS stays at 1 thread);
        // inference and physics alternate, so both phases use every core. Rows are bit-identical
        // whatever this count, so the actions do not depend on it.
        BLASThreading.setThreadCount(threads)
        let (policy, checkpoint) = try PolicyFactory.make(source, task: task, physics: physics, overrides: overrides,
                                                         checkpoints: checkpoints)
        let (collected, seeds) = try collect(with: policy, progress: progress)
        let sgemm = SGEMMCeiling.measure(size: Self.sgemmSize, threads: threads)
        func rate(_ s: Double) -> Double { s > 0 ? Double(collected.steps) / s : 0 }
        // Useful FLOPs: the network's and critic's multiply-adds × 2 per action, over inference time.
        let flopRate = policy.flopsPerAction > 0 && collected.inference > 0
            ? policy.flopsPerAction * Double(collected.steps) / collected.inference : nil
        return Result(task: task.id, policy: "\(source.description): \(policy.summary)", transitions: collected.steps,
                      environments: environments, threads: threads,
                      sps: StepsPerSecond(total: rate(collected.total), physics: rate(collected.physics),
                                          inference: rate(collected.inference)),
                      seconds: SecondsSplit(total: collected.total, physics: collected.physics,
                                            inference: collected.inference, overhead: collected.overhead),
                      flopRate: flopRate, sgemmRate: sgemm, rooflineRatio: flopRate.map { $0 / sgemm },
                      provenance: try provenance(policy: policy, checkpoint: checkpoint, seeds: seeds, registry: registry))
    }

    /// Runs rounds of `environments` episodes (round k: seed k, episodes 0..<environments) until
    /// the step budget is met; the last round stops at the budget. Returns the timing and the seeds used.
    private func collect(with policy: any RolloutPolicy, progress: ((EvaluationRunner.GroupProgress) -> Void)?) throws
        -> (RolloutTiming, [UInt64]) {
        var collected = RolloutTiming()
        var seed: UInt64 = 0
        while collected.steps < transitions {
            let budget = transitions - collected.steps
            let episodes = (0..<environments).map { EpisodeID(seed: seed, episode: $0) }
            let engine = RolloutEngine(task: task, physics: physics, policy: policy, width: environments, threads: threads)
            let stepsBefore = collected.steps
            let timing = try engine.run(episodes: episodes, stepLimit: budget, onEpisode: { _ in }, onProgress: { p in
                var shown = p
                shown.steps += stepsBefore
                progress?(EvaluationRunner.GroupProgress(task: task.id, policy: source.description, group: 1, groups: 1, progress: shown,
                                                         physics: physics.rawValue))
            })
            collected.add(timing)
            seed += 1
        }
        return (collected, Array(0..<seed))
    }

    private func provenance(policy: any RolloutPolicy, checkpoint: Checkpoint?, seeds: [UInt64], registry: TaskRegistry) throws -> Provenance {
        let fileHashes = checkpoint?.fileHashes ?? [:]
        return Provenance(physics: physics, taskSemanticsVersion: registry.semanticsVersion,
                          modelFiles: try Provenance.modelFiles(for: task),
                          checkpoints: checkpoint.map { Provenance.File.all($0) } ?? [],
                          seeds: seeds, episodesPerSeed: environments, policy: policy.settings, threads: threads,
                          blasThreads: BLASThreading.threadCount, environmentsInFlight: environments,
                          tasks: [task.id],
                          policies: [Provenance.PolicyRecord(label: source.description, sha256: checkpoint?.sha256 ?? "",
                                                             settings: policy.settings,
                                                             files: fileHashes.count > 1 ? fileHashes : nil)])
    }
}

/// Why a speed benchmark cannot start.
public enum SpeedBenchmarkError: Error, CustomStringConvertible, Equatable {
    /// The checkpoint does not say which task to time it on, and none was given.
    case noTask(file: String, reason: String)

    public var description: String {
        switch self {
        case .noTask(let file, let reason): return "\(file): \(reason)"
        }
    }
}
