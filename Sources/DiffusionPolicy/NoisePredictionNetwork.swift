import Foundation

/// The ε-prediction network ε_θ(s, a_t, t) of EDP or Diffusion-QL (spec §1.1, §1.3), float32.
///
/// ```
/// temb = Dense(2E→E)(mish(Dense(E→2E)(sinusoid(t))))        E = timeEmbeddingSize (16)
/// EDP:          x = [state, action, temb]   sinusoid = [cos, sin], f_i = 10000^(-i/(E/2))
/// Diffusion-QL: x = [action, temb, state]   sinusoid = [sin, cos], f_i = exp(-ln(1e4)·i/(E/2-1))
/// eps = Dense(H→A)(mish(Dense(…)(… mish(Dense(·→H)(x)))))   (+ LayerNorm before mish, EDP option)
/// ```
///
/// Weights: EDP flax paths `policy/params/base_net/{TimeEmbedding_0/Dense_0, TimeEmbedding_0/Dense_1,
/// Dense_0…Dense_L, LayerNorm_i}` with kernels (in, out); Diffusion-QL state_dict keys
/// `model.time_mlp.{1,3}`, `model.mid_layer.{0,2,4,…}`, `model.final_layer` with weights (out, in)
/// (spec §5). Every Dense is one `cblas_sgemm` over all rows; torch weights go through the
/// transpose flag. A value type: the weights are shared, evaluation state lives in a
/// `NetworkWorkspace`.
public struct NoisePredictionNetwork: Sendable {
    public enum Convention: Sendable { case edp, diffusionQL }

    public let convention: Convention
    public let observationSize: Int
    public let actionSize: Int
    public let embeddingSize: Int
    let timeHidden: DenseLayer
    let timeOutput: DenseLayer
    let trunk: LayerStack
    /// Sinusoid frequencies, float32 as the original computes them.
    let frequencies: [Float]

    /// Builds the network from checkpoint tensors; throws `PolicyLoadingError` naming any
    /// missing, mis-shaped or non-finite tensor.
    public init(tensors: TensorDictionary, configuration: PolicyConfiguration) throws {
        let o = configuration.observationSize, a = configuration.actionSize
        let e = configuration.timeEmbeddingSize
        guard o > 0, a > 0, e >= 4, e % 2 == 0 else {
            throw PolicyLoadingError.invalidConfiguration(
                "observationSize \(o), actionSize \(a), timeEmbeddingSize \(e) (need > 0, even E ≥ 4)")
        }
        observationSize = o; actionSize = a; embeddingSize = e
        let hidden = configuration.policyHiddenSizes
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else {
            throw PolicyLoadingError.invalidConfiguration("policyHiddenSizes \(hidden)")
        }
        let half = e / 2
        switch configuration.family {
        case .edp:
            convention = .edp
            let base = "policy/params/base_net"
            timeHidden = try tensors.flaxDense("\(base)/TimeEmbedding_0/Dense_0", input: e, output: 2 * e)
            timeOutput = try tensors.flaxDense("\(base)/TimeEmbedding_0/Dense_1", input: 2 * e, output: e)
            trunk = try tensors.flaxStack(base, input: o + a + e, hidden: hidden, output: a,
                                          layerNorm: configuration.policyLayerNorm, activation: .mish)
            // nets.py:55-72: exp(-log(10000) * arange(half) / half), all float32.
            let logPeriod = Float(log(Float(10000)))
            frequencies = (0..<half).map { Foundation.exp(-logPeriod * Float($0) / Float(half)) }
        case .diffusionQL:
            convention = .diffusionQL
            guard !configuration.policyLayerNorm else {
                throw PolicyLoadingError.unsupported("LayerNorm in a Diffusion-QL policy")
            }
            timeHidden = try tensors.torchLinear("model.time_mlp.1", input: e, output: 2 * e)
            timeOutput = try tensors.torchLinear("model.time_mlp.3", input: 2 * e, output: e)
            var layers: [DenseLayer] = []
            var width = o + a + e
            for (i, size) in hidden.enumerated() {
                layers.append(try tensors.torchLinear("model.mid_layer.\(2 * i)", input: width, output: size))
                width = size
            }
            let output = try tensors.torchLinear("model.final_layer", input: width, output: a)
            trunk = LayerStack(hidden: layers, norms: Array(repeating: nil, count: layers.count),
                               activation: .mish, output: output)
            // helpers.py:11-23: c = ln(10000)/(half-1) (float64), exp(arange(half) * -c) in float32.
            let c = Float(-(log(10000.0) / Double(half - 1)))
            frequencies = (0..<half).map { Foundation.exp(Float($0) * c) }
        case .feedForwardDeterministic, .feedForwardGaussian:
            throw PolicyLoadingError.invalidConfiguration("family \(configuration.family.rawValue) has no noise network")
        }
    }

    /// Multiply-adds per batch row of one network call (time MLP included).
    public var multiplyAddsPerRow: Int { timeHidden.multiplyAdds + timeOutput.multiplyAdds + trunk.multiplyAdds }

    /// Writes the raw sinusoidal embedding of `t` (E floats) to `output`, in the convention's order.
    func sinusoid(_ t: Float, into output: UnsafeMutablePointer<Float>) {
        let half = frequencies.count
        for i in 0..<half {
            let argument = t * frequencies[i]
            let c = Foundation.cos(argument), s = Foundation.sin(argument)
            switch convention {
            case .edp: output[i] = c; output[half + i] = s
            case .diffusionQL: output[i] = s; output[half + i] = c
            }
        }
    }

    /// The raw sinusoidal embedding of `t` (E floats).
    public func sinusoidalEmbedding(_ t: Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: embeddingSize) { buffer, count in
            sinusoid(t, into: buffer.baseAddress!)
            count = embeddingSize
        }
    }

    /// ε for `rows` rows: observations rows × O, actions rows × A, times `rows` floats (the network
    /// time: an index for DDPM, N·τ − 1 for DPM-Solver), all row-major; writes rows × A floats.
    /// Rows sharing a time share one time-MLP evaluation; results per row do not depend on `rows`.
    /// `record` (tests) receives (layer name, pre-activation output) for every Dense.
    func predict(observations: UnsafePointer<Float>, actions: UnsafePointer<Float>,
                 times: UnsafePointer<Float>, rows: Int, workspace: NetworkWorkspace,
                 into output: UnsafeMutablePointer<Float>,
                 record: ((String, UnsafeBufferPointer<Float>) -> Void)? = nil) {
        let o = observationSize, a = actionSize, e = embeddingSize
        let width = o + a + e
        let input = workspace.input.reserve(rows * width)
        let scratchA = workspace.scratchA.reserve(rows * trunk.maxWidth)
        let scratchB = workspace.scratchB.reserve(rows * trunk.maxWidth)
        let sinusoids = workspace.timeInput.reserve(rows * e)
        let timeHiddenOut = workspace.timeHidden.reserve(rows * 2 * e)
        let embeddings = workspace.timeEmbedding.reserve(rows * e)

        // Time MLP: once when every row has the same time (the samplers), else per row.
        let shared = record == nil && (1..<max(rows, 1)).allSatisfy { times[$0] == times[0] }
        let timeRows = shared ? 1 : rows
        for r in 0..<timeRows { sinusoid(times[r], into: sinusoids + r * e) }
        timeHidden.forward(sinusoids, inputStride: e, rows: timeRows, into: timeHiddenOut, activation: .identity)
        record?("time_dense_0", UnsafeBufferPointer(start: timeHiddenOut, count: timeRows * 2 * e))
        transformInPlace(timeHiddenOut, count: timeRows * 2 * e, vectorMish)
        timeOutput.forward(timeHiddenOut, inputStride: 2 * e, rows: timeRows, into: embeddings, activation: .identity)
        record?("time_dense_1", UnsafeBufferPointer(start: embeddings, count: timeRows * e))

        // Assemble the first layer's input in the convention's order.
        let (stateOffset, actionOffset, timeOffset) = convention == .edp ? (0, o, o + a) : (a + e, 0, a)
        for r in 0..<rows {
            let row = input + r * width
            (row + stateOffset).update(from: observations + r * o, count: o)
            (row + actionOffset).update(from: actions + r * a, count: a)
            (row + timeOffset).update(from: embeddings + (shared ? 0 : r * e), count: e)
        }
        trunk.forward(input, inputStride: width, rows: rows, scratchA: scratchA, scratchB: scratchB,
                      into: output, record: record.map { record in { index, values in record("dense_\(index)", values) } })
    }
}

/// Reusable buffers for network evaluation. Not thread-safe: one per thread of evaluation.
final class NetworkWorkspace {
    let input = ScratchBuffer(), scratchA = ScratchBuffer(), scratchB = ScratchBuffer()
    let timeInput = ScratchBuffer(), timeHidden = ScratchBuffer(), timeEmbedding = ScratchBuffer()
    init() {}
}
