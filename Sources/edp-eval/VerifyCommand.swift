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
        shipped in envs/paper_tables (see --list; each declares its statistic, n, k, physics and \
        source in envs/paper_tables/tables.json). \
        --checkpoint TASK=PATH gives the policy for one task; rows without one are skipped. \
        --checkpoint TASK@RUN=PATH names the training run (e.g. its seed): several runs of one \
        task are replications of the table's statistic. Several checkpoints of one run are a \
        series, scored with the table's protocol (RAT: mean of the last k; OMS: the best). \
        Tests (95%): n runs: Welch's t on the run values against the claimed mean ± std with the \
        table's n (no claimed std: the runs' std stands in); one run: the prediction interval for \
        a single run from the claimed std (inconclusive without one); tables of one agent's \
        episodes (rl-zoo-mujoco, raw returns): Welch's t on the episodes against mean ± std over n \
        episodes. A table given as a file (no declaration) and one run: the claim against the \
        measured 95% interval over episodes. Every verdict names the test, the unit, both n and \
        the physics the run used. \
        Exit status: 0 when no checked row is NOT consistent (inconclusive rows do not fail), 1 \
        when any is (or on an error), 64 for a usage error.

        Examples:
          edp-eval verify --table edp-table2 --method "TD3+BC EDP" \\
              --checkpoint hopper-medium-v2=runs/hopper/model_final.pkl --episodes 10 --seeds 5
          edp-eval verify --table edp-table4 --method EDP --checkpoint hopper-medium-v2@0=s0/model_final.pkl \\
              --checkpoint hopper-medium-v2@1=s1/model_final.pkl --checkpoint hopper-medium-v2@2=s2/model_final.pkl
          edp-eval verify --table rl-zoo-mujoco --method tqc --checkpoint Hopper-v3=tqc-Hopper-v3.zip --episodes 50
          edp-eval verify --table my_claims.md --checkpoint walker2d-medium-v2=actor_2000.pth --output verify.json --format markdown
          edp-eval verify --list
        """
    )

    @Option(help: "Claimed-scores table: a file path or a shipped table name.")
    var table: String?

    @Option(help: "Only rows of this method (column name in wide tables).")
    var method: String?

    @Option(name: .customLong("checkpoint"), help: ArgumentHelp("TASK=PATH or TASK@RUN=PATH: a checkpoint to evaluate for a task, of training run RUN (default: one run). Repeat for several runs, and for several checkpoints of one run (in training order): a series is scored as the table's protocol says (RAT or OMS).", valueName: "task[@run]=path"))
    var checkpoints: [String] = []

    @Option(name: .customLong("protocol"), help: ArgumentHelp("With several checkpoints per task: rat (mean of the last 10) or oms (best). Default: the shipped table's own (edp-table2 RAT, edp-table4 OMS, edp-table5 by column).", valueName: "rat|oms"))
    var seriesProtocol: SeriesProtocol?

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var statistics: ObservationStatsOptions
    @OptionGroup var physics: PhysicsOptions

    @Option(name: .shortAndLong, help: "Write the verdicts and the full evaluation report as JSON here.")
    var output: String?

    @Option(help: ArgumentHelp("Also draw the figures (as `plot`: claimed vs measured, score per checkpoint, returns) into this folder.", valueName: "dir"))
    var figures: String?

    @Flag(help: "List the shipped tables and exit.")
    var list = false

    @Flag(help: "Replace the output file if it exists (without it, an existing file is refused).")
    var overwrite = false

    @Flag(help: "Exit 1 when a row is inconclusive (too few episodes or runs for the table's test), not only when one is NOT consistent.")
    var strict = false

    @Option(help: ArgumentHelp("Layout of the verdict table: text, or tasks × methods (claimed and measured side by side) as markdown, latex or csv.", valueName: "text|markdown|latex|csv"))
    var format: ResultTableFormat = .text

    func validate() throws {
        _ = try physics.requested()
        if !list && table == nil { throw ValidationError("--table is required (or --list)") }
        if let output {
            try OutputPath.check(output)
            try OutputPath.refuseExisting([output], overwrite: overwrite)
            try OutputPath.refuseInputs([output], inputs: (table.map { [("--table", $0)] } ?? [])
                + checkpoints.compactMap { $0.split(separator: "=", maxSplits: 1).last.map { ("--checkpoint", String($0)) } })
        }
        for pair in checkpoints where ClaimVerification.CheckpointArgument(pair) == nil {
            throw ValidationError("--checkpoint takes TASK=PATH or TASK@RUN=PATH, got '\(pair)'")
        }
    }

    struct Output: Codable {
        var table: String
        var declaration: TableDeclaration?
        var verdicts: [Verdict]
        var report: EvaluationReport?
    }

    func run() throws {
        if list { return try listTables() }
        let lock = try output.map { try OutputPath.lock($0, overwrite: overwrite) }
        defer { lock?.release() }
        let registry = try TaskRegistry.standard()
        let tableName = table!
        let tableFile = try asUsageError { try ClaimVerification.tableFile(tableName) }
        let declaration = try ClaimedTableCatalog.declaration(named: tableName)
        let claims = try ClaimedTable.read(tableFile)
        let unknownTasks = ClaimVerification.unknownTasks(in: claims, registry: registry)
        if !unknownTasks.isEmpty {
            FileHandle.standardError.write(Data("note: \(tableFile.lastPathComponent) names tasks edp-eval does not know (their rows cannot be checked): \(unknownTasks.joined(separator: ", "))\n".utf8))
        }
        let arguments = checkpoints.compactMap(ClaimVerification.CheckpointArgument.init)
        let verification: ClaimVerification
        do {
            verification = try ClaimVerification(declaration: declaration, file: tableFile, claims: claims, method: method, checkpoints: arguments,
                                                 seriesProtocol: seriesProtocol, registry: registry)
        } catch let error as ClaimVerificationError where error.isUsageError {
            throw ValidationError(CommandLineWording.message(for: error))
        }
        let progress = ProgressLine()
        let (verdicts, reports) = try verification.run(seeds: runOptions.seedList, episodesPerSeed: runOptions.episodes,
                                                       width: runOptions.environments, threads: try runOptions.threadCount(),
                                                       overrides: statistics.applied(to: PolicyOverrides()),
                                                       physics: try physics.requested(), registry: registry,
                                                       progress: progress.update, taskFinished: progress.finish)
        if format == .text {
            print(Self.table(of: verdicts))
            for v in verdicts { print("\(v.task) / \(v.method): \(v.outcome.text): \(v.explanation)") }
            if let declaration {
                print("table: \(declaration.title); statistic: \(declaration.statistic(for: verdicts.first?.method ?? "").summary)")
                print("table physics: \(declaration.physics)" + (declaration.nearestPhysics.map { " (not available; nearest: \($0))" } ?? "")
                      + "; source: \(declaration.source.text)")
            }
        } else {
            let grid = ResultTableFormat.verdictGrid(verdicts)
            print(format.render(header: grid.header, rows: grid.rows))
        }
        let skipped = verification.claims.count - verification.checked.count
        if skipped > 0 { print("\(skipped) rows skipped (no --checkpoint for their task)") }
        if let figures {
            let loaded = reports.enumerated().map { i, r in ReportInput.Loaded(file: "run \(i + 1)", report: r, physics: RunPhysics.of(r)) }
            let inputs = FigureInputs(reports: loaded, verify: FigureInputs.VerifyResult(table: tableFile.path, declaration: declaration,
                                                                                         verdicts: verdicts, report: nil), aggregate: nil)
            for figure in try inputs.figures() { try Gnuplot.render(figure, into: URL(fileURLWithPath: figures)) }
        }
        if let output {
            let merged = try EvaluationReport.merged(reports, files: reports.map { _ in "verify" })
            let text = try JSONText.encode(Output(table: tableFile.path, declaration: declaration, verdicts: verdicts, report: merged), pretty: true)
            try OutputPath.write(text + "\n", to: URL(fileURLWithPath: output))
        }
        let inconsistent = verdicts.filter { $0.outcome == .notConsistent }.count
        let inconclusive = verdicts.filter { $0.outcome == .inconclusive }.count
        if inconclusive > 0 {
            FileHandle.standardError.write(Data(("\(inconclusive) of \(verdicts.count) checked rows are inconclusive: too few episodes or runs "
                + "for the table's test, so the claim can be neither confirmed nor refuted; run more --episodes, --seeds or runs"
                + (strict ? " (exit status 1: --strict)" : " (--strict makes this exit status 1)") + "\n").utf8))
        }
        if inconsistent > 0 {
            FileHandle.standardError.write(Data("\(inconsistent) of \(verdicts.count) checked rows are NOT consistent with the table (exit status 1)\n".utf8))
            throw ExitCode(1)
        }
        if strict && inconclusive > 0 { throw ExitCode(1) }
    }

    /// `--list`: the shipped tables with their claim counts and methods.
    private func listTables() throws {
        let registry = try TaskRegistry.standard()
        for table in try ClaimedTableCatalog.load() {
            let claims = try ClaimedTable.read(ClaimVerification.shippedTable(table.file))
            let methods = claims.map(\.method).uniqued()
            print("\(table.name) (\(table.file)): \(claims.count) claims; methods: \(methods.joined(separator: ", "))")
            print("  \(table.values == .return ? "raw returns" : "normalized scores"); \(table.statistic.summary)"
                  + Dictionary(grouping: (table.columns ?? [:]).sorted { $0.key < $1.key }, by: { $0.value.summary })
                    .sorted { $0.key < $1.key }
                    .map { summary, columns in "; columns \(columns.map(\.key).joined(separator: ", ")): \(summary)" }.joined())
            print("  physics \(table.physics)" + (table.nearestPhysics.map { " (runs on \($0), the nearest available)" } ?? "") + "; \(table.envStack)")
            print("  source: \(table.source.text)")
            print("  \(ClaimVerification.checkability(of: claims.map(\.task).uniqued(), registry: registry))")
        }
    }

    /// The verdicts as a table: claimed and measured scores, interval, episodes, verdict.
    static func table(of verdicts: [Verdict]) -> String {
        let rows = verdicts.map { v in
            [v.task, v.method, Format.fixed(v.claimed) + (v.claimedPlusMinus.map { " ± \(Format.fixed($0))" } ?? ""),
             Format.fixed(v.measured) + (v.basis.map { " (\($0))" } ?? ""),
             v.measuredCI95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "-",
             "\(v.measuredN) \(v.unit)", "\(v.episodes)", v.physics, v.outcome.text]
        }
        return Table(header: ["task", "method", "claimed", "measured", "95% CI", "n", "episodes", "physics", "verdict"], rows: rows,
                     rightAligned: [2, 6]).render()
    }
}
extension SeriesProtocol: ExpressibleByArgument {}
extension ResultTableFormat: ExpressibleByArgument {}
