import ArgumentParser
import Environments
import Evaluation
import Foundation

/// `edp-eval verify`: check a table of claimed normalized scores against measurements.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Evaluate checkpoints and compare the measured normalized scores with a table of claimed ones.",
        discussion: """
        The table is a CSV or Markdown file (long form: task, method, score[, ±]; or wide form: task
        followed by one column per method; cells like 81.9 or 81.9 ± 3.2), or the name of a table
        shipped in envs/paper_tables: edp-table2, edp-table4, edp-table5, diffusion-ql.
        Each --checkpoint TASK=PATH gives the policy for one task; rows without one are skipped.
        A row is consistent when the claim lies in the measured 95% interval (Student t over all
        episodes), or, when the table gives ±, when the two intervals overlap.

        Examples:
          edp-eval verify --table edp-table2 --method "TD3+BC EDP" \\
              --checkpoint hopper-medium-v2=runs/hopper/model_final.pkl --episodes 10 --seeds 5
          edp-eval verify --table my_claims.md --checkpoint walker2d-medium-v2=actor_2000.pth --output verify.json
          edp-eval verify --list
        """
    )

    @Option(help: "Claimed-scores table: a file path or a shipped table name.")
    var table: String?

    @Option(help: "Only rows of this method (column name in wide tables).")
    var method: String?

    @Option(name: .customLong("checkpoint"), help: ArgumentHelp("TASK=PATH: the checkpoint to evaluate for a task (repeatable).", valueName: "task=path"))
    var checkpoints: [String] = []

    @OptionGroup var runOptions: RunOptions

    @Option(help: "Write the verdicts and the full evaluation report as JSON here.")
    var output: String?

    @Flag(help: "List the shipped tables and exit.")
    var list = false

    func validate() throws {
        if !list && table == nil { throw ValidationError("--table is required (or --list)") }
        for pair in checkpoints where pair.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--checkpoint takes TASK=PATH, got '\(pair)'")
        }
    }

    struct Output: Codable {
        var table: String
        var verdicts: [Verdict]
        var report: EvaluationReport?
    }

    func run() throws {
        if list {
            for (name, file) in ClaimedTable.named.sorted(by: { $0.key < $1.key }) {
                let claims = try ClaimedTable.read(tableURL(file))
                let methods = claims.map(\.method).uniqued()
                print("\(name) (\(file)): \(claims.count) claims; methods: \(methods.joined(separator: ", "))")
            }
            return
        }
        let registry = try TaskRegistry.standard()
        let tableFile = ClaimedTable.named[table!].map(tableURL) ?? URL(fileURLWithPath: table!)
        var claims = try ClaimedTable.read(tableFile)
        if let method {
            claims = claims.filter { $0.method == method }
            if claims.isEmpty { throw CLIError.badInput(file: tableFile.path, reason: "no rows for method '\(method)'") }
        }
        var byTask: [String: URL] = [:]
        for pair in checkpoints {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            _ = try registry.task(parts[0])
            guard FileManager.default.fileExists(atPath: parts[1]) else {
                throw CLIError.badInput(file: parts[1], reason: "no such checkpoint file or folder")
            }
            byTask[parts[0]] = URL(fileURLWithPath: parts[1])
        }
        let checked = claims.filter { byTask[$0.task] != nil }
        if checked.isEmpty { throw CLIError.message("none of the table's rows has a --checkpoint for its task") }

        var verdicts: [Verdict] = []
        var reports: [EvaluationReport] = []
        let progress = ProgressLine()
        for task in checked.map(\.task).uniqued() {
            let plan = EvaluationPlan(tasks: [try registry.task(task)], policies: [.checkpoint(byTask[task]!)],
                                      seeds: runOptions.seedList, episodesPerSeed: runOptions.episodes,
                                      width: runOptions.width(perGroupEpisodes: runOptions.episodes * runOptions.seeds),
                                      threads: try runOptions.threadCount())
            let report = try EvaluationRunner(plan: plan, registry: registry).run(progress: progress.update)
            progress.finish()
            reports.append(report)
            for claim in checked where claim.task == task {
                verdicts.append(Verdict(claim: claim, measured: report.tasks[0].normalizedScore))
            }
        }
        let rows = verdicts.map { v in
            [v.task, v.method, Format.fixed(v.claimed) + (v.claimedPlusMinus.map { " ± \(Format.fixed($0))" } ?? ""),
             Format.fixed(v.measured), v.measuredCI95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "-",
             "\(v.episodes)", v.consistent ? "consistent" : "NOT consistent"]
        }
        print(Table(header: ["task", "method", "claimed", "measured", "95% CI", "episodes", "verdict"], rows: rows,
                    rightAligned: [2, 3, 5]).render())
        let skipped = claims.count - checked.count
        if skipped > 0 { print("\(skipped) rows skipped (no --checkpoint for their task)") }
        if let output {
            let merged = try EvaluationReport.merged(reports, files: reports.map { _ in "verify" })
            let text = try JSONText.encode(Output(table: tableFile.path, verdicts: verdicts, report: merged), pretty: true)
            try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        }
    }

    private func tableURL(_ file: String) -> URL {
        ProjectResources.envs.appendingPathComponent("paper_tables").appendingPathComponent(file)
    }
}
