import Foundation

/// Which official MuJoCo build simulates a run. Both live in one process; every model, data and
/// result belongs to exactly one of them (docs/physics.md).
public enum MuJoCoPhysics: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    /// DeepMind's MuJoCo 2.1.0 ("mujoco210"), the build mujoco-py ran for D4RL, EDP, Diffusion-QL
    /// and RL-Zoo: the physics their tables were made on.
    case v2_1_0 = "2.1.0"
    /// The official MuJoCo 2.3.7 build (the PyPI wheel `mujoco==2.3.7`), the physics of
    /// dm_control 1.0.14 and so of D4RL's kitchen.
    case v2_3_7 = "2.3.7"

    public var description: String { "MuJoCo \(rawValue)" }

    /// The environment variable that sets the physics of runs that name none.
    public static let environmentVariable = "EDP_EVAL_MUJOCO"

    /// Parses a user's value ("2.1.0", "2.3.7"; also "210", "237", "mujoco210").
    /// - Throws: `MuJoCoError.unknownPhysics` listing the builds.
    public init(userValue: String) throws {
        let value = userValue.trimmingCharacters(in: .whitespaces).lowercased()
        switch value {
        case "2.1.0", "210", "2.1", "mujoco210": self = .v2_1_0
        case "2.3.7", "237", "2.3": self = .v2_3_7
        default: throw MuJoCoError.unknownPhysics(value: userValue)
        }
    }

    /// The physics `EDP_EVAL_MUJOCO` asks for, or nil if unset or empty.
    /// - Throws: `MuJoCoError.unknownPhysics` for another value.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MuJoCoPhysics? {
        guard let value = environment[environmentVariable], !value.isEmpty else { return nil }
        return try MuJoCoPhysics(userValue: value)
    }
}
