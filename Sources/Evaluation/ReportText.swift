import Foundation
import SampleStatistics

/// The human-readable summary of a report.
public enum ReportText {
    /// The report's table (one row per task and policy), its unstable/failed counts, RAT and OMS,
    /// and a provenance line.
    public static func render(_ report: EvaluationReport) -> String {
        var rows: [[String]] = []
        // Both columns are mean ± standard error ("—" with one episode, where it is undefined).
        func meanAndError(_ s: Summary) -> String { "\(Format.fixed(s.mean)) ± \(s.stderr.map { Format.fixed($0) } ?? "—")" }
        let goalTasks = report.tasks.contains { $0.successRate != nil }
        let metricNames = report.episodeMetricNames
        for t in report.tasks {
            // A task without reference scores (gym ids) has returns only: "n/a" in both score columns.
            let n = t.normalizedScore
            let ci = n.map { $0.ci95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "-" } ?? "n/a"
            var row = [t.task, shortPolicy(t.policy), "\(t.episodes.count)", meanAndError(t.return), n.map(meanAndError) ?? "n/a", ci]
            if goalTasks { row.append(t.successRate.map { "\(Format.fixed(100 * $0))%" } ?? "") }
            row += metricNames.map { name in t.metrics?[name].map { metricText(name, $0.mean) } ?? "" }
            // The random policy's "inference" is drawing uniforms: no inference speed to show.
            row += ["\(Int(t.sps.total))", "\(Int(t.sps.physics))", t.policy == "random" ? "—" : "\(Int(t.sps.inference))"]
            rows.append(row)
        }
        var header = ["task", "policy", "episodes", "return (mean ± s.e.)", "normalized (mean ± s.e.)", "95% CI"]
        if goalTasks { header.append("success") }
        header += metricNames.map { $0.replacingOccurrences(of: "_", with: " ") + " (mean)" }
        header += ["SPS", "physics SPS", "inference SPS"]
        let firstSPS = header.count - 3
        let metricColumns = (firstSPS - metricNames.count)..<firstSPS
        var text = Table(header: header, rows: rows,
                         rightAligned: Set([2, firstSPS, firstSPS + 1, firstSPS + 2] + Array(metricColumns)
                                           + (goalTasks ? [metricColumns.lowerBound - 1] : []))).render()
        for t in report.tasks where t.ends.keys.contains(where: { $0 == "unstable" || $0 == "error" }) {
            text += "\n\(t.task): \(t.ends["unstable"] ?? 0) unstable, \(t.ends["error"] ?? 0) failed episodes (see the report's episodes[].detail)"
        }
        let unscored = report.tasks.filter { $0.normalizedScore == nil }.map(\.task).uniqued()
        if !unscored.isEmpty {
            text += "\n\(unscored.joined(separator: ", ")): no D4RL reference scores, so no normalized score (returns only)"
        }
        if let series = report.series {
            for (task, s) in series.sorted(by: { $0.key < $1.key }) {
                text += "\n\(task): RAT (last \(s.window)) \(Format.fixed(s.rat)), OMS \(Format.fixed(s.oms)) (checkpoint #\(s.omsIndex + 1))"
            }
        }
        let p = report.provenance
        text += "\nMuJoCo \(p.mujocoVersion), edp-eval \(p.package), \(p.threads) threads, seeds \(p.seeds.map(String.init).joined(separator: ","))"
        if let first = report.tasks.first { text += "; policy: \(first.policySummary)" }
        return text
    }

    /// A metric's mean over a task's episodes: `*_rate` metrics (fractions) as a percentage.
    static func metricText(_ name: String, _ mean: Double) -> String {
        name.hasSuffix("_rate") ? "\(Format.fixed(100 * mean))%" : Format.fixed(mean, 2)
    }

    /// A policy label cut to its last 40 characters, for tables.
    public static func shortPolicy(_ label: String) -> String {
        label.count > 40 ? "…" + label.suffix(39) : label
    }
}
