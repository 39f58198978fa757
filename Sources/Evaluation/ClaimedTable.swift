import Foundation

/// One claimed normalized score from a paper's table.
public struct Claim: Equatable, Sendable {
    public var task: String
    public var method: String
    /// Normalized score × 100.
    public var score: Double
    /// The table's "±" value, if any.
    public var plusMinus: Double?
    /// The row's own n (a long table's `n` column, e.g. RL-Zoo's evaluation episodes), if given.
    public var count: Int? = nil
}

/// Reads tables of claimed normalized scores: CSV or Markdown, in long form (`task, method, score[, ±]`)
/// or wide form (`task, <method 1>, <method 2>, ...`); a long table may add a column `n` (the row's
/// own count, e.g. evaluation episodes). Cells may read `81.9`, `81.9 ± 3.2` or
/// `81.9+-3.2`; `-` or empty cells are "not reported" and skipped. Lines starting with `#` are comments.
public enum ClaimedTable {
    /// Named tables shipped in `envs/paper_tables/` (name → file), from their declarations in
    /// `tables.json` (`ClaimedTableCatalog`), which also say what each table's numbers are.
    public static func named() throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try ClaimedTableCatalog.load().map { ($0.name, $0.file) })
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
                if names.count > 3, names[3] != "n", let (extra, _) = try value(row.cells[3], file: file, line: row.line) { plusMinus = extra }
                var count: Int?
                if let column = names.firstIndex(of: "n"), column >= 3 {
                    guard let n = Int(row.cells[column]), n >= 1 else {
                        throw EvaluationError.badTable(file: file, line: row.line, reason: "column 'n': '\(row.cells[column])' is not a count (expected a whole number ≥ 1)")
                    }
                    count = n
                }
                claims.append(Claim(task: row.cells[0], method: row.cells[1], score: score, plusMinus: plusMinus, count: count))
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
