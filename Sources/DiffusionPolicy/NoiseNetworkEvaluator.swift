/// Evaluates a `NoisePredictionNetwork` on whole batches with its own reusable buffers (for
/// tools, benchmarks and tests; the policies use their internal workspace). Not thread-safe.
public final class NoiseNetworkEvaluator {
    public let network: NoisePredictionNetwork
    let workspace = NetworkWorkspace()

    public init(network: NoisePredictionNetwork) { self.network = network }

    /// ε for rows = times.count: observations rows × O, actions rows × A (row-major); `output`
    /// receives rows × A floats. Each Dense layer is one sgemm over all rows.
    public func predict(observations: [Float], actions: [Float], times: [Float], into output: inout [Float]) {
        let rows = times.count
        precondition(observations.count == rows * network.observationSize && actions.count == rows * network.actionSize
                     && output.count == rows * network.actionSize, "shapes must be rows × O, rows × A, rows, rows × A")
        guard rows > 0 else { return }
        observations.withUnsafeBufferPointer { o in actions.withUnsafeBufferPointer { a in times.withUnsafeBufferPointer { t in
            output.withUnsafeMutableBufferPointer { e in
                network.predict(observations: o.baseAddress!, actions: a.baseAddress!, times: t.baseAddress!, rows: rows,
                                workspace: workspace, into: e.baseAddress!)
            }
        } } }
    }
}
