import ArgumentParser
import DatasetCheck
import Datasets
import Evaluation
import Foundation

/// `edp-eval dataset check`: the one-step consistency report of a D4RL file against the simulator.
struct DatasetCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay every transition one step from its recorded state and compare with the dataset.",
        discussion: """
        For each transition i: set the state from infos/qpos[i], infos/qvel[i] (goal-reaching tasks: the goal from \
        infos/goal[i]), step with actions[i] under the task's semantics, and compare the next observation \
        (next_observations[i], else observations[i+1] within an episode), the reward and the terminal flag \
        with the dataset, after casting ours to the dataset's dtype. A value is a mismatch when |diff| exceeds \
        the tolerance: by default 16 ulps, at the file's precision (float32 for D4RL's files), of the \
        transition's largest |value| among its state, next observation and reward, which the file's own \
        rounding cannot exceed (docs/run-integrity.md); --tolerance X sets a fixed bound instead; terminal \
        flags must agree exactly. The report gives per field the max |diff|, quantiles (50/90/99/100 %), the \
        transitions that differ at all and those beyond the tolerance, and lists the mismatches worst first \
        (JSON keys transitions, checked, mismatches [{index, field, max_abs_diff, tolerance}], mismatch_count, \
        max_abs_diff, tolerance). Exit code 0 when no value is beyond the tolerance, 1 when some are, 64 on \
        a wrong command line or bad input (unreadable file, missing keys, mismatched lengths, wrong widths, NaN).

        Examples:
          edp-eval dataset check --task hopper-medium-v2 --dataset ~/.d4rl/datasets/hopper_medium-v2.hdf5
          edp-eval dataset check --task antmaze-umaze-v2 --dataset antmaze.hdf5 --output check.json --limit 100000
        """
    )

    @Option(help: "D4RL task id whose environment replays the transitions.")
    var task: String

    @Option(help: ArgumentHelp("D4RL .hdf5 file.", valueName: "file"))
    var dataset: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report as JSON here (checked before the run).", valueName: "file"))
    var output: String?

    @Flag(help: "Replace the output file if it exists (without it, an existing file is refused).")
    var overwrite = false

    @Option(help: "Check only the first N transitions.")
    var limit: Int?

    @Option(help: ArgumentHelp("Threads (environments) stepping transitions (default: all cores; more than the cores are capped to the cores). The report does not depend on it.", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("max-listed"), help: "Most mismatches listed in the report.")
    var maxListed = 100

    @OptionGroup var physics: PhysicsOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Fixed |diff| bound for every value instead of the default rule (16 ulps at the file's precision of the transition's largest |value|).", valueName: "x"))
    var tolerance: Double?

    func validate() throws {
        _ = try physics.requested()
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        try RunLimits.checkThreads(threads)
        guard maxListed >= 0 else { throw ValidationError("--max-listed must be at least 0") }
        if let tolerance, !(tolerance.isFinite && tolerance >= 0) {
            throw ValidationError("--tolerance must be a finite number ≥ 0, got \(tolerance)")
        }
        if let output {
            try OutputPath.check(output)
            try OutputPath.refuseExisting([output], overwrite: overwrite)
            try OutputPath.refuseInputs([output], inputs: [("--dataset", dataset)])
        }
    }

    func run() throws {
        let lock = try output.map { try OutputPath.lock($0, overwrite: overwrite) }
        defer { lock?.release() }
        let threads = RunLimits.threadsInUse(self.threads)
        let terminal = isatty(STDERR_FILENO) != 0
        var last = 0.0
        let report = try DatasetInput.run {
            let spec = try DatasetInput.task(task)
            return try ConsistencyCheck.run(try DatasetInput.open(dataset), task: spec, physics: try physics.resolve(for: [spec]),
                                            threads: threads, limit: limit, maxListed: maxListed,
                                            tolerance: tolerance.map { .absolute($0) }) { p in
                let finished = p.done == p.total
                guard p.elapsed - last >= (terminal ? 0.2 : 30) || (terminal && finished) else { return }
                last = p.elapsed
                let rate = p.elapsed > 0 ? Int(Double(p.done) / p.elapsed) : 0
                let text = "dataset check: \(p.done)/\(p.total) transitions, \(rate)/s"
                FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + text + (finished ? "\n" : "") : "progress: " + text + "\n").utf8))
            }
        }
        if let output {
            // OutputPath.write names the file and the system's reason (no Foundation error text); a
            // failed write is a failed run (exit 1), not bad input.
            try OutputPath.write(try JSONText.encode(report, pretty: true) + "\n", to: URL(fileURLWithPath: output))
        }
        print("\(report.file) vs \(report.task) (MuJoCo \(report.mujocoVersion)): \(report.checked) of \(report.transitions) transitions checked, \(report.mismatchCount) beyond the tolerance, max |diff| \(report.maxAbsDiff)")
        print("tolerance: \(report.tolerance.rule)")
        print(Table(header: ["field", "compared", "differing", "beyond tolerance", "max |diff|", "p50", "p90", "p99"],
                    rows: ConsistencyCheck.fields.map { name in
                        let f = report.fields[name]!
                        return [name, "\(f.compared)", "\(f.differing)", "\(f.beyondTolerance)", "\(f.maxAbsDiff)", "\(f.quantiles["50"]!)", "\(f.quantiles["90"]!)", "\(f.quantiles["99"]!)"]
                    }, rightAligned: [1, 2, 3, 4, 5, 6, 7]).render())
        for m in report.mismatches.prefix(20) { print("mismatch: transition \(m.index) \(m.field) |diff| \(m.maxAbsDiff) > tolerance \(m.tolerance)") }
        if report.mismatches.count > 20 || report.mismatchesTruncated { print("(more mismatches in the JSON report)") }
        print("\(Int(report.transitionsPerSecond)) transitions/s on \(report.threads) threads")
        if !report.consistent { throw ExitCode(1) }
    }
}
