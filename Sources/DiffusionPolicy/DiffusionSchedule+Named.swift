import Foundation

extension DiffusionSchedule {
    /// EDP's `get_named_beta_schedule(name, K)` (diffusion.py:38-72, docs/edp-inference.md §2.1) evaluated the
    /// way EDP runs it: jax.numpy with x64 off, so every array is float32.
    ///
    /// * linear: scale = 1000/K, β = linspace(1e-4·scale, 0.02·scale, K) (float32 linspace:
    ///   start·(1 − i/(K−1)) + stop·i/(K−1), last element = stop);
    /// * cosine: guided-diffusion `betas_for_alpha_bar` in float64 (Python math), max β 0.999,
    ///   then float32;
    /// * vp: α_t = exp(−0.1/K − 4.95·(2t−1)/K²), t = 1…K, in float32; β = 1 − α.
    public static func edp(_ name: PolicyConfiguration.Schedule, steps k: Int) throws -> DiffusionSchedule {
        guard k >= 2 else { throw PolicyLoadingError.invalidConfiguration("diffusion steps K = \(k); need K ≥ 2") }
        var betas: [Float]
        switch name {
        case .linear:
            let scale = 1000 / Double(k)
            betas = float32Linspace(Float(scale * 0.0001), Float(scale * 0.02), count: k)
        case .cosine:
            betas = cosineBetasForAlphaBar(k)
        case .vp:
            let kk = Float(k)
            let first = Float(-0.1 / Double(k))
            betas = (1...k).map { t in
                let term: Float = Float(4.95) * Float(2 * t - 1) / (kk * kk)
                let alpha: Float = Foundation.exp(first - term)
                return 1 - alpha
            }
        }
        return try DiffusionSchedule(betas: betas, convention: .edp)
    }

    /// Diffusion-QL's schedules (agents/helpers.py:36-65, docs/edp-inference.md §2.2): β computed in float64 by
    /// numpy, then `torch.tensor(…, dtype=float32)`; everything after in torch float32.
    ///
    /// * linear: linspace(1e-4, 2e-2, T) (not scaled with T);
    /// * cosine: x = linspace(0, T+1, T+1), ᾱ = cos(((x/(T+1)) + 0.008)/1.008·π/2)², normalised,
    ///   β = clip(1 − ᾱ[1:]/ᾱ[:−1], 0, 0.999);
    /// * vp: as EDP's formula, in float64.
    public static func diffusionQL(_ name: PolicyConfiguration.Schedule, steps t: Int) throws -> DiffusionSchedule {
        guard t >= 2 else { throw PolicyLoadingError.invalidConfiguration("diffusion steps T = \(t); need T ≥ 2") }
        var betas: [Double]
        switch name {
        case .linear:
            // numpy linspace: arange(n)·step + start, last element = stop.
            let step = (2e-2 - 1e-4) / Double(t - 1)
            betas = (0..<t).map { i -> Double in i == t - 1 ? 2e-2 : Double(i) * step + 1e-4 }
        case .cosine:
            let steps = t + 1
            let x = (0..<steps).map { Double(steps) * Double($0) / Double(steps - 1) }
            let ac = x.map { v -> Double in
                let c = cos(((v / Double(steps)) + 0.008) / 1.008 * Double.pi * 0.5)
                return c * c
            }
            betas = (0..<t).map { min(max(1 - (ac[$0 + 1] / ac[0]) / (ac[$0] / ac[0]), 0), 0.999) }
        case .vp:
            let tt = Double(t)
            betas = (1...t).map { i -> Double in
                let exponent: Double = -0.1 / tt - 0.5 * (10.0 - 0.1) * Double(2 * i - 1) / (tt * tt)
                return 1 - exp(exponent)
            }
        }
        return try DiffusionSchedule(betas: betas.map { Float($0) }, convention: .diffusionQL)
    }

    /// jnp.linspace(start, stop, n) in float32 as jax 0.4.20's jitted XLA:CPU code evaluates it.
    /// The source is `start·(1 − step) + stop·step` with `step = iota/div`; XLA turns the division
    /// into a multiplication by the rounded reciprocal `inv`, and LLVM reassociates and contracts
    /// the rest into `fma(start, fma(−i, inv, 1), (stop·inv)·i)`. This model was fitted to, and
    /// reproduces bit for bit, all of EDP's DPM-Solver times in the fixtures (e.g.
    /// 0.20079995691776276 at index 12 of linspace(1, 1e-3, 16), where the plain formula gives
    /// 0.20079998672) and 999 of the 1000 EDP float32 β of the K = 1000 linear schedule.
    static func float32Linspace(_ start: Float, _ stop: Float, count n: Int) -> [Float] {
        guard n > 1 else { return [start] }
        let inverse: Float = 1 / Float(n - 1)
        let stopStep: Float = stop * inverse
        var out: [Float] = (0..<(n - 1)).map { i in
            let oneMinusStep: Float = Float(1).addingProduct(-Float(i), inverse)  // fused: 1 − i·inv
            let b: Float = stopStep * Float(i)
            return b.addingProduct(start, oneMinusStep)                          // fused: start·(1−step) + b
        }
        out.append(stop)
        return out
    }

    /// guided-diffusion `betas_for_alpha_bar` with ᾱ(t) = cos((t+0.008)/1.008·π/2)², max β 0.999,
    /// in float64 (Python floats), returned as float32.
    static func cosineBetasForAlphaBar(_ k: Int) -> [Float] {
        func alphaBar(_ t: Double) -> Double {
            let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
            return c * c
        }
        return (0..<k).map { i in
            Float(min(1 - alphaBar(Double(i + 1) / Double(k)) / alphaBar(Double(i) / Double(k)), 0.999))
        }
    }
}
