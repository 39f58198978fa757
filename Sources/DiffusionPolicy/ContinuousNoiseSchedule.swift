import Foundation

/// DPM-Solver's continuous-time view of a discrete schedule (`NoiseScheduleVP('discrete')`,
/// EDP dpm_solver.py:119-216; docs/edp-inference.md §3.3): knots t_i = (i+1)/N with log α(t_i) = ½·log ᾱ_i,
/// piecewise-linear log α(t) in between and linear extrapolation from the two end knots outside.
///
/// Every operation is float32 in the order EDP evaluates it (jax, x64 off), because the solver's
/// intermediate times decide the noise-clip index (docs/edp-inference.md §3.3).
public struct ContinuousNoiseSchedule: Sendable {
    /// N, the number of discrete steps.
    public let count: Int
    /// t_i = (i+1)/N, ascending (`jnp.linspace(0, 1, N+1)[1:]`, float32 as jax computes it).
    public let knotTimes: [Float]
    /// ½·log ᾱ_i, descending.
    public let knotLogAlphas: [Float]
    private let flippedLogAlphas: [Float]
    private let flippedTimes: [Float]

    public init(alphasCumprod: [Float]) {
        let total = alphasCumprod.count
        count = total
        knotTimes = Array(DiffusionSchedule.float32Linspace(0, 1, count: total + 1).dropFirst())
        knotLogAlphas = alphasCumprod.map { 0.5 * Foundation.log($0) }
        flippedLogAlphas = knotLogAlphas.reversed()
        flippedTimes = knotTimes.reversed()
    }

    /// `interpolate_fn` (dpm_solver.py): the segment is chosen as the stable sort of [x, knots]
    /// places x, i.e. before knots equal to it; ends extrapolate with the first/last segment.
    static func interpolate(_ x: Float, _ xp: [Float], _ yp: [Float]) -> Float {
        let k = xp.count
        var position = 0
        if x.isNaN { position = k } else { while position < k && xp[position] < x { position += 1 } }
        let (start, end): (Int, Int) = position == 0 ? (0, 1) : position == k ? (k - 2, k - 1) : (position - 1, position)
        let slope: Float = (x - xp[start]) * (yp[end] - yp[start])
        return yp[start] + slope / (xp[end] - xp[start])
    }

    /// log α(t).
    public func logMeanCoefficient(_ t: Float) -> Float {
        Self.interpolate(t, knotTimes, knotLogAlphas)
    }

    /// σ(t) = sqrt(1 − exp(2 log α(t))); NaN where the extrapolated log α is positive.
    public func marginalStd(_ t: Float) -> Float {
        let e: Float = Foundation.exp(2 * logMeanCoefficient(t))
        return (1 - e).squareRoot()
    }

    /// λ(t) = log α − ½·log(1 − exp(2 log α)).
    public func marginalLambda(_ t: Float) -> Float {
        let logAlpha = logMeanCoefficient(t)
        let e: Float = Foundation.exp(2 * logAlpha)
        let logStd: Float = 0.5 * Foundation.log(1 - e)
        return logAlpha - logStd
    }

    /// λ⁻¹: log α = −½·logaddexp(0, −2λ) (jax logaddexp: max + log1p(exp(−|Δ|))), then t by the
    /// flipped interpolation.
    public func inverseLambda(_ lambda: Float) -> Float {
        let other: Float = -2 * lambda
        let delta: Float = 0 - other
        let logSum: Float = max(0, other) + Foundation.log1p(Foundation.exp(-abs(delta)))
        let logAlpha: Float = -0.5 * logSum
        return Self.interpolate(logAlpha, flippedLogAlphas, flippedTimes)
    }
}
