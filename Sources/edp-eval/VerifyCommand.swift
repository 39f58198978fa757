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
        The table is a CSV or Markdown file (long form: task, method, score[, ±]; or wide form: task \
        followed by one column per method; cells like 81.9 or 81.9 ± 3.2), or the name of a table \
        shipped in envs/paper_tables: edp-table2, edp-table4, edp-table5, diffusion-ql. \
        Each --checkpoint TASK=PATH gives the policy for one task; rows without one are skipped. \
        Several --checkpoint for one task are a series of one training run, scored with the \
        table's protocol (RAT: episodes of the last 10 checkpoints pooled; OMS: the best one). \
        A row is consistent when the claim lies in the measured 95% interval (Student t over all \
        episodes), or, when the table gives ±, when the two intervals overlap. A row measured on a single \
        episode has no interval: it is inconclusive (never judged on a point comparison); run more \
        --episodes or --seeds. \
        Exit status: 0 when every checked row is consistent or inconclusive, 1 when any is NOT consistent \
        (with --strict also when any is inconclusive) or on an error, 64 for a usage error.

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

    @Option(name: .customLong("checkpoint"), help: ArgumentHelp("TASK=PATH: the checkpoint to evaluate for a task. Repeat for several checkpoints of one training run of a task (in training order): they are scored as the table's protocol says (RAT or OMS).", valueName: "task=path"))
    var checkpoints: [String] = []

    @Option(name: .customLong("protocol"), help: ArgumentHelp("With several checkpoints per task: rat (mean of the last 10) or oms (best). Default: the shipped table's own (edp-table2 RAT, edp-table4 OMS, edp-table5 by column).", valueName: "rat|oms"))
    var seriesProtocol: SeriesProtocol?

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var statistics: ObservationStatsOptions

    @Option(name: .shortAndLong, help: "Write the verdicts and the full evaluation report as JSON here.")
    var output: String?

    @Flag(help: "Replace the output file if it exists (without it, an existing file is refused).")
    var overwrite = false

    @Flag(help: "Exit 1 when a row is inconclusive (too few episodes for an interval), not only when one is NOT consistent.")
    var strict = false

    @Flag(help: "List the shipped tables and exit.")
    var list = false

    func validate() throws {
        if !list && table == nil { throw ValidationError("--table is required (or --list)") }
        if let output {
            try OutputPath.check(output)
            try OutputPath.refuseExisting([output], overwrite: overwrite)
            try OutputPath.refuseInputs([output], inputs: (table.map { [("--table", $0)] } ?? [])
                + checkpoints.compactMap { $0.split(separator: "=", maxSplits: 1).last.map { ("--checkpoint", String($0)) } })
        }
        for pair in checkpoints where pair.split(separator: "=", maxSplits: 1).count != 2 {
            throw ValidationError("--checkpoint takes TASK=PATH, got '\(pair)'")
        }
    }

    struct Output: Encodable {
        var table: String
        var verdicts: [WrittenVerdict]
        var report: EvaluationReport?
    }

    /// What a row's check concluded. A single episode gives no interval, so no verdict either way.
    enum Conclusion: String, Encodable {
        case consistent
        case notConsistent = "NOT consistent"
        case inconclusive

        init(_ v: Verdict) {
            self = v.measuredCI95 == nil ? .inconclusive : v.consistent ? .consistent : .notConsistent
        }
    }

    /// A verdict as written to --output: its fields and `verdict` (consistent, NOT consistent or
    /// inconclusive); `consistent` is false for an inconclusive row.
    struct WrittenVerdict: Encodable {
        var verdict: Verdict
        enum Key: String, CodingKey { case verdict, consistent }
        func encode(to encoder: Encoder) throws {
            try verdict.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            let conclusion = Conclusion(verdict)
            try c.encode(conclusion, forKey: .verdict)
            try c.encode(conclusion == .consistent, forKey: .consistent)
        }
    }

    func run() throws {
        if list { return try listTables() }
        let lock = try output.map { try OutputPath.lock($0, overwrite: overwrite) }
        defer { lock?.release() }
        let registry = try TaskRegistry.standard()
        let tableName = table!
        let tableFile = try asUsageError { try ClaimVerification.tableFile(tableName) }
        let claims = try ClaimedTable.read(tableFile)
        let unknownTasks = ClaimVerification.unknownTasks(in: claims, registry: registry)
        if !unknownTasks.isEmpty {
            FileHandle.standardError.write(Data("note: \(tableFile.lastPathComponent) names tasks edp-eval does not know (their rows cannot be checked): \(unknownTasks.joined(separator: ", "))\n".utf8))
        }
        let pairs = checkpoints.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (task: parts[0], path: parts[1])
        }
        let verification: ClaimVerification
        do {
            verification = try ClaimVerification(table: tableName, file: tableFile, claims: claims, method: method, checkpoints: pairs,
                                                 seriesProtocol: seriesProtocol, registry: registry)
        } catch let error as ClaimVerificationError where error.isUsageError {
            throw ValidationError(error.description)
        }
        let progress = ProgressLine()
        let (verdicts, reports) = try verification.run(seeds: runOptions.seedList, episodesPerSeed: runOptions.episodes,
                                                       width: runOptions.environments, threads: try runOptions.threadCount(),
                                                       overrides: statistics.applied(to: PolicyOverrides()), registry: registry,
                                                       progress: progress.update, taskFinished: progress.finish)
        print(Self.table(of: verdicts))
        let skipped = verification.claims.count - verification.checked.count
        if skipped > 0 { print("\(skipped) rows skipped (no --checkpoint for their task)") }
        if let output {
            let merged = try EvaluationReport.merged(reports, files: reports.map { _ in "verify" })
            let text = try JSONText.encode(Output(table: tableFile.path, verdicts: verdicts.map(WrittenVerdict.init), report: merged), pretty: true)
            try OutputPath.write(text + "\n", to: URL(fileURLWithPath: output))
        }
        let conclusions = verdicts.map(Conclusion.init)
        let inconsistent = conclusions.filter { $0 == .notConsistent }.count
        let inconclusive = conclusions.filter { $0 == .inconclusive }.count
        if inconclusive > 0 {
            FileHandle.standardError.write(Data(("\(inconclusive) of \(verdicts.count) checked rows are inconclusive: one episode gives no 95% interval, "
                + "so the claim can be neither confirmed nor refuted; run more --episodes or --seeds"
                + (strict ? " (exit status 1: --strict)" : " (--strict makes this exit status 1)") + "\n").utf8))
        }
        if inconsistent > 0 {
            FileHandle.standardError.write(Data("\(inconsistent) of \(verdicts.count) checked rows are NOT consistent with the table (exit status 1)\n".utf8))
        }
        if inconsistent > 0 || (strict && inconclusive > 0) { throw ExitCode(1) }
    }

    /// `--list`: the shipped tables with their claim counts and methods.
    private func listTables() throws {
        let registry = try TaskRegistry.standard()
        for (name, file) in ClaimedTable.named.sorted(by: { $0.key < $1.key }) {
            let claims = try ClaimedTable.read(ClaimVerification.shippedTable(file))
            let methods = claims.map(\.method).uniqued()
            print("\(name) (\(file)): \(claims.count) claims; methods: \(methods.joined(separator: ", "))")
            print("  \(ClaimVerification.checkability(of: claims.map(\.task).uniqued(), registry: registry))")
        }
    }

    /// The verdicts as a table: claimed and measured scores, interval, episodes, verdict.
    static func table(of verdicts: [Verdict]) -> String {
        let rows = verdicts.map { v in
            [v.task, v.method, Format.fixed(v.claimed) + (v.claimedPlusMinus.map { " ± \(Format.fixed($0))" } ?? ""),
             Format.fixed(v.measured) + (v.basis.map { " (\($0))" } ?? ""),
             v.measuredCI95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "-",
             "\(v.episodes)", Conclusion(v).rawValue]
        }
        return Table(header: ["task", "method", "claimed", "measured", "95% CI", "episodes", "verdict"], rows: rows,
                     rightAligned: [2, 5]).render()
    }
}
extension SeriesProtocol: ExpressibleByArgument {}
