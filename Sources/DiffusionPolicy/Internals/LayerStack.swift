/// Hidden Dense (+ LayerNorm) + activation layers followed by a linear output layer: the trunk
/// shared by the noise networks (spec §1.1, §1.3), the critics (§1.2) and the feed-forward
/// baselines. Every layer is one GEMM over all batch rows.
struct LayerStack: Sendable {
    let hidden: [DenseLayer]
    /// One entry per hidden layer; nil when LayerNorm is off.
    let norms: [LayerNormParameters?]
    let activation: Activation
    let output: DenseLayer

    var inputSize: Int { hidden.first?.inputSize ?? output.inputSize }
    var outputSize: Int { output.outputSize }
    var maxWidth: Int { (hidden.map(\.outputSize) + [output.outputSize, inputSize]).max()! }
    var multiplyAdds: Int { hidden.reduce(output.multiplyAdds) { $0 + $1.multiplyAdds } }

    /// Runs the stack on `rows` rows of `input` (row stride `inputStride`) and writes
    /// rows × outputSize floats to `result`. `scratchA`/`scratchB` need rows·maxWidth floats.
    /// `record` (tests only) receives each Dense output before its activation.
    func forward(_ input: UnsafePointer<Float>, inputStride: Int, rows: Int,
                 scratchA: UnsafeMutablePointer<Float>, scratchB: UnsafeMutablePointer<Float>,
                 into result: UnsafeMutablePointer<Float>,
                 record: ((Int, UnsafeBufferPointer<Float>) -> Void)? = nil) {
        var current = UnsafePointer(input)
        var stride = inputStride
        var target = scratchA
        for (index, layer) in hidden.enumerated() {
            if let norm = norms[index] {
                layer.forward(current, inputStride: stride, rows: rows, into: target, activation: .identity)
                record?(index, UnsafeBufferPointer(start: target, count: rows * layer.outputSize))
                norm.apply(target, rows: rows, width: layer.outputSize)
                transformInPlace(target, count: rows * layer.outputSize, activation.apply)
            } else if let record {
                layer.forward(current, inputStride: stride, rows: rows, into: target, activation: .identity)
                record(index, UnsafeBufferPointer(start: target, count: rows * layer.outputSize))
                transformInPlace(target, count: rows * layer.outputSize, activation.apply)
            } else {
                layer.forward(current, inputStride: stride, rows: rows, into: target, activation: activation)
            }
            current = UnsafePointer(target)
            stride = layer.outputSize
            target = target == scratchA ? scratchB : scratchA
        }
        output.forward(current, inputStride: stride, rows: rows, into: result, activation: .identity)
        record?(hidden.count, UnsafeBufferPointer(start: result, count: rows * output.outputSize))
    }
}
