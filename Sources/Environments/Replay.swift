import Foundation

/// Input of a replay: how the episode starts and the actions to apply (`edp-eval replay --input`).
/// JSON: `{"seed": s?, "qpos": [...]?, "qvel": [...]?, "actions": [[...], ...], "goal": [x, y]?,
/// "action_dtype": "float32" | "float64"?}`.
///
/// `action_dtype` (default float64) is the dtype the recorded actions reached `env.step` in: with
/// float32, each number is read as a double and rounded to the nearest float32 (what
/// `np.asarray(actions, dtype=np.float32)` makes of the JSON list), and the step maps, clips and
/// charges the control cost in float32 (docs/environments.md §1.3).
///
/// The start: with `seed` only, a seeded reset (`reset(seed:)`: every draw a reset makes, e.g.
/// reset noise, goals, observation noise); with `seed`, `qpos` and `qvel`, that seeded reset and
/// then the state written, `mj_forward`, and the first observation taken afresh
/// (`reset(seed:overwritingWith:qvel:)`); with `qpos` and `qvel` only, `mj_resetData` and the
/// state written (`reset(qpos:qvel:)`, no draws).
public struct ReplayInput: Codable, Equatable, Sendable {
    /// Seeds the environment's generator and makes a full reset first.
    public var seed: UInt64?
    public var qpos: [Double]?
    public var qvel: [Double]?
    public var actions: [[Double]]
    /// Goal-reaching tasks only: fixes the goal (m, world frame) instead of sampling it.
    public var goal: [Double]?
    /// The actions' dtype as given (`"action_dtype"`); nil means float64.
    public var actionDTypeField: ActionDType?

    /// The dtype the actions are stepped in (`action_dtype`, default float64).
    public var actionDType: ActionDType { actionDTypeField ?? .float64 }

    enum CodingKeys: String, CodingKey {
        case seed, qpos, qvel, actions, goal
        case actionDTypeField = "action_dtype"
    }

    public init(seed: UInt64? = nil, qpos: [Double]?, qvel: [Double]?, actions: [[Double]], goal: [Double]? = nil,
                actionDType: ActionDType? = nil) {
        self.seed = seed
        self.qpos = qpos
        self.qvel = qvel
        self.actions = actions
        self.goal = goal
        self.actionDTypeField = actionDType
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
    /// Neither a seed nor a complete start state, or only one of qpos and qvel.
    case missingStart(field: String)

    public var description: String {
        switch self {
        case .wrongLength(let field, let expected, let got):
            return "\(field) must have \(expected) values, got \(got)"
        case .notFinite(let field):
            return "\(field) holds a NaN or infinite value"
        case .goalNotSupported(let task):
            return "\"goal\" is only meaningful for goal-reaching tasks, not \(task)"
        case .missingStart(let field):
            return "missing field \"\(field)\": give \"seed\", or \"qpos\" and \"qvel\", or all three"
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
        output.observations.append(try start(input))
        output.goal = goalPosition
        for action in input.actions {
            let result = try step(action, dtype: input.actionDType)
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

    /// Resets as the input says (see `ReplayInput`) and returns the first observation.
    private func start(_ input: ReplayInput) throws -> [Double] {
        switch (input.seed, input.qpos, input.qvel) {
        case (let seed?, let qpos?, let qvel?): return try reset(seed: seed, overwritingWith: qpos, qvel: qvel)
        case (let seed?, _, _): return try reset(seed: seed)
        case (nil, let qpos?, let qvel?): return try reset(qpos: qpos, qvel: qvel)
        default: throw ReplayError.missingStart(field: input.qpos == nil ? "qpos" : "qvel")
        }
    }

    func validate(_ input: ReplayInput) throws {
        if input.seed == nil || input.qpos != nil || input.qvel != nil {
            guard let qpos = input.qpos else { throw ReplayError.missingStart(field: "qpos") }
            guard let qvel = input.qvel else { throw ReplayError.missingStart(field: "qvel") }
            guard qpos.count == model.nq else { throw ReplayError.wrongLength(field: "qpos", expected: model.nq, got: qpos.count) }
            guard qvel.count == model.nv else { throw ReplayError.wrongLength(field: "qvel", expected: model.nv, got: qvel.count) }
            guard qpos.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qpos") }
            guard qvel.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qvel") }
        }
        for (i, action) in input.actions.enumerated() where action.count != actionSize {
            throw ReplayError.wrongLength(field: "actions[\(i)]", expected: actionSize, got: action.count)
        }
        if let goal = input.goal { _ = try PlanarGoal.validated(goal) }
    }
}
