import ArgumentParser
import Evaluation
import Foundation

/// `edp-eval merge`: combine the reports of shards into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine evaluation reports (e.g. the shards of a sweep) into one report.",
        discussion: """
        Episodes of the same task and policy are pooled and all statistics recomputed; an episode
        present in two reports must agree. Merging the shards of a sweep gives the same numbers as
        the unsharded run.

        Examples:
          edp-eval merge shard-*.json --output sweep.json
        """
    )

    @Argument(help: "Report files written by `evaluate --output`.")
    var reports: [String]

    @Option(name: .shortAndLong, help: "Write the merged JSON report here (and the episodes as <output>.csv).")
    var output: String?

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give at least one report file") }
        if let output { try ReportFiles.checkOutputPath(output) }
    }

    func run() throws {
        var loaded: [EvaluationReport] = []
        for path in reports {
            do {
                loaded.append(try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: URL(fileURLWithPath: path))))
            } catch let error as DecodingError {
                throw CLIError.badInput(file: path, reason: "not an edp-eval report: " + JSONText.explain(error))
            } catch {
                throw CLIError.badInput(file: path, reason: error.localizedDescription)
            }
        }
        let merged = try EvaluationReport.merged(loaded, files: reports)
        print(ReportText.render(merged))
        if let output { try ReportFiles.write(merged, to: URL(fileURLWithPath: output)) }
    }
}
