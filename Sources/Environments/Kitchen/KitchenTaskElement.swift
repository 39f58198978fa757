/// One part of a Franka kitchen task: an object joint (or joints) that must be moved close to a
/// goal configuration (D4RL `kitchen_envs.py`, `OBS_ELEMENT_INDICES` and `OBS_ELEMENT_GOALS`;
/// docs/environments.md §12.3, §12.6).
public enum KitchenTaskElement: String, CaseIterable, Sendable, Codable {
    case bottomBurner = "bottom burner"
    case topBurner = "top burner"
    case lightSwitch = "light switch"
    case slideCabinet = "slide cabinet"
    case hingeCabinet = "hinge cabinet"
    case microwave
    case kettle

    /// Indices into the 30-value state part of the observation (9 robot + 21 object positions),
    /// which are also indices into the 30-value goal and into `qpos`.
    public var stateIndices: [Int] {
        switch self {
        case .bottomBurner: return [11, 12]
        case .topBurner: return [15, 16]
        case .lightSwitch: return [17, 18]
        case .slideCabinet: return [19]
        case .hingeCabinet: return [20, 21]
        case .microwave: return [22]
        case .kettle: return [23, 24, 25, 26, 27, 28, 29]
        }
    }

    /// The goal values at `stateIndices` (rad for hinges, m for slides; the kettle: position m and
    /// quaternion), D4RL's `OBS_ELEMENT_GOALS`.
    public var goal: [Double] {
        switch self {
        case .bottomBurner: return [-0.88, -0.01]
        case .topBurner: return [-0.92, -0.01]
        case .lightSwitch: return [-0.69, -0.05]
        case .slideCabinet: return [0.37]
        case .hingeCabinet: return [0.0, 1.45]
        case .microwave: return [-0.75]
        case .kettle: return [-0.23, 0.75, 1.62, 0.99, 0.0, 0.0, -0.06]
        }
    }

    /// An element counts as done when the Euclidean distance between its noisy observed values
    /// and its goal is below this (D4RL `BONUS_THRESH`).
    public static let completionThreshold = 0.3

    /// Parses D4RL's element name (`"light switch"`, `"kettle"`, …).
    public init?(d4rlName: String) { self.init(rawValue: d4rlName) }
}

