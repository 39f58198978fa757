import DiffusionPolicy
import Foundation
import TensorArchives

/// Configuration from tensor shapes and EDP variants, and the shape validation every loader runs.
extension Checkpoint {
    /// Network dimensions read off the weights.
    struct Dimensions {
        var observationSize: Int
        var actionSize: Int
        var timeEmbeddingSize: Int
        var policyHiddenSizes: [Int]
        var criticHiddenSizes: [Int]
        var policyLayerNorm: Bool
        var criticLayerNorm: Bool
    }

    static func shape(_ tensors: TensorDictionary, _ key: String, rank: Int, url: URL) throws -> [Int] {
        guard let tensor = tensors[key] else {
            throw CheckpointError(.missingEntry, file: url, "tensor \(key) is missing")
        }
        guard tensor.shape.count == rank else {
            throw CheckpointError(.invalidTensor, file: url, "tensor \(key) has shape \(tensor.shape), expected rank \(rank)")
        }
        return tensor.shape
    }

    /// Consecutive indices `i` for which `key(i)` exists, starting at `first`, stepping by `step`.
    static func layerIndices(_ tensors: TensorDictionary, first: Int = 0, step: Int = 1, key: (Int) -> String) -> [Int] {
        var indices: [Int] = []
        var i = first
        while tensors[key(i)] != nil {
            indices.append(i)
            i += step
        }
        return indices
    }

    /// Throws unless every extent is at most 4 · `Limits.maxVectorSize` (an input width O + A + E),
    /// so that the arithmetic on them cannot overflow.
    static func requirePlausibleExtents(_ shapes: [[Int]], what: String, url: URL) throws {
        let bound = 4 * PolicyConfiguration.Limits.maxVectorSize
        if let shape = shapes.first(where: { $0.contains { $0 > bound } }) {
            throw CheckpointError(.invalidTensor, file: url, "\(what): shape \(shape) has an extent above \(bound)")
        }
    }

    // MARK: EDP (flax) layout, docs/edp-inference.md §5.1

    static func edpDimensions(_ tensors: TensorDictionary, url: URL) throws -> Dimensions {
        let p = "policy/params/base_net/"
        let dense = layerIndices(tensors) { "\(p)Dense_\($0)/kernel" }
        guard dense.count >= 2 else {
            throw CheckpointError(.missingEntry, file: url, "policy needs at least two layers under \(p)Dense_k/kernel, found \(dense.count)")
        }
        let kernels = try dense.map { try shape(tensors, "\(p)Dense_\($0)/kernel", rank: 2, url: url) }
        let embed = try shape(tensors, "\(p)TimeEmbedding_0/Dense_1/kernel", rank: 2, url: url)
        let actionSize = kernels.last![1]
        let e = embed[1]
        // Empty tensors can declare any extent: bound them before subtracting.
        try requirePlausibleExtents(kernels + [embed], what: "policy kernels", url: url)
        let observationSize = kernels[0][0] - actionSize - e
        guard observationSize > 0, actionSize > 0 else {
            throw CheckpointError(.invalidTensor, file: url, "policy first kernel \(kernels[0]) cannot hold observation + action \(actionSize) + time embedding \(e)")
        }
        let q = "qf1/params/"
        let criticDense = layerIndices(tensors) { "\(q)Dense_\($0)/kernel" }
        guard criticDense.count >= 2 else {
            throw CheckpointError(.missingEntry, file: url, "critic needs at least two layers under \(q)Dense_k/kernel, found \(criticDense.count)")
        }
        let criticKernels = try criticDense.map { try shape(tensors, "\(q)Dense_\($0)/kernel", rank: 2, url: url) }
        return Dimensions(observationSize: observationSize, actionSize: actionSize, timeEmbeddingSize: e,
                          policyHiddenSizes: kernels.dropLast().map { $0[1] },
                          criticHiddenSizes: criticKernels.dropLast().map { $0[1] },
                          policyLayerNorm: tensors["\(p)LayerNorm_0/scale"] != nil,
                          criticLayerNorm: tensors["\(q)LayerNorm_0/scale"] != nil)
    }

    /// Expected shape of every EDP tensor the networks use.
    static func edpExpectedShapes(_ c: DiffusionConfiguration) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        let p = "policy/params/base_net/"
        let e = c.timeEmbeddingSize
        shapes["\(p)TimeEmbedding_0/Dense_0/kernel"] = [e, 2 * e]
        shapes["\(p)TimeEmbedding_0/Dense_0/bias"] = [2 * e]
        shapes["\(p)TimeEmbedding_0/Dense_1/kernel"] = [2 * e, e]
        shapes["\(p)TimeEmbedding_0/Dense_1/bias"] = [e]
        shapes.merge(flaxStackShapes(p, input: c.observationSize + c.actionSize + e, hidden: c.policyHiddenSizes,
                                     output: c.actionSize, layerNorm: c.policyLayerNorm)) { $1 }
        for critic in ["qf1", "qf2"] {
            shapes.merge(flaxStackShapes("\(critic)/params/", input: c.observationSize + c.actionSize, hidden: c.criticHiddenSizes,
                                         output: 1, layerNorm: c.criticLayerNorm)) { $1 }
        }
        return shapes
    }

    /// Shapes of a flax MLP under `prefix` (`Dense_i/kernel` (in, out), `Dense_i/bias`, and
    /// `LayerNorm_i/{scale,bias}` after hidden layer i when `layerNorm`; `Dense_L` is the output).
    static func flaxStackShapes(_ prefix: String, input: Int, hidden: [Int], output: Int, layerNorm: Bool) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        var width = input
        for (i, h) in hidden.enumerated() {
            shapes["\(prefix)Dense_\(i)/kernel"] = [width, h]
            shapes["\(prefix)Dense_\(i)/bias"] = [h]
            if layerNorm {
                shapes["\(prefix)LayerNorm_\(i)/scale"] = [h]
                shapes["\(prefix)LayerNorm_\(i)/bias"] = [h]
            }
            width = h
        }
        shapes["\(prefix)Dense_\(hidden.count)/kernel"] = [width, output]
        shapes["\(prefix)Dense_\(hidden.count)/bias"] = [output]
        return shapes
    }

    // MARK: Diffusion-QL (torch) layout, docs/edp-inference.md §5.2

    static let diffusionQLBuffers = [
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
        "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
        "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
        "posterior_mean_coef1", "posterior_mean_coef2",
    ]

    static func diffusionQLDimensions(_ tensors: TensorDictionary, url: URL) throws -> Dimensions {
        let mid = layerIndices(tensors, step: 2) { "model.mid_layer.\($0).weight" }
        guard !mid.isEmpty else { throw CheckpointError(.missingEntry, file: url, "tensor model.mid_layer.0.weight is missing") }
        let midShapes = try mid.map { try shape(tensors, "model.mid_layer.\($0).weight", rank: 2, url: url) }
        let final = try shape(tensors, "model.final_layer.weight", rank: 2, url: url)
        let embed = try shape(tensors, "model.time_mlp.3.weight", rank: 2, url: url)
        let actionSize = final[0]
        let e = embed[0]
        // Empty tensors can declare any extent: bound them before subtracting.
        try requirePlausibleExtents(midShapes + [final, embed], what: "noise network weights", url: url)
        let observationSize = midShapes[0][1] - actionSize - e
        guard observationSize > 0, actionSize > 0 else {
            throw CheckpointError(.invalidTensor, file: url, "model.mid_layer.0.weight \(midShapes[0]) cannot hold action \(actionSize) + time embedding \(e) + state")
        }
        let critic = layerIndices(tensors, step: 2) { "q1_model.\($0).weight" }
        guard critic.count >= 2 else { throw CheckpointError(.missingEntry, file: url, "critic tensors q1_model.k.weight are missing") }
        let criticShapes = try critic.map { try shape(tensors, "q1_model.\($0).weight", rank: 2, url: url) }
        return Dimensions(observationSize: observationSize, actionSize: actionSize, timeEmbeddingSize: e,
                          policyHiddenSizes: midShapes.map { $0[0] },
                          criticHiddenSizes: criticShapes.dropLast().map { $0[0] },
                          policyLayerNorm: false, criticLayerNorm: false)
    }

    static func diffusionQLExpectedShapes(_ c: DiffusionConfiguration) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for name in diffusionQLBuffers { shapes[name] = [c.diffusionSteps] }
        let e = c.timeEmbeddingSize
        shapes["model.time_mlp.1.weight"] = [2 * e, e]
        shapes["model.time_mlp.1.bias"] = [2 * e]
        shapes["model.time_mlp.3.weight"] = [e, 2 * e]
        shapes["model.time_mlp.3.bias"] = [e]
        shapes.merge(torchStackShapes(hiddenPrefix: "model.mid_layer.", outputLayer: "model.final_layer",
                                      input: c.observationSize + c.actionSize + e, hidden: c.policyHiddenSizes,
                                      output: c.actionSize)) { $1 }
        for critic in ["q1_model", "q2_model"] {
            shapes.merge(torchStackShapes(hiddenPrefix: "\(critic).", outputLayer: "\(critic).\(2 * c.criticHiddenSizes.count)",
                                          input: c.observationSize + c.actionSize, hidden: c.criticHiddenSizes,
                                          output: 1)) { $1 }
        }
        return shapes
    }

    /// Shapes of a torch MLP of `nn.Linear` layers (`weight` (out, in), `bias` (out)): hidden layer i
    /// is `<hiddenPrefix><2i>` (an `nn.Sequential` with an activation between the linears), the output
    /// layer is `outputLayer`.
    static func torchStackShapes(hiddenPrefix: String, outputLayer: String, input: Int, hidden: [Int],
                                 output: Int) -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        var width = input
        for (i, h) in hidden.enumerated() {
            shapes["\(hiddenPrefix)\(2 * i).weight"] = [h, width]
            shapes["\(hiddenPrefix)\(2 * i).bias"] = [h]
            width = h
        }
        shapes["\(outputLayer).weight"] = [output, width]
        shapes["\(outputLayer).bias"] = [output]
        return shapes
    }

    /// The Diffusion-QL schedule that `betas` matches (float32 recomputation, docs/edp-inference.md §2.2).
    static func diffusionQLSchedule(betas: [Float]) -> PolicyConfiguration.Schedule? {
        let t = betas.count
        guard t > 0 else { return nil }
        func matches(_ reference: [Double]) -> Bool {
            zip(betas, reference).allSatisfy { abs(Double($0) - $1) <= 1e-6 + 1e-5 * abs($1) }
        }
        let vp = (1...t).map { i -> Double in
            let tt = Double(t)
            return 1 - exp(-0.1 / tt - 0.5 * (10 - 0.1) * (2 * Double(i) - 1) / (tt * tt))
        }
        if matches(vp) { return .vp }
        let linear = (0..<t).map { t == 1 ? 1e-4 : 1e-4 + (2e-2 - 1e-4) * Double($0) / Double(t - 1) }
        if matches(linear) { return .linear }
        let s = 0.008
        let steps = t + 1
        let x = (0..<steps).map { Double(t) * Double($0) / Double(steps - 1) }
        let abar = x.map { pow(cos((($0 / Double(t)) + s) / (1 + s) * Double.pi * 0.5), 2) }
        let cosine = (0..<t).map { min(max(1 - (abar[$0 + 1] / abar[0]) / (abar[$0] / abar[0]), 0), 0.999) }
        if matches(cosine) { return .cosine }
        return nil
    }

    // MARK: Configuration

    static func diffusionQLConfiguration(_ tensors: TensorDictionary, url: URL) throws -> PolicyConfiguration {
        let d = try diffusionQLDimensions(tensors, url: url)
        guard let betas = tensors["betas"], betas.shape.count == 1, betas.count > 0 else {
            throw CheckpointError(.missingEntry, file: url, "actor buffer betas (the diffusion schedule) is missing")
        }
        guard let schedule = diffusionQLSchedule(betas: betas.values) else {
            throw CheckpointError(.invalidConfiguration, file: url, "betas \(betas.values.prefix(3))… match none of the Diffusion-QL schedules (vp, linear, cosine)")
        }
        return .diffusion(DiffusionConfiguration(
            family: .diffusionQL, observationSize: d.observationSize, actionSize: d.actionSize,
            policyHiddenSizes: d.policyHiddenSizes, criticHiddenSizes: d.criticHiddenSizes,
            criticActivation: "mish", timeEmbeddingSize: d.timeEmbeddingSize,
            diffusionSteps: betas.count, schedule: schedule, sampler: .ddpm,
            actionSelection: .energy, candidates: 50, maxAction: 1))
    }

    /// EDP configuration from the weights and, when present, the variant (docs/edp-inference.md §7). Without a
    /// variant: EDP code defaults (linear, DDPM, EAS over 50 candidates; K from `diffusion/betas`
    /// or 100).
    static func edpConfiguration(_ tensors: TensorDictionary, variant: [String: VariantValue],
                                 maxAction: Float = 1, url: URL) throws -> PolicyConfiguration {
        let d = try edpDimensions(tensors, url: url)
        func value(_ key: String) -> VariantValue? {
            variant["algo_cfg.\(key)"] ?? variant["algo.\(key)"] ?? variant[key]
        }
        func invalid(_ message: String) -> CheckpointError {
            CheckpointError(.invalidConfiguration, file: url, message)
        }
        var steps = tensors["diffusion/betas"]?.count ?? 100
        if let k = value("num_timesteps") {
            guard let kk = k.intValue, kk > 0 else { throw invalid("variant num_timesteps \(k) is not a positive integer") }
            if let betas = tensors["diffusion/betas"], betas.count != kk {
                throw invalid("variant num_timesteps \(kk) but the schedule arrays have \(betas.count) entries")
            }
            steps = kk
        }
        var schedule = PolicyConfiguration.Schedule.linear
        if let name = value("schedule_name") {
            guard let s = name.stringValue.flatMap(PolicyConfiguration.Schedule.init(rawValue:)) else {
                throw invalid("variant schedule_name \(name) is not linear, cosine or vp")
            }
            schedule = s
        }
        func architecture(_ key: String, _ fromWeights: [Int]) throws {
            guard let arch = variant[key] else { return }
            let parsed = arch.stringValue?.split(separator: "-").map { Int($0) }
            guard let parsed, !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw invalid("variant \(key) \(arch) is not like 256-256-256")
            }
            guard parsed.map({ $0! }) == fromWeights else {
                throw invalid("variant \(key) is \(arch) but the weights have hidden sizes \(fromWeights.map(String.init).joined(separator: "-"))")
            }
        }
        try architecture("policy_arch", d.policyHiddenSizes)
        try architecture("qf_arch", d.criticHiddenSizes)
        func flag(_ key: String, _ fromWeights: Bool) throws {
            guard let v = variant[key] else { return }
            guard let b = v.boolValue else { throw invalid("variant \(key) \(v) is not a boolean") }
            guard b == fromWeights else {
                throw invalid("variant \(key) is \(b) but the weights \(fromWeights ? "have" : "lack") LayerNorm parameters")
            }
        }
        try flag("policy_layer_norm", d.policyLayerNorm)
        try flag("qf_layer_norm", d.criticLayerNorm)
        if let e = value("time_embed_size"), e.intValue != d.timeEmbeddingSize {
            throw invalid("variant time_embed_size \(e) but the time-embedding kernels are for \(d.timeEmbeddingSize)")
        }
        let activation = variant["activation"]?.stringValue ?? "mish"
        var sampleMethod = PolicyConfiguration.Sampler.ddpm
        if let s = variant["sample_method"] {
            guard let parsed = s.stringValue.flatMap(PolicyConfiguration.Sampler.init(rawValue:)) else {
                throw invalid("variant sample_method \(s) is not ddpm, dpm or ddim")
            }
            sampleMethod = parsed
        }
        let (sampler, selection) = try actMethod(variant["act_method"]?.stringValue ?? "", sampleMethod: sampleMethod, url: url)
        var dpmSteps = 15
        if let v = value("dpm_steps") {
            guard let n = v.intValue, n > 0 else { throw invalid("variant dpm_steps \(v) is not a positive integer") }
            dpmSteps = n
        }
        var dpmEnd = 1e-3
        if let v = value("dpm_t_end") {
            guard let t = v.doubleValue, t > 0, t < 1 else { throw invalid("variant dpm_t_end \(v) is not in (0, 1)") }
            dpmEnd = t
        }
        return .diffusion(DiffusionConfiguration(
            family: .edp, observationSize: d.observationSize, actionSize: d.actionSize,
            policyHiddenSizes: d.policyHiddenSizes, criticHiddenSizes: d.criticHiddenSizes,
            criticActivation: activation, timeEmbeddingSize: d.timeEmbeddingSize,
            policyLayerNorm: d.policyLayerNorm, criticLayerNorm: d.criticLayerNorm,
            diffusionSteps: steps, schedule: schedule, sampler: sampler,
            dpmSteps: dpmSteps, dpmEndTime: dpmEnd, actionSelection: selection, candidates: 50,
            maxAction: maxAction))
    }

    /// EDP `act_method` (first '-'-separated entry; docs/edp-inference.md §4.1): `''` → `<sample_method>ensemble`;
    /// `<s>ensemble` → sampler s with EAS; `ensemble` → `sample_method` with EAS; `ddpm`/`dpm`/`ddim`
    /// → one sample, no critic.
    static func actMethod(_ text: String, sampleMethod: PolicyConfiguration.Sampler,
                          url: URL) throws -> (PolicyConfiguration.Sampler, PolicyConfiguration.ActionSelection) {
        let first = text.split(separator: "-", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if first.isEmpty || first == "ensemble" { return (sampleMethod, .energy) }
        if first.hasSuffix("ensemble"), let s = PolicyConfiguration.Sampler(rawValue: String(first.dropLast("ensemble".count))) {
            return (s, .energy)
        }
        if let s = PolicyConfiguration.Sampler(rawValue: first) { return (s, .single) }
        throw CheckpointError(.invalidConfiguration, file: url, "variant act_method \(text) starts with unknown mode \(first)")
    }

    /// Infers the family from key style: flax paths (`policy/params/...`) → EDP, torch keys → Diffusion-QL.
    static func inferredConfiguration(_ tensors: TensorDictionary, variant: [String: VariantValue],
                                      url: URL) throws -> PolicyConfiguration {
        if looksFeedForward(tensors) {
            throw feedForwardConfigurationMissing(url: url, container: "metadata edp_eval.configuration")
        }
        if tensors.keys.contains(where: { $0.hasPrefix("policy/") }) {
            return try edpConfiguration(tensors, variant: variant, url: url)
        }
        if tensors["model.final_layer.weight"] != nil {
            return try diffusionQLConfiguration(tensors, url: url)
        }
        throw CheckpointError(.unrecognizedFormat, file: url, "tensor names are neither EDP flax paths (policy/params/...) nor Diffusion-QL state_dict keys (model.*, q1_model.*)")
    }

    /// Checks the configuration itself (its case's `validate()`: sizes within
    /// `PolicyConfiguration.Limits`, normalization, positive settings), then that every tensor the
    /// networks need is there with exactly the expected shape, and that all values are finite.
    /// Every reader calls this once on the configuration it made.
    static func validate(_ configuration: PolicyConfiguration, _ tensors: TensorDictionary, url: URL) throws {
        func invalid(_ message: String) -> CheckpointError { CheckpointError(.invalidConfiguration, file: url, message) }
        do {
            try configuration.validate()
        } catch .implausible(let violation) {
            throw invalid("implausible configuration: \(violation)")
        } catch .invalid(let problem) {
            throw invalid(problem)
        }
        switch configuration {
        case .diffusion(let c): try validateDiffusionTensors(c, tensors, url: url)
        case .feedForward(let c): try validateFeedForwardTensors(c, tensors, url: url)
        }
    }

    /// Every tensor of an EDP or Diffusion-QL policy with its exact shape (and EDP's stored
    /// schedule arrays of length K), and finite values.
    static func validateDiffusionTensors(_ c: DiffusionConfiguration, _ tensors: TensorDictionary, url: URL) throws {
        let expected: [String: [Int]]
        switch c.family {
        case .edp: expected = edpExpectedShapes(c)
        case .diffusionQL: expected = diffusionQLExpectedShapes(c)
        case .feedForwardDeterministic, .feedForwardGaussian:
            throw CheckpointError(.invalidConfiguration, file: url, "family \(c.family.rawValue) is not a diffusion policy")
        }
        for key in expected.keys.sorted() {
            guard let tensor = tensors[key] else {
                throw CheckpointError(.missingEntry, file: url, "tensor \(key) is missing")
            }
            guard tensor.shape == expected[key]! else {
                throw CheckpointError(.invalidTensor, file: url, "tensor \(key) has shape \(tensor.shape), expected \(expected[key]!)")
            }
        }
        if c.family == .edp {
            for (key, tensor) in tensors where key.hasPrefix("diffusion/") {
                guard tensor.shape == [c.diffusionSteps] else {
                    throw CheckpointError(.invalidTensor, file: url, "schedule array \(key) has shape \(tensor.shape), expected [\(c.diffusionSteps)]")
                }
            }
        }
        try requireFinite(tensors, url: url)
    }
}
