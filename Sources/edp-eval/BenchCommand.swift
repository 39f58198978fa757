import ArgumentParser
import DiffusionPolicy
import Environments
import Evaluation
import Foundation

/// `edp-eval bench`: EDP's sampling-speed protocol (10,000 transitions on the paper's task,
/// `TaskRegistry.edpSpeedProtocolTask`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sampling speed as the EDP paper does: environment steps per second over 10,000 transitions.",
        discussion: """
        Runs episodes until --transitions environment steps are collected and reports SPS (total, \
        physics, inference), the policy's useful FLOP rate (network + critic multiply-adds × 2 per \
        second of inference), OpenBLAS sgemm on 2048³ float32 with the same thread count measured in \
        the same run (the machine's practical ceiling), and their ratio. Without --checkpoint, an EDP \
        network of the paper's architecture (3×256 Mish, K = 1000, DPM-Solver) with seeded random \
        weights is used: speed does not depend on the weights. The EDP paper reports 411 SPS on a GPU \
        (EAS, DPM-Solver 15 steps).

        Examples:
          edp-eval bench                                         (EAS N=10, DPM-Solver 15 steps)
          edp-eval bench --candidates 50 --output b.json
          edp-eval bench --selection single                      (single-sample DPM)
          edp-eval bench --policy random                         (physics only)
          edp-eval bench --checkpoint model_final.pkl          (its own task and settings)
        """
    )

    @Option(help: "D4RL task id (default: a checkpoint's own task, else the paper's task, edp_speed_protocol_task in envs/tasks.json).")
    var task: String?

    @Option(name: .customLong("checkpoint"), help: "Checkpoint to time (default: random-weight EDP network).")
    var checkpoint: String?

    @Option(help: "random: time the physics alone.")
    var policy: String?

    @Option(help: "EAS candidates N (default: a checkpoint's own, else the paper's main setting, 10).")
    var candidates: Int?

    @Option(help: "Action selection: energy, argmax or single.")
    var selection: PolicyConfiguration.ActionSelection?

    @Option(help: "Sampler: dpm, ddpm or ddim.")
    var sampler: PolicyConfiguration.Sampler?

    @Option(name: .customLong("dpm-steps"), help: "DPM-Solver steps.")
    var dpmSteps: Int?

    @Option(help: "Environment steps to collect.")
    var transitions = 10_000

    @Option(name: .customLong("environments"), help: "Environments in flight (the policy's batch size; default 50, or --transitions when fewer; at most \(RunLimits.maxEnvironments) and at most --transitions).")
    var environmentsOption: Int?

    /// Environments in flight: `--environments`, else 50 (at most one per transition).
    var environments: Int { environmentsOption ?? min(50, transitions) }

    @Option(help: ArgumentHelp("Threads for environment stepping and the policy (default: SLURM_CPUS_PER_TASK under Slurm, else all cores; more than the cores are capped to the cores).", valueName: "n"))
    var threads: Int?

    @Option(name: .shortAndLong, help: "Write the JSON result here.")
    var output: String?

    @OptionGroup var statistics: ObservationStatsOptions

    struct Result: Codable {
        var task: String
        var policy: String
        var transitions: Int
        var environments: Int
        var threads: Int
        var sps: StepsPerSecond
        var seconds: SecondsSplit
        var flopRate: Double?
        var sgemmRate: Double
        var rooflineRatio: Double?
        var provenance: Provenance
        enum CodingKeys: String, CodingKey {
            case task, policy, transitions, environments, threads, sps, seconds, provenance
            case flopRate = "flop_rate", sgemmRate = "sgemm_rate", rooflineRatio = "roofline_ratio"
        }

        /// Every key is always written; `flop_rate` and `roofline_ratio` are `null` for a policy
        /// without network FLOPs (`--policy random`).
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(task, forKey: .task)
            try c.encode(policy, forKey: .policy)
            try c.encode(transitions, forKey: .transitions)
            try c.encode(environments, forKey: .environments)
            try c.encode(threads, forKey: .threads)
            try c.encode(sps, forKey: .sps)
            try c.encode(seconds, forKey: .seconds)
            if let flopRate { try c.encode(flopRate, forKey: .flopRate) } else { try c.encodeNil(forKey: .flopRate) }
            try c.encode(sgemmRate, forKey: .sgemmRate)
            if let rooflineRatio { try c.encode(rooflineRatio, forKey: .rooflineRatio) } else { try c.encodeNil(forKey: .rooflineRatio) }
            try c.encode(provenance, forKey: .provenance)
        }
    }

    func validate() throws {
        guard transitions >= 1, (environmentsOption ?? 1) >= 1, (candidates ?? 1) >= 1 else {
            throw ValidationError("--transitions, --environments and --candidates must be positive")
        }
        guard transitions <= Self.maxTransitions else {
            throw ValidationError("--transitions must be at most \(Self.maxTransitions), got \(transitions)")
        }
        try RunLimits.checkEnvironments(environmentsOption)
        // More environments than transitions would only reset environments that never step.
        if let environments = environmentsOption, environments > transitions {
            throw ValidationError("--environments \(environments) is more than --transitions \(transitions): at most one environment per transition")
        }
        try RunLimits.checkThreads(threads)
        if let output { try OutputPath.check(output) }
        if let policy, policy != "random" { throw ValidationError("unknown --policy '\(policy)': the built-in policy is 'random'") }
        if policy != nil && checkpoint != nil { throw ValidationError("give either --checkpoint or --policy, not both") }
    }

    /// The task to time a checkpoint on without `--task`: the one it names (its variant `env`, as
    /// `evaluate` does); else the paper's task if the checkpoint fits its observations, else an
    /// error asking for `--task`. Load errors are reported, never replaced by a default.
    static func task(of url: URL, registry: TaskRegistry) throws -> TaskSpec {
        let loaded = try Checkpoint.load(url)
        if case .string(let env)? = loaded.variant["env"] {
            do { return try registry.task(env) } catch {
                throw CLIError.badInput(file: url.path, reason: "the checkpoint names its task '\(env)' (variant 'env'), which is not a task edp-eval knows; pass --task")
            }
        }
        let paper = try registry.edpSpeedProtocolTask()
        let expected = try EnvironmentFactory.make(task: paper).observationSize
        let observations = loaded.configuration.observationSize
        guard observations == expected else {
            throw CLIError.badInput(file: url.path, reason: "the checkpoint does not name its task (no variant 'env') and takes \(observations) observation values, not the \(expected) of the default \(paper.id); pass --task (e.g. a task of the robot it was trained on)")
        }
        return paper
    }

    /// A billion steps is days of physics alone; more is a typo.
    static let maxTransitions = 1_000_000_000

    func run() throws {
        let threads = RunLimits.threadsInUse(try self.threads ?? Scheduler.defaultThreads(
            environment: ProcessInfo.processInfo.environment, cores: ProcessInfo.processInfo.activeProcessorCount))
        let registry = try TaskRegistry.standard()
        let spec: TaskSpec
        if let task {
            spec = try registry.task(task)
        } else if let checkpoint {
            spec = try Self.task(of: URL(fileURLWithPath: checkpoint), registry: registry)
        } else {
            spec = try registry.edpSpeedProtocolTask()
        }
        // The policy splits its rows across `threads` threads itself (OpenBLAS stays at 1 thread);
        // inference and physics alternate, so both phases use every core. Rows are bit-identical
        // whatever this count, so the actions do not depend on it.
        BLASThreading.setThreadCount(threads)
        let source: PolicySource
        if policy == "random" { source = .random }
        else if let checkpoint { source = .checkpoint(URL(fileURLWithPath: checkpoint)) }
        else { source = .randomEDP(seed: 0) }
        // A checkpoint keeps its own settings unless overridden; the random-weight network runs
        // the paper's main setting, N = 10.
        let overrides = statistics.applied(to: PolicyOverrides(sampler: sampler, dpmSteps: dpmSteps, selection: selection,
                                                               candidates: candidates ?? (checkpoint == nil ? 10 : nil)))
        let (rollout, checkpointFile) = try PolicyFactory.make(source, task: spec, overrides: overrides)

        // Episodes are started until the step budget is met; the run stops at the budget.
        var collected = RolloutTiming()
        var seed: UInt64 = 0
        let progress = ProgressLine()
        while collected.steps < transitions {
            let budget = transitions - collected.steps
            let episodes = (0..<max(1, environments)).map { EpisodeID(seed: seed, episode: $0) }
            let engine = RolloutEngine(task: spec, policy: rollout, width: environments, threads: threads)
            let timing = try engine.run(episodes: episodes, stepLimit: budget, onEpisode: { _ in }, onProgress: { p in
                var shown = p
                shown.steps += collected.steps
                progress.update(EvaluationRunner.GroupProgress(task: spec.id, policy: source.description, group: 1, groups: 1,
                                                               progress: shown))
            })
            collected.add(timing)
            seed += 1
        }
        progress.finish()
        let sgemm = SGEMMCeiling.measure(size: 2048)
        func rate(_ s: Double) -> Double { s > 0 ? Double(collected.steps) / s : 0 }
        let flopRate = rollout.flopsPerAction > 0 && collected.inference > 0
            ? rollout.flopsPerAction * Double(collected.steps) / collected.inference : nil
        let result = Result(task: spec.id, policy: "\(source.description): \(rollout.summary)", transitions: collected.steps,
                            environments: environments, threads: threads,
                            sps: StepsPerSecond(total: rate(collected.total), physics: rate(collected.physics),
                                                inference: rate(collected.inference)),
                            seconds: SecondsSplit(total: collected.total, physics: collected.physics,
                                                  inference: collected.inference, overhead: collected.overhead),
                            flopRate: flopRate, sgemmRate: sgemm, rooflineRatio: flopRate.map { $0 / sgemm },
                            provenance: Provenance(
                                taskSemanticsVersion: try TaskRegistry.standard().semanticsVersion,
                                modelFiles: try Provenance.modelFiles(for: spec),
                                checkpoints: checkpointFile.map { Provenance.File.all($0) } ?? [],
                                seeds: Array(0..<seed), episodesPerSeed: environments, policy: rollout.settings, threads: threads,
                                blasThreads: BLASThreading.threadCount, environmentsInFlight: environments,
                                tasks: [spec.id],
                                policies: [Provenance.PolicyRecord(label: source.description, sha256: checkpointFile?.sha256 ?? "",
                                                                   settings: rollout.settings,
                                                                   files: (checkpointFile?.fileHashes.count ?? 0) > 1 ? checkpointFile?.fileHashes : nil)]))
        print("\(result.task), \(result.policy)")
        print("transitions \(result.transitions), \(environments) environments in flight, \(threads) threads")
        print("SPS total \(Format.fixed(result.sps.total, 0))  (physics-only \(Format.fixed(result.sps.physics, 0)), inference-only \(Format.fixed(result.sps.inference, 0)))")
        print("seconds: total \(Format.fixed(collected.total, 2)), physics \(Format.fixed(collected.physics, 2)), inference \(Format.fixed(collected.inference, 2)), overhead \(Format.fixed(collected.overhead, 2))")
        if let flopRate {
            print("policy FLOP rate \(Format.fixed(flopRate / 1e9, 1)) GFLOP/s, sgemm 2048³ \(Format.fixed(sgemm / 1e9, 1)) GFLOP/s, roofline ratio \(Format.fixed(100 * flopRate / sgemm, 1))%")
        } else {
            print("sgemm 2048³ \(Format.fixed(sgemm / 1e9, 1)) GFLOP/s")
        }
        if let output {
            try OutputPath.write(try JSONText.encode(result, pretty: true) + "\n", to: URL(fileURLWithPath: output))
        }
    }
}

