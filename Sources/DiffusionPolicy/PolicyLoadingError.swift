import TensorArchives
/// Why a network or policy could not be built from a `TensorDictionary` + `PolicyConfiguration`.
/// Every case names the offending tensor or setting, so the message alone says what to fix.
public enum PolicyLoadingError: Error, CustomStringConvertible, Equatable {
    /// A parameter the architecture needs is absent.
    case missingTensor(name: String, expectedShape: [Int])
    /// A parameter has the wrong shape.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A parameter contains NaN or ±inf.
    case nonFiniteValues(name: String, firstIndex: Int)
    /// The configuration or a sampler setting is invalid (e.g. t_end < 1/K, docs/edp-inference.md §3.3 Pitfall 1).
    case invalidConfiguration(String)
    /// A feature this implementation does not provide.
    case unsupported(String)

    public var description: String {
        switch self {
        case let .missingTensor(name, shape):
            return "missing tensor \"\(name)\" (expected shape \(shape))"
        case let .shapeMismatch(name, expected, found):
            return "tensor \"\(name)\" has shape \(found), expected \(expected)"
        case let .nonFiniteValues(name, index):
            return "tensor \"\(name)\" contains a non-finite value at flat index \(index)"
        case let .invalidConfiguration(message):
            return "invalid policy configuration: \(message)"
        case let .unsupported(message):
            return "unsupported: \(message)"
        }
    }
}
