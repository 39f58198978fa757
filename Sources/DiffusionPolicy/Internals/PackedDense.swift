import Dispatch

// The module's own GEMM for the policy networks: weights packed once into 16-output panels and
// a 6-row × 16-output AVX2/FMA micro-kernel, with the bias + activation epilogue fused.
//
// Why not cblas_sgemm: OpenBLAS 0.3.21 (Zen/Haswell kernels) does not compute a row the same way
// at every position of a GEMM — rows in its N dimension differ with (position mod 12) and at the
// tail, rows in its M dimension differ past the first 16 (measured bitwise; see
// BatchInvarianceTests) — so even fixed-size row blocks do not give batch invariance. Here every
// output element is one fused multiply-add chain over k = 0, 1, …, K−1 starting from 0, then
// `+ bias`, then the activation, whatever the row's position, the tile it falls in, the batch
// size or the thread that computes it: results are bit-identical by construction.

/// A Dense layer's weights packed for `PackedLayer.apply`: panel p holds the columns
/// 16p ..< 16p+16 as K rows of 16 floats (zero-padded past `outputSize`).
struct PackedLayer: Sendable {
    static let panelWidth = 16
    static let tileRows = 6
    let inputSize: Int
    let outputSize: Int
    let panelCount: Int
    let weights: [Float]
    /// `paddedWidth` floats (zero-padded).
    let bias: [Float]
    var paddedWidth: Int { panelCount * Self.panelWidth }
    var multiplyAdds: Int { inputSize * outputSize }

    /// `weight(k, j)`: the weight from input k to output j.
    init(inputSize: Int, outputSize: Int, bias: [Float]?, weight: (Int, Int) -> Float) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        let panels = (outputSize + Self.panelWidth - 1) / Self.panelWidth
        panelCount = panels
        var packed = [Float](repeating: 0, count: panels * inputSize * Self.panelWidth)
        for p in 0..<panels {
            for k in 0..<inputSize {
                for c in 0..<Self.panelWidth where p * Self.panelWidth + c < outputSize {
                    packed[(p * inputSize + k) * Self.panelWidth + c] = weight(k, p * Self.panelWidth + c)
                }
            }
        }
        weights = packed
        var padded = [Float](repeating: 0, count: panels * Self.panelWidth)
        if let bias { for j in 0..<outputSize { padded[j] = bias[j] } }
        self.bias = padded
    }

    /// The rows `inputs` of `dense` (its inputs in that range), with its bias when `includeBias`.
    init(_ dense: DenseLayer, inputs: Range<Int>? = nil, includeBias: Bool = true) {
        let range = inputs ?? 0..<dense.inputSize
        self.init(inputSize: range.count, outputSize: dense.outputSize, bias: includeBias ? dense.bias : nil) { k, j in
            dense.weight(input: range.lowerBound + k, output: j)
        }
    }

    /// Per-row bias: row r (local index) uses `base + ((firstRow + r) / group) · stride`
    /// (stride 0: one bias vector for all rows). Tables must be `paddedWidth` wide.
    struct Bias {
        var base: UnsafePointer<Float>
        var stride: Int = 0
        var group: Int = 1
        var firstRow: Int = 0
        @inline(__always) func pointer(_ r: Int) -> UnsafePointer<Float> {
            stride == 0 ? base : base + ((firstRow + r) / group) * stride
        }
    }

    /// output[r, 0..<paddedWidth] = activation(input[r, 0..<K] · W + bias(r)) for r < rows
    /// (`rowBias` nil: the layer's own bias).
    /// `pad` holds `tileRows × inputSize` floats (the last partial tile is copied there).
    @inline(__always)
    func apply(_ input: UnsafePointer<Float>, inputStride: Int, rows: Int, bias rowBias: Bias?,
               into output: UnsafeMutablePointer<Float>, outputStride: Int, pad: UnsafeMutablePointer<Float>,
               activation: Activation) {
        self.bias.withUnsafeBufferPointer { own in
            apply(input, inputStride, rows, rowBias ?? Bias(base: own.baseAddress!), output, outputStride, pad, activation)
        }
    }

    @inline(__always)
    private func apply(_ input: UnsafePointer<Float>, _ inputStride: Int, _ rows: Int, _ bias: Bias,
                       _ output: UnsafeMutablePointer<Float>, _ outputStride: Int, _ pad: UnsafeMutablePointer<Float>,
                       _ activation: Activation) {
        switch activation {
        case .mish: run(input, inputStride, rows, bias, output, outputStride, pad, vectorMish)
        case .identity: run(input, inputStride, rows, bias, output, outputStride, pad) { $0 }
        case .relu: run(input, inputStride, rows, bias, output, outputStride, pad, Activation.relu)
        case .tanh: run(input, inputStride, rows, bias, output, outputStride, pad, vectorTanh)
        case .swish: run(input, inputStride, rows, bias, output, outputStride, pad, Activation.swish)
        case .elu: run(input, inputStride, rows, bias, output, outputStride, pad, Activation.elu)
        }
    }

    @inline(__always)
    private func run(_ input: UnsafePointer<Float>, _ inputStride: Int, _ rows: Int, _ bias: Bias,
                     _ output: UnsafeMutablePointer<Float>, _ outputStride: Int, _ pad: UnsafeMutablePointer<Float>,
                     _ activation: (SIMD8<Float>) -> SIMD8<Float>) {
        let k = inputSize, width = Self.panelWidth, tile = Self.tileRows
        weights.withUnsafeBufferPointer { packed in
            for p in 0..<panelCount {
                let w = packed.baseAddress! + p * k * width
                var t = 0
                while t < rows {
                    let m = min(tile, rows - t)
                    var a = input + t * inputStride, lda = inputStride
                    if m < tile {
                        for i in 0..<tile {
                            if i < m { (pad + i * k).update(from: a + i * inputStride, count: k) }
                            else { (pad + i * k).update(repeating: 0, count: k) }
                        }
                        a = UnsafePointer(pad); lda = k
                    }
                    let out = output + t * outputStride + p * width
                    kernel(a, lda, w, k, m, bias, t, p * width, out, outputStride, activation)
                    t += tile
                }
            }
        }
    }

    /// One 6 × 16 tile: 12 accumulators, one FMA chain per element over k in order.
    @inline(__always)
    private func kernel(_ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ k: Int, _ m: Int,
                        _ bias: Bias, _ row: Int, _ column: Int,
                        _ out: UnsafeMutablePointer<Float>, _ ldo: Int,
                        _ activation: (SIMD8<Float>) -> SIMD8<Float>) {
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        var wp = UnsafeRawPointer(w)
        for i in 0..<k {
            let w0 = wp.loadUnaligned(as: SIMD8<Float>.self)
            let w1 = wp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            wp += 64
            var b = SIMD8<Float>(repeating: a0[i])
            c00 = c00.addingProduct(b, w0); c01 = c01.addingProduct(b, w1)
            b = SIMD8<Float>(repeating: a1[i])
            c10 = c10.addingProduct(b, w0); c11 = c11.addingProduct(b, w1)
            b = SIMD8<Float>(repeating: a2[i])
            c20 = c20.addingProduct(b, w0); c21 = c21.addingProduct(b, w1)
            b = SIMD8<Float>(repeating: a3[i])
            c30 = c30.addingProduct(b, w0); c31 = c31.addingProduct(b, w1)
            b = SIMD8<Float>(repeating: a4[i])
            c40 = c40.addingProduct(b, w0); c41 = c41.addingProduct(b, w1)
            b = SIMD8<Float>(repeating: a5[i])
            c50 = c50.addingProduct(b, w0); c51 = c51.addingProduct(b, w1)
        }
        @inline(__always) func finish(_ i: Int, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>) {
            let bp = UnsafeRawPointer(bias.pointer(row + i) + column)
            let o = UnsafeMutableRawPointer(out + i * ldo)
            o.storeBytes(of: activation(x0 + bp.loadUnaligned(as: SIMD8<Float>.self)), as: SIMD8<Float>.self)
            o.storeBytes(of: activation(x1 + bp.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)),
                         toByteOffset: 32, as: SIMD8<Float>.self)
        }
        finish(0, c00, c01)
        if m > 1 { finish(1, c10, c11) }
        if m > 2 { finish(2, c20, c21) }
        if m > 3 { finish(3, c30, c31) }
        if m > 4 { finish(4, c40, c41) }
        if m > 5 { finish(5, c50, c51) }
    }
}

/// A `LayerStack` packed for the micro-kernel. The first layer may take only part of the
/// original input (`firstInputs`); the rest of that layer's input (state, time embedding) is
/// then folded into a per-row bias table by the caller.
struct PackedStack: Sendable {
    let first: PackedLayer
    let hidden: [PackedLayer]
    /// norms[0] after `first`, norms[i] after hidden[i − 1].
    let norms: [LayerNormParameters?]
    let activation: Activation
    let output: PackedLayer
    let maxPaddedWidth: Int
    let maxInputSize: Int

    init(_ stack: LayerStack, firstInputs: Range<Int>? = nil, firstBias: Bool = true) {
        let layers = stack.hidden
        first = PackedLayer(layers[0], inputs: firstInputs, includeBias: firstBias)
        hidden = layers.dropFirst().map { PackedLayer($0) }
        norms = stack.norms
        activation = stack.activation
        output = PackedLayer(stack.output)
        let all = [first] + hidden + [output]
        maxPaddedWidth = all.map(\.paddedWidth).max()!
        maxInputSize = all.map(\.inputSize).max()!
    }

    var outputSize: Int { output.outputSize }

    /// Runs rows `range` of `input` (row r at `input + r·inputStride`) through the stack in blocks
    /// of `blockRows` and writes `outputSize` floats per row to `result + r·outputSize`.
    /// `firstBias` (absolute row indices) replaces the first layer's own bias when given.
    /// `record` (tests; call with one block) receives each Dense output before its activation.
    func forward(_ input: UnsafePointer<Float>, inputStride: Int, rows range: Range<Int>, firstBias: PackedLayer.Bias?,
                 scratch: WorkerScratch, blockRows: Int = 48, into result: UnsafeMutablePointer<Float>,
                 record: ((Int, UnsafeBufferPointer<Float>) -> Void)? = nil) {
        guard !range.isEmpty else { return }
        let block = record == nil ? blockRows : range.count
        let width = maxPaddedWidth
        let bufferA = scratch.a.reserve(block * width), bufferB = scratch.b.reserve(block * width)
        let pad = scratch.pad.reserve(PackedLayer.tileRows * maxInputSize)
        let dense = record == nil ? nil : scratch.dense.reserve(block * width)
        var start = range.lowerBound
        while start < range.upperBound {
            let n = min(block, range.upperBound - start)
            var bias = firstBias
            bias?.firstRow = start
            func layer(_ l: PackedLayer, _ index: Int, _ source: UnsafePointer<Float>, _ stride: Int,
                       _ rowBias: PackedLayer.Bias?, _ target: UnsafeMutablePointer<Float>, _ act: Activation,
                       _ norm: LayerNormParameters?) {
                let ldo = l.paddedWidth
                if norm == nil && record == nil {
                    l.apply(source, inputStride: stride, rows: n, bias: rowBias, into: target, outputStride: ldo,
                            pad: pad, activation: act)
                    return
                }
                l.apply(source, inputStride: stride, rows: n, bias: rowBias, into: target, outputStride: ldo,
                        pad: pad, activation: .identity)
                if let record, let dense {
                    for r in 0..<n { (dense + r * l.outputSize).update(from: target + r * ldo, count: l.outputSize) }
                    record(index, UnsafeBufferPointer(start: dense, count: n * l.outputSize))
                }
                guard act != .identity || norm != nil else { return }
                for r in 0..<n {
                    let row = target + r * ldo
                    norm?.apply(row, rows: 1, width: l.outputSize)
                    applyActivation(act, row, count: l.outputSize)
                }
            }
            layer(first, 0, input + start * inputStride, inputStride, bias, bufferA, activation, norms[0])
            var current = bufferA, next = bufferB, stride = first.paddedWidth
            for (i, l) in hidden.enumerated() {
                layer(l, i + 1, current, stride, nil, next, activation, norms[i + 1])
                swap(&current, &next)
                stride = l.paddedWidth
            }
            layer(output, hidden.count + 1, current, stride, nil, next, .identity, nil)
            let o = output.outputSize, ldo = output.paddedWidth
            for r in 0..<n { (result + (start + r) * o).update(from: next + r * ldo, count: o) }
            start += n
        }
    }
}

/// Applies `activation` in place to `count` floats (SIMD8, padded tail).
func applyActivation(_ activation: Activation, _ base: UnsafeMutablePointer<Float>, count: Int) {
    switch activation {
    case .mish: transformInPlace(base, count: count, vectorMish)
    case .identity: break
    case .relu: transformInPlace(base, count: count, Activation.relu)
    case .tanh: transformInPlace(base, count: count, vectorTanh)
    case .swish: transformInPlace(base, count: count, Activation.swish)
    case .elu: transformInPlace(base, count: count, Activation.elu)
    }
}

/// One thread's buffers for `PackedStack.forward`.
final class WorkerScratch {
    let a = ScratchBuffer(), b = ScratchBuffer(), pad = ScratchBuffer(), dense = ScratchBuffer()
    init() {}
}

/// The module's own row parallelism: rows split into contiguous chunks (whole 6-row tiles) run
/// concurrently, one `WorkerScratch` each. Because every row's arithmetic is independent of the
/// other rows (see `PackedLayer`), the split never changes a result.
enum RowParallel {
    /// Calls `body(worker, rows)` for up to `BLASThreading.threadCount` chunks covering 0..<rows.
    static func run(rows: Int, scratch: [WorkerScratch], minimumRowsPerWorker: Int = 24,
                    _ body: (WorkerScratch, Range<Int>) -> Void) {
        run(rows: rows, workers: scratch.count, minimumRowsPerWorker: minimumRowsPerWorker) { w, range in
            body(scratch[w], range)
        }
    }

    /// Calls `body(w, rows)` for up to min(`workers`, `BLASThreading.threadCount`) chunks
    /// covering 0..<rows (chunk w on worker w; whole 6-row tiles, at least `minimumRowsPerWorker`
    /// rows each), concurrently. One fork-join per call, whatever `body` does with its rows.
    static func run(rows: Int, workers available: Int, minimumRowsPerWorker: Int = 24,
                    _ body: (Int, Range<Int>) -> Void) {
        guard rows > 0 else { return }
        let tile = PackedLayer.tileRows
        let workers = max(1, min(available, BLASThreading.threadCount, rows / minimumRowsPerWorker))
        if workers == 1 { body(0, 0..<rows); return }
        let tiles = (rows + tile - 1) / tile
        let perWorker = (tiles + workers - 1) / workers * tile
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = min(rows, w * perWorker), hi = min(rows, lo + perWorker)
            if lo < hi { body(w, lo..<hi) }
        }
    }
}
