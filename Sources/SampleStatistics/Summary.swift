import Foundation

/// Summary statistics of a sample: the one summary type of the package (episode returns and
/// normalized scores in reports, a dataset's episode lengths and returns in `dataset info`).
///
/// `std` is the population standard deviation (ddof 0, as EDP's and Diffusion-QL's logs use
/// `np.std`); `stderr` = s/√n with the sample standard deviation s (ddof 1); `ci95` is the
/// two-sided 95% Student-t interval mean ± t₀.₉₇₅,ₙ₋₁ · stderr. With one value, stderr and ci95 are nil.
public struct Summary: Codable, Equatable, Sendable {
    public var count: Int
    public var mean: Double
    public var std: Double
    public var stderr: Double?
    public var ci95: [Double]?
    public var min: Double
    public var max: Double

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "a summary needs at least one value")
        count = values.count
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        self.mean = mean
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        std = (squares / n).squareRoot()
        min = values.min()!
        max = values.max()!
        if values.count > 1 {
            let se = (squares / (n - 1)).squareRoot() / n.squareRoot()
            let half = StudentT.quantile(0.975, degreesOfFreedom: n - 1) * se
            stderr = se
            ci95 = [mean - half, mean + half]
        }
    }

    enum CodingKeys: String, CodingKey { case count, mean, std, stderr, ci95, min, max }

    /// Every key is always written; `stderr` and `ci95` are `null` for a single value.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
        if let stderr { try c.encode(stderr, forKey: .stderr) } else { try c.encodeNil(forKey: .stderr) }
        if let ci95 { try c.encode(ci95, forKey: .ci95) } else { try c.encodeNil(forKey: .ci95) }
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
    }
}

/// Student's t distribution: CDF through the regularized incomplete beta function (continued
/// fraction, modified Lentz; Abramowitz & Stegun 26.5.8 and 26.7.1), quantile by bisection.
public enum StudentT {
    /// P(T ≤ t) for ν degrees of freedom.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let x = nu / (nu + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile (0 < p < 1), accurate to ~1e-12.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1 && nu > 0)
        var low = -1e4, high = 1e4
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if cdf(mid, degreesOfFreedom: nu) < p { low = mid } else { high = mid }
            if high - low < 1e-13 { break }
        }
        return (low + high) / 2
    }

    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        // The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d; if abs(d) < tiny { d = tiny }
            c = 1 + even / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d; if abs(d) < tiny { d = tiny }
            c = 1 + odd / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}
