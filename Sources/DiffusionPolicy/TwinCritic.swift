/// The two Q networks Q1, Q2(s, a) used for energy-based action selection (spec §1.2, §1.3, §4).
///
/// Input `[state, action]` in both code bases, hidden widths `criticHiddenSizes` with
/// `criticActivation` (default Mish) and optional LayerNorm (EDP `qf_layer_norm`), linear output
/// of width 1. Weights: EDP `qf1/params/Dense_0…Dense_L` (+ `LayerNorm_i`), kernels (in, out);
/// Diffusion-QL `q1_model.{0,2,4,6}` / `q2_model.…`, weights (out, in).
public struct TwinCritic: Sendable {
    public let observationSize: Int
    public let actionSize: Int
    let q1: LayerStack
    let q2: LayerStack

    public init(tensors: TensorDictionary, configuration: PolicyConfiguration) throws {
        let o = configuration.observationSize, a = configuration.actionSize
        let hidden = configuration.criticHiddenSizes
        guard o > 0, a > 0, !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else {
            throw PolicyLoadingError.invalidConfiguration("critic sizes O \(o), A \(a), hidden \(hidden)")
        }
        observationSize = o; actionSize = a
        let activation = try Activation(name: configuration.criticActivation)
        switch configuration.family {
        case .edp:
            q1 = try tensors.flaxStack("qf1/params", input: o + a, hidden: hidden, output: 1,
                                       layerNorm: configuration.criticLayerNorm, activation: activation)
            q2 = try tensors.flaxStack("qf2/params", input: o + a, hidden: hidden, output: 1,
                                       layerNorm: configuration.criticLayerNorm, activation: activation)
        case .diffusionQL:
            guard !configuration.criticLayerNorm else {
                throw PolicyLoadingError.unsupported("LayerNorm in Diffusion-QL critics")
            }
            func head(_ name: String) throws -> LayerStack {
                var layers: [DenseLayer] = []
                var width = o + a
                for (i, size) in hidden.enumerated() {
                    layers.append(try tensors.torchLinear("\(name).\(2 * i)", input: width, output: size))
                    width = size
                }
                let out = try tensors.torchLinear("\(name).\(2 * hidden.count)", input: width, output: 1)
                return LayerStack(hidden: layers, norms: Array(repeating: nil, count: layers.count),
                                  activation: activation, output: out)
            }
            q1 = try head("q1_model")
            q2 = try head("q2_model")
        case .feedForwardDeterministic, .feedForwardGaussian:
            throw PolicyLoadingError.invalidConfiguration("family \(configuration.family.rawValue) has no critics")
        }
    }

    /// Multiply-adds per row for evaluating both critics.
    public var multiplyAddsPerRow: Int { q1.multiplyAdds + q2.multiplyAdds }

    /// Q1 and Q2 for `rows` rows of `input` = [state, action] (rows × (O+A), row-major).
    func evaluate(input: UnsafePointer<Float>, rows: Int, workspace: NetworkWorkspace,
                  q1 out1: UnsafeMutablePointer<Float>, q2 out2: UnsafeMutablePointer<Float>) {
        let width = max(q1.maxWidth, q2.maxWidth)
        let scratchA = workspace.scratchA.reserve(rows * width)
        let scratchB = workspace.scratchB.reserve(rows * width)
        q1.forward(input, inputStride: observationSize + actionSize, rows: rows,
                   scratchA: scratchA, scratchB: scratchB, into: out1)
        q2.forward(input, inputStride: observationSize + actionSize, rows: rows,
                   scratchA: scratchA, scratchB: scratchB, into: out2)
    }

    /// Q1 and Q2 for row-major observations (rows × O) and actions (rows × A); convenience for
    /// tests and tools (allocates).
    public func qValues(observations: [Float], actions: [Float]) -> (q1: [Float], q2: [Float]) {
        let rows = observations.count / observationSize
        precondition(observations.count == rows * observationSize && actions.count == rows * actionSize,
                     "observations must be rows × \(observationSize), actions rows × \(actionSize)")
        var input = [Float](repeating: 0, count: rows * (observationSize + actionSize))
        for r in 0..<rows {
            for j in 0..<observationSize { input[r * (observationSize + actionSize) + j] = observations[r * observationSize + j] }
            for j in 0..<actionSize { input[r * (observationSize + actionSize) + observationSize + j] = actions[r * actionSize + j] }
        }
        var v1 = [Float](repeating: 0, count: rows), v2 = [Float](repeating: 0, count: rows)
        let workspace = NetworkWorkspace()
        input.withUnsafeBufferPointer { i in
            v1.withUnsafeMutableBufferPointer { p1 in
                v2.withUnsafeMutableBufferPointer { p2 in
                    evaluate(input: i.baseAddress!, rows: rows, workspace: workspace,
                             q1: p1.baseAddress!, q2: p2.baseAddress!)
                }
            }
        }
        return (v1, v2)
    }
}
