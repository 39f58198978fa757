import MuJoCo

/// What makes one robot's environment its own, driven by the final step/reset loop of
/// `MuJoCoEnvironment` (which owns the model, `MjData`, the generator, the time limit and D4RL's
/// action clipping). Every member without a default below must be written by the robot: the
/// compiler checks a robot is complete (docs/environments.md §2).
///
/// One `step`: `applyAction` → `substeps` → (`stepOrder`) `evaluateStep` and `observe`. One reset:
/// `willReset` → `resetSimulation` → `observe`. Methods receive the environment they run in, for
/// its model, data, generator and step count; a robot instance belongs to one environment.
public protocol Robot: AnyObject, EpisodeFacts {
    /// Length of the observation vector.
    var observationSize: Int { get }
    /// How one environment step advances the simulation (e.g. 4 × `mj_step`).
    var substeps: Substeps { get }
    /// Writes the observation of the current state into `observation` (length `observationSize`).
    /// May draw from `env.random` (noisy observations): the loop calls it exactly once per step and
    /// once per reset.
    func observe(_ env: MuJoCoEnvironment, into observation: UnsafeMutableBufferPointer<Double>)
    /// The physics part of a reset, after `willReset` (e.g. `GymReset`'s `mj_resetData`, the drawn
    /// start state, `mj_forward`). The loop then observes.
    func resetSimulation(_ env: MuJoCoEnvironment) throws
    /// Reward and termination after the substeps. `xBefore` is qpos[0] before the step,
    /// `appliedAction` what `applyAction` returned, `observation` this step's observation when
    /// `stepOrder` is `.observationFirst` (empty otherwise).
    func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                      observation: UnsafeBufferPointer<Double>) -> StepEvaluation
    /// Whether the current state ends the episode by the task's own rule (the termination part of
    /// `evaluateStep`, also read by benchmarks that step the physics directly).
    func isTerminal(_ env: MuJoCoEnvironment) -> Bool

    /// Whether the step observes before or after evaluating. Default: reward first (Gymnasium).
    var stepOrder: StepOrder { get }
    /// Maps a checked action to controls, writes them into `env.data` and returns the applied
    /// action. Default: the task's registered mapping (`MuJoCoEnvironment.applyRegisteredMapping`).
    func applyAction(_ env: MuJoCoEnvironment, _ action: [Double]) -> [Double]
    /// Called at the start of every reset before the state is drawn. Default: nothing.
    func willReset(_ env: MuJoCoEnvironment)
    /// Makes the next reset behave, for state that persists across resets of one instance (AntMaze
    /// goals), as reset number `episode` (0-based) of an environment built with `instanceSeed`.
    /// Default: nothing persists.
    func prepareEpisode(_ episode: Int, instanceSeed: UInt64)
    /// The goal-reaching part of the task, or nil (default) for tasks without a goal.
    var goalReaching: GoalReaching? { get }
}

extension Robot {
    public var stepOrder: StepOrder { .rewardFirst }
    public func applyAction(_ env: MuJoCoEnvironment, _ action: [Double]) -> [Double] { env.applyRegisteredMapping(action) }
    public func willReset(_ env: MuJoCoEnvironment) {}
    public func prepareEpisode(_ episode: Int, instanceSeed: UInt64) {}
    public var goalReaching: GoalReaching? { nil }
}

/// What videos and reports show of an episode beyond return and length, apart from the physics.
public protocol EpisodeFacts {
    /// The goal to draw into videos, or nil (no marker). Default nil.
    var goalMarker: GoalMarker? { get }
    /// Extra lines for a video's overlay (e.g. "tasks done 2/4"). Default none.
    var overlayLines: [String] { get }
    /// Per-episode numbers written into the report row under `metrics` (snake_case keys, e.g.
    /// `"tasks_completed": 3`). Default none.
    var episodeMetrics: [String: Double] { get }
}

extension EpisodeFacts {
    public var goalMarker: GoalMarker? { nil }
    public var overlayLines: [String] { [] }
    public var episodeMetrics: [String: Double] { [:] }
}

/// A goal-reaching task's goal, owned by its robot: where it is and how it is fixed from outside.
public protocol GoalReaching: AnyObject {
    /// The current goal, m, world frame `[x, y]`.
    var goalPosition: [Double] { get }
    /// Fixes the goal (m, world frame) for this and later episodes (already validated by
    /// `PlanarGoal.validated`).
    func fixGoal(_ goal: SIMD2<Double>)
}

/// A planar goal as given from outside (`edp-eval replay`'s `"goal"`): the one validation.
public enum PlanarGoal {
    /// `goal` as a point, m, world frame.
    /// - Throws: `ReplayError.wrongLength` unless two values, `.notFinite` for a NaN or infinity.
    public static func validated(_ goal: [Double]) throws -> SIMD2<Double> {
        guard goal.count == 2 else { throw ReplayError.wrongLength(field: "goal", expected: 2, got: goal.count) }
        guard goal.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "goal") }
        return SIMD2(goal[0], goal[1])
    }
}

/// Reward, termination and info of one step, as a robot evaluates them.
public struct StepEvaluation {
    public var reward: Double
    public var terminated: Bool
    public var info: StepInfo

    public init(reward: Double, terminated: Bool, info: StepInfo = StepInfo()) {
        self.reward = reward
        self.terminated = terminated
        self.info = info
    }
}

/// The order of a step's observation and reward.
public enum StepOrder: Sendable {
    /// Reward and termination first, then the observation (Gymnasium's `MujocoEnv` robots).
    case rewardFirst
    /// The observation first, then a reward read from it (D4RL's kitchen).
    case observationFirst
}
