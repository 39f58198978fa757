import Environments
import Foundation

/// What one column of a table reports: the statistic, its unit of replication, the dispersion its ±
/// gives, n and k (`envs/paper_tables/tables.json`, "statistic" and "columns").
public struct TableStatistic: Codable, Equatable, Sendable {
    /// What the table's numbers are replicated over.
    public enum Unit: String, Codable, Sendable {
        /// Each number is a mean over n training runs (seeds) of a per-run value.
        case trainingSeeds = "training_seeds"
        /// Each number is a mean over n evaluation episodes of one trained agent.
        case episodes
    }
    /// How one training run's number is made from its evaluations.
    public enum PerRun: String, Codable, Sendable {
        /// RAT: mean of the last k evaluations.
        case lastKMean = "last_k_mean"
        /// OMS: the best evaluation.
        case best
        /// One checkpoint per run, chosen by the paper's own rule (the user gives that checkpoint).
        case selected
        /// Not stated (e.g. numbers quoted from other papers).
        case unknown
    }
    /// The spread the table's ± gives, when it gives one.
    public enum Dispersion: String, Codable, Sendable {
        /// Standard deviation over the unit, with `ddof`.
        case std
        /// Standard error of the mean.
        case stderr
        /// The table gives no ±.
        case none
    }

    public var unit: Unit
    /// Training runs (unit training_seeds) behind each number; for episode tables the rows carry n.
    public var n: Int?
    public var perRun: PerRun
    /// Evaluations averaged per run for `last_k_mean`.
    public var k: Int?
    public var dispersion: Dispersion
    /// Degrees of freedom removed in the table's std (0 = np.std); nil when not stated.
    public var ddof: Int?
    public var description: String?

    enum CodingKeys: String, CodingKey { case unit, n, k, dispersion, ddof, description; case perRun = "per_run" }

    /// How a series of checkpoints of one run is scored, when the declaration says.
    public var seriesProtocol: SeriesProtocol? {
        switch perRun {
        case .lastKMean: return .rat
        case .best: return .oms
        case .selected, .unknown: return nil
        }
    }

    /// One line for people: "mean over 5 training seeds of the mean of the last 10 evaluations; ± none".
    public var summary: String {
        let what: String
        switch perRun {
        case .lastKMean: what = "the mean of the last \(k ?? 10) evaluations (RAT)"
        case .best: what = "the best evaluation (OMS)"
        case .selected: what = unit == .episodes ? "one agent" : "one selected checkpoint"
        case .unknown: what = "a per-run value the table does not state"
        }
        let over = unit == .episodes ? "mean over the episodes of \(what)" : "mean over \(n.map(String.init) ?? "?") training seeds of \(what)"
        let spread: String
        switch dispersion {
        case .none: spread = "no ± given"
        case .std: spread = "± std over \(unit == .episodes ? "episodes" : "seeds")" + (ddof.map { " (ddof \($0))" } ?? "")
        case .stderr: spread = "± standard error"
        }
        return "\(over); \(spread)"
    }
}

/// Where a table came from: the paper (arXiv/DOI) or the repository file with its commit.
public struct TableSource: Codable, Equatable, Sendable {
    public var citation: String
    public var arxiv: String?
    public var doi: String?
    public var repository: String?
    public var path: String?
    public var commit: String?

    /// "Kang et al. … (arXiv:2305.20081)" or "… (https://github.com/…/benchmark.md @ 61a0d13…)".
    public var text: String {
        var parts: [String] = []
        if let arxiv { parts.append("arXiv:\(arxiv)") }
        if let doi { parts.append("doi:\(doi)") }
        if let repository { parts.append(repository + (path.map { "/blob/\(commit ?? "HEAD")/\($0)" } ?? "")) }
        return parts.isEmpty ? citation : "\(citation) (\(parts.joined(separator: ", ")))"
    }
}

/// One shipped table's declaration: its file, what its numbers are, the physics and environment
/// stack they were made with, and their source.
public struct TableDeclaration: Codable, Equatable, Sendable {
    /// What the table's scores are.
    public enum Values: String, Codable, Sendable {
        /// D4RL normalized score × 100.
        case normalizedScore = "normalized_score"
        /// Undiscounted episode return (raw).
        case `return`
    }
    public var name: String
    public var file: String
    public var title: String
    public var values: Values
    /// The MuJoCo version the numbers were made with (e.g. "2.1.0").
    public var physics: String
    /// What edp-eval runs instead when `physics` is not available (e.g. "2.1.0" for "2.0").
    public var nearestPhysics: String?
    public var envStack: String
    public var source: TableSource
    /// The statistic of every column without its own entry in `columns`.
    public var statistic: TableStatistic
    public var columns: [String: TableStatistic]?

    enum CodingKeys: String, CodingKey {
        case name, file, title, values, physics, source, statistic, columns
        case nearestPhysics = "nearest_physics"
        case envStack = "env_stack"
    }

    /// The statistic of `method`'s column.
    public func statistic(for method: String) -> TableStatistic { columns?[method] ?? statistic }

    /// The physics edp-eval should run to check this table: its own, or the nearest available.
    public var physicsToRun: String { nearestPhysics ?? physics }
}

/// The shipped tables' declarations (`envs/paper_tables/tables.json`).
public enum ClaimedTableCatalog {
    private struct File: Codable { var tables: [TableDeclaration] }

    /// Reads `tables.json` (or `file`).
    /// - Throws: `EvaluationError.badTable` naming the file and the field that is wrong.
    public static func load(_ file: URL = ProjectResources.envs.appendingPathComponent("paper_tables/tables.json")) throws -> [TableDeclaration] {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw EvaluationError.badTable(file: file.path, line: 0, reason: ReadProblem.describe(file.path))
        }
        do {
            let tables = try JSONDecoder().decode(File.self, from: data).tables
            var seen = Set<String>()
            for table in tables where !seen.insert(table.name).inserted {
                throw EvaluationError.badTable(file: file.path, line: 0, reason: "table '\(table.name)' is declared twice")
            }
            return tables
        } catch let error as DecodingError {
            throw EvaluationError.badTable(file: file.path, line: 0, reason: "not a table catalog: " + JSONText.explain(error))
        }
    }

    /// The declaration of the shipped table `name`, nil when there is none.
    public static func declaration(named name: String) throws -> TableDeclaration? {
        try load().first { $0.name == name }
    }
}
