import ArgumentParser
import DatasetCheck
import Datasets
import Evaluation
import Foundation
import SampleStatistics

/// `edp-eval dataset info`: keys, shapes, dtypes, transitions, episodes and returns of a D4RL file.
struct DatasetInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Keys, shapes, dtypes, transitions, episodes, (normalized) returns and SHA-256 of a D4RL .hdf5 file.",
        discussion: """
        Episodes are split as D4RL does: one ends after a transition whose terminals or timeouts flag is \
        set. With --task, the observation and action widths are checked against the task and returns are \
        also given as D4RL normalized scores. Exit code 64 for unreadable or malformed files.

        Examples:
          edp-eval dataset info --dataset ~/.d4rl/datasets/hopper_medium-v2.hdf5 --task hopper-medium-v2
          edp-eval dataset info --dataset Tests/Fixtures/d4rl-datasets/hopper-small.hdf5 --json
        """
    )

    @Option(help: ArgumentHelp("D4RL .hdf5 file.", valueName: "file"))
    var dataset: String

    @Option(help: "D4RL task id (checks widths, adds normalized returns).")
    var task: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let summary = try DatasetInput.run {
            try DatasetSummary(try DatasetInput.open(dataset), task: try task.map(DatasetInput.task))
        }
        if json {
            print(try JSONText.encode(summary, pretty: true))
            return
        }
        func stat(_ s: Summary, _ digits: Int = 1) -> String {
            "mean \(Format.fixed(s.mean, digits)) ± \(Format.fixed(s.std, digits)) (min \(Format.fixed(s.min, digits)), max \(Format.fixed(s.max, digits)))"
        }
        var lines = ["file         \(summary.file)", "sha256       \(summary.sha256)",
                     "transitions  \(summary.transitions)",
                     "episodes     \(summary.episodes) (\(summary.terminalEpisodes) by terminals, \(summary.timeoutEpisodes) by timeouts)",
                     "length       \(stat(summary.episodeLength))", "return       \(stat(summary.returns, 2))"]
        if let n = summary.normalizedReturns, let task = summary.task { lines.append("normalized   \(stat(n, 2)) (\(task))") }
        print(lines.joined(separator: "\n"))
        print(Table(header: ["key", "shape", "dtype"],
                    rows: summary.keys.map { [$0.path, "(" + $0.shape.map(String.init).joined(separator: ", ") + ")", $0.dtype] }).render())
        for (key, value) in summary.metadata.sorted(by: { $0.key < $1.key }) { print("metadata/\(key) = \(value)") }
    }
}
