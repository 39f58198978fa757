import Foundation

/// Input of a replay: a start state and the actions to apply (`edp-eval replay --input`).
/// JSON: `{"qpos": [...], "qvel": [...], "actions": [[...], ...], "goal": [x, y]?}`.
public struct ReplayInput: Codable, Equatable, Sendable {
    public var qpos: [Double]
    public var qvel: [Double]
    public var actions: [[Double]]
    /// AntMaze only: fixes the goal (m, world frame) instead of sampling it.
    public var goal: [Double]?

    public init(qpos: [Double], qvel: [Double], actions: [[Double]], goal: [Double]? = nil) {
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

    public var description: String {
        switch self {
        case .wrongLength(let field, let expected, let got):
            return "\(field) must have \(expected) values, got \(got)"
        case .notFinite(let field):
            return "\(field) holds a NaN or infinite value"
        case .goalNotSupported(let task):
            return "\"goal\" is only meaningful for antmaze tasks, not \(task)"
        }
    }
}

extension MuJoCoEnvironment {
    /// Starts from `input`'s state and applies its actions until they run out or the episode
    /// ends (termination, time limit or instability), exactly as `step` does.
    public func replay(_ input: ReplayInput) throws -> ReplayOutput {
        try validate(input)
        if let goal = input.goal { try setGoal(goal) }
        var output = ReplayOutput()
        output.observations.append(try reset(qpos: input.qpos, qvel: input.qvel))
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

    func validate(_ input: ReplayInput) throws {
        guard input.qpos.count == model.nq else { throw ReplayError.wrongLength(field: "qpos", expected: model.nq, got: input.qpos.count) }
        guard input.qvel.count == model.nv else { throw ReplayError.wrongLength(field: "qvel", expected: model.nv, got: input.qvel.count) }
        guard input.qpos.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qpos") }
        guard input.qvel.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qvel") }
        for (i, action) in input.actions.enumerated() where action.count != actionSize {
            throw ReplayError.wrongLength(field: "actions[\(i)]", expected: actionSize, got: action.count)
        }
        if let goal = input.goal {
            guard goal.count == 2 else { throw ReplayError.wrongLength(field: "goal", expected: 2, got: goal.count) }
            guard goal.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "goal") }
        }
    }
}
