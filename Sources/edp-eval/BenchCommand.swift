import ArgumentParser
import Checkpoints
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

        Defaults: --candidates is a checkpoint's own, else the paper's main setting, 10; \
        --environments is 50, or --transitions when fewer.
        """
    )

    @Option(help: "D4RL task id (default: a checkpoint's own task, else the paper's task, edp_speed_protocol_task in envs/tasks.json).")
    var task: String?

    /// `--checkpoint` (one; default: a random-weight EDP network), `--policy random`, inference overrides.
    @OptionGroup var policy: PolicyOptions

    @Option(help: "Environment steps to collect.")
    var transitions = 10_000

    /// `--threads` and `--environments`.
    @OptionGroup var parallel: ParallelOptions
    @OptionGroup var physics: PhysicsOptions

    @Option(name: .shortAndLong, help: "Write the JSON result here.")
    var output: String?

    @Flag(help: "Replace the output file if it exists (without it, an existing file is refused).")
    var overwrite = false

    /// Environments in flight: `--environments`, else 50 (at most one per transition).
    var environments: Int { parallel.environments ?? min(50, transitions) }

    func validate() throws {
        _ = try physics.requested()
        guard transitions >= 1 else { throw ValidationError("--transitions must be positive, got \(transitions)") }
        guard transitions <= Limits.benchmarkTransitions else {
            throw ValidationError("--transitions must be at most \(Limits.benchmarkTransitions), got \(transitions)")
        }
        // More environments than transitions would only reset environments that never step.
        if let environments = parallel.environments, environments > transitions {
            throw ValidationError("--environments \(environments) is more than --transitions \(transitions): at most one environment per transition")
        }
        guard policy.checkpoints.count <= 1 else { throw ValidationError("bench times one --checkpoint, got \(policy.checkpoints.count)") }
        if let output {
            try OutputPath.check(output)
            try OutputPath.refuseExisting([output], overwrite: overwrite)
            try OutputPath.refuseInputs([output], inputs: policy.checkpoints.map { ("--checkpoint", $0) })
        }
    }

    func run() throws {
        let lock = try output.map { try OutputPath.lock($0, overwrite: overwrite) }
        defer { lock?.release() }
        let threads = try parallel.threadCount()
        let registry = try TaskRegistry.standard()
        let checkpoint = policy.checkpoints.first.map { URL(fileURLWithPath: $0) }
        let checkpoints = CheckpointStore()   // the checkpoint is read once (its task and its policy)
        let spec = try task.map { try registry.task($0) }
            ?? checkpoint.map { try SpeedBenchmark.task(of: $0, registry: registry, checkpoints: checkpoints) }
            ?? registry.edpSpeedProtocolTask()
        let source: PolicySource = policy.policy == .random ? .random : checkpoint.map { .checkpoint($0) } ?? .randomEDP(seed: 0)
        // A checkpoint keeps its own settings unless overridden; the random-weight network runs
        // the paper's main setting, N = 10.
        var overrides = policy.overrides
        if checkpoint == nil { overrides.candidates = overrides.candidates ?? 10 }
        let benchmark = SpeedBenchmark(task: spec, source: source, overrides: overrides, transitions: transitions,
                                       environments: environments, threads: threads,
                                       physics: try physics.resolve(for: [spec]), checkpoints: checkpoints)
        let progress = ProgressLine()
        let result = try benchmark.run(registry: registry, progress: progress.update)
        progress.finish()
        print(Self.summary(of: result))
        if let output {
            try OutputPath.write(try JSONText.encode(result, pretty: true) + "\n", to: URL(fileURLWithPath: output))
        }
    }

    /// The printed lines: task and policy, sizes, SPS, seconds, FLOP rate against the ceiling.
    static func summary(of result: SpeedBenchmark.Result) -> String {
        let seconds = result.seconds, sgemm = result.sgemmRate
        var lines = [
            "\(result.task), \(result.policy)",
            "transitions \(result.transitions), \(result.environments) environments in flight, \(result.threads) threads, MuJoCo \(result.provenance.mujocoVersion)",
            "SPS total \(Format.fixed(result.sps.total, 0))  (physics-only \(Format.fixed(result.sps.physics, 0)), inference-only \(Format.fixed(result.sps.inference, 0)))",
            "seconds: total \(Format.fixed(seconds.total, 2)), physics \(Format.fixed(seconds.physics, 2)), inference \(Format.fixed(seconds.inference, 2)), overhead \(Format.fixed(seconds.overhead, 2))",
        ]
        if let flopRate = result.flopRate {
            lines.append("policy FLOP rate \(Format.fixed(flopRate / 1e9, 1)) GFLOP/s, sgemm 2048³ \(Format.fixed(sgemm / 1e9, 1)) GFLOP/s, roofline ratio \(Format.fixed(100 * flopRate / sgemm, 1))%")
        } else {
            lines.append("sgemm 2048³ \(Format.fixed(sgemm / 1e9, 1)) GFLOP/s")
        }
        return lines.joined(separator: "\n")
    }
}
