/// Strided views of a flat element buffer, and their copy into C (row-major) order.
///
/// A view of `shape` with `strides` (in elements) starting at `offset` addresses element
/// (i₀, …, iₙ₋₁) at `offset + Σ iₖ·strides[k]`: the layout of a PyTorch tensor over its storage
/// (`torch.Tensor.stride()`) and of a NumPy array over its buffer (`ndarray.strides` divided by the
/// item size).
enum StridedGather {
    /// Strides of a C-order (row-major) array of `shape`: the last axis is contiguous.
    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        if shape.count > 1 {
            for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        }
        return strides
    }

    /// Strides of a Fortran-order (column-major) array of `shape`: the first axis is contiguous.
    static func columnMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        if shape.count > 1 {
            for axis in 1..<shape.count { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        }
        return strides
    }

    /// The `count` elements of the view, in C order. The caller has checked that every element the
    /// view addresses lies inside `source` and that `count` is the product of `shape`.
    static func gather(_ source: [Float], shape: [Int], strides: [Int], offset: Int, count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for linear in 0..<count {
            var position = offset
            for axis in 0..<shape.count { position += index[axis] * strides[axis] }
            out[linear] = source[position]
            // Advance the multi-index like an odometer, the last axis fastest.
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }
}
