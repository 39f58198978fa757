import MuJoCo

/// What one `step` of an environment returns (Gymnasium's 5-tuple, plus instability): the
/// observation and the step's `StepOutcome`, whose fields read as the result's own
/// (`result.reward`, `result.isDone`).
@dynamicMemberLookup
public struct StepResult: Sendable {
    /// Observation after the step (length `observationSize`).
    public var observation: [Double]
    /// Reward, termination, truncation, instability and info of the step.
    public var outcome: StepOutcome

    /// The outcome of a step with the observation it wrote.
    public init(observation: [Double], outcome: StepOutcome) {
        self.observation = observation
        self.outcome = outcome
    }

    public subscript<T>(dynamicMember field: WritableKeyPath<StepOutcome, T>) -> T {
        get { outcome[keyPath: field] }
        set { outcome[keyPath: field] = newValue }
    }

    public subscript<T>(dynamicMember field: KeyPath<StepOutcome, T>) -> T { outcome[keyPath: field] }
}

/// What one `step(_:dtype:observationInto:)` returns: `StepResult` without the observation, which
/// the step wrote into the caller's row.
public struct StepOutcome: Sendable {
    /// Undiscounted reward of this step.
    public var reward: Double
    /// The task ended on its own terms (fell over, reached the goal).
    public var terminated: Bool
    /// The episode hit the time limit without terminating (gym `TimeLimit.truncated`).
    public var truncated: Bool
    /// Set when MuJoCo detected a numerical blow-up (or the action held a NaN); the episode
    /// cannot continue meaningfully and should be recorded as "unstable".
    public var instability: MjInstability?
    /// The reward's parts and a few state readings.
    public var info: StepInfo

    /// Whether the episode is over for any reason.
    public var isDone: Bool { terminated || truncated || instability != nil }
}

/// The reward broken into its parts, as Gymnasium's `info` dict reports them. Unused parts are 0.
public struct StepInfo: Sendable, Equatable {
    /// Torso/root x position after the step (m).
    public var xPosition: Double = 0
    /// Forward velocity (qpos[0]_after − qpos[0]_before) / dt (m/s).
    public var xVelocity: Double = 0
    /// Forward reward term (weight 1 × xVelocity).
    public var forwardReward: Double = 0
    /// Alive bonus (hopper, walker2d: 1 on every step, including the terminating one).
    public var healthyReward: Double = 0
    /// Control cost, computed on the clipped action (subtracted from the reward).
    public var controlCost: Double = 0
    /// Goal-reaching tasks (AntMaze, pen): distance to the goal (m).
    public var distanceToGoal: Double = 0
    /// Goal-reaching tasks: whether the goal was reached on this step (the environment records the
    /// first such step as `successStep`).
    public var success: Bool = false

    public init() {}
}
