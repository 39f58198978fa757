import Foundation
import SampleStatistics

/// One training run as measured: its checkpoints' rows, in training order.
public struct MeasuredRun: Equatable, Sendable {
    /// The run's label as given (`--checkpoint TASK@LABEL=PATH`; "1" when none was given).
    public var label: String
    public var rows: [TaskReport]
    public init(label: String, rows: [TaskReport]) {
        self.label = label
        self.rows = rows
    }
}

extension Verdict {
    /// Checks `claim` against measured runs the way the table's statistic says:
    /// - episode tables (one agent, mean ± std over n episodes, e.g. RL-Zoo): Welch's t on the
    ///   measured episodes against the claimed mean, std (as a sample std) and n;
    /// - tables over training seeds: each run's value first (one checkpoint: its mean; a series:
    ///   RAT or OMS), then with ≥ 2 runs Welch's t on the run values against the claimed mean ± std
    ///   with the table's n (no claimed std: the runs' std stands in for it), with 1 run the
    ///   prediction interval of a single run (no claimed std: inconclusive);
    /// - a table without a declaration (`statistic` nil) and one run: the claim against the
    ///   measured 95% interval over episodes (as before declarations existed).
    /// - Parameters:
    ///   - runs: at least one run with at least one row; series need a protocol (`override` or the statistic's).
    ///   - physics: the MuJoCo the runs used (their reports' provenance).
    public static func checking(_ claim: Claim, runs: [MeasuredRun], statistic: TableStatistic?, values: TableDeclaration.Values,
                                override: SeriesProtocol?, physics: String, tablePhysics: String?) -> Verdict {
        precondition(!runs.isEmpty && runs.allSatisfy { !$0.rows.isEmpty })
        let measuredRuns = runs.map { run in runValue(run, values: values, statistic: statistic, override: override) }
        let episodes = measuredRuns.map(\.summary.count).reduce(0, +)
        let basis = measuredRuns.compactMap(\.basis).first.map { runs.count > 1 ? "\($0), per run" : $0 }

        // Episode tables: one agent's episodes against the claimed episodes.
        if statistic?.unit == .episodes || (statistic == nil && runs.count == 1) {
            let scores = measuredRuns[0].episodeScores
            let summary = measuredRuns[0].summary
            guard statistic != nil, let pm = claim.plusMinus, let n = claim.count ?? statistic?.n, n >= 2, scores.count >= 2 else {
                var v = Verdict(claim: claim, measured: summary, basis: basis, physics: physics)
                v.tablePhysics = tablePhysics
                v.claimedN = claim.count ?? statistic?.n
                return v
            }
            let std = ClaimTest.sampleStd(pm, n: n, ddof: statistic?.ddof)
            let outcome = ClaimTest.welch(measured: scores, claimedMean: claim.score, claimedStd: std, claimedN: n)
            return Verdict(claim: claim, measured: summary.mean, ci95: summary.ci95, episodes: episodes,
                           outcome: outcome.consistent ? .consistent : .notConsistent,
                           std: spread(scores, ddof: statistic?.ddof ?? 0), basis: basis,
                           test: "Welch t on episode \(values == .return ? "returns" : "scores") vs claimed mean ± std (\(describe(outcome)))",
                           unit: "episodes", measuredN: scores.count, claimedN: n, runValues: nil, physics: physics, tablePhysics: tablePhysics)
        }

        // Tables over training seeds: one value per run.
        let runValues = measuredRuns.map(\.summary.mean)
        let mean = runValues.reduce(0, +) / Double(runValues.count)
        let tableN = statistic?.n
        let ci95 = runValues.count > 1 ? Summary(runValues).ci95 : nil
        func verdict(_ outcome: Outcome, _ test: String) -> Verdict {
            Verdict(claim: claim, measured: mean, ci95: ci95, episodes: episodes, outcome: outcome,
                    std: spread(runValues, ddof: statistic?.ddof ?? 0), basis: basis, test: test,
                    unit: "runs", measuredN: runValues.count, claimedN: tableN, runValues: runValues, physics: physics,
                    tablePhysics: tablePhysics)
        }
        if runValues.count >= 2 {
            if let pm = claim.plusMinus, let n = tableN ?? Optional(runValues.count), n >= 2, statistic?.dispersion != .stderr {
                let std = ClaimTest.sampleStd(pm, n: n, ddof: statistic?.ddof)
                let outcome = ClaimTest.welch(measured: runValues, claimedMean: claim.score, claimedStd: std, claimedN: n)
                return verdict(outcome.consistent ? .consistent : .notConsistent,
                               "Welch t on run means vs claimed mean ± std over seeds (\(describe(outcome)))"
                                + (tableN == nil ? "; the table's n is unknown, taken as the runs measured" : ""))
            }
            let n = tableN ?? runValues.count
            let outcome = ClaimTest.standIn(measured: runValues, claimedMean: claim.score, claimedN: n)
            return verdict(outcome.consistent ? .consistent : .notConsistent,
                           "two-sample t on run means, the table gives no std so the runs' std stands in for it (\(describe(outcome)))")
        }
        guard let pm = claim.plusMinus, let n = tableN, n >= 2, statistic?.dispersion != .stderr else {
            return verdict(.inconclusive, "one run: prediction interval for a single run needs the table's std over seeds, which it does not give")
        }
        let std = ClaimTest.sampleStd(pm, n: n, ddof: statistic?.ddof)
        let outcome = ClaimTest.predictionInterval(measured: mean, measuredStderr: measuredRuns[0].summary.stderr, claimedMean: claim.score,
                                                   claimedStd: std, claimedN: n)
        let interval = outcome.interval!
        return verdict(outcome.consistent ? .consistent : .notConsistent,
                       "one run: 95% prediction interval for a single run [\(Format.fixed(interval[0])), \(Format.fixed(interval[1]))]")
    }

    private static func describe(_ outcome: ClaimTest.Outcome) -> String {
        guard let t = outcome.t, let df = outcome.degreesOfFreedom, let p = outcome.p else { return "zero spread" }
        return "t = \(Format.fixed(t, 2)), df = \(Format.fixed(df, 1)), " + (p < 0.001 ? "p < 0.001" : "p = \(Format.fixed(p, 3))")
    }

    /// One run's value: its only checkpoint's episodes, or the series scored with its protocol
    /// (RAT: the episodes of the last k checkpoints pooled, whose mean is the RAT value since every
    /// checkpoint runs the same episodes; OMS: the best checkpoint's episodes).
    private static func runValue(_ run: MeasuredRun, values: TableDeclaration.Values, statistic: TableStatistic?,
                                 override: SeriesProtocol?) -> (summary: Summary, episodeScores: [Double], basis: String?) {
        // ClaimVerification refuses normalized-score claims on tasks without reference scores.
        func scores(_ row: TaskReport) -> [Double] { row.episodes.map { values == .return ? $0.return : ($0.normalizedScore ?? .nan) } }
        guard run.rows.count > 1, let p = override ?? statistic?.seriesProtocol else {
            let s = scores(run.rows[0])
            return (Summary(s), s, nil)
        }
        let curve = TrainingCurveScores(scores: run.rows.map { Summary(scores($0)).mean }, window: statistic?.k ?? 10)
        switch p {
        case .oms:
            let s = scores(run.rows[curve.omsIndex])
            return (Summary(s), s, "OMS of \(run.rows.count) checkpoints (best: #\(curve.omsIndex + 1))")
        case .rat:
            let s = run.rows.suffix(curve.window).flatMap(scores)
            return (Summary(s), s, "RAT of the last \(curve.window) of \(run.rows.count) checkpoints")
        }
    }
}
