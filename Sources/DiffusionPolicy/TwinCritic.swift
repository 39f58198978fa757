import TensorArchives
/// The two Q networks Q1, Q2(s, a) used for energy-based action selection (docs/edp-inference.md §1.2, §1.3, §4).
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
    /// The heads for the micro-kernel: first layer on the action columns; state columns (with the
    /// bias) in `state1`/`state2`, computed once per observation and shared by its candidates.
    let packed1: PackedStack, packed2: PackedStack
    let state1: PackedLayer, state2: PackedLayer

    public init(tensors: TensorDictionary, configuration: DiffusionConfiguration) throws {
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
        packed1 = PackedStack(q1, firstInputs: o..<(o + a), firstBias: false)
        packed2 = PackedStack(q2, firstInputs: o..<(o + a), firstBias: false)
        state1 = PackedLayer(q1.hidden[0], inputs: 0..<o, includeBias: true)
        state2 = PackedLayer(q2.hidden[0], inputs: 0..<o, includeBias: true)
    }

    /// Multiply-adds per row for evaluating both critics.
    public var multiplyAddsPerRow: Int { q1.multiplyAdds + q2.multiplyAdds }

    /// Q1 and Q2 for `rows` actions (rows × A, row-major); row r pairs with observation r / group
    /// of `observations` (row-major × O). Bit-identical per row whatever the batch or threads.
    func evaluate(observations: UnsafePointer<Float>, actions: UnsafePointer<Float>, rows: Int, group: Int,
                  workspace: NetworkWorkspace, q1 out1: UnsafeMutablePointer<Float>, q2 out2: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        workspace.prepareWorkers()
        let count = (rows + group - 1) / group
        let h1 = state1.paddedWidth, h2 = state2.paddedWidth
        let table1 = workspace.criticTable1.reserve(count * h1), table2 = workspace.criticTable2.reserve(count * h2)
        let pad = workspace.pad(observationSize)
        state1.apply(observations, inputStride: observationSize, rows: count, bias: nil, into: table1, outputStride: h1,
                     pad: pad, activation: .identity)
        state2.apply(observations, inputStride: observationSize, rows: count, bias: nil, into: table2, outputStride: h2,
                     pad: pad, activation: .identity)
        let bias1 = PackedLayer.Bias(base: table1, stride: h1, group: group)
        let bias2 = PackedLayer.Bias(base: table2, stride: h2, group: group)
        RowParallel.run(rows: rows, scratch: workspace.workers) { scratch, range in
            packed1.forward(actions, inputStride: actionSize, rows: range, firstBias: bias1, scratch: scratch, into: out1)
            packed2.forward(actions, inputStride: actionSize, rows: range, firstBias: bias2, scratch: scratch, into: out2)
        }
    }

    /// Q1 and Q2 for row-major observations (rows × O) and actions (rows × A); convenience for
    /// tests and tools (allocates).
    public func qValues(observations: [Float], actions: [Float]) -> (q1: [Float], q2: [Float]) {
        let rows = observations.count / observationSize
        precondition(observations.count == rows * observationSize && actions.count == rows * actionSize,
                     "observations must be rows × \(observationSize), actions rows × \(actionSize)")
        var v1 = [Float](repeating: 0, count: rows), v2 = [Float](repeating: 0, count: rows)
        let workspace = NetworkWorkspace()
        observations.withUnsafeBufferPointer { o in
            actions.withUnsafeBufferPointer { a in
                v1.withUnsafeMutableBufferPointer { p1 in
                    v2.withUnsafeMutableBufferPointer { p2 in
                        evaluate(observations: o.baseAddress!, actions: a.baseAddress!, rows: rows, group: 1,
                                 workspace: workspace, q1: p1.baseAddress!, q2: p2.baseAddress!)
                    }
                }
            }
        }
        return (v1, v2)
    }
}
