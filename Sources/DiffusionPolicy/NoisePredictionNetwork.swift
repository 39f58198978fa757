import Foundation
import TensorArchives

/// The ε-prediction network ε_θ(s, a_t, t) of EDP or Diffusion-QL (docs/edp-inference.md §1.1, §1.3), float32.
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
/// (docs/edp-inference.md §5). Weights are packed once for the module's micro-kernel (`PackedLayer`); the first
/// layer is split by input columns: state·W_s + b once per observation, temb(t)·W_t once per
/// distinct time, action·W_a per row. A value type: the weights are shared, evaluation state lives in a
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
    /// The trunk for the micro-kernel; its first layer takes the action columns only.
    let packed: PackedStack
    /// First-layer columns of the state (with the layer's bias) and of the time embedding.
    let packedState: PackedLayer
    let packedTime: PackedLayer
    let packedTimeHidden: PackedLayer
    let packedTimeOutput: PackedLayer
    /// Sinusoid frequencies, float32 as the original computes them.
    let frequencies: [Float]

    /// Builds the network from checkpoint tensors; throws `PolicyLoadingError` naming any
    /// missing, mis-shaped or non-finite tensor.
    public init(tensors: TensorDictionary, configuration: DiffusionConfiguration) throws {
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
        // First-layer input columns: EDP [state, action, temb], Diffusion-QL [action, temb, state].
        let (stateColumns, actionColumns, timeColumns) = convention == .edp
            ? (0..<o, o..<(o + a), (o + a)..<(o + a + e)) : ((a + e)..<(a + e + o), 0..<a, a..<(a + e))
        let dense0 = trunk.hidden[0]
        packed = PackedStack(trunk, firstInputs: actionColumns, firstBias: false)
        packedState = PackedLayer(dense0, inputs: stateColumns, includeBias: true)
        packedTime = PackedLayer(dense0, inputs: timeColumns, includeBias: false)
        packedTimeHidden = PackedLayer(timeHidden)
        packedTimeOutput = PackedLayer(timeOutput)
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
    /// Each row's result is bit-identical whatever `rows`, its position and the thread count
    /// (`PackedLayer`). `record` (tests) receives (layer name, pre-activation output) for every Dense.
    func predict(observations: UnsafePointer<Float>, actions: UnsafePointer<Float>,
                 times: UnsafePointer<Float>, rows: Int, workspace: NetworkWorkspace,
                 into output: UnsafeMutablePointer<Float>,
                 record: ((String, UnsafeBufferPointer<Float>) -> Void)? = nil) {
        guard rows > 0 else { return }
        let h = packed.first.paddedWidth, e = embeddingSize
        workspace.prepareWorkers()
        // Per-row table of the first layer's bias: state·W_s + b + temb(t)·W_t.
        let table = workspace.table.reserve(rows * h)
        packedState.apply(observations, inputStride: observationSize, rows: rows, bias: nil, into: table,
                          outputStride: h, pad: workspace.pad(packedState.inputSize), activation: .identity)
        let hiddenOut = record == nil ? nil : workspace.timeHidden.reserve(rows * 2 * e)
        let embeddingOut = record == nil ? nil : workspace.timeEmbedding.reserve(rows * e)
        for r in 0..<rows {
            let projection = timeProjection(times[r], workspace: workspace,
                                            hidden: hiddenOut.map { $0 + r * 2 * e }, embedding: embeddingOut.map { $0 + r * e })
            addInPlace(table + r * h, projection, count: h)
        }
        if let hiddenOut, let embeddingOut {
            record?("time_dense_0", UnsafeBufferPointer(start: hiddenOut, count: rows * 2 * e))
            record?("time_dense_1", UnsafeBufferPointer(start: embeddingOut, count: rows * e))
        }
        run(actions: actions, rows: rows, bias: PackedLayer.Bias(base: table, stride: h, group: 1), workspace: workspace,
            into: output, record: record)
    }

    /// The samplers' call: every row at network time `t`; row r belongs to observation r / group
    /// (state projections from `prepareStates`). Writes rows × A floats.
    func predict(time t: Float, actions: UnsafePointer<Float>, rows: Int, group: Int, workspace: NetworkWorkspace,
                 into output: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        let h = packed.first.paddedWidth, count = (rows + group - 1) / group
        workspace.prepareWorkers()
        let projection = timeProjection(t, workspace: workspace, hidden: nil, embedding: nil)
        let states = workspace.stateProjection.pointer, table = workspace.table.reserve(count * h)
        for b in 0..<count {
            (table + b * h).update(from: states + b * h, count: h)
            addInPlace(table + b * h, projection, count: h)
        }
        run(actions: actions, rows: rows, bias: PackedLayer.Bias(base: table, stride: h, group: group), workspace: workspace,
            into: output, record: nil)
    }

    /// `predict(time:…)` for the rows `range` only, on the calling thread (no fork-join), with
    /// `workspace`'s own time buffers and first `WorkerScratch`: row r belongs to observation
    /// r / group, whose first-layer state projection is `states + (r / group) · paddedWidth`
    /// (`prepareStates`). Writes the rows `range` of `output`; bit-identical to `predict(time:…)`
    /// (the same projection, bias table and per-row kernel). Lets a sampler run all its steps on a
    /// worker's rows in one parallel section.
    func predict(time t: Float, actions: UnsafePointer<Float>, rows range: Range<Int>, group: Int,
                 states: UnsafePointer<Float>, workspace: NetworkWorkspace, into output: UnsafeMutablePointer<Float>) {
        guard !range.isEmpty else { return }
        let h = packed.first.paddedWidth, count = (range.upperBound + group - 1) / group
        let projection = timeProjection(t, workspace: workspace, hidden: nil, embedding: nil)
        let table = workspace.table.reserve(count * h)
        for b in (range.lowerBound / group)..<count {
            (table + b * h).update(from: states + b * h, count: h)
            addInPlace(table + b * h, projection, count: h)
        }
        packed.forward(actions, inputStride: actionSize, rows: range,
                       firstBias: PackedLayer.Bias(base: table, stride: h, group: group),
                       scratch: workspace.workers[0], into: output)
    }

    /// state·W_s + b (first layer, state columns) for `count` observations, kept in `workspace`
    /// for `predict(time:…)`.
    func prepareStates(observations: UnsafePointer<Float>, count: Int, workspace: NetworkWorkspace) {
        let h = packed.first.paddedWidth
        let states = workspace.stateProjection.reserve(count * h)
        packedState.apply(observations, inputStride: observationSize, rows: count, bias: nil, into: states,
                          outputStride: h, pad: workspace.pad(packedState.inputSize), activation: .identity)
    }

    /// temb(t)·W_t (first layer, time-embedding columns; `paddedWidth` floats, valid until the next
    /// call). `hidden`/`embedding` receive the time MLP's pre-activations (tests).
    private func timeProjection(_ t: Float, workspace: NetworkWorkspace, hidden: UnsafeMutablePointer<Float>?,
                                embedding: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        let e = embeddingSize
        let projection = workspace.timeProjection.reserve(packedTime.paddedWidth)
        if hidden == nil, workspace.projectedTime == t { return UnsafePointer(projection) }
        let sinusoids = workspace.timeInput.reserve(e)
        let mid = workspace.timeMid.reserve(packedTimeHidden.paddedWidth)
        let embedded = workspace.timeOut.reserve(packedTimeOutput.paddedWidth)
        let pad = workspace.pad(max(2 * e, e))
        sinusoid(t, into: sinusoids)
        packedTimeHidden.apply(sinusoids, inputStride: e, rows: 1, bias: nil, into: mid, outputStride: 0, pad: pad,
                               activation: .identity)
        hidden?.update(from: mid, count: 2 * e)
        transformInPlace(mid, count: 2 * e, vectorMish)
        packedTimeOutput.apply(mid, inputStride: 2 * e, rows: 1, bias: nil, into: embedded, outputStride: 0, pad: pad,
                               activation: .identity)
        embedding?.update(from: embedded, count: e)
        packedTime.apply(embedded, inputStride: e, rows: 1, bias: nil, into: projection, outputStride: 0, pad: pad,
                         activation: .identity)
        workspace.projectedTime = hidden == nil ? t : nil
        return UnsafePointer(projection)
    }

    private func run(actions: UnsafePointer<Float>, rows: Int, bias: PackedLayer.Bias, workspace: NetworkWorkspace,
                     into output: UnsafeMutablePointer<Float>, record: ((String, UnsafeBufferPointer<Float>) -> Void)?) {
        if let record {
            packed.forward(actions, inputStride: actionSize, rows: 0..<rows, firstBias: bias, scratch: workspace.workers[0],
                           into: output) { index, values in record("dense_\(index)", values) }
            return
        }
        RowParallel.run(rows: rows, scratch: workspace.workers) { scratch, range in
            packed.forward(actions, inputStride: actionSize, rows: range, firstBias: bias, scratch: scratch, into: output)
        }
    }
}

/// x[0..<count] += y[0..<count] (SIMD8; count a multiple of 8).
@inline(__always)
func addInPlace(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
    var i = 0
    while i < count {
        let raw = UnsafeMutableRawPointer(x + i)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self),
                       as: SIMD8<Float>.self)
        i += 8
    }
}

/// Reusable buffers for network evaluation. Not thread-safe: one per policy instance; its
/// per-thread `workers` are used by `RowParallel` inside a call.
final class NetworkWorkspace {
    let timeInput = ScratchBuffer(), timeHidden = ScratchBuffer(), timeEmbedding = ScratchBuffer()
    let timeMid = ScratchBuffer(), timeOut = ScratchBuffer(), timeProjection = ScratchBuffer()
    let table = ScratchBuffer(), stateProjection = ScratchBuffer(), padding = ScratchBuffer()
    let criticTable1 = ScratchBuffer(), criticTable2 = ScratchBuffer()
    /// The time whose projection `timeProjection` holds.
    var projectedTime: Float?
    private(set) var workers: [WorkerScratch] = [WorkerScratch()]
    init() {}

    /// One `WorkerScratch` per thread `RowParallel` may use.
    func prepareWorkers() {
        while workers.count < BLASThreading.threadCount { workers.append(WorkerScratch()) }
    }

    /// A tile-padding buffer for inputs of width `k`.
    func pad(_ k: Int) -> UnsafeMutablePointer<Float> { padding.reserve(PackedLayer.tileRows * k) }
}
