import ArgumentParser
import Checkpoints
import DiffusionPolicy
import Environments
import Evaluation
import Foundation
import Rendering

/// Which policy to run: checkpoints, the random reference policy, and inference overrides.
struct PolicyOptions: ParsableArguments {
    @Option(name: .customLong("checkpoint"), help: ArgumentHelp(
        "Checkpoint file or folder (EDP model_*.pkl, Diffusion-QL actor_/critic_*.pth, .safetensors, .npz, Stable-Baselines3 .zip). evaluate: repeat for a series of checkpoints of one run (RAT and OMS are reported); record: one video set per checkpoint; bench: one checkpoint.",
        valueName: "path"))
    var checkpoints: [String] = []

    @Option(help: ArgumentHelp("A built-in policy instead of a checkpoint: random (uniform actions, D4RL's reference point).", valueName: "name"))
    var policy: BuiltInPolicy?

    @Option(help: "Sampler override: ddpm, ddim or dpm.")
    var sampler: PolicyConfiguration.Sampler?

    @Option(name: .customLong("dpm-steps"), help: "DPM-Solver steps override (default: the checkpoint's, 15).")
    var dpmSteps: Int?

    @Option(name: .customLong("dpm-t-end"), help: "DPM-Solver end time override (≥ 1/K; default 1e-3).")
    var dpmEndTime: Double?

    @Option(help: "Action selection override: energy (EAS, categorical over softmax(min(Q1,Q2))), argmax, or single.")
    var selection: PolicyConfiguration.ActionSelection?

    @Option(help: "EAS candidates N override (EDP's code: 50; the paper's main setting: 10). --candidates 1 still runs the selection's draw (and the critics), so its noise differs from --selection single, which samples one action and draws no selection noise.")
    var candidates: Int?

    @OptionGroup var statistics: ObservationStatsOptions

    var overrides: PolicyOverrides {
        statistics.applied(to: PolicyOverrides(sampler: sampler, dpmSteps: dpmSteps, dpmEndTime: dpmEndTime,
                                               selection: selection, candidates: candidates))
    }

    func validate() throws {
        if policy != nil && !checkpoints.isEmpty {
            throw ValidationError("give either --checkpoint or --policy, not both")
        }
        let limits = PolicyConfiguration.Limits.self
        if let candidates, !(1...limits.maxCandidates).contains(candidates) {
            throw ValidationError("--candidates must be between 1 and \(limits.maxCandidates)")
        }
        if let dpmEndTime, !(dpmEndTime > 0 && dpmEndTime < 1) {
            throw ValidationError("--dpm-t-end must be in (0, 1) and at least 1/K of the checkpoint (1e-3 for K = 1000), got \(dpmEndTime)")
        }
        if let dpmSteps, !(1...limits.maxDPMSteps).contains(dpmSteps) {
            throw ValidationError("--dpm-steps must be between 1 and \(limits.maxDPMSteps) (and at most the checkpoint's K)")
        }
    }

    /// The bundled reference checkpoint (docs/checkpoints.md "Bundled reference checkpoint").
    static var bundledCheckpoint: URL {
        ProjectResources.bundledCheckpoint
    }

    /// The policy sources, defaulting to the bundled checkpoint.
    func sources() throws -> [PolicySource] {
        if policy == .random { return [.random] }
        if checkpoints.isEmpty { return [.checkpoint(Self.bundledCheckpoint)] }
        var kept: [String] = []
        for path in checkpoints {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError.badInput(file: path, reason: "no such checkpoint file or folder")
            }
            // The same file twice would be two rows of one policy (which merge then pools).
            if let first = kept.first(where: { OutputPath.sameFile($0, path) }) {
                FileHandle.standardError.write(Data("warning: --checkpoint \(path) is \(first) again; it is used once\n".utf8))
                continue
            }
            kept.append(path)
        }
        return kept.map { .checkpoint(URL(fileURLWithPath: $0)) }
    }

    /// The task a checkpoint was trained for (EDP's variant `env`), used when --task is omitted.
    func defaultTask(registry: TaskRegistry, checkpoints store: CheckpointStore) throws -> TaskSpec {
        guard case .checkpoint(let url) = try sources().first else {
            throw ValidationError("--task is required with --policy random")
        }
        let checkpoint = try store.checkpoint(at: url)
        let named: TaskSpec?
        do {
            named = try CheckpointTask.named(by: checkpoint, registry: registry)
        } catch {
            throw CLIError.badInput(file: url.path, reason: "the checkpoint names its task '\(error.name)' (variant 'env'), which is not a task edp-eval knows (\(error.reason)); pass --task")
        }
        guard let named else {
            throw CLIError.badInput(file: url.path, reason: "the checkpoint does not name its task (no variant 'env'); pass --task")
        }
        return named
    }

    /// Notes on stderr for each checkpoint given `--task`s other than the one it names (its
    /// variant `env`): scores on another task are legitimate but easy to get by mistake.
    func warnAboutForeignTasks(_ tasks: [TaskSpec], checkpoints store: CheckpointStore) {
        guard policy == nil else { return }
        for path in checkpoints {
            guard let checkpoint = try? store.checkpoint(at: URL(fileURLWithPath: path)),
                  case .string(let own)? = checkpoint.variant["env"] else { continue }
            for task in tasks where task.id != own {
                FileHandle.standardError.write(Data("warning: \(path) was trained on \(own) and is evaluated on \(task.id)\n".utf8))
            }
        }
    }
}

/// The tasks of `--task` in order, each once (a repeat is dropped with a warning on stderr).
func uniqueTasks(_ ids: [String], registry: TaskRegistry) throws -> [TaskSpec] {
    var tasks: [TaskSpec] = []
    for id in ids {
        if tasks.contains(where: { $0.id == id }) {
            FileHandle.standardError.write(Data("warning: --task \(id) is given more than once; it is evaluated once\n".utf8))
            continue
        }
        tasks.append(try registry.task(id))
    }
    return tasks
}

/// The policies of `--policy`, built in rather than read from a checkpoint.
enum BuiltInPolicy: String, CaseIterable, ExpressibleByArgument {
    /// Uniform actions over the action box: D4RL's reference point for normalized scores.
    case random
}

extension PolicyConfiguration.Sampler: ExpressibleByArgument {}
extension PolicyConfiguration.ActionSelection: ExpressibleByArgument {}
extension ObservationStatistics.DatasetRule: ExpressibleByArgument {}

/// Episodes, seeds and parallelism.
struct RunOptions: ParsableArguments {
    // `.unconditional`: `--episodes -1` is read as the value −1 (and refused by `validate`),
    // not as an unknown option.
    @Option(parsing: .unconditional, help: "Episodes per seed.")
    var episodes = 10

    @Option(parsing: .unconditional, help: "First seed S; seeds S, S+1, ..., S+K-1 are run.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Number of seeds K.")
    var seeds = 1

    /// `--threads` and `--environments`.
    @OptionGroup var parallel: ParallelOptions

    var threads: Int? { parallel.threads }
    var environments: Int? { parallel.environments }

    func validate() throws {
        try RunLimits.checkEpisodes(episodes: episodes, seeds: seeds)
        guard UInt64(seeds - 1) <= UInt64.max - seed else {
            throw ValidationError("--seed \(seed) with --seeds \(seeds): the last seed would exceed \(UInt64.max)")
        }
    }

    var seedList: [UInt64] { (0..<UInt64(seeds)).map { seed + $0 } }
    /// The threads that run (`ParallelOptions.threadCount`).
    func threadCount(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        try parallel.threadCount(environment: environment)
    }
}

/// Parallelism: threads for stepping and inference, and environments in flight (the policy's
/// batch size). Shared by `evaluate`, `verify` (through `RunOptions`) and `bench`.
struct ParallelOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for environment stepping and the policy (default: SLURM_CPUS_PER_TASK under Slurm, else all cores; more than the cores are capped to the cores).", valueName: "n"))
    var threads: Int?

    @Option(parsing: .unconditional, help: "Environments in flight, i.e. the policy's batch size; an ended episode's slot takes the next episode (default: evaluate and verify: half the episodes a task and policy run here, rounded up, at most \(EvaluationPlan.maximumDefaultWidth); bench: 50, at most --transitions; at most \(RunLimits.maxEnvironments)).")
    var environments: Int?

    func validate() throws {
        try RunLimits.checkThreads(threads)
        do { _ = try Scheduler.defaultThreads(environment: ProcessInfo.processInfo.environment, cores: 1) } catch let error as SchedulerError {
            throw ValidationError("\(error) (it sets the default of --threads)")
        }
        try RunLimits.checkEnvironments(environments)
    }

    /// The threads that run: `--threads`, else the CPUs Slurm gave each task (`SLURM_CPUS_PER_TASK`),
    /// else all cores; capped to the machine's cores (a note on stderr when capped).
    func threadCount(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return RunLimits.threadsInUse(try threads ?? Scheduler.defaultThreads(environment: environment, cores: cores))
    }
}

/// Sizes a run may ask for (`Limits`), checked before any work (usage errors, exit 64).
enum RunLimits {
    static let maxEpisodes = Limits.episodesPerGroup
    static let maxThreads = Limits.threads
    static let maxEnvironments = Limits.environments

    static func checkEnvironments(_ environments: Int?) throws {
        if let environments, !(1...maxEnvironments).contains(environments) {
            throw ValidationError("--environments must be between 1 and \(maxEnvironments), got \(environments)")
        }
    }

    static func checkEpisodes(episodes: Int, seeds: Int) throws {
        guard episodes >= 1 else { throw ValidationError("--episodes must be ≥ 1, got \(episodes)") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be ≥ 1, got \(seeds)") }
        let (total, overflow) = episodes.multipliedReportingOverflow(by: seeds)
        guard !overflow, total <= maxEpisodes else {
            throw ValidationError("--episodes \(episodes) × --seeds \(seeds) is more than \(maxEpisodes) episodes per task and policy; split the run with --shard or fewer episodes")
        }
    }

    static func checkThreads(_ threads: Int?) throws {
        if let threads, !(1...maxThreads).contains(threads) {
            throw ValidationError("--threads must be between 1 and \(maxThreads), got \(threads)")
        }
    }

    static func threadsInUse(_ requested: Int?) -> Int {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let requested else { return cores }
        if requested > cores {
            FileHandle.standardError.write(Data("note: --threads \(requested) capped to the \(cores) cores of this machine (recorded as \(cores))\n".utf8))
            return cores
        }
        return requested
    }
}

/// Progress on stderr: on a terminal, one line rewritten in place (episodes done, live SPS, ETA)
/// at most 5 times a second; when stderr is not a terminal (piped, a Slurm log), a plain line at
/// most every 30 s, so short runs stay quiet and long ones leave a readable trace.
final class ProgressLine {
    private let terminal: Bool
    private let interval: Double
    private var last: Double
    private var shown = false

    init(terminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.terminal = terminal
        interval = terminal ? 0.2 : 30
        last = terminal ? 0 : Date().timeIntervalSince1970
    }

    func update(_ p: EvaluationRunner.GroupProgress) {
        let now = Date().timeIntervalSince1970
        let r = p.progress
        let finished = r.episodesDone == r.episodesTotal
        guard now - last > interval || (terminal && finished) else { return }
        last = now
        var eta = "ETA --"
        if r.episodesDone > 0 && !finished {
            eta = "ETA \(Int((r.elapsed / Double(r.episodesDone) * Double(r.episodesTotal - r.episodesDone)).rounded()))s"
        } else if finished { eta = "done" }
        let group = p.groups > 1 ? "[\(p.group)/\(p.groups)] " : ""
        let physics = p.physics.isEmpty ? "" : " (MuJoCo \(p.physics))"
        let text = "\(group)\(p.task)\(physics): episodes \(r.episodesDone)/\(r.episodesTotal), \(r.steps) steps, \(Int(r.stepsPerSecond)) SPS, \(eta)"
        if terminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            shown = true
        } else {
            FileHandle.standardError.write(Data(("progress: " + text + "\n").utf8))
        }
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}

extension RenderQuality: ExpressibleByArgument {}

extension GLBackend: ExpressibleByArgument {
    /// Case-insensitive, as `MUJOCO_GL` is read (`--gl EGL` is `egl`).
    public init?(argument: String) { try? self.init(userValue: argument) }
}
