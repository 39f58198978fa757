/// The floating-point type (NumPy dtype) an action reaches `env.step` in. It is part of a step:
/// D4RL's `NormalizedBoxEnv` maps and clips the action, and gym's robots charge the control cost,
/// in the action's own dtype (docs/environments.md §1.3). Policies from JAX, PyTorch and
/// Stable-Baselines3 (EDP, Diffusion-QL, RL-Zoo, the feed-forward baselines) hand over float32;
/// NumPy-drawn actions (the uniform random policy) and replayed float64 lists are float64.
public enum ActionDType: String, Codable, Sendable, CaseIterable {
    case float32
    case float64

    /// Reads `"float32"` or `"float64"`; anything else is an error naming both.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let dtype = ActionDType(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription:
                "expected \"float32\" or \"float64\", got \"\(name)\"")
        }
        self = dtype
    }

    /// `value` as an array of this dtype holds it: rounded to the nearest float32 (NumPy's
    /// `astype(np.float32)`, round to nearest even), or unchanged.
    @inlinable
    public func represent(_ value: Double) -> Double {
        self == .float32 ? Double(Float(value)) : value
    }
}

/// NumPy 1.x reductions the environments reproduce bit for bit.
public enum NumPyArithmetic {
    /// `np.square(v).sum()` in `T`'s own precision, in NumPy's order (`@TYPE@_pairwise_sum` in
    /// numpy/core/src/umath/loops_utils.h.src, NumPy 1.26; the reduction starts from the identity
    /// 0): fewer than 8 values are added one after the other; 8 to 128 values go into 8 running
    /// sums (element i into sum i mod 8), combined as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)), then the
    /// remainder after the last full block of 8 is added in order; longer vectors are split at
    /// n/2 rounded down to a multiple of 8 and the halves' sums added.
    public static func sumOfSquares<T: BinaryFloatingPoint>(_ values: [T]) -> T {
        values.withUnsafeBufferPointer { 0 + pairwiseSumOfSquares($0[...]) }
    }

    private static func pairwiseSumOfSquares<T: BinaryFloatingPoint>(_ v: Slice<UnsafeBufferPointer<T>>) -> T {
        let n = v.count, start = v.startIndex
        if n < 8 {
            var total: T = 0
            for x in v { total += x * x }
            return total
        }
        if n <= 128 {
            var r = (0..<8).map { v[start + $0] * v[start + $0] }
            let blocks = n - n % 8
            var i = 8
            while i < blocks {
                for j in 0..<8 { r[j] += v[start + i + j] * v[start + i + j] }
                i += 8
            }
            var total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                total += v[start + i] * v[start + i]
                i += 1
            }
            return total
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSumOfSquares(v[start..<(start + half)]) + pairwiseSumOfSquares(v[(start + half)...])
    }
}
