import Environments
import Foundation
import MuJoCo

/// Checks a table of claimed normalized scores against evaluations (`edp-eval verify`): which
/// rows can be checked (a checkpoint for their task), how a series of checkpoints is scored (RAT
/// or OMS, decided before any evaluation runs), the evaluations, and a verdict per row.
public struct ClaimVerification {
    /// The table's file.
    public let tableFile: URL
    /// The table's rows (only `method`'s, when one was given).
    public let claims: [Claim]
    /// The rows with a checkpoint for their task, in table order.
    public let checked: [Claim]
    /// Checkpoints per task, in the order given (training order for a series).
    public let checkpoints: [String: [URL]]
    /// How each checked row with a series is scored, by index in `checked`.
    public let protocols: [Int: SeriesProtocol]

    /// A table given by name: a shipped one (`ClaimedTable.named`), else a file path (anything
    /// that exists or looks like a path).
    /// - Throws: `ClaimVerificationError.unknownTable` for a bare name that is neither.
    public static func tableFile(_ name: String) throws -> URL {
        if let shipped = ClaimedTable.named[name] { return shippedTable(shipped) }
        guard FileManager.default.fileExists(atPath: name) || name.contains("/") || name.contains(".") else {
            throw ClaimVerificationError.unknownTable(name: name, shipped: ClaimedTable.named.keys.sorted())
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
    ///   - table: the table's name as given (a shipped table's name decides its series protocol).
    ///   - claims: the table's rows; `method`, if given, keeps only its rows.
    ///   - checkpoints: (task, checkpoint path) pairs in the order given.
    ///   - seriesProtocol: how to score a series, overriding the table's own.
    /// - Throws: `ClaimVerificationError` (a method without rows, a missing checkpoint, no
    ///   checkable row, a series whose protocol is unknown); the registry's error for an unknown task.
    public init(table: String, file: URL, claims: [Claim], method: String?, checkpoints: [(task: String, path: String)],
                seriesProtocol: SeriesProtocol?, registry: TaskRegistry) throws {
        var claims = claims
        if let method {
            let methods = claims.map(\.method).uniqued()
            claims = claims.filter { $0.method == method }
            if claims.isEmpty { throw ClaimVerificationError.noRowsForMethod(method, file: file.path, methods: methods) }
        }
        var byTask: [String: [URL]] = [:]
        for (task, path) in checkpoints {
            _ = try registry.task(task)
            guard FileManager.default.fileExists(atPath: path) else { throw ClaimVerificationError.noSuchCheckpoint(path) }
            byTask[task, default: []].append(URL(fileURLWithPath: path))
        }
        let checked = claims.filter { byTask[$0.task] != nil }
        if checked.isEmpty { throw ClaimVerificationError.noCheckableRow(tasks: claims.map(\.task).uniqued()) }
        // The claims are normalized scores: a task without D4RL reference scores has none to compare.
        for task in checked.map(\.task).uniqued() where !(try registry.task(task)).hasReferenceScores {
            throw ClaimVerificationError.noReferenceScores(task: task, file: file.path)
        }
        // A series needs to know how the table scored it; decided before any evaluation runs.
        var protocols: [Int: SeriesProtocol] = [:]
        for (i, claim) in checked.enumerated() where byTask[claim.task]!.count > 1 {
            guard let p = seriesProtocol ?? ClaimedTable.seriesProtocol(table: table, method: claim.method) else {
                throw ClaimVerificationError.unknownProtocol(checkpoints: byTask[claim.task]!.count, task: claim.task,
                                                              table: table, method: claim.method)
            }
            protocols[i] = p
        }
        (self.tableFile, self.claims, self.checked, self.checkpoints, self.protocols) = (file, claims, checked, byTask, protocols)
    }

    /// Evaluates each checked task's checkpoints (one `EvaluationRunner` run per task, in table
    /// order) and gives a verdict per checked row.
    /// - Parameters:
    ///   - progress: the runner's progress; `taskFinished` is called after each task's run.
    /// - Returns: the verdicts in `checked` order (grouped by task) and one report per task.
    ///   - physics: the MuJoCo build of every task, or nil for each task's source physics.
    public func run(seeds: [UInt64], episodesPerSeed: Int, width: Int?, threads: Int, overrides: PolicyOverrides,
                    physics: MuJoCoPhysics?, registry: TaskRegistry, progress: ((EvaluationRunner.GroupProgress) -> Void)? = nil,
                    taskFinished: (() -> Void)? = nil) throws -> (verdicts: [Verdict], reports: [EvaluationReport]) {
        var verdicts: [Verdict] = []
        var reports: [EvaluationReport] = []
        for task in checked.map(\.task).uniqued() {
            let spec = try registry.task(task)
            let plan = EvaluationPlan(tasks: [spec], policies: checkpoints[task]!.map { .checkpoint($0) },
                                      seeds: seeds, episodesPerSeed: episodesPerSeed, width: width, threads: threads,
                                      overrides: overrides, physics: physics ?? spec.sourcePhysics)
            let report = try EvaluationRunner(plan: plan, registry: registry).run(progress: progress)
            taskFinished?()
            reports.append(report)
            for (i, claim) in checked.enumerated() where claim.task == task {
                verdicts.append(Verdict.checking(claim, against: report.tasks, seriesProtocol: protocols[i]))
            }
        }
        return (verdicts, reports)
    }
}

/// Why a table of claims cannot be checked as asked.
public enum ClaimVerificationError: Error, CustomStringConvertible, Equatable {
    /// A table name that is neither shipped nor a file.
    case unknownTable(name: String, shipped: [String])
    /// `--method` names no row of the table.
    case noRowsForMethod(String, file: String, methods: [String])
    case noSuchCheckpoint(String)
    /// No row has a checkpoint for its task.
    case noCheckableRow(tasks: [String])
    /// Several checkpoints for a task whose row does not say whether it is RAT or OMS.
    case unknownProtocol(checkpoints: Int, task: String, table: String, method: String)
    /// A row's task has no D4RL reference scores, so no normalized score to compare with the claim.
    case noReferenceScores(task: String, file: String)

    /// Whether the command line must change (unknown table, method or protocol), as opposed to a
    /// missing file or a table that does not fit the checkpoints.
    public var isUsageError: Bool {
        switch self {
        case .unknownTable, .noRowsForMethod, .unknownProtocol: return true
        case .noSuchCheckpoint, .noCheckableRow, .noReferenceScores: return false
        }
    }

    public var description: String {
        switch self {
        case .unknownTable(let name, let shipped):
            return "unknown table '\(name)': the shipped tables are \(shipped.joined(separator: ", ")) (or give a CSV/Markdown file path)"
        case .noRowsForMethod(let method, let file, let methods):
            return "--method '\(method)': \(file) has no rows for it; the table's methods are: \(methods.joined(separator: ", "))"
        case .noSuchCheckpoint(let path):
            return "\(path): no such checkpoint file or folder"
        case .noCheckableRow(let tasks):
            return "none of the table's rows has a --checkpoint for its task (the table's tasks: \(tasks.joined(separator: ", ")))"
        case .unknownProtocol(let count, let task, let table, let method):
            return "\(count) checkpoints for \(task), but it is not known whether \(table)'s '\(method)' reports RAT or OMS: add --protocol rat or --protocol oms"
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
