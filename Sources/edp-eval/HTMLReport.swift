import Evaluation
import Foundation

/// One self-contained HTML page for a set of results: inline CSS, figures as inline SVG, no
/// scripts, no network and no other files (links to videos excepted, which are local files).
struct HTMLReport {
    var inputs: FigureInputs
    /// The figures' SVG text by figure name, in order.
    var figures: [(name: String, svg: String)]
    /// Videos and contact sheets found beside the reports: (label, href).
    var videos: [(String, String)]
    var generatedAt: String
    var commandLine: [String]

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// An SVG file's `<svg …>…</svg>` element (gnuplot writes an XML declaration and DOCTYPE
    /// first), its ids and references to them prefixed with `prefix` so that several figures on one
    /// page keep distinct ids (gnuplot names its point symbols `gpPt0`… in every file).
    static func inlineSVG(_ text: String, prefix: String) -> String {
        guard let start = text.range(of: "<svg") else { return "" }
        var svg = String(text[start.lowerBound...])
        for (old, new) in [("id=\"", "id=\"\(prefix)-"), ("id='", "id='\(prefix)-"), ("href='#", "href='#\(prefix)-"),
                           ("href=\"#", "href=\"#\(prefix)-"), ("url(#", "url(#\(prefix)-")] {
            svg = svg.replacingOccurrences(of: old, with: new)
        }
        return svg
    }

    static let style = """
    body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1a1a1a;padding:0 1rem}
    h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
    table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .55rem;text-align:right}
    th{background:#f2f2f2}td.l,th.l{text-align:left}.muted{color:#555;font-size:.85rem}
    .ok{background:#d9f0e3}.bad{background:#fbe0d0;font-weight:600}.unk{background:#e8e6f4}
    figure{margin:1rem 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
    code{background:#f4f4f4;padding:0 .2rem}details{margin:.4rem 0}
    """

    func table(_ header: [String], _ rows: [[String]], leftColumns: Int = 1, classes: [String?]? = nil) -> String {
        var html = "<table><thead><tr>" + header.enumerated().map { i, h in "<th\(i < leftColumns ? " class=\"l\"" : "")>\(Self.escape(h))</th>" }.joined() + "</tr></thead><tbody>"
        for (r, row) in rows.enumerated() {
            let rowClass = classes?[r].map { " class=\"\($0)\"" } ?? ""
            html += "<tr\(rowClass)>" + row.enumerated().map { i, c in "<td\(i < leftColumns ? " class=\"l\"" : "")>\(Self.escape(c))</td>" }.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }

    func render() -> String {
        var body = "<h1>edp-eval results</h1><p class=\"muted\">Generated \(Self.escape(generatedAt)) by edp-eval \(Self.escape(EDPEvalVersion.current)): <code>\(Self.escape(commandLine.joined(separator: " ")))</code></p>"
        if let verify = inputs.verify { body += verifySection(verify) }
        if let aggregate = inputs.aggregate { body += aggregateSection(aggregate) }
        if !figures.isEmpty {
            body += "<h2>Figures</h2>"
            for (i, figure) in figures.enumerated() { body += "<figure id=\"fig-\(Self.escape(figure.name))\">\(Self.inlineSVG(figure.svg, prefix: "f\(i + 1)"))<figcaption class=\"muted\">\(Self.escape(figure.name))</figcaption></figure>" }
        }
        body += episodesSection()
        if !videos.isEmpty {
            body += "<h2>Videos</h2><ul>" + videos.map { "<li><a href=\"\(Self.escape($0.1))\">\(Self.escape($0.0))</a></li>" }.joined() + "</ul>"
        }
        body += provenanceSection()
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
            + "<title>edp-eval results</title><style>\(Self.style)</style></head><body>\(body)</body></html>\n"
    }

    func verifySection(_ verify: FigureInputs.VerifyResult) -> String {
        var html = "<h2>Claimed vs measured</h2>"
        if let d = verify.declaration {
            html += "<p><b>\(Self.escape(d.title))</b>. Statistic: \(Self.escape(d.statistic(for: verify.verdicts.first?.method ?? "").summary)). "
                + "Table physics: MuJoCo \(Self.escape(d.physics))\(d.nearestPhysics.map { " (not available; nearest: \(Self.escape($0)))" } ?? ""). "
                + "Source: \(Self.escape(d.source.text)).</p>"
        } else {
            html += "<p>Table: <code>\(Self.escape(verify.table))</code> (no declaration: one run is checked against its episodes' 95% interval).</p>"
        }
        let rows = verify.verdicts.map { v in
            [v.task, v.method, Format.fixed(v.claimed) + (v.claimedPlusMinus.map { " ± " + Format.fixed($0) } ?? ""),
             Format.fixed(v.measured) + (v.basis.map { " (\($0))" } ?? ""),
             v.measuredCI95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "–",
             "\(v.measuredN) \(v.unit)", v.claimedN.map(String.init) ?? "?", v.physics, v.outcome.text]
        }
        let classes: [String?] = verify.verdicts.map { $0.outcome == .consistent ? "ok" : $0.outcome == .notConsistent ? "bad" : "unk" }
        html += table(["task", "method", "claimed", "measured", "95% CI", "measured n", "table n", "physics", "verdict"], rows, leftColumns: 2, classes: classes)
        html += "<ul class=\"muted\">" + verify.verdicts.map { "<li>\(Self.escape("\($0.task) / \($0.method): \($0.explanation)"))</li>" }.joined() + "</ul>"
        return html
    }

    func aggregateSection(_ a: Aggregate) -> String {
        let grid = a.grid()
        var html = "<h2>Aggregates over tasks</h2>" + table(grid.header, grid.rows, leftColumns: 1)
        if !a.improvements.isEmpty {
            html += table(["X", "Y", "P(X > Y)", "95% CI", "tasks"], a.improvements.map {
                [$0.x, $0.y, Format.fixed($0.probability, 3), "[\(Format.fixed($0.ci95[0], 3)), \(Format.fixed($0.ci95[1], 3))]", "\($0.tasks)"]
            }, leftColumns: 2)
        }
        html += "<p class=\"muted\">\(Self.escape(a.intervalMethod)); normalized scores × 100; optimality gap γ = 100.</p>"
        for w in a.warnings { html += "<p class=\"muted\">Warning: \(Self.escape(w))</p>" }
        return html
    }

    func episodesSection() -> String {
        guard !inputs.reports.isEmpty else { return "" }
        var html = "<h2>Per-task results</h2>"
        for loaded in inputs.reports {
            let (file, report) = (loaded.file, loaded.report)
            html += "<h3>\(Self.escape(file)) <span class=\"muted\">(MuJoCo \(Self.escape(loaded.physics)))</span></h3>"
            html += table(["task", "policy", "episodes", "return (mean ± s.e.)", "normalized (mean ± s.e.)", "95% CI"], report.tasks.map { t in
                [t.task, ReportText.shortPolicy(t.policy), "\(t.episodes.count)",
                 "\(Format.fixed(t.return.mean)) ± \(t.return.stderr.map { Format.fixed($0) } ?? "–")",
                 t.normalizedScore.map { "\(Format.fixed($0.mean)) ± \($0.stderr.map { Format.fixed($0) } ?? "–")" } ?? "n/a (no D4RL reference scores)",
                 t.normalizedScore?.ci95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "–"]
            }, leftColumns: 2)
            for t in report.tasks {
                let shown = t.episodes.prefix(200)
                html += "<details><summary>\(Self.escape(t.task)) · \(Self.escape(ReportText.shortPolicy(t.policy))): \(t.episodes.count) episodes</summary>"
                html += table(["seed", "episode", "return", "length", "normalized", "end"], shown.map { e in
                    ["\(e.seed)", "\(e.episode)", Format.fixed(e.return, 2), "\(e.length)", e.normalizedScore.map { Format.fixed($0, 2) } ?? "–", e.end.rawValue]
                }, leftColumns: 0)
                if t.episodes.count > shown.count { html += "<p class=\"muted\">First 200 of \(t.episodes.count) episodes; all are in the report's CSV.</p>" }
                html += "</details>"
            }
        }
        return html
    }

    func provenanceSection() -> String {
        guard !inputs.reports.isEmpty else { return "" }
        var html = "<h2>Provenance</h2>"
        for loaded in inputs.reports {
            let (file, p) = (loaded.file, loaded.report.provenance)
            var rows: [[String]] = [
                ["report", file], ["edp-eval", p.package], ["physics (MuJoCo)", loaded.physics],
                ["task semantics", "\(p.taskSemanticsVersion)"], ["seeds", p.seeds.map(String.init).joined(separator: ", ")],
                ["episodes per seed", "\(p.episodesPerSeed)"], ["threads", "\(p.threads)"],
                ["machine", "\(p.machine.hostname): \(p.machine.cpu), \(p.machine.logicalCores) cores, \(p.machine.operatingSystem)"],
                ["started", p.startedAt], ["command line", p.commandLine.joined(separator: " ")],
                ["scheduler", p.scheduler.map { "\($0.kind) job \($0.jobID)" } ?? "none"],
            ]
            rows += p.checkpoints.map { ["checkpoint \($0.path)", "sha256 " + $0.sha256] }
            rows += p.modelFiles.map { ["model \($0.path)", "sha256 " + $0.sha256] }
            html += "<h3>\(Self.escape(file))</h3>" + table(["field", "value"], rows, leftColumns: 2)
        }
        return html
    }
}
