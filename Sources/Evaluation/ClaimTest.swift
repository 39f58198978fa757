import Foundation
import SampleStatistics

/// The two-sided tests `verify` uses to compare a claimed mean with measurements, all at the 95%
/// level. Formulas: Welch (1947) t with Welch–Satterthwaite degrees of freedom; the prediction
/// interval for one new observation from a normal sample, x̄ ± t₀.₉₇₅,ₙ₋₁ · s · √(1 + 1/n).
public enum ClaimTest {
    /// The result of one test.
    public struct Outcome: Equatable, Sendable {
        /// t statistic (nil for an interval check).
        public var t: Double?
        public var degreesOfFreedom: Double?
        /// Two-sided p-value (nil for an interval check).
        public var p: Double?
        /// The 95% acceptance interval for the measured value (prediction interval, or the
        /// claimed mean ± the critical difference), when the test has one.
        public var interval: [Double]?
        public var consistent: Bool
    }

    /// A std reported with `ddof` (0: np.std) over n values, as a sample std (ddof 1).
    public static func sampleStd(_ std: Double, n: Int, ddof: Int?) -> Double {
        guard let ddof, ddof != 1, n > 1 else { return std }
        return std * (Double(n - ddof) / Double(n - 1)).squareRoot()
    }

    /// Welch's t between the measured values and a claim given as mean, sample std and n.
    /// - Precondition: at least 2 measured values and n ≥ 2.
    public static func welch(measured: [Double], claimedMean: Double, claimedStd: Double, claimedN: Int) -> Outcome {
        precondition(measured.count >= 2 && claimedN >= 2)
        let m = Double(measured.count), n = Double(claimedN)
        let mean = measured.reduce(0, +) / m
        let s2 = measured.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1)
        let a = s2 / m, b = claimedStd * claimedStd / n
        let se = (a + b).squareRoot()
        guard se > 0 else {
            return Outcome(t: nil, degreesOfFreedom: nil, p: mean == claimedMean ? 1 : 0, interval: [claimedMean, claimedMean],
                           consistent: mean == claimedMean)
        }
        let df = (a + b) * (a + b) / (a * a / (m - 1) + b * b / (n - 1))
        return tOutcome(difference: mean - claimedMean, se: se, df: df, claimedMean: claimedMean)
    }

    /// Two-sample t when the table gives no std: the measured runs' sample std stands in for the
    /// table's, so se = s · √(1/m + 1/n), with m − 1 degrees of freedom.
    public static func standIn(measured: [Double], claimedMean: Double, claimedN: Int) -> Outcome {
        precondition(measured.count >= 2 && claimedN >= 1)
        let m = Double(measured.count)
        let mean = measured.reduce(0, +) / m
        let s = (measured.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1)).squareRoot()
        let se = s * (1 / m + 1 / Double(claimedN)).squareRoot()
        guard se > 0 else {
            return Outcome(t: nil, degreesOfFreedom: nil, p: mean == claimedMean ? 1 : 0, interval: [claimedMean, claimedMean],
                           consistent: mean == claimedMean)
        }
        return tOutcome(difference: mean - claimedMean, se: se, df: m - 1, claimedMean: claimedMean)
    }

    /// One measured run against the prediction interval of a single new run from the table's n
    /// runs: claimed mean ± t₀.₉₇₅,ₙ₋₁ · √(s²(1 + 1/n) + se²), where se is the run's own standard
    /// error over its evaluation episodes (added in quadrature; 0 when unknown).
    public static func predictionInterval(measured: Double, measuredStderr: Double?, claimedMean: Double, claimedStd: Double,
                                          claimedN: Int) -> Outcome {
        precondition(claimedN >= 2)
        let n = Double(claimedN)
        let se = measuredStderr ?? 0
        let half = StudentT.quantile(0.975, degreesOfFreedom: n - 1) * (claimedStd * claimedStd * (1 + 1 / n) + se * se).squareRoot()
        let interval = [claimedMean - half, claimedMean + half]
        return Outcome(t: nil, degreesOfFreedom: n - 1, p: nil, interval: interval,
                       consistent: measured >= interval[0] && measured <= interval[1])
    }

    private static func tOutcome(difference: Double, se: Double, df: Double, claimedMean: Double) -> Outcome {
        let t = difference / se
        let p = 2 * (1 - StudentT.cdf(abs(t), degreesOfFreedom: df))
        let critical = StudentT.quantile(0.975, degreesOfFreedom: df) * se
        return Outcome(t: t, degreesOfFreedom: df, p: p, interval: [claimedMean - critical, claimedMean + critical],
                       consistent: abs(t) <= critical / se)
    }
}
