/// A failure reported by MuJoCo itself, carrying MuJoCo's own message.
public enum MuJoCoError: Error, Equatable, CustomStringConvertible {
    /// The model file does not exist or cannot be read.
    case modelFileNotFound(path: String)
    /// MuJoCo's XML parser or compiler rejected the model.
    case modelCompilation(source: String, message: String)
    /// `mju_error` was raised inside an engine call (for example an exhausted arena). The
    /// `MjData` is in an undefined state and must be reset before it is stepped again.
    case engine(operation: String, message: String)
    /// A physics name that is not one of the builds (`MuJoCoPhysics`).
    case unknownPhysics(value: String)
    /// The library of a build cannot be opened (missing file, wrong version, missing entry point).
    case libraryUnavailable(physics: String, path: String, reason: String)

    public var description: String {
        switch self {
        case .modelFileNotFound(let path):
            return "MuJoCo model file not found: \(path)"
        case .modelCompilation(let source, let message):
            return "MuJoCo could not load the model \(source): \(message)"
        case .engine(let operation, let message):
            return "MuJoCo error in \(operation): \(message)"
        case .unknownPhysics(let value):
            let known = MuJoCoPhysics.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown MuJoCo physics '\(value)': expected one of \(known)"
        case .libraryUnavailable(let physics, let path, let reason):
            return "cannot open MuJoCo \(physics) (\(path)): \(reason). Run Scripts/bootstrap to install both builds."
        }
    }
}

/// A numerical blow-up detected by MuJoCo's own checks (`mj_checkPos`, `mj_checkVel`,
/// `mj_checkAcc`). When one of them fires, MuJoCo resets the state to `qpos0` and continues, so
/// the trajectory after it is meaningless: callers should end the episode and record why.
public struct MjInstability: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which MuJoCo check fired.
    public enum Kind: String, Sendable, Codable {
        /// `mjWARN_BADQPOS`: a NaN/Inf or huge value in qpos.
        case badQpos = "bad_qpos"
        /// `mjWARN_BADQVEL`: a NaN/Inf or huge value in qvel.
        case badQvel = "bad_qvel"
        /// `mjWARN_BADQACC`: a NaN/Inf or huge value in qacc.
        case badQacc = "bad_qacc"
        /// The action given to the environment held a NaN or an infinity (detected before stepping).
        case nonFiniteAction = "non_finite_action"
    }
    public let kind: Kind
    /// Index of the first offending degree of freedom as MuJoCo reports it (`lastinfo`), or of the
    /// action component for `.nonFiniteAction`.
    public let index: Int
    /// Simulation time (s) at which it was detected.
    public let time: Double

    public init(kind: Kind, index: Int, time: Double) {
        self.kind = kind
        self.index = index
        self.time = time
    }

    public var description: String {
        "unstable simulation: \(kind.rawValue) at index \(index), t = \(time) s"
    }
}
