import ArgumentParser
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
        with the dataset, after casting ours to the dataset's dtype. The report gives per field the max \
        |diff|, quantiles (50/90/99/100 %) and the number of differing transitions, and lists mismatched \
        transitions worst first. Exit code 0 when every compared value is equal, 1 when some differ, 64 on \
        bad input (unreadable file, missing keys, mismatched lengths, wrong widths, NaN).

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

    @Option(help: "Check only the first N transitions.")
    var limit: Int?

    @Option(help: ArgumentHelp("Threads (environments) stepping transitions (default: all cores; more than the cores are capped to the cores). The report does not depend on it.", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("max-listed"), help: "Most mismatched transitions listed in the report.")
    var maxListed = 100

    @OptionGroup var physics: PhysicsOptions

    func validate() throws {
        _ = try physics.requested()
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        try RunLimits.checkThreads(threads)
        guard maxListed >= 0 else { throw ValidationError("--max-listed must be at least 0") }
        if let output { try OutputPath.check(output) }
    }

    func run() throws {
        let threads = RunLimits.threadsInUse(self.threads)
        let terminal = isatty(STDERR_FILENO) != 0
        var last = 0.0
        let report = try DatasetInput.run {
            let spec = try DatasetInput.task(task)
            return try ConsistencyCheck.run(try DatasetInput.open(dataset), task: spec, physics: try physics.resolve(for: [spec]),
                                            threads: threads, limit: limit, maxListed: maxListed) { p in
                let finished = p.done == p.total
                guard p.elapsed - last >= (terminal ? 0.2 : 30) || (terminal && finished) else { return }
                last = p.elapsed
                let rate = p.elapsed > 0 ? Int(Double(p.done) / p.elapsed) : 0
                let text = "dataset check: \(p.done)/\(p.total) transitions, \(rate)/s"
                FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + text + (finished ? "\n" : "") : "progress: " + text + "\n").utf8))
            }
        }
        if let output {
            // OutputPath.write names the file and the system's reason (no Foundation error text).
            try DatasetInput.run { try OutputPath.write(try JSONText.encode(report, pretty: true) + "\n", to: URL(fileURLWithPath: output)) }
        }
        print("\(report.file) vs \(report.task) (MuJoCo \(report.mujocoVersion)): \(report.checked) of \(report.transitions) transitions checked, \(report.mismatches) differ, max |diff| \(report.maxAbsDiff)")
        print(Table(header: ["field", "compared", "differing", "max |diff|", "p50", "p90", "p99"],
                    rows: ConsistencyCheck.fields.map { name in
                        let f = report.fields[name]!
                        return [name, "\(f.compared)", "\(f.differing)", "\(f.maxAbsDiff)", "\(f.quantiles["50"]!)", "\(f.quantiles["90"]!)", "\(f.quantiles["99"]!)"]
                    }, rightAligned: [1, 2, 3, 4, 5, 6]).render())
        for m in report.mismatched.prefix(20) { print("mismatch: transition \(m.index) \(m.field) |diff| \(m.maxAbsDiff)") }
        if report.mismatched.count > 20 || report.mismatchedTruncated { print("(more mismatches in the JSON report)") }
        print("\(Int(report.transitionsPerSecond)) transitions/s on \(report.threads) threads")
        if !report.consistent { throw ExitCode(1) }
    }
}
