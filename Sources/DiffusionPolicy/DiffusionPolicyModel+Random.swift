import Randomness
import TensorArchives
extension DiffusionPolicyModel {
    /// Tensors of an EDP policy of the paper's architecture (time embedding 16 → 32 → 16, policy
    /// and critics `hidden` wide, default 256-256-256; docs/edp-inference.md §1.1, §1.2) with seeded random
    /// weights: kernels N(0, 1/fan_in) (flax's lecun_normal scale, untruncated), biases N(0, 0.01²).
    /// Keys as in an EDP export (`policy/params/base_net/...`, `qf1/params/...`, `qf2/params/...`).
    /// For benchmarks and tests; the schedule is not included (computed from the configuration).
    public static func randomEDPTensors(observationSize o: Int, actionSize a: Int, hidden: [Int] = [256, 256, 256],
                                        timeEmbeddingSize e: Int = 16, seed: UInt64) -> TensorDictionary {
        var random = PolicyRandom(seed: seed)
        var tensors: TensorDictionary = [:]
        func dense(_ path: String, _ input: Int, _ output: Int) {
            let scale = (1 / Float(input)).squareRoot()
            tensors[path + "/kernel"] = Tensor(shape: [input, output], values: (0..<(input * output)).map { _ in scale * random.nextNormal() })
            tensors[path + "/bias"] = Tensor(shape: [output], values: (0..<output).map { _ in 0.01 * random.nextNormal() })
        }
        let base = "policy/params/base_net"
        dense("\(base)/TimeEmbedding_0/Dense_0", e, 2 * e)
        dense("\(base)/TimeEmbedding_0/Dense_1", 2 * e, e)
        var width = o + a + e
        for (i, h) in hidden.enumerated() { dense("\(base)/Dense_\(i)", width, h); width = h }
        dense("\(base)/Dense_\(hidden.count)", width, a)
        for critic in ["qf1", "qf2"] {
            width = o + a
            for (i, h) in hidden.enumerated() { dense("\(critic)/params/Dense_\(i)", width, h); width = h }
            dense("\(critic)/params/Dense_\(hidden.count)", width, 1)
        }
        return tensors
    }

    /// An EDP policy with random weights (see `randomEDPTensors`), K = 1000 linear schedule,
    /// DPM-Solver 15 steps to t_end 1e-3, EAS with `candidates` (the paper's evaluation setting,
    /// docs/edp-inference.md §7) unless overridden through `configure`.
    public static func randomEDP(observationSize: Int, actionSize: Int, seed: UInt64, candidates: Int = 50,
                                 configure: (inout DiffusionConfiguration) -> Void = { _ in }) throws -> DiffusionPolicyModel {
        var configuration = DiffusionConfiguration(family: .edp, observationSize: observationSize, actionSize: actionSize,
                                                diffusionSteps: 1000, schedule: .linear, sampler: .dpm,
                                                actionSelection: .energy, candidates: candidates)
        configure(&configuration)
        let tensors = randomEDPTensors(observationSize: observationSize, actionSize: actionSize,
                                       hidden: configuration.policyHiddenSizes,
                                       timeEmbeddingSize: configuration.timeEmbeddingSize, seed: seed)
        return try DiffusionPolicyModel(tensors: tensors, configuration: configuration)
    }
}
