import Foundation

/// Input of a replay: how the episode starts and the actions to apply (`edp-eval replay --input`).
/// JSON: `{"seed"?, "qpos"?, "qvel"?, "actions": [[...], ...], "goal": [x, y]?}`. The start is
/// - `seed` alone: the environment's own reset with its generator seeded (`reset(seed:)`: reset
///   noise, goals, observation noise as the original draws them for that seed);
/// - `seed` with `qpos` and `qvel`: that seeded reset, then the state overwritten, `mj_forward`,
///   and observation 0 observed from the written state (`reset(seed:overwritingWith:qvel:)`);
/// - `qpos` and `qvel` alone: `mj_resetData`, the state written, `mj_forward`, no draws.
public struct ReplayInput: Codable, Equatable, Sendable {
    /// Seeds the environment's generator and resets with it (NumPy `default_rng(seed)`, gym 0.23.1).
    public var seed: UInt64?
    public var qpos: [Double]?
    public var qvel: [Double]?
    public var actions: [[Double]]
    /// AntMaze only: fixes the goal (m, world frame) instead of sampling it.
    public var goal: [Double]?

    public init(qpos: [Double], qvel: [Double], actions: [[Double]], goal: [Double]? = nil) {
        self.qpos = qpos
        self.qvel = qvel
        self.actions = actions
        self.goal = goal
    }

    /// A seeded start, optionally overwritten with a state.
    public init(seed: UInt64, qpos: [Double]? = nil, qvel: [Double]? = nil, actions: [[Double]], goal: [Double]? = nil) {
        self.seed = seed
        self.qpos = qpos
        self.qvel = qvel
        self.actions = actions
        self.goal = goal
    }
}

/// Output of a replay: the initial observation first, then one entry per step taken.
/// JSON: `{"observations": [[...], ...], "rewards": [...], "terminated": [...], "truncated": [...]}`;
/// numbers are written in shortest round-trip form, so they read back to the identical double.
public struct ReplayOutput: Codable, Equatable, Sendable {
    public var observations: [[Double]]
    public var rewards: [Double]
    public var terminated: [Bool]
    public var truncated: [Bool]
    /// Present if the simulation became unstable; the replay stops at that step.
    public var unstable: String?
    /// AntMaze: the goal the rewards were scored against, m, world frame `[x, y]` (the input's
    /// `"goal"`, or the one the environment drew).
    public var goal: [Double]?

    public init(observations: [[Double]] = [], rewards: [Double] = [], terminated: [Bool] = [],
                truncated: [Bool] = [], unstable: String? = nil, goal: [Double]? = nil) {
        self.observations = observations
        self.rewards = rewards
        self.terminated = terminated
        self.truncated = truncated
        self.unstable = unstable
        self.goal = goal
    }
}

/// Problems with a replay input, each naming the field and what was expected.
public enum ReplayError: Error, CustomStringConvertible, Equatable {
    case wrongLength(field: String, expected: Int, got: Int)
    case notFinite(field: String)
    case goalNotSupported(task: String)
    case missingField(field: String, reason: String)

    public var description: String {
        switch self {
        case .wrongLength(let field, let expected, let got):
            return "\(field) must have \(expected) values, got \(got)"
        case .notFinite(let field):
            return "\(field) holds a NaN or infinite value"
        case .goalNotSupported(let task):
            return "\"goal\" is only meaningful for antmaze tasks, not \(task)"
        case .missingField(let field, let reason):
            return "\(field) is missing: \(reason)"
        }
    }
}

extension MuJoCoEnvironment {
    /// Starts as `input` says (seeded reset, state override, or both) and applies its actions
    /// until they run out or the episode ends (termination, time limit or instability), exactly
    /// as `step` does.
    public func replay(_ input: ReplayInput) throws -> ReplayOutput {
        try validate(input)
        if let goal = input.goal { try setGoal(goal) }
        var output = ReplayOutput()
        output.observations.append(try start(input))
        output.goal = goalPosition
        for action in input.actions {
            let result = try step(action)
            output.observations.append(result.observation)
            output.rewards.append(result.reward)
            output.terminated.append(result.terminated)
            output.truncated.append(result.truncated)
            if let instability = result.instability {
                output.unstable = instability.description
                break
            }
            if result.isDone { break }
        }
        return output
    }

    /// The first observation of `input`'s start (see `ReplayInput`).
    private func start(_ input: ReplayInput) throws -> [Double] {
        switch (input.seed, input.qpos, input.qvel) {
        case (let seed?, let qpos?, let qvel?): return try reset(seed: seed, overwritingWith: qpos, qvel: qvel)
        case (let seed?, nil, nil): return try reset(seed: seed)
        case (nil, let qpos?, let qvel?): return try reset(qpos: qpos, qvel: qvel)
        default: preconditionFailure("validate(_:) admits only the three documented starts")
        }
    }

    func validate(_ input: ReplayInput) throws {
        switch (input.qpos, input.qvel) {
        case (let qpos?, let qvel?):
            guard qpos.count == model.nq else { throw ReplayError.wrongLength(field: "qpos", expected: model.nq, got: qpos.count) }
            guard qvel.count == model.nv else { throw ReplayError.wrongLength(field: "qvel", expected: model.nv, got: qvel.count) }
            guard qpos.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qpos") }
            guard qvel.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qvel") }
        case (nil, nil):
            guard input.seed != nil else {
                throw ReplayError.missingField(field: "seed", reason: "give \"seed\", or \"qpos\" and \"qvel\", or all three")
            }
        case (nil, _?):
            throw ReplayError.missingField(field: "qpos", reason: "\"qvel\" is given, and a state needs both")
        case (_?, nil):
            throw ReplayError.missingField(field: "qvel", reason: "\"qpos\" is given, and a state needs both")
        }
        for (i, action) in input.actions.enumerated() where action.count != actionSize {
            throw ReplayError.wrongLength(field: "actions[\(i)]", expected: actionSize, got: action.count)
        }
        if let goal = input.goal {
            guard goal.count == 2 else { throw ReplayError.wrongLength(field: "goal", expected: 2, got: goal.count) }
            guard goal.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "goal") }
        }
    }
}
