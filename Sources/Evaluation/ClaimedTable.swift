import Foundation

/// One claimed normalized score from a paper's table.
public struct Claim: Equatable, Sendable {
    public var task: String
    public var method: String
    /// Normalized score × 100.
    public var score: Double
    /// The table's "±" value, if any.
    public var plusMinus: Double?
}

/// Reads tables of claimed normalized scores: CSV or Markdown, in long form (`task, method, score[, ±]`)
/// or wide form (`task, <method 1>, <method 2>, ...`). Cells may read `81.9`, `81.9 ± 3.2` or
/// `81.9+-3.2`; `-` or empty cells are "not reported" and skipped. Lines starting with `#` are comments.
public enum ClaimedTable {
    /// Named tables shipped in `envs/paper_tables/` (figures only).
    public static let named: [String: String] = [
        "edp-table2": "edp_table2_overall.csv", "edp-table4": "edp_table4_oms.csv",
        "edp-table5": "edp_table5_algorithms.csv", "diffusion-ql": "diffusion_ql_table1.csv",
    ]

    /// How a shipped table scored a series of checkpoints of one training run, per method:
    /// EDP Table 2's EDP columns (methods ending " EDP") are RAT (its other columns: nil), Table 4 is OMS, Table 5's "average" columns RAT and
    /// "best" columns OMS (the tables' own captions, kept in the files' comments). nil when the
    /// table reports one final checkpoint (Diffusion-QL's Table 1) or is not a shipped table.
    public static func seriesProtocol(table: String, method: String) -> SeriesProtocol? {
        switch table {
        // Only the EDP columns are RAT; the baselines are quoted from other papers (protocol unknown).
        case "edp-table2": return method.hasSuffix(" EDP") ? .rat : nil
        case "edp-table4": return .oms
        case "edp-table5":
            if method.hasSuffix(" best") { return .oms }
            if method.hasSuffix(" average") { return .rat }
            return nil
        default: return nil
        }
    }

    public static func read(_ url: URL) throws -> [Claim] {
        let text: String
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EvaluationError.badTable(file: url.path, line: 0, reason: ReadProblem.describe(url.path))
        }
        guard let decoded = String(data: data, encoding: .utf8) else {
            throw EvaluationError.badTable(file: url.path, line: 0, reason: "is not UTF-8 text")
        }
        text = decoded
        return try parse(text, file: url.path)
    }

    public static func parse(_ text: String, file: String) throws -> [Claim] {
        var rows: [(line: Int, cells: [String])] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("|") {
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ $0.allSatisfy { "-: ".contains($0) } }) { continue }   // separator row
                rows.append((i + 1, cells))
            } else {
                rows.append((i + 1, splitCSV(line)))
            }
        }
        guard let header = rows.first else { throw EvaluationError.badTable(file: file, line: 0, reason: "the table is empty") }
        let names = header.cells.map { $0.lowercased() }
        guard names.first == "task" else {
            throw EvaluationError.badTable(file: file, line: header.line, reason: "the first column must be 'task', found '\(header.cells.first ?? "")'")
        }
        var claims: [Claim] = []
        let long = names.count >= 3 && names[1] == "method" && names[2] == "score"
        if let repeated = header.cells.indices.first(where: { i in header.cells[..<i].contains(header.cells[i]) }) {
            throw EvaluationError.badTable(file: file, line: header.line, reason: "column '\(header.cells[repeated])' appears twice; each column must be named once")
        }
        var seenRows: [String: Int] = [:]
        for row in rows.dropFirst() {
            guard row.cells.count == header.cells.count else {
                throw EvaluationError.badTable(file: file, line: row.line, reason: "expected \(header.cells.count) cells, found \(row.cells.count)")
            }
            let rowKey = long ? "\(row.cells[0])|\(row.cells[1])" : row.cells[0]
            if let earlier = seenRows[rowKey] {
                throw EvaluationError.badTable(file: file, line: row.line, reason: "row '\(rowKey.replacingOccurrences(of: "|", with: ", "))' repeats line \(earlier); each task (and method) must appear once")
            }
            seenRows[rowKey] = row.line
            if long {
                guard let (score, pm) = try value(row.cells[2], file: file, line: row.line) else { continue }
                var plusMinus = pm
                if names.count > 3, let (extra, _) = try value(row.cells[3], file: file, line: row.line) { plusMinus = extra }
                claims.append(Claim(task: row.cells[0], method: row.cells[1], score: score, plusMinus: plusMinus))
            } else {
                for column in 1..<header.cells.count {
                    guard let (score, pm) = try value(row.cells[column], file: file, line: row.line) else { continue }
                    claims.append(Claim(task: row.cells[0], method: header.cells[column], score: score, plusMinus: pm))
                }
            }
        }
        return claims
    }

    /// Parses `81.9`, `81.9 ± 3.2`, `81.9+-3.2`; nil for `-`/empty.
    static func value(_ cell: String, file: String, line: Int) throws -> (Double, Double?)? {
        let text = cell.replacingOccurrences(of: "+-", with: "±").replacingOccurrences(of: "+/-", with: "±")
        if text.isEmpty || text == "-" || text == "–" { return nil }
        // `omittingEmptySubsequences: false` so "± 97" and "81.9 ±" keep their empty part and are
        // rejected instead of being read as a bare score.
        let parts = text.split(separator: "±", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= 2, let score = Double(parts[0]), score.isFinite else {
            throw EvaluationError.badTable(file: file, line: line, reason: "'\(cell)' is not a score (expected a finite number, e.g. 81.9 or 81.9 ± 3.2)")
        }
        var pm: Double?
        if parts.count == 2 {
            guard let v = Double(parts[1]), v.isFinite, v >= 0 else {
                throw EvaluationError.badTable(file: file, line: line, reason: "'\(cell)': the ± part is not a finite non-negative number")
            }
            pm = v
        }
        return (score, pm)
    }

    private static func splitCSV(_ line: String) -> [String] {
        var cells: [String] = [], current = "", quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else { current.append(ch) }
        }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        return cells
    }
}

/// How one number is made from the evaluations of several checkpoints of a training run.
public enum SeriesProtocol: String, Codable, Sendable, CaseIterable {
    /// Running average at training: mean of the last (up to 10) evaluations.
    case rat
    /// Online model selection: the best evaluation.
    case oms
}

/// A claim checked against a measurement.
public struct Verdict: Codable, Equatable, Sendable {
    public var task: String
    public var method: String
    public var claimed: Double
    public var claimedPlusMinus: Double?
    public var measured: Double
    public var measuredCI95: [Double]?
    public var episodes: Int
    /// The claim lies in the measured 95% interval, or (with a claimed ±) the two intervals overlap.
    public var consistent: Bool
    /// With several checkpoints: how the measurement was made from them, e.g. "OMS of 3
    /// checkpoints (best: #2)" or "RAT of the last 3 of 3 checkpoints"; nil for one checkpoint.
    public var basis: String?

    enum CodingKeys: String, CodingKey {
        case task, method, claimed, measured, episodes, consistent, basis
        case claimedPlusMinus = "claimed_plus_minus"
        case measuredCI95 = "measured_ci95"
    }

    public init(claim: Claim, measured summary: Summary, basis: String? = nil) {
        self.basis = basis
        task = claim.task
        method = claim.method
        claimed = claim.score
        claimedPlusMinus = claim.plusMinus
        measured = summary.mean
        measuredCI95 = summary.ci95
        episodes = summary.count
        let interval = summary.ci95 ?? [summary.mean, summary.mean]
        let low = claim.score - (claim.plusMinus ?? 0), high = claim.score + (claim.plusMinus ?? 0)
        consistent = high >= interval[0] && low <= interval[1]
    }
}

extension Verdict {
    /// Checks `claim` against the evaluations of one checkpoint, or of several checkpoints of one
    /// training run (`rows`, in training order) scored with `seriesProtocol` (required then):
    /// OMS compares the claim with the best checkpoint's episodes, RAT with the pooled episodes
    /// of the last `TrainingCurveScores` window (their mean is the RAT value, since every
    /// checkpoint runs the same episodes).
    public static func checking(_ claim: Claim, against rows: [TaskReport], seriesProtocol: SeriesProtocol?) -> Verdict {
        precondition(!rows.isEmpty && (rows.count == 1 || seriesProtocol != nil))
        // ClaimVerification refuses tasks without reference scores before evaluating.
        func scores(_ row: TaskReport) -> Summary {
            guard let summary = row.normalizedScore else { preconditionFailure("\(row.task) has no normalized scores") }
            return summary
        }
        guard rows.count > 1, let seriesProtocol else { return Verdict(claim: claim, measured: scores(rows[0])) }
        let curve = TrainingCurveScores(scores: rows.map { scores($0).mean })
        switch seriesProtocol {
        case .oms:
            return Verdict(claim: claim, measured: scores(rows[curve.omsIndex]),
                           basis: "OMS of \(rows.count) checkpoints (best: #\(curve.omsIndex + 1))")
        case .rat:
            let pooled = rows.suffix(curve.window).flatMap { $0.episodes.compactMap(\.normalizedScore) }
            return Verdict(claim: claim, measured: Summary(pooled),
                           basis: "RAT of the last \(curve.window) of \(rows.count) checkpoints")
        }
    }
}
