import Foundation
import MuJoCo
import Randomness

/// One D4RL environment: the final step/reset loop around a `Robot`. It owns the model, the
/// simulation state, D4RL's action clipping, the time limit, the seeded generator and the goal
/// success of goal-reaching tasks; the robot adds its observation, reward/termination, reset and
/// substeps (the shape of Gymnasium's `MujocoEnv`; docs/environments.md §2).
///
/// Use: `reset(seed:)` once, then `step(_:)` until `isDone`, then `reset()` (the generator stream
/// continues across episodes, as in Gymnasium). Not thread-safe: one instance per thread.
public final class MuJoCoEnvironment {
    /// The task this environment implements (id, time limit, reference scores).
    public let task: TaskSpec
    /// The compiled model.
    public let model: MjModel
    /// The simulation state.
    public let data: MjData
    /// The robot this loop drives.
    public let robot: any Robot
    /// The robot's descriptor (its type, registered in `RobotCatalog`).
    public let descriptor: any RobotDescriptor.Type
    /// MuJoCo steps per environment step (hopper/walker 4, halfcheetah 5, ant 5).
    public let frameSkip: Int
    /// Seconds per environment step: `model.timestep × frameSkip` (docs/environments.md §2.1).
    public let dt: Double
    /// Steps taken since the last reset.
    public private(set) var elapsedSteps = 0
    /// Sum of the rewards since the last reset (for displays such as the video overlay).
    public private(set) var episodeReturn = 0.0
    /// Goal-reaching tasks: steps from the last reset to the first step whose evaluation reported
    /// success (`StepInfo.success`), or nil while the goal has not been reached. The one record
    /// of goal success (reports read it).
    public private(set) var successStep: Int?
    /// The generator all reset noise is drawn from (NumPy PCG64-compatible).
    public var random: NumPyRandom
    /// `qpos` and `qvel` right after `mj_resetData` (gym's `init_qpos`, `init_qvel`).
    public let initialQpos: [Double]
    public let initialQvel: [Double]

    /// The dtype of the action the current (or last) `step` applies: the default action mapping
    /// and `forwardReward`'s control cost compute in it (docs/environments.md §1.3).
    public private(set) var actionDType: ActionDType = .float64

    private let substeps: Substeps
    private var control: [Double]
    /// Per actuator: gym's action-space bounds, `actuator_ctrlrange` as float32 (gym 0.23.1
    /// `MujocoEnv._set_action_space`), which D4RL's `NormalizedBoxEnv` maps onto and clips to.
    private let controlLow: [Float]
    private let controlHigh: [Float]
    private var hasBeenReset = false

    /// An environment running `robot` on `model` (a descriptor's `makeEnvironment` builds it).
    public init<R: Robot & RobotDescriptor>(task: TaskSpec, model: MjModel, robot: R, seed: UInt64 = 0) throws {
        self.task = task
        self.model = model
        self.data = try MjData(model: model)
        self.robot = robot
        self.descriptor = R.self
        self.substeps = robot.substeps
        self.frameSkip = robot.substeps.count
        self.dt = model.timestep * Double(robot.substeps.count)
        self.random = NumPyRandom(seed: seed)
        self.initialQpos = data.qpos
        self.initialQvel = data.qvel
        self.control = [Double](repeating: 0, count: model.nu)
        let ranges = model.actuatorControlRange
        self.controlLow = ranges.map { Float($0.lowerBound) }
        self.controlHigh = ranges.map { Float($0.upperBound) }
    }

    /// The robot as its own type, or nil if it is another robot.
    public func robot<R: Robot>(as type: R.Type) -> R? { robot as? R }

    // MARK: What the robot says

    /// Length of the observation vector.
    public var observationSize: Int { robot.observationSize }
    /// Number of action components (= actuators).
    public var actionSize: Int { model.nu }
    /// The observation for the current state (draws what the robot's observation draws).
    public func observation() -> [Double] {
        var observation = [Double](repeating: 0, count: robot.observationSize)
        observation.withUnsafeMutableBufferPointer { robot.observe(self, into: $0) }
        return observation
    }
    /// See `Robot.prepareEpisode`.
    public func prepareEpisode(_ episode: Int, instanceSeed: UInt64) { robot.prepareEpisode(episode, instanceSeed: instanceSeed) }
    /// The current goal, m, world frame `[x, y]`, for goal-reaching tasks; nil for the others.
    public var goalPosition: [Double]? { robot.goalReaching?.goalPosition }
    /// Fixes the goal (m, world frame) for goal-reaching tasks; the others reject it.
    public func setGoal(_ goal: [Double]) throws {
        guard let reaching = robot.goalReaching else { throw ReplayError.goalNotSupported(task: task.id) }
        reaching.fixGoal(try PlanarGoal.validated(goal))
    }
    /// Whether the goal has been reached in the current episode.
    public var reachedGoal: Bool { successStep != nil }
    /// Time to goal in seconds (`successStep × dt`), or nil if not reached.
    public var timeToGoal: Double? { successStep.map { Double($0) * dt } }
    /// The goal to draw into videos, or nil.
    public var goalMarker: GoalMarker? { robot.goalMarker }
    /// Extra lines for a video's overlay.
    public var overlayLines: [String] { robot.overlayLines }
    /// Per-episode numbers for the report row (`metrics`).
    public var episodeMetrics: [String: Double] { robot.episodeMetrics }

    // MARK: Action mapping

    /// The task's registered action mapping: D4RL's `NormalizedBoxEnv` (`normalizedBoxAction`), or
    /// gym's raw action written to `ctrl` as is (MuJoCo clamps it to a ctrllimited actuator's
    /// range; docs/environments.md §1.2). Writes the controls; returns them.
    public func applyRegisteredMapping(_ action: [Double]) -> [Double] {
        switch task.actionMapping {
        case .raw:
            for i in 0..<control.count { control[i] = action[i] }
        case .normalizedBox:
            for i in 0..<control.count { control[i] = normalizedBoxAction(action[i], actuator: i, dtype: actionDType) }
        }
        control.withUnsafeBufferPointer { data.setControl($0) }
        return control
    }

    /// D4RL's `NormalizedBoxEnv.step` for one component (d4rl/utils/wrappers.py and
    /// d4rl/locomotion/wrappers.py, D4RL 1.1): `clip(lb + (a + 1.) * 0.5 * (ub - lb), lb, ub)` with
    /// gym's float32 bounds, evaluated as NumPy 1.x does for the action's dtype: all in float32
    /// for a float32 action; for a float64 action `ub − lb` in float32 (two float32 arrays), the
    /// rest in float64 (docs/environments.md §1.3). `a` must be representable in `dtype`.
    public func normalizedBoxAction(_ a: Double, actuator i: Int, dtype: ActionDType) -> Double {
        let lb = controlLow[i], ub = controlHigh[i]
        switch dtype {
        case .float32:
            let mapped = lb + (Float(a) + 1) * 0.5 * (ub - lb)
            return Double(min(max(mapped, lb), ub))
        case .float64:
            let low = Double(lb), high = Double(ub)
            let mapped = low + (a + 1) * 0.5 * Double(ub - lb)
            return min(max(mapped, low), high)
        }
    }

    // MARK: Gymnasium-style API

    /// Starts a new episode. With a seed, the generator is re-seeded first (Gymnasium
    /// `reset(seed=)`); without, its stream continues.
    /// - Returns: the first observation.
    @discardableResult
    public func reset(seed: UInt64? = nil) throws -> [Double] {
        var observation = [Double](repeating: 0, count: robot.observationSize)
        try observation.withUnsafeMutableBufferPointer { try reset(seed: seed, observationInto: $0) }
        return observation
    }

    /// `reset(seed:)` writing the first observation into `row` (length `observationSize`).
    public func reset(seed: UInt64?, observationInto row: UnsafeMutableBufferPointer<Double>) throws {
        if let seed { random = NumPyRandom(seed: seed) }
        robot.willReset(self)
        try robot.resetSimulation(self)
        beginEpisode()
        robot.observe(self, into: row)
    }

    /// A seeded reset (every draw it makes, including the first observation's), then the state
    /// overwritten with `qpos`/`qvel`, `mj_forward`, and a fresh observation of that state
    /// (replaying a recorded episode whose reset draws matter, e.g. goals or observation noise).
    /// - Returns: the observation of the written state.
    @discardableResult
    public func reset(seed: UInt64, overwritingWith qpos: [Double], qvel: [Double]) throws -> [Double] {
        try reset(seed: seed)
        try writeState(qpos: qpos, qvel: qvel)
        return observation()
    }

    /// Starts a new episode from a given state instead of reset noise (replaying recorded
    /// trajectories): `mj_resetData`, write qpos/qvel, `mj_forward` (gym's `set_state`).
    /// - Returns: the first observation.
    @discardableResult
    public func reset(qpos: [Double], qvel: [Double]) throws -> [Double] {
        robot.willReset(self)
        try PhysicsReset.mujoco(data)
        try writeState(qpos: qpos, qvel: qvel)
        beginEpisode()
        return observation()
    }

    /// Writes qpos and qvel and runs `mj_forward` (gym's `set_state`).
    public func writeState(qpos: [Double], qvel: [Double]) throws {
        data.qpos = qpos
        data.qvel = qvel
        try data.forward()
    }

    private func beginEpisode() {
        elapsedSteps = 0
        episodeReturn = 0
        successStep = nil
        hasBeenReset = true
    }

    /// Applies `action` (length `actionSize`, nominally in [−1, 1]) for one environment step.
    /// - Returns: the step's result, its observation included.
    public func step(_ action: [Double], dtype: ActionDType = .float64) throws -> StepResult {
        var observation = [Double](repeating: 0, count: robot.observationSize)
        let outcome = try observation.withUnsafeMutableBufferPointer { try step(action, dtype: dtype, observationInto: $0) }
        return StepResult(observation: observation, outcome: outcome)
    }

    /// Applies `action` for one environment step, writing the new observation into `row` (length
    /// `observationSize`, e.g. the caller's batch row).
    ///
    /// The action arrives in `dtype` (the policy's native NumPy dtype; docs/environments.md §1.3):
    /// with `.float32` each value is first rounded to the nearest float32 (exact for values a
    /// float32 policy produced). The robot's `applyAction` maps it to controls (default: D4RL's
    /// `NormalizedBoxEnv` in that dtype), its `substeps` advance the simulation, then it observes
    /// and evaluates reward and termination on the new state (in its `stepOrder`). A NaN in the
    /// action ends the episode as unstable without stepping.
    /// - Throws: `MuJoCoError.engine` if MuJoCo raised an error (the episode cannot continue).
    public func step(_ action: [Double], dtype: ActionDType = .float64,
                     observationInto row: UnsafeMutableBufferPointer<Double>) throws -> StepOutcome {
        precondition(action.count == model.nu, "\(task.id) takes \(model.nu) action values, got \(action.count)")
        precondition(hasBeenReset, "call reset() before step()")
        actionDType = dtype
        let action = dtype == .float64 ? action : action.map(dtype.represent)
        if let bad = action.firstIndex(where: \.isNaN) {
            elapsedSteps += 1
            robot.observe(self, into: row)
            return StepOutcome(reward: 0, terminated: false, truncated: false,
                               instability: MjInstability(kind: .nonFiniteAction, index: bad, time: data.time), info: StepInfo())
        }
        let applied = robot.applyAction(self, action)
        let xBefore = data.qpos(0)
        try substeps.run(data)
        elapsedSteps += 1
        if let instability = data.instability {
            robot.observe(self, into: row)
            return StepOutcome(reward: 0, terminated: false, truncated: false, instability: instability, info: StepInfo())
        }
        let evaluation: StepEvaluation
        switch robot.stepOrder {
        case .rewardFirst:
            evaluation = robot.evaluateStep(self, xBefore: xBefore, appliedAction: applied, observation: UnsafeBufferPointer(start: nil, count: 0))
            robot.observe(self, into: row)
        case .observationFirst:
            robot.observe(self, into: row)
            evaluation = robot.evaluateStep(self, xBefore: xBefore, appliedAction: applied, observation: UnsafeBufferPointer(row))
        }
        if evaluation.info.success && successStep == nil { successStep = elapsedSteps }
        episodeReturn += evaluation.reward
        let truncated = !evaluation.terminated && elapsedSteps >= task.maxEpisodeSteps
        return StepOutcome(reward: evaluation.reward, terminated: evaluation.terminated, truncated: truncated,
                           instability: nil, info: evaluation.info)
    }
}
