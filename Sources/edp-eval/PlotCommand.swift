import ArgumentParser
import Environments
import Evaluation
import Foundation

/// `edp-eval plot`: figures (SVG, PNG, PDF) from reports, verify results and aggregates, via gnuplot.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw figures with gnuplot: score per checkpoint, return distributions, claimed vs measured, performance profiles.",
        discussion: """
        Writes into --output DIR, per figure, NAME.svg, NAME.png and NAME.pdf (when gnuplot has \
        pdfcairo) with the gnuplot script NAME.gp and its data NAME.dat, so a figure can be edited \
        and redrawn (`gnuplot NAME.gp`). From each report: curve-TASK (mean normalized score per \
        checkpoint with the 95% band, the RAT window shaded, the OMS point) when a task has several \
        checkpoints, and returns-TASK (every episode's return per policy, D4RL's REF_MIN/REF_MAX \
        returns as lines). --verify FILE (verify --output) adds claims (claimed vs measured, by \
        verdict) and the figures of its report; --aggregate FILE (aggregate --output) adds profiles; \
        the same policy on one task in reports of two physics adds physics-TASK. \
        Needs gnuplot (Debian gnuplot-nox; EDP_GNUPLOT names another binary).

        Examples:
          edp-eval plot run/report.json --output figures
          edp-eval plot --verify verify.json --aggregate agg.json --output figures
        """
    )

    @Argument(help: "Reports written by evaluate or merge.")
    var reports: [String] = []

    @Option(help: "A verify result (verify --output).")
    var verify: String?

    @Option(help: "An aggregate result (aggregate --output).")
    var aggregate: String?

    @Option(name: .shortAndLong, help: "Folder for the figures.")
    var output: String

    func validate() throws {
        if reports.isEmpty && verify == nil && aggregate == nil { throw ValidationError("give reports, --verify or --aggregate") }
    }

    func run() throws {
        let inputs = try FigureInputs.load(reports: reports, verify: verify, aggregate: aggregate)
        let folder = URL(fileURLWithPath: output)
        for figure in try inputs.figures() {
            let files = try Gnuplot.render(figure, into: folder)
            print(files.map(\.path).joined(separator: "  "))
        }
    }
}

/// What figures are drawn from: reports, a verify result, an aggregate (shared by `plot` and `report`).
struct FigureInputs {
    struct VerifyResult: Decodable {
        var table: String
        var declaration: TableDeclaration?
        var verdicts: [Verdict]
        var report: EvaluationReport?
    }

    var reports: [ReportInput.Loaded]
    var verify: VerifyResult?
    var aggregate: Aggregate?

    static func load(reports: [String], verify: String?, aggregate: String?) throws -> FigureInputs {
        var loaded = try reports.map(ReportInput.loadWithPhysics)
        let verifyResult = try verify.map { path -> VerifyResult in
            try decode(VerifyResult.self, path, expected: "the JSON of `verify --output`")
        }
        if let embedded = verifyResult?.report, let verify {
            let physics = verifyResult!.verdicts.map(\.physics).uniqued().joined(separator: "+")
            loaded.append(ReportInput.Loaded(file: verify, report: embedded, physics: physics.isEmpty ? RunPhysics.of(embedded) : physics))
        }
        let aggregateResult = try aggregate.map { try decode(Aggregate.self, $0, expected: "the JSON of `aggregate --output`") }
        return FigureInputs(reports: loaded, verify: verifyResult, aggregate: aggregateResult)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ path: String, expected: String) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError.badInput(file: path, reason: ReadProblem.describe(path))
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            throw CLIError.badInput(file: path, reason: "not \(expected): " + JSONText.explain(error))
        }
    }

    /// Every figure the inputs allow, in a fixed order.
    func figures() throws -> [Figure] {
        let registry = try TaskRegistry.standard()
        var figures: [Figure] = []
        for loaded in reports {
            let (report, physics) = (loaded.report, loaded.physics)
            for task in report.tasks.map(\.task).uniqued() {
                let rows = report.tasks.filter { $0.task == task }
                if rows.count > 1 && report.series?[task] != nil {
                    figures.append(Figures.curve(task: task, rows: rows, physics: physics, window: report.series![task]!.window))
                }
                figures.append(Figures.returns(task: task, rows: rows, spec: try? registry.task(task), physics: physics))
            }
        }
        // The same policy on one task under several physics: the physics comparison.
        var byTaskPolicy: [String: [(physics: String, row: TaskReport)]] = [:]
        var order: [String] = []
        for loaded in reports {
            for row in loaded.report.tasks {
                let key = row.task + "\u{1}" + row.policy
                if byTaskPolicy[key] == nil { order.append(key) }
                if !(byTaskPolicy[key]?.contains { $0.physics == loaded.physics } ?? false) {
                    byTaskPolicy[key, default: []].append((loaded.physics, row))
                }
            }
        }
        for key in order where byTaskPolicy[key]!.count > 1 {
            let parts = key.split(separator: "\u{1}", maxSplits: 1).map(String.init)
            figures.append(Figures.physics(task: parts[0], policy: parts[1], runs: byTaskPolicy[key]!))
        }
        if let verify, !verify.verdicts.isEmpty { figures.append(Figures.claims(verify.verdicts)) }
        if let aggregate { figures.append(Figures.profiles(aggregate)) }
        // Two reports of one task would write the same file: number the later ones.
        var seen: [String: Int] = [:]
        return figures.map { f in
            var f = f
            let count = seen[f.name, default: 0]
            seen[f.name] = count + 1
            if count > 0 { f.name += "-\(count + 1)" }
            return f
        }
    }
}
