import ArgumentParser
import Environments
import Evaluation
import Foundation

/// `edp-eval merge`: combine the reports of shards into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine evaluation reports (e.g. the shards of a sweep) into one report.",
        discussion: """
        Episodes of the same task and policy are pooled and all statistics recomputed; an episode \
        present in two reports must agree. Merging the shards of a sweep gives the same numbers as \
        the unsharded run.

        Every report records its sweep (tasks, policies, seeds, episodes per seed, shard i/n), so \
        merge checks that the reports cover it: when a shard's report or any episode is missing it \
        names them (shard, task, policy, seed, episodes) and refuses, unless --allow-incomplete is \
        given (then it warns and the merged report lists the gaps in provenance.missing).

        Examples:
          edp-eval merge shard-*.json --output sweep.json
          edp-eval merge shard-1.json shard-2.json --allow-incomplete --output partial.json
        """
    )

    @Argument(help: "Report files written by `evaluate --output`.")
    var reports: [String]

    @Option(name: .shortAndLong, help: "Write the merged JSON report here (and the episodes as <output>.csv).")
    var output: String?

    @Flag(name: .customLong("allow-incomplete"), help: "Merge even when shards or episodes of the sweep are missing (warns; the report lists them in provenance.missing).")
    var allowIncomplete = false

    @Flag(help: "Replace the merged report and its CSV if they exist (without it, an existing file is refused).")
    var overwrite = false

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give at least one report file") }
        if let output {
            try OutputPath.checkReport(output)
            let files = [output, ReportFiles.csv(for: URL(fileURLWithPath: output)).path]
            try OutputPath.refuseInputs(files, inputs: reports.map { ("report", $0) })
            try OutputPath.refuseExisting(files, overwrite: overwrite)
        }
    }

    func run() throws {
        let lock = try output.map { try OutputPath.lock($0, files: [$0, ReportFiles.csv(for: URL(fileURLWithPath: $0)).path], overwrite: overwrite) }
        defer { lock?.release() }
        var loaded: [EvaluationReport] = []
        for path in reports {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CLIError.badInput(file: path, reason: ReadProblem.describe(path))
            }
            do {
                let report = try JSONDecoder().decode(EvaluationReport.self, from: data)
                try SweepGaps.checkPlan(of: report, file: path)
                loaded.append(report)
            } catch EvaluationError.invalidReport(let file, let reason) {
                throw CLIError.badInput(file: file, reason: "not a valid edp-eval report: " + reason)
            } catch let error as DecodingError {
                throw CLIError.badInput(file: path, reason: "not an edp-eval report: " + JSONText.explain(error))
            } catch {
                throw CLIError.badInput(file: path, reason: "not an edp-eval report")
            }
        }
        let gaps = SweepGaps(loaded)
        if !gaps.isComplete && allowIncomplete {
            FileHandle.standardError.write(Data("warning: merging an incomplete sweep: \(gaps.explanation)\n".utf8))
        }
        let merged: EvaluationReport
        do {
            merged = try EvaluationReport.merged(loaded, files: reports, allowIncomplete: allowIncomplete,
                                                 registry: try TaskRegistry.standard(), oneSweep: true)
        } catch EvaluationError.incompleteSweep(let explanation) {
            throw CLIError.message("refusing to merge an incomplete sweep: \(explanation)\n"
                + "Give the missing shards' reports (rerun those array tasks; with --resume they continue from their .jsonl), or pass --allow-incomplete to merge what is there.")
        }
        print(ReportText.render(merged))
        if let output { try OutputPath.write(merged, to: URL(fileURLWithPath: output)) }
    }
}
