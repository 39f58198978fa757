import Foundation

/// The per-index constants of a discrete diffusion with K steps (docs/edp-inference.md §2.1), float32, index
/// i = 0…K−1 (i = 0 is the least noisy step).
///
/// ```
/// ᾱ_i = Π_{j≤i}(1−β_j);  ᾱprev_i = ᾱ_{i−1} (ᾱprev_0 = 1)
/// sqrtRecip_i = sqrt(1/ᾱ_i);  sqrtRecipM1_i = sqrt(1/ᾱ_i − 1)
/// postVar_i = β_i(1−ᾱprev_i)/(1−ᾱ_i)
/// postLogVar_i = log(postVar_1) for i = 0 (EDP) or log(max(postVar_0, 1e-20)) (Diffusion-QL), else log(postVar_i)
/// coef1_i = β_i·sqrt(ᾱprev_i)/(1−ᾱ_i);  coef2_i = (1−ᾱprev_i)·sqrt(1−β_i)/(1−ᾱ_i)
/// ```
/// All arithmetic is float32 in the original's operation order, so that schedules built here
/// equal EDP's (jax.numpy, x64 off) and Diffusion-QL's (torch float32) arrays (docs/edp-inference.md
/// §2.1, §2.2). Prefer reading the arrays from the checkpoint when it has them
/// (`init(tensors:prefix:convention:)`).
public struct DiffusionSchedule: Sendable, Equatable {
    /// Which code base's conventions the derived arrays follow (only `postLogVar_0` differs).
    public enum Convention: Sendable { case edp, diffusionQL }

    public let betas: [Float]
    public let alphasCumprod: [Float]
    public let alphasCumprodPrev: [Float]
    public let sqrtRecipAlphasCumprod: [Float]
    public let sqrtRecipm1AlphasCumprod: [Float]
    public let posteriorVariance: [Float]
    public let posteriorLogVarianceClipped: [Float]
    public let posteriorMeanCoef1: [Float]
    public let posteriorMeanCoef2: [Float]

    /// K, the number of discrete steps.
    public var count: Int { alphasCumprod.count }

    /// Derives every array from float32 β, in float32, in the original's operation order.
    public init(betas: [Float], convention: Convention) throws {
        guard betas.count >= 2 else {
            throw PolicyLoadingError.invalidConfiguration("a diffusion schedule needs K ≥ 2 steps, got \(betas.count)")
        }
        guard betas.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw PolicyLoadingError.invalidConfiguration("betas must lie in (0, 1]")
        }
        let alphas = betas.map { Float(1) - $0 }
        let cumulative: [Float]
        switch convention {
        case .edp:
            // jnp.cumprod on CPU lowers to jax's associative_scan (a parallel prefix), whose
            // rounding differs from a running product in 905 of 1000 entries for K = 1000.
            cumulative = Self.associativeScanProduct(alphas)
        case .diffusionQL:
            var product: Float = 1
            cumulative = alphas.enumerated().map { i, alpha in
                product = i == 0 ? alpha : product * alpha
                return product
            }
        }
        try self.init(betas: betas, alphasCumprod: cumulative, convention: convention)
    }

    /// Derives the arrays from ᾱ alone (β_i = 1 − ᾱ_i/ᾱ_{i−1}), for checkpoints that only store
    /// `alphas_cumprod` (docs/edp-inference.md §8 item 4).
    public init(alphasCumprod: [Float], convention: Convention) throws {
        var betas: [Float] = []
        for (i, value) in alphasCumprod.enumerated() {
            betas.append(i == 0 ? 1 - value : 1 - value / alphasCumprod[i - 1])
        }
        try self.init(betas: betas, alphasCumprod: alphasCumprod, convention: convention)
    }

    private init(betas: [Float], alphasCumprod ac: [Float], convention: Convention) throws {
        try Self.validate(ac)
        let k = ac.count
        let prev = [Float(1)] + ac.dropLast()
        var recip = [Float](), recipM1 = [Float](), variance = [Float](), coef1 = [Float](), coef2 = [Float]()
        for i in 0..<k {
            let inverse: Float = 1 / ac[i]
            recip.append(inverse.squareRoot())
            recipM1.append((inverse - 1).squareRoot())
            let oneMinus: Float = 1 - ac[i]
            variance.append(betas[i] * (1 - prev[i]) / oneMinus)
            coef1.append(betas[i] * prev[i].squareRoot() / oneMinus)
            let alpha: Float = 1 - betas[i]
            coef2.append((1 - prev[i]) * alpha.squareRoot() / oneMinus)
        }
        var logVariance = variance.map { Foundation.log($0) }
        switch convention {
        case .edp: logVariance[0] = Foundation.log(variance[1])             // diffusion.py: append(pv[1], pv[1:])
        case .diffusionQL: logVariance[0] = Foundation.log(max(variance[0], 1e-20)) // clamp(min=1e-20)
        }
        self.betas = betas
        alphasCumprod = ac
        alphasCumprodPrev = prev
        sqrtRecipAlphasCumprod = recip
        sqrtRecipm1AlphasCumprod = recipM1
        posteriorVariance = variance
        posteriorLogVarianceClipped = logVariance
        posteriorMeanCoef1 = coef1
        posteriorMeanCoef2 = coef2
    }

    /// Takes every array as given (e.g. a Diffusion-QL actor's buffers or EDP's `diffusion/*`).
    public init(betas: [Float], alphasCumprod: [Float], alphasCumprodPrev: [Float],
                sqrtRecipAlphasCumprod: [Float], sqrtRecipm1AlphasCumprod: [Float],
                posteriorVariance: [Float], posteriorLogVarianceClipped: [Float],
                posteriorMeanCoef1: [Float], posteriorMeanCoef2: [Float]) throws {
        try Self.validate(alphasCumprod)
        let k = alphasCumprod.count
        for (name, array) in [("betas", betas), ("alphas_cumprod_prev", alphasCumprodPrev),
                              ("sqrt_recip_alphas_cumprod", sqrtRecipAlphasCumprod),
                              ("sqrt_recipm1_alphas_cumprod", sqrtRecipm1AlphasCumprod),
                              ("posterior_variance", posteriorVariance),
                              ("posterior_log_variance_clipped", posteriorLogVarianceClipped),
                              ("posterior_mean_coef1", posteriorMeanCoef1),
                              ("posterior_mean_coef2", posteriorMeanCoef2)] {
            guard array.count == k else {
                throw PolicyLoadingError.shapeMismatch(name: name, expected: [k], found: [array.count])
            }
            if let bad = array.firstIndex(where: { !$0.isFinite }) {
                throw PolicyLoadingError.nonFiniteValues(name: name, firstIndex: bad)
            }
        }
        self.betas = betas
        self.alphasCumprod = alphasCumprod
        self.alphasCumprodPrev = alphasCumprodPrev
        self.sqrtRecipAlphasCumprod = sqrtRecipAlphasCumprod
        self.sqrtRecipm1AlphasCumprod = sqrtRecipm1AlphasCumprod
        self.posteriorVariance = posteriorVariance
        self.posteriorLogVarianceClipped = posteriorLogVarianceClipped
        self.posteriorMeanCoef1 = posteriorMeanCoef1
        self.posteriorMeanCoef2 = posteriorMeanCoef2
    }

    /// jax `associative_scan(multiply, x)` for a 1-D array (lax/control_flow/loops.py): combine
    /// adjacent pairs, scan the half-length array recursively, fill in the even positions.
    static func associativeScanProduct(_ e: [Float]) -> [Float] {
        let n = e.count
        guard n >= 2 else { return e }
        let reduced = stride(from: 0, to: n - 1, by: 2).map { e[$0] * e[$0 + 1] }
        let odd = associativeScanProduct(reduced)
        let evenCount = n % 2 == 0 ? odd.count - 1 : odd.count
        let even = [e[0]] + (0..<evenCount).map { odd[$0] * e[2 * $0 + 2] }
        return (0..<n).map { $0 % 2 == 0 ? even[$0 / 2] : odd[$0 / 2] }
    }

    private static func validate(_ ac: [Float]) throws {
        guard ac.count >= 2 else {
            throw PolicyLoadingError.invalidConfiguration("a diffusion schedule needs K ≥ 2 steps, got \(ac.count)")
        }
        for (i, value) in ac.enumerated() where !(value > 0 && value < 1 && (i == 0 || value <= ac[i - 1])) {
            throw PolicyLoadingError.invalidConfiguration(
                "alphas_cumprod[\(i)] = \(value): must be in (0, 1) and non-increasing")
        }
    }
}
