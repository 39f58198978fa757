import COpenBLAS

/// How a weight matrix is stored in the checkpoint it came from (spec §1.3 table).
enum WeightLayout: Sendable {
    /// flax `kernel`, shape (in, out): y = x·W + b.
    case inputMajor
    /// torch `Linear.weight`, shape (out, in): y = x·Wᵀ + b. Used as is through sgemm's
    /// transpose flag; never copied per call.
    case outputMajor
}

/// One affine layer y = x·W + b evaluated for a whole batch with a single `cblas_sgemm`
/// (row-major, float32). The activation (and optional LayerNorm) is applied by the caller in
/// one pass over the output, fused with the bias add.
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

    /// C[rows × out] = A[rows × in] · W (no bias). `input` rows are `inputStride` floats apart;
    /// `output` rows are `outputSize` floats apart.
    func multiply(_ input: UnsafePointer<Float>, inputStride: Int, rows: Int,
                  into output: UnsafeMutablePointer<Float>) {
        precondition(inputStride >= inputSize)
        weights.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans,
                        layout == .inputMajor ? CblasNoTrans : CblasTrans,
                        Int32(rows), Int32(outputSize), Int32(inputSize),
                        1, input, Int32(inputStride),
                        w.baseAddress, Int32(layout == .inputMajor ? outputSize : inputSize),
                        0, output, Int32(outputSize))
        }
    }

    /// GEMM, then bias + activation fused in one pass over the output.
    func forward(_ input: UnsafePointer<Float>, inputStride: Int, rows: Int,
                 into output: UnsafeMutablePointer<Float>, activation: Activation) {
        multiply(input, inputStride: inputStride, rows: rows, into: output)
        bias.withUnsafeBufferPointer { b in
            let bias = b.baseAddress!, width = outputSize
            // One specialised loop per activation: the kernel is inlined, not called per vector.
            switch activation {
            case .mish: for row in 0..<rows { biasTransformRow(output + row * width, bias: bias, count: width, vectorMish) }
            case .identity: for row in 0..<rows { biasTransformRow(output + row * width, bias: bias, count: width) { $0 } }
            case .relu: for row in 0..<rows { biasTransformRow(output + row * width, bias: bias, count: width, Activation.relu) }
            case .tanh: for row in 0..<rows { biasTransformRow(output + row * width, bias: bias, count: width, vectorTanh) }
            case .swish: for row in 0..<rows { biasTransformRow(output + row * width, bias: bias, count: width, Activation.swish) }
            }
        }
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
