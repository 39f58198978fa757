/// A dense float32 array in row-major (C) order, as stored in checkpoint files.
///
/// Layout conventions follow the file the tensor came from: flax kernels are `(in, out)`,
/// torch `Linear` weights are `(out, in)` (docs/edp-inference.md §1.3).
public struct Tensor: Equatable, Sendable {
    /// Extent of each axis; `[]` for a scalar.
    public var shape: [Int]
    /// The elements, `shape.reduce(1, *)` of them.
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
        self.shape = shape
        self.values = values
    }

    /// Number of elements.
    public var count: Int { values.count }
}

/// Named tensors as read from a checkpoint, keyed by their path in the source file, e.g.
/// `policy/params/base_net/Dense_0/kernel` (EDP, flax paths joined by '/') or
/// `model.mid_layer.0.weight` (Diffusion-QL, torch state_dict keys).
public typealias TensorDictionary = [String: Tensor]
