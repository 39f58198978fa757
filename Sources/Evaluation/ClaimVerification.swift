import Environments
import Foundation
import MuJoCo

/// Checks a table of claimed scores against evaluations (`edp-eval verify`): which rows can be
/// checked (a checkpoint for their task), the training runs given per task, how a series of
/// checkpoints of one run is scored (RAT or OMS, decided before any evaluation runs), the
/// evaluations, and a verdict per row with the table's statistic and test (`Verdict.checking`).
public struct ClaimVerification {
    /// One `--checkpoint` as given: `TASK=PATH` (run nil) or `TASK@RUN=PATH`.
    public struct CheckpointArgument: Equatable, Sendable {
        public var task: String
        public var run: String?
        public var path: String
        public init(task: String, run: String?, path: String) {
            self.task = task
            self.run = run
            self.path = path
        }

        /// Parses `TASK=PATH` or `TASK@RUN=PATH`; nil when there is no `=` or a part is empty.
        public init?(_ text: String) {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            let left = parts[0].split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard !left[0].isEmpty, left.count == 1 || !left[1].isEmpty else { return nil }
            self.init(task: left[0], run: left.count == 2 ? left[1] : nil, path: parts[1])
        }
    }

    /// One training run of a task: its checkpoints in training order.
    public struct RunCheckpoints: Equatable, Sendable {
        public var label: String
        public var checkpoints: [URL]
    }

    /// The table's file.
    public let tableFile: URL
    /// The shipped table's declaration (statistic, physics, source); nil for a table given as a file.
    public let declaration: TableDeclaration?
    /// The table's rows (only `method`'s, when one was given).
    public let claims: [Claim]
    /// The rows with a checkpoint for their task, in table order.
    public let checked: [Claim]
    /// Runs per task, in the order first given; each run's checkpoints in the order given.
    public let runs: [String: [RunCheckpoints]]
    /// `--protocol`: how to score a series, overriding the table's own.
    public let seriesOverride: SeriesProtocol?

    /// A table given by name: a shipped one (declared in `tables.json`), else a file path
    /// (anything that exists or looks like a path).
    /// - Throws: `ClaimVerificationError.unknownTable` for a bare name that is neither.
    public static func tableFile(_ name: String) throws -> URL {
        let named = try ClaimedTable.named()
        if let shipped = named[name] { return shippedTable(shipped) }
        guard FileManager.default.fileExists(atPath: name) || name.contains("/") || name.contains(".") else {
            throw ClaimVerificationError.unknownTable(name: name, shipped: named.keys.sorted())
        }
        return URL(fileURLWithPath: name)
    }

    /// A table shipped in `envs/paper_tables/`.
    public static func shippedTable(_ file: String) -> URL {
        ProjectResources.envs.appendingPathComponent("paper_tables").appendingPathComponent(file)
    }

    /// The tasks of `claims` that the registry does not know (their rows cannot be checked), once each.
    public static func unknownTasks(in claims: [Claim], registry: TaskRegistry) -> [String] {
        claims.map(\.task).uniqued().filter { (try? registry.task($0)) == nil }
    }

    /// - Parameters:
    ///   - declaration: the shipped table's declaration (nil for a table file).
    ///   - claims: the table's rows; `method`, if given, keeps only its rows.
    ///   - checkpoints: the `--checkpoint` arguments in the order given.
    ///   - seriesProtocol: how to score a series, overriding the table's own.
    /// - Throws: `ClaimVerificationError` (a method without rows, a missing checkpoint, no
    ///   checkable row, a series whose protocol is unknown, several runs or a series for a table
    ///   of one agent's episodes, a checkpoint given twice for a task); the registry's error for an unknown task.
    public init(declaration: TableDeclaration?, file: URL, claims: [Claim], method: String?, checkpoints: [CheckpointArgument],
                seriesProtocol: SeriesProtocol?, registry: TaskRegistry) throws {
        var claims = claims
        if let method {
            let methods = claims.map(\.method).uniqued()
            claims = claims.filter { $0.method == method }
            if claims.isEmpty { throw ClaimVerificationError.noRowsForMethod(method, file: file.path, methods: methods) }
        }
        var byTask: [String: [RunCheckpoints]] = [:]
        for argument in checkpoints {
            _ = try registry.task(argument.task)
            guard FileManager.default.fileExists(atPath: argument.path) else { throw ClaimVerificationError.noSuchCheckpoint(argument.path) }
            let url = URL(fileURLWithPath: argument.path)
            let label = argument.run ?? "1"
            // A series may repeat a checkpoint; two runs cannot share one.
            if byTask[argument.task, default: []].contains(where: { $0.label != label && $0.checkpoints.contains { $0.standardizedFileURL == url.standardizedFileURL } }) {
                throw ClaimVerificationError.repeatedCheckpoint(task: argument.task, path: argument.path)
            }
            if let i = byTask[argument.task]?.firstIndex(where: { $0.label == label }) {
                byTask[argument.task]![i].checkpoints.append(url)
            } else {
                byTask[argument.task, default: []].append(RunCheckpoints(label: label, checkpoints: [url]))
            }
        }
        let checked = claims.filter { byTask[$0.task] != nil }
        if checked.isEmpty { throw ClaimVerificationError.noCheckableRow(tasks: claims.map(\.task).uniqued()) }
        // Normalized-score claims need D4RL reference scores (gym's -v3 ids have none).
        if (declaration?.values ?? .normalizedScore) != .return {
            for task in checked.map(\.task).uniqued() where !(try registry.task(task)).hasReferenceScores {
                throw ClaimVerificationError.noReferenceScores(task: task, file: file.path)
            }
        }
        // How each run is scored is decided before any evaluation runs.
        for claim in checked {
            let runs = byTask[claim.task]!
            let statistic = declaration?.statistic(for: claim.method)
            if statistic?.unit == .episodes && (runs.count > 1 || runs[0].checkpoints.count > 1) {
                throw ClaimVerificationError.oneAgentTable(task: claim.task, table: declaration!.name)
            }
            if let series = runs.first(where: { $0.checkpoints.count > 1 }), seriesProtocol == nil && statistic?.seriesProtocol == nil {
                throw ClaimVerificationError.unknownProtocol(checkpoints: series.checkpoints.count, task: claim.task,
                                                              table: declaration?.name ?? file.lastPathComponent, method: claim.method)
            }
        }
        (tableFile, self.declaration, self.claims, self.checked, self.runs, seriesOverride) =
            (file, declaration, claims, checked, byTask, seriesProtocol)
    }

    /// Evaluates each checked task's runs (one `EvaluationRunner` run per training run, tasks in
    /// table order) and gives a verdict per checked row.
    /// - Parameters:
    ///   - progress: the runner's progress; `taskFinished` is called after each run's evaluation.
    ///   - physics: the MuJoCo build of every task, or nil for each task's source physics.
    /// - Returns: the verdicts in `checked` order (grouped by task) and one report per evaluated run.
    public func run(seeds: [UInt64], episodesPerSeed: Int, width: Int?, threads: Int, overrides: PolicyOverrides,
                    physics: MuJoCoPhysics?, registry: TaskRegistry, progress: ((EvaluationRunner.GroupProgress) -> Void)? = nil,
                    taskFinished: (() -> Void)? = nil) throws -> (verdicts: [Verdict], reports: [EvaluationReport]) {
        var verdicts: [Verdict] = []
        var reports: [EvaluationReport] = []
        for task in checked.map(\.task).uniqued() {
            let spec = try registry.task(task)
            var measured: [MeasuredRun] = []
            var physicsNames: [String] = []
            for run in runs[task]! {
                let plan = EvaluationPlan(tasks: [spec], policies: run.checkpoints.map { .checkpoint($0) },
                                          seeds: seeds, episodesPerSeed: episodesPerSeed, width: width, threads: threads,
                                          overrides: overrides, physics: physics ?? spec.sourcePhysics)
                let report = try EvaluationRunner(plan: plan, registry: registry).run(progress: progress)
                taskFinished?()
                reports.append(report)
                measured.append(MeasuredRun(label: run.label, rows: report.tasks))
                physicsNames.append(RunPhysics.of(report))
            }
            for claim in checked where claim.task == task {
                verdicts.append(Verdict.checking(claim, runs: measured, statistic: declaration?.statistic(for: claim.method),
                                                 values: declaration?.values ?? .normalizedScore, override: seriesOverride,
                                                 physics: physicsNames.uniqued().joined(separator: "+"), tablePhysics: declaration?.physics))
            }
        }
        return (verdicts, reports)
    }
}

/// Why a table of claims cannot be checked as asked (edp-eval's `CommandLineWording` names the
/// flags in the messages it prints).
public enum ClaimVerificationError: Error, CustomStringConvertible, Equatable {
    /// A table name that is neither shipped nor a file.
    case unknownTable(name: String, shipped: [String])
    /// The method names no row of the table.
    case noRowsForMethod(String, file: String, methods: [String])
    case noSuchCheckpoint(String)
    /// No row has a checkpoint for its task.
    case noCheckableRow(tasks: [String])
    /// Several checkpoints for a task whose row does not say whether it is RAT or OMS.
    case unknownProtocol(checkpoints: Int, task: String, table: String, method: String)
    /// A table of one agent's episodes given several runs or a series for a task.
    case oneAgentTable(task: String, table: String)
    /// The same checkpoint file in two runs of one task.
    case repeatedCheckpoint(task: String, path: String)
    /// A row's task has no D4RL reference scores, so no normalized score to compare with the claim.
    case noReferenceScores(task: String, file: String)

    /// Whether the command line must change (unknown table, method or protocol), as opposed to a
    /// missing file or a table that does not fit the checkpoints.
    public var isUsageError: Bool {
        switch self {
        case .unknownTable, .noRowsForMethod, .unknownProtocol, .oneAgentTable, .repeatedCheckpoint: return true
        case .noSuchCheckpoint, .noCheckableRow, .noReferenceScores: return false
        }
    }

    public var description: String {
        switch self {
        case .unknownTable(let name, let shipped):
            return "unknown table '\(name)': the shipped tables are \(shipped.joined(separator: ", ")) (or give a CSV/Markdown file path)"
        case .noRowsForMethod(let method, let file, let methods):
            return "method '\(method)': \(file) has no rows for it; the table's methods are: \(methods.joined(separator: ", "))"
        case .noSuchCheckpoint(let path):
            return "\(path): no such checkpoint file or folder"
        case .noCheckableRow(let tasks):
            return "none of the table's rows has a checkpoint for its task (the table's tasks: \(tasks.joined(separator: ", ")))"
        case .unknownProtocol(let count, let task, let table, let method):
            return "\(count) checkpoints for \(task), but it is not known whether \(table)'s '\(method)' reports RAT or OMS: name the protocol (rat or oms)"
        case .oneAgentTable(let task, let table):
            return "\(table) reports the episodes of one agent per row: give one checkpoint for \(task) (not several runs or a series)"
        case .repeatedCheckpoint(let task, let path):
            return "checkpoint \(path) is given for two runs of \(task); each checkpoint belongs to one training run"
        case .noReferenceScores(let task, let file):
            return "\(file): the row for \(task) claims a normalized score, but \(task) has no D4RL reference scores (returns only)"
        }
    }

}

extension ClaimVerification {
    /// "tasks: 20, all checkable" or "tasks: 20, checkable: 18; not checkable (…)": a row can be
    /// checked when its task is registered and a robot descriptor implements it.
    public static func checkability(of tasks: [String], registry: TaskRegistry) -> String {
        let unchecked = tasks.filter { id in
            guard let task = try? registry.task(id) else { return true }
            return RobotCatalog.descriptor(named: task.robot) == nil
        }
        if unchecked.isEmpty { return "tasks: \(tasks.count), all checkable" }
        return "tasks: \(tasks.count), checkable: \(tasks.count - unchecked.count); not checkable (no environment): "
            + unchecked.joined(separator: ", ")
    }
}
