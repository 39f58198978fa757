/// Hidden-layer activations the networks support.
///
/// The diffusion policies always use Mish (docs/edp-inference.md §1.1: EDP's `_setup_policy` never passes `act`;
/// Diffusion-QL hard-codes `nn.Mish`). The critics take EDP's `--activation` flag (default
/// "mish", docs/edp-inference.md §1.2). Names follow that flag.
public enum Activation: String, Sendable, CaseIterable {
    /// x·tanh(softplus(x)) (docs/edp-inference.md §1.4).
    case mish
    /// max(x, 0).
    case relu
    /// tanh(x).
    case tanh
    /// x·sigmoid(x) (flax `nn.swish`).
    case swish
    /// x for x > 0, exp(x) − 1 otherwise (α = 1: `torch.nn.ELU()` and `flax.linen.elu` defaults).
    case elu
    /// Identity (for linear outputs).
    case identity

    /// Parses an activation name as written in an EDP `variant` ("mish", "relu", "tanh",
    /// "swish"/"silu"); throws `PolicyLoadingError.unsupported` otherwise.
    public init(name: String) throws {
        switch name.lowercased() {
        case "mish": self = .mish
        case "relu": self = .relu
        case "tanh": self = .tanh
        case "swish", "silu": self = .swish
        case "elu": self = .elu
        case "identity", "linear", "none": self = .identity
        default:
            throw PolicyLoadingError.unsupported("activation \"\(name)\" (supported: mish, relu, tanh, swish, elu)")
        }
    }

    /// The vector kernel for this activation.
    @inline(__always)
    func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .mish: return vectorMish(x)
        case .relu: return Self.relu(x)
        case .tanh: return vectorTanh(x)
        case .swish: return Self.swish(x)
        case .elu: return Self.elu(x)
        case .identity: return x
        }
    }

    @inline(__always)
    static func relu(_ x: SIMD8<Float>) -> SIMD8<Float> { lanewiseMax(x, SIMD8(repeating: 0)) }

    @inline(__always)
    static func swish(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x / (SIMD8(repeating: 1) + vectorExp(lanewiseMin(-x, SIMD8(repeating: 80))))
    }

    @inline(__always)
    static func elu(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // exp(min(x, 0)) − 1 never overflows; the positive lanes take x.
        let negative = vectorExp(lanewiseMin(x, SIMD8(repeating: 0))) - SIMD8(repeating: 1)
        return x.replacing(with: negative, where: x .<= SIMD8(repeating: 0))
    }
}
