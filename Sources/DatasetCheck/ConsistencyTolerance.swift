/// When a replayed value counts as differing from the dataset in `dataset check`
/// (docs/run-integrity.md, "dataset check tolerance").
///
/// D4RL stores observations, actions, rewards and the states `infos/qpos`, `infos/qvel` as
/// float32. The check sets the simulator to the stored (rounded) state and steps it in float64,
/// then rounds ours to the file's dtype, so a faithful file differs from the replay by:
/// - the rounding of every input, at most ½ ulp of the transition's largest magnitude M (the
///   largest |value| among its qpos, qvel, next observation and reward), carried through one
///   step with some gain G (a velocity's rounding moves the next position by dt·δv; contacts can
///   amplify it a little), plus
/// - the rounding of the output, ½ ulp.
/// That is (G + 1)/2 ulps of M. Measured on `Tests/Fixtures/d4rl-datasets/hopper-small-float32.hdf5`
/// (hopper-small with its states rounded to float32, 800 transitions): 781 next observations
/// differ, by at most 4.5 ulps of M (transition 224: 5.4e-7 at M in [1, 2); in contact the
/// gain G reaches about 8), the largest |diff| is 9.5e-7. The default allows 16 ulps of M at the
/// file's precision (float32: ulp(M) = 2^(⌊log2 M⌋ − 23)), i.e. gains up to 31, 3.5× the largest
/// measured, while the smallest tampering of `hopper-small-tampered.hdf5` (1e-3 on one
/// observation) is about 500 times that bound. A float64 file is judged at float64 precision
/// (16 × 2^−52 relative to M), i.e. practically exact.
/// `terminals` are flags: any disagreement is a mismatch.
public enum Tolerance: Equatable, Sendable, Codable {
    /// `ulps` units in the last place of the transition's largest magnitude, at `precision`.
    case ulps(Int, precision: Precision)
    /// A fixed |diff| bound for every value (`dataset check --tolerance X`).
    case absolute(Double)

    public static let defaultULPs = 16

    /// A dataset's floating-point precision.
    public enum Precision: String, Codable, Sendable {
        case float32, float64
    }

    /// The largest |diff| accepted for a transition whose largest magnitude is `scale`.
    public func bound(scale: Double) -> Double {
        switch self {
        case .absolute(let value):
            return value
        case .ulps(let n, let precision):
            let m = scale.isFinite ? abs(scale) : 0
            switch precision {
            case .float32: return Double(n) * Double(Float(min(m, Double(Float.greatestFiniteMagnitude))).ulp)
            case .float64: return Double(n) * m.ulp
            }
        }
    }

    /// The rule in words, for the report and the printed summary.
    public var rule: String {
        switch self {
        case .absolute(let value): return "|diff| ≤ \(value) (--tolerance)"
        case .ulps(let n, let precision):
            return "|diff| ≤ \(n) ulps (\(precision.rawValue)) of the transition's largest |value| (state, next observation, reward); terminals exact"
        }
    }

    enum CodingKeys: String, CodingKey { case rule, ulps, precision, absolute }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rule, forKey: .rule)
        switch self {
        case .absolute(let value): try c.encode(value, forKey: .absolute)
        case .ulps(let n, let precision):
            try c.encode(n, forKey: .ulps)
            try c.encode(precision, forKey: .precision)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let value = try c.decodeIfPresent(Double.self, forKey: .absolute) {
            self = .absolute(value)
        } else {
            self = .ulps(try c.decode(Int.self, forKey: .ulps), precision: try c.decode(Precision.self, forKey: .precision))
        }
    }
}
