import DiffusionPolicy
import Environments
import Evaluation
import Foundation
import Randomness

/// The figures `plot` and `report` draw. Each carries axis labels with units, the task id and the
/// physics; series differ by line dash and point shape as well as colour, so they stay readable in
/// greyscale.
enum Figures {
    /// Shared look: grid, key outside the data, white background.
    static let common = ["set grid lc rgb '#cccccc'", "set key outside right top box opaque", "set border lw 1.2", "set tics nomirror"]

    static func safe(_ s: String) -> String { s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? String($0) : "_" }.joined() }
    /// Enhanced-text-safe label (underscores and carets would become sub/superscripts).
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "_", with: "\\_").replacingOccurrences(of: "^", with: "\\^").replacingOccurrences(of: "@", with: "\\@")
    }

    /// Score against checkpoint for one task's series of checkpoints: the mean normalized score of
    /// each checkpoint with its 95% interval as a band, the RAT window shaded, the OMS point marked.
    static func curve(task: String, rows: [TaskReport], physics: String, window: Int = 10) -> Figure {
        // Tasks without D4RL reference scores (gym's -v3 ids) plot their returns.
        let scores = rows.map { $0.normalizedScore ?? $0.return }
        let curve = TrainingCurveScores(scores: scores.map(\.mean), window: window)
        let data = scores.enumerated().map { i, s in
            "\(i + 1) \(s.mean) \(s.ci95?[0] ?? s.mean) \(s.ci95?[1] ?? s.mean)"
        }
        let first = rows.count - curve.window + 1
        let settings = common + [
            "set title \(Gnuplot.quote("\(label(task)): normalized score per checkpoint (MuJoCo \(physics))"))",
            "set xlabel 'checkpoint (training order)'", "set ylabel 'normalized score (x100)'",
            "set xrange [0.5:\(Double(rows.count) + 0.5)]", "set xtics 1",
            "set object 1 rect from \(Double(first) - 0.4), graph 0 to \(Double(rows.count) + 0.4), graph 1 fc rgb '#e6e6e6' fs solid 1.0 noborder behind",
            "set label 1 \(Gnuplot.quote("RAT window: last \(curve.window), mean \(Format.fixed(curve.rat))")) at graph 0.02, graph 0.95",
            "set label 2 \(Gnuplot.quote("OMS \(Format.fixed(curve.oms)) (#\(curve.omsIndex + 1))")) at \(curve.omsIndex + 1), \(curve.oms) offset 1.2,-1.2",
        ]
        let plot = "plot DATA index 0 using 1:3:4 with filledcurves fc rgb '#9ecae1' fs solid 0.5 title '95% interval (episodes)', "
            + "'' index 0 using 1:2 with linespoints lw 2 pt 7 lc rgb '#08519c' title 'mean', "
            + "'' index 1 using 1:2 with points pt 9 ps 2.5 lc rgb '#d95f02' title 'OMS (best)', "
            + "'' index 2 using 1:2 with lines dt 2 lw 2.5 lc rgb '#333333' title 'RAT (mean of the window)'"
        let ratSegment = ["\(Double(first) - 0.4) \(curve.rat)", "\(Double(rows.count) + 0.4) \(curve.rat)"]
        return Figure(name: "curve-\(safe(task))", blocks: [data, ["\(curve.omsIndex + 1) \(curve.oms)"], ratSegment], settings: settings, plot: plot)
    }

    /// Per task, every episode's return of each policy (a jittered strip) with D4RL's reference
    /// returns (REF_MIN, REF_MAX: normalized 0 and 100) as horizontal lines.
    static func returns(task: String, rows: [TaskReport], spec: TaskSpec?, physics: String) -> Figure {
        var blocks: [[String]] = []
        var rng = SplitMix64(state: 1)   // deterministic jitter: the same report gives the same figure
        for (i, row) in rows.enumerated() {
            var lines: [String] = []
            for episode in row.episodes {
                let unit = Double(rng.next() >> 11) / 9_007_199_254_740_992.0   // [0, 1)
                let x = Double(i + 1) + unit * 0.3 - 0.15
                lines.append("\(x) \(episode.return)")
            }
            blocks.append(lines)
        }
        blocks.append(rows.enumerated().map { i, r in "\(i + 1) \(r.return.mean)" })
        var xtics: [String] = []
        for (i, r) in rows.enumerated() {
            let name = String(ReportText.shortPolicy(r.policy).suffix(28))
            xtics.append(Gnuplot.quote(label(name)) + " \(i + 1)")
        }
        var settings = common + [
            "set title \(Gnuplot.quote("\(label(task)): episode returns (MuJoCo \(physics))"))",
            "set xlabel 'policy'", "set ylabel 'episode return (undiscounted)'",
            "set xrange [0.5:\(Double(rows.count) + 0.5)]", "set xtics (\(xtics.joined(separator: ", "))) rotate by -15",
        ]
        var plot = "plot " + rows.indices.map { i in
            "DATA index \(i) using 1:2 with points pt \([6, 4, 8, 12][i % 4]) ps 1.1 lc rgb '\(["#1b9e77", "#7570b3", "#d95f02", "#e7298a"][i % 4])' title \(Gnuplot.quote(i == 0 ? "episodes" : ""))"
        }.joined(separator: ", ")
        plot += ", '' index \(rows.count) using 1:2 with points pt 3 ps 3 lw 2 lc rgb 'black' title 'mean'"
        if let spec, let referenceMin = spec.referenceMinScore, let referenceMax = spec.referenceMaxScore {
            settings.append("set arrow from graph 0, first \(referenceMin) to graph 1, first \(referenceMin) nohead dt 3 lw 2 lc rgb '#555555'")
            settings.append("set arrow from graph 0, first \(referenceMax) to graph 1, first \(referenceMax) nohead dt 2 lw 2 lc rgb '#555555'")
            settings.append("set label \(Gnuplot.quote(label("D4RL REF_MIN \(Format.fixed(referenceMin))"))) at graph 0.02, first \(referenceMin) offset 0,0.7")
            settings.append("set label \(Gnuplot.quote(label("D4RL REF_MAX \(Format.fixed(referenceMax))"))) at graph 0.02, first \(referenceMax) offset 0,-0.9")
            let values = rows.flatMap { $0.episodes.map(\.return) } + [referenceMin, referenceMax]
            let low = values.min()!, high = values.max()!, pad = max(1, (high - low) * 0.08)
            settings.append("set yrange [\(low - pad):\(high + pad)]")
        }
        return Figure(name: "returns-\(safe(task))", blocks: blocks, settings: settings, plot: plot)
    }

    /// Claimed against measured per verified row: the measured value with its 95% interval and the
    /// claim, coloured and shaped by verdict (consistent: filled circle, NOT consistent: filled
    /// triangle, inconclusive: open square).
    static func claims(_ verdicts: [Verdict]) -> Figure {
        let styles: [(Verdict.Outcome, String, Int, String)] = [(.consistent, "#1b9e77", 7, "consistent"),
                                                                (.notConsistent, "#d95f02", 9, "NOT consistent"),
                                                                (.inconclusive, "#7570b3", 4, "inconclusive")]
        var blocks: [[String]] = []
        for (outcome, _, _, _) in styles {
            let rows = verdicts.enumerated().filter { $0.element.outcome == outcome }.map { i, v in
                "\(i + 1) \(v.measured) \(v.measuredCI95?[0] ?? v.measured) \(v.measuredCI95?[1] ?? v.measured)"
            }
            blocks.append(rows.isEmpty ? ["NaN NaN NaN NaN"] : rows)
        }
        blocks.append(verdicts.enumerated().map { i, v in "\(i + 1) \(v.claimed) \(v.claimedPlusMinus ?? 0)" })
        let xtics = verdicts.enumerated().map { i, v in "\(Gnuplot.quote(label("\(v.task) / \(v.method)"))) \(i + 1)" }
        let physics = verdicts.map(\.physics).uniqued().joined(separator: "+")
        let settings = common + [
            "set title \(Gnuplot.quote("claimed vs measured (MuJoCo \(physics))"))",
            "set ylabel \(Gnuplot.quote(verdicts.first?.claimed ?? 0 > 1000 ? "score (return, or normalized x100)" : "normalized score (x100)"))",
            "set xrange [0.5:\(Double(verdicts.count) + 0.5)]", "set xtics (\(xtics.joined(separator: ", "))) rotate by -20",
            "set bmargin 8",
        ]
        var parts = styles.enumerated().map { k, s in
            "DATA index \(k) using 1:2:3:4 with yerrorbars pt \(s.2) ps 1.8 lw 2 lc rgb '\(s.1)' title \(Gnuplot.quote("measured, \(s.3)"))"
        }
        parts.append("'' index \(styles.count) using ($1+0.15):2:3 with yerrorbars pt 2 ps 2 lw 1.5 lc rgb 'black' title 'claimed (± as given)'")
        return Figure(name: "claims", blocks: blocks, settings: settings, plot: "plot " + parts.joined(separator: ", "), width: 900, height: 520)
    }

    /// Performance profiles: fraction of runs with normalized score above τ, with 95% bands.
    static func profiles(_ aggregate: Aggregate) -> Figure {
        let blocks = aggregate.methods.map { m in
            aggregate.taus.indices.map { k in "\(aggregate.taus[k]) \(m.profile[k]) \(m.profileBand[k][0]) \(m.profileBand[k][1])" }
        }
        let colors = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]
        let physics = Array(aggregate.physics.values).uniqued().joined(separator: "+")
        let settings = common + [
            "set title \(Gnuplot.quote("performance profiles (MuJoCo \(physics); \(aggregate.replications) bootstrap replications)"))",
            "set xlabel 'normalized score threshold τ (x100)'", "set ylabel 'fraction of runs with score > τ'", "set yrange [0:1.05]",
        ]
        var parts: [String] = []
        for (i, m) in aggregate.methods.enumerated() {
            let c = colors[i % colors.count]
            parts.append("DATA index \(i) using 1:3:4 with filledcurves fc rgb '\(c)' fs transparent solid 0.2 notitle")
            parts.append("'' index \(i) using 1:2 with linespoints dt \(i + 1) pt \([7, 9, 5, 11, 13][i % 5]) lw 2 lc rgb '\(c)' title \(Gnuplot.quote(label("\(m.method) (\(m.unit))")))")
        }
        return Figure(name: "profiles", blocks: blocks, settings: settings, plot: "plot " + parts.joined(separator: ", "))
    }

    /// One policy's episodes on one task under several physics: each episode's return per physics
    /// (jittered strip) with the mean and its 95% interval; the title gives the difference of the
    /// first two means in standard errors of the difference.
    static func physics(task: String, policy: String, runs: [(physics: String, row: TaskReport)]) -> Figure {
        var rng = SplitMix64(state: 2)
        var blocks: [[String]] = []
        for (i, run) in runs.enumerated() {
            var lines: [String] = []
            for episode in run.row.episodes {
                let unit = Double(rng.next() >> 11) / 9_007_199_254_740_992.0
                lines.append("\(Double(i + 1) + unit * 0.3 - 0.15) \(episode.return)")
            }
            blocks.append(lines)
        }
        blocks.append(runs.enumerated().map { i, r in
            let s = r.row.return
            return "\(Double(i + 1) + 0.3) \(s.mean) \(s.ci95?[0] ?? s.mean) \(s.ci95?[1] ?? s.mean)"
        })
        let a = runs[0].row.return, b = runs[1].row.return
        let se = ((a.stderr ?? 0) * (a.stderr ?? 0) + (b.stderr ?? 0) * (b.stderr ?? 0)).squareRoot()
        let difference = b.mean - a.mean
        let inSE = se > 0 ? " = \(Format.fixed(difference / se, 1)) s.e." : ""
        var xtics: [String] = []
        for (i, r) in runs.enumerated() { xtics.append(Gnuplot.quote("MuJoCo " + r.physics) + " \(i + 1)") }
        let settings = common + [
            "set title \(Gnuplot.quote(label("\(task), \(String(ReportText.shortPolicy(policy).suffix(30))): mean \(runs[1].physics) − \(runs[0].physics) = \(Format.fixed(difference))\(inSE)")))",
            "set xlabel 'physics (MuJoCo version)'", "set ylabel 'episode return (undiscounted)'",
            "set xrange [0.5:\(Double(runs.count) + 0.7)]", "set xtics (\(xtics.joined(separator: ", ")))",
        ]
        var parts = runs.indices.map { i in
            "DATA index \(i) using 1:2 with points pt \([6, 4, 8, 12][i % 4]) ps 1.1 lc rgb '\(["#1b9e77", "#d95f02", "#7570b3", "#e7298a"][i % 4])' title \(Gnuplot.quote(i == 0 ? "episodes" : ""))"
        }
        parts.append("'' index \(runs.count) using 1:2:3:4 with yerrorbars pt 7 ps 1.5 lw 2 lc rgb 'black' title 'mean, 95% interval'")
        return Figure(name: "physics-\(safe(task))", blocks: blocks, settings: settings, plot: "plot " + parts.joined(separator: ", "))
    }
}
