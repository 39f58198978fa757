import Foundation

/// Output layouts for result tables in the papers' shape (tasks × methods), so a result can be
/// pasted into a paper (LaTeX), an issue (Markdown) or a spreadsheet (CSV).
public enum ResultTableFormat: String, CaseIterable, Sendable {
    case text, markdown, latex, csv

    /// A grid: header cells, then rows of cells. Text is rendered by the caller's own table.
    public func render(header: [String], rows: [[String]]) -> String {
        switch self {
        case .text:
            return Table(header: header, rows: rows).render()
        case .markdown:
            func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
            return ([line(header), "|" + header.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|"] + rows.map(line))
                .joined(separator: "\n")
        case .latex:
            func escape(_ s: String) -> String {
                var out = ""
                for ch in s {
                    switch ch {
                    case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(ch)
                    case "±": out += "$\\pm$"
                    case "~": out += "\\textasciitilde{}"
                    case "^": out += "\\textasciicircum{}"
                    case "\\": out += "\\textbackslash{}"
                    default: out.append(ch)
                    }
                }
                return out
            }
            let spec = "l" + String(repeating: "r", count: max(0, header.count - 1))
            var lines = ["\\begin{tabular}{\(spec)}", "\\toprule", header.map(escape).joined(separator: " & ") + " \\\\", "\\midrule"]
            lines += rows.map { $0.map(escape).joined(separator: " & ") + " \\\\" }
            lines += ["\\bottomrule", "\\end{tabular}"]
            return lines.joined(separator: "\n")
        case .csv:
            func field(_ s: String) -> String {
                s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            return ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\n")
        }
    }

    /// Verdicts as tasks × methods: per method the claimed value (± as the table gives it), the
    /// measured value (± the measured std over the same unit when the table gives a ±) and the verdict.
    public static func verdictGrid(_ verdicts: [Verdict], decimals: Int = 1) -> (header: [String], rows: [[String]]) {
        let methods = verdicts.map(\.method).uniqued()
        let tasks = verdicts.map(\.task).uniqued()
        var header = ["task"]
        for m in methods { header += ["\(m) claimed", "\(m) measured", "\(m) verdict"] }
        let rows: [[String]] = tasks.map { task in
            var row = [task]
            for m in methods {
                guard let v = verdicts.first(where: { $0.task == task && $0.method == m }) else { row += ["", "", ""]; continue }
                let claimed = Format.fixed(v.claimed, decimals) + (v.claimedPlusMinus.map { " ± " + Format.fixed($0, decimals) } ?? "")
                let spread = v.claimedPlusMinus != nil ? v.measuredStd.map { " ± " + Format.fixed($0, decimals) } ?? "" : ""
                row += [claimed, Format.fixed(v.measured, decimals) + spread + " (\(v.unit) \(v.measuredN))", v.outcome.text]
            }
            return row
        }
        return (header, rows)
    }
}
