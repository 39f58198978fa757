/// How a weight matrix is stored in the checkpoint it came from (docs/edp-inference.md §1.3 table).
enum WeightLayout: Sendable {
    /// flax `kernel`, shape (in, out): y = x·W + b.
    case inputMajor
    /// torch `Linear.weight`, shape (out, in): y = x·Wᵀ + b. Repacked once at load time for the
    /// micro-kernel (`PackedLayer`), never per call.
    case outputMajor
}

/// The parameters of one affine layer y = x·W + b as read from a checkpoint. Evaluation goes
/// through `PackedLayer` (Internals/PackedDense.swift), which packs these weights once for the
/// module's own FMA micro-kernel.
struct DenseLayer: Sendable {
    let inputSize: Int
    let outputSize: Int
    /// Weights as stored in the checkpoint, `inputSize·outputSize` floats in `layout` order.
    let weights: [Float]
    let layout: WeightLayout
    /// `outputSize` floats.
    let bias: [Float]

    /// Multiply-adds per batch row.
    var multiplyAdds: Int { inputSize * outputSize }

    /// The weight from input `k` to output `j`, whatever the layout.
    func weight(input k: Int, output j: Int) -> Float {
        layout == .inputMajor ? weights[k * outputSize + j] : weights[j * inputSize + k]
    }
}

/// flax `nn.LayerNorm` parameters: y = (x − mean)/sqrt(var + 1e-6)·scale + bias over the last
/// axis, with flax's fast variance var = mean(x²) − mean² (clamped at 0).
struct LayerNormParameters: Sendable {
    let scale: [Float]
    let bias: [Float]
    static let epsilon: Float = 1e-6

    /// Normalises each of `rows` rows of `width` floats in place.
    func apply(_ data: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for row in 0..<rows {
            let x = data + row * width
            var sum: Float = 0, sumSquares: Float = 0
            for j in 0..<width { sum += x[j]; sumSquares += x[j] * x[j] }
            let mean = sum / Float(width)
            let variance = max(sumSquares / Float(width) - mean * mean, 0)
            let inverse = 1 / (variance + Self.epsilon).squareRoot()
            for j in 0..<width { x[j] = (x[j] - mean) * inverse * scale[j] + bias[j] }
        }
    }
}

/// A growable float buffer reused across calls (no allocation once it is large enough).
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 8)
        pointer = .allocate(capacity: self.capacity)
        pointer.initialize(repeating: 0, count: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// Makes room for `count` floats; old contents are discarded when it grows.
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity * 2)
            pointer = .allocate(capacity: capacity)
            pointer.initialize(repeating: 0, count: capacity)
        }
        return pointer
    }
}
