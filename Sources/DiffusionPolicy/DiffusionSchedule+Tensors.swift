import TensorArchives
extension DiffusionSchedule {
    /// The buffer names shared by EDP's `GaussianDiffusion` and Diffusion-QL's `Diffusion`
    /// (docs/edp-inference.md §2, §5.2).
    static let bufferNames = ["betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_recip_alphas_cumprod",
                              "sqrt_recipm1_alphas_cumprod", "posterior_variance",
                              "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2"]

    /// Reads a schedule stored beside the weights: `prefix + name` for every buffer (EDP exports
    /// use prefix `diffusion/`, a Diffusion-QL actor state_dict prefix ""). With all nine buffers
    /// they are taken as they are; with only `alphas_cumprod` (or only `betas`) the rest is derived.
    /// Returns nil when neither is present. `expectedSteps` (if given) must equal K.
    public init?(tensors: TensorDictionary, prefix: String, convention: Convention, expectedSteps: Int? = nil) throws {
        func vector(_ name: String) throws -> [Float]? {
            guard let tensor = tensors[prefix + name] else { return nil }
            guard tensor.shape.count == 1 else {
                throw PolicyLoadingError.shapeMismatch(name: prefix + name, expected: [expectedSteps ?? -1], found: tensor.shape)
            }
            if let k = expectedSteps, tensor.count != k {
                throw PolicyLoadingError.shapeMismatch(name: prefix + name, expected: [k], found: tensor.shape)
            }
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw PolicyLoadingError.nonFiniteValues(name: prefix + name, firstIndex: bad)
            }
            return tensor.values
        }
        let arrays = try Self.bufferNames.map { try vector($0) }
        if arrays.allSatisfy({ $0 != nil }) {
            let a = arrays.map { $0! }
            try self.init(betas: a[0], alphasCumprod: a[1], alphasCumprodPrev: a[2], sqrtRecipAlphasCumprod: a[3],
                          sqrtRecipm1AlphasCumprod: a[4], posteriorVariance: a[5], posteriorLogVarianceClipped: a[6],
                          posteriorMeanCoef1: a[7], posteriorMeanCoef2: a[8])
        } else if let ac = arrays[1] {
            try self.init(alphasCumprod: ac, convention: convention)
        } else if let betas = arrays[0] {
            try self.init(betas: betas, convention: convention)
        } else {
            return nil
        }
    }
}
