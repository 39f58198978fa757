import Foundation
import SampleStatistics

/// A claim checked against a measurement: the table's statistic computed from the measured runs,
/// the test used, its unit (runs or episodes), both n, the outcome and the physics the runs used.
public struct Verdict: Codable, Equatable, Sendable {
    /// consistent / NOT consistent / inconclusive (the test cannot decide, e.g. one run and no claimed std).
    public enum Outcome: String, Codable, Sendable {
        case consistent
        case notConsistent = "not_consistent"
        case inconclusive

        public var text: String {
            switch self {
            case .consistent: return "consistent"
            case .notConsistent: return "NOT consistent"
            case .inconclusive: return "inconclusive"
            }
        }
    }

    public var task: String
    public var method: String
    public var claimed: Double
    public var claimedPlusMinus: Double?
    /// The table's statistic computed from the measured runs (normalized score × 100, or return).
    public var measured: Double
    /// The measured 95% interval over the unit (runs or episodes); nil with one value.
    public var measuredCI95: [Double]?
    /// The measured spread shown beside the mean as "±": std over the unit (runs or episodes) with
    /// the table's ddof (0 when the table does not say, as np.std); nil with one value.
    public var measuredStd: Double?
    /// Evaluation episodes behind the measurement (all runs, all checkpoints used).
    public var episodes: Int
    /// `outcome == .consistent`.
    public var consistent: Bool
    public var outcome: Outcome
    /// With several checkpoints per run: how a run's value was made, e.g. "OMS of 3 checkpoints (best: #2)".
    public var basis: String?
    /// The test, e.g. "Welch t on run means (t = 0.41, df = 5.2, p = 0.70)".
    public var test: String
    /// "runs" or "episodes": what was replicated.
    public var unit: String
    public var measuredN: Int
    /// The table's n (nil when the table does not say).
    public var claimedN: Int?
    /// Each measured run's value (unit runs), in the order given.
    public var runValues: [Double]?
    /// The MuJoCo the measured runs used (from their reports).
    public var physics: String
    /// The MuJoCo the table's numbers were made with, when declared.
    public var tablePhysics: String?

    enum CodingKeys: String, CodingKey {
        case task, method, claimed, measured, episodes, consistent, basis, outcome, test, unit, physics
        case claimedPlusMinus = "claimed_plus_minus"
        case measuredCI95 = "measured_ci95"
        case measuredStd = "measured_std"
        case measuredN = "measured_n"
        case claimedN = "claimed_n"
        case runValues = "run_values"
        case tablePhysics = "table_physics"
    }

    /// The episode check of one run against a table without a declaration (kept from before
    /// tables declared their statistic): consistent when the claim lies in the measured 95%
    /// Student-t interval over episodes, or, with a claimed ±, when the two intervals overlap.
    public init(claim: Claim, measured summary: Summary, basis: String? = nil, physics: String = "unknown") {
        // One episode has no interval: the claim can be neither confirmed nor refuted, and a point
        // comparison would call a correct claim NOT consistent.
        let outcome: Outcome
        if let interval = summary.ci95 {
            let low = claim.score - (claim.plusMinus ?? 0), high = claim.score + (claim.plusMinus ?? 0)
            outcome = high >= interval[0] && low <= interval[1] ? .consistent : .notConsistent
        } else {
            outcome = .inconclusive
        }
        self.init(claim: claim, measured: summary.mean, ci95: summary.ci95, episodes: summary.count, outcome: outcome,
                  std: summary.count > 1 ? summary.std : nil,
                  basis: basis, test: summary.ci95 == nil ? "one episode: no 95% interval to test the claim against"
                                    : claim.plusMinus == nil ? "claim inside the measured 95% t interval over episodes"
                                                            : "claimed ± overlaps the measured 95% t interval over episodes",
                  unit: "episodes", measuredN: summary.count, claimedN: nil, runValues: nil, physics: physics, tablePhysics: nil)
    }

    public init(claim: Claim, measured: Double, ci95: [Double]?, episodes: Int, outcome: Outcome, std: Double?, basis: String?, test: String,
                unit: String, measuredN: Int, claimedN: Int?, runValues: [Double]?, physics: String, tablePhysics: String?) {
        task = claim.task
        method = claim.method
        claimed = claim.score
        claimedPlusMinus = claim.plusMinus
        self.measured = measured
        measuredCI95 = ci95
        measuredStd = std
        self.episodes = episodes
        self.outcome = outcome
        consistent = outcome == .consistent
        self.basis = basis
        self.test = test
        self.unit = unit
        self.measuredN = measuredN
        self.claimedN = claimedN
        self.runValues = runValues
        self.physics = physics
        self.tablePhysics = tablePhysics
    }

    /// The verdict line's tail: "Welch t on run means …; runs: 3 measured vs 5 in the table; physics 2.1.0".
    public var explanation: String {
        let tableN = claimedN.map(String.init) ?? "?"
        var text = "\(test); \(unit): \(measuredN) measured vs \(tableN) in the table; physics \(physics)"
        if let tablePhysics, tablePhysics != physics { text += " (table: \(tablePhysics))" }
        return text
    }
}

extension Verdict {
    /// The std of `values` with `ddof` removed degrees of freedom; nil when too few values.
    static func spread(_ values: [Double], ddof: Int) -> Double? {
        guard values.count > ddof, values.count > 1 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - ddof)).squareRoot()
    }
}
