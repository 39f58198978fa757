import Foundation
import MuJoCo
import Randomness

/// The shared base of every D4RL environment: model, frame skip, D4RL's action clipping, state
/// setting, time limit and the seeded generator. Each robot subclass (which is also its
/// `RobotDescriptor`) adds its observation, reward/termination and reset noise, and may replace
/// the action mapping, the substeps of one step, the reset sequence and the step's finishing
/// order (the shape of Gymnasium's `MujocoEnv`; docs/environments.md §2).
///
/// One `step`: `applyAction` → `runSubsteps` → `finishStep` (default: `evaluateStep`, then
/// `observation()`), then the time limit. One `reset`: re-seed (if asked) → `willReset` →
/// `resetSimulation` (default: `mj_resetData`, `sampleInitialState`, write, `mj_forward`) →
/// `observation()`.
///
/// Use: `reset(seed:)` once, then `step(_:)` until `isDone`, then `reset()` (the generator stream
/// continues across episodes, as in Gymnasium). Not thread-safe: one instance per thread.
open class MuJoCoEnvironment {
    /// The task this environment implements (id, time limit, reference scores).
    public let task: TaskSpec
    /// The compiled model.
    public let model: MjModel
    /// The simulation state.
    public let data: MjData
    /// MuJoCo steps per environment step (hopper/walker 4, halfcheetah 5, ant 5).
    public let frameSkip: Int
    /// Seconds per environment step: `model.timestep × frameSkip` (docs/environments.md §2.1).
    public let dt: Double
    /// Steps taken since the last reset.
    public private(set) var elapsedSteps = 0
    /// Sum of the rewards since the last reset (for displays such as the video overlay).
    public private(set) var episodeReturn = 0.0
    /// The generator all reset noise is drawn from (NumPy PCG64-compatible).
    public var random: NumPyRandom
    /// `qpos` and `qvel` right after `mj_resetData` (gym's `init_qpos`, `init_qvel`).
    public let initialQpos: [Double]
    public let initialQvel: [Double]

    /// The dtype of the action the current (or last) `step` applies: the default action mapping
    /// and `forwardReward`'s control cost compute in it (docs/environments.md §1.3).
    public private(set) var actionDType: ActionDType = .float64

    private var control: [Double]
    /// Per actuator: gym's action-space bounds, `actuator_ctrlrange` as float32 (gym 0.23.1
    /// `MujocoEnv._set_action_space`), which D4RL's `NormalizedBoxEnv` maps onto and clips to.
    private let controlLow: [Float]
    private let controlHigh: [Float]
    private var hasBeenReset = false

    public init(task: TaskSpec, model: MjModel, frameSkip: Int, seed: UInt64 = 0) throws {
        self.task = task
        self.model = model
        self.data = try MjData(model: model)
        self.frameSkip = frameSkip
        self.dt = model.timestep * Double(frameSkip)
        self.random = NumPyRandom(seed: seed)
        self.initialQpos = data.qpos
        self.initialQvel = data.qvel
        self.control = [Double](repeating: 0, count: model.nu)
        let ranges = model.actuatorControlRange
        self.controlLow = ranges.map { Float($0.lowerBound) }
        self.controlHigh = ranges.map { Float($0.upperBound) }
    }

    // MARK: Robot-specific parts (override)

    /// Length of the observation vector.
    open var observationSize: Int { fatalError("\(Self.self) must override observationSize") }
    /// The observation for the current state. May draw from `random` (noisy observations): the
    /// base calls it exactly once per `step` (in `finishStep`) and once per `reset`.
    open func observation() -> [Double] { fatalError("\(Self.self) must override observation()") }
    /// Draws reset noise and returns the start state (qpos noise first, then qvel; docs/environments.md §2.2).
    open func sampleInitialState() -> (qpos: [Double], qvel: [Double]) {
        fatalError("\(Self.self) must override sampleInitialState()")
    }
    /// Reward and termination after a step. `xBefore` is qpos[0] before the step, `action` the
    /// clipped action actually applied.
    open func evaluateStep(xBefore: Double, action: [Double]) -> (reward: Double, terminated: Bool, info: StepInfo) {
        fatalError("\(Self.self) must override evaluateStep")
    }
    /// Called at the start of every `reset` before the state is drawn (AntMaze draws goals here).
    open func willReset() {}
    /// Makes the next `reset` behave, for state that persists across the resets of one instance
    /// (AntMaze goals), as reset number `episode` (0-based) of an environment built with
    /// `instanceSeed`. The evaluation engine calls it before every reset, so an episode's goal
    /// depends only on its (seed, episode), never on which environment ran it or what ran before.
    /// Default: nothing persists, nothing to do.
    open func prepareEpisode(_ episode: Int, instanceSeed: UInt64) {}
    /// The current goal, m, world frame `[x, y]`, for goal-reaching tasks; nil for the others.
    open var goalPosition: [Double]? { nil }
    /// Fixes the goal (m, world frame) for goal-reaching tasks; the others reject it.
    open func setGoal(_ goal: [Double]) throws {
        throw ReplayError.goalNotSupported(task: task.id)
    }
    /// The goal to draw into videos, or nil (no marker).
    open var goalMarker: GoalMarker? { nil }
    /// Extra lines for a video's overlay describing the current state of the episode (e.g.
    /// "tasks done 2/4"); default none.
    open var overlayLines: [String] { [] }
    /// Per-episode numbers beyond return and length, read when an episode ends and written into
    /// its report row under `metrics` (snake_case keys, e.g. `"tasks_completed": 3`); the task
    /// report summarizes each key over the episodes. Default: none.
    open var episodeMetrics: [String: Double] { [:] }

    /// Maps `action` (length `actionSize`, already checked for NaN, each value representable in
    /// `actionDType`) to controls, writes them into `data`, and returns the action as applied (what
    /// `evaluateStep` receives, e.g. for a control cost). Default, by the task's `actionMapping`:
    /// D4RL's `NormalizedBoxEnv` (`normalizedBoxAction`), or gym's raw action written to `ctrl`
    /// as is (MuJoCo clamps it to a ctrllimited actuator's range; docs/environments.md §1.2).
    open func applyAction(_ action: [Double]) -> [Double] {
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
    /// Advances the simulation by one environment step's substeps. Default: `frameSkip` × `mj_step`.
    open func runSubsteps() throws {
        try data.step(count: frameSkip)
    }
    /// Observation, reward and termination after the substeps. Default: `evaluateStep` first, then
    /// `observation()` (Gymnasium's order); robots whose reward reads the observation override it.
    open func finishStep(xBefore: Double, appliedAction: [Double])
        -> (observation: [Double], reward: Double, terminated: Bool, info: StepInfo) {
        let (reward, terminated, info) = evaluateStep(xBefore: xBefore, action: appliedAction)
        return (observation(), reward, terminated, info)
    }
    /// The physics part of a reset, after `willReset`: default `mj_resetData`, then
    /// `sampleInitialState()`, written into qpos/qvel, then `mj_forward` (gym's `reset_model` and
    /// `set_state`). The base then observes.
    open func resetSimulation() throws {
        try data.reset()
        let start = sampleInitialState()
        try writeState(qpos: start.qpos, qvel: start.qvel)
    }

    // MARK: Gymnasium-style API

    /// Number of action components (= actuators).
    public var actionSize: Int { model.nu }

    /// Starts a new episode. With a seed, the generator is re-seeded first (Gymnasium
    /// `reset(seed=)`); without, its stream continues.
    /// - Returns: the first observation.
    @discardableResult
    public func reset(seed: UInt64? = nil) throws -> [Double] {
        if let seed { random = NumPyRandom(seed: seed) }
        willReset()
        try resetSimulation()
        return beginEpisode()
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
        willReset()
        try data.reset()
        try writeState(qpos: qpos, qvel: qvel)
        return beginEpisode()
    }

    /// Writes qpos and qvel and runs `mj_forward` (gym's `set_state`).
    public func writeState(qpos: [Double], qvel: [Double]) throws {
        data.qpos = qpos
        data.qvel = qvel
        try data.forward()
    }

    private func beginEpisode() -> [Double] {
        elapsedSteps = 0
        episodeReturn = 0
        hasBeenReset = true
        return observation()
    }

    /// Applies `action` (length `actionSize`, nominally in [−1, 1]) for one environment step.
    ///
    /// The action arrives in `dtype` (the policy's native NumPy dtype; docs/environments.md §1.3):
    /// with `.float32` each value is first rounded to the nearest float32 (exact for values a
    /// float32 policy produced). `applyAction` maps it to controls (default: D4RL's
    /// `NormalizedBoxEnv` in that dtype), `runSubsteps` advances the simulation (default:
    /// `frameSkip` MuJoCo steps), then `finishStep` observes and evaluates reward and termination
    /// on the new state. A NaN in the action ends the episode as unstable without stepping.
    /// - Throws: `MuJoCoError.engine` if MuJoCo raised an error (the episode cannot continue).
    public func step(_ action: [Double], dtype: ActionDType = .float64) throws -> StepResult {
        precondition(action.count == model.nu, "\(task.id) takes \(model.nu) action values, got \(action.count)")
        precondition(hasBeenReset, "call reset() before step()")
        actionDType = dtype
        let action = dtype == .float64 ? action : action.map(dtype.represent)
        if let bad = action.firstIndex(where: \.isNaN) {
            elapsedSteps += 1
            return StepResult(observation: observation(), reward: 0, terminated: false, truncated: false,
                              instability: MjInstability(kind: .nonFiniteAction, index: bad, time: data.time),
                              info: StepInfo())
        }
        let applied = applyAction(action)
        let xBefore = data.qpos(0)
        try runSubsteps()
        elapsedSteps += 1
        if let instability = data.instability {
            return StepResult(observation: observation(), reward: 0, terminated: false, truncated: false,
                              instability: instability, info: StepInfo())
        }
        let (observation, reward, terminated, info) = finishStep(xBefore: xBefore, appliedAction: applied)
        episodeReturn += reward
        let truncated = !terminated && elapsedSteps >= task.maxEpisodeSteps
        return StepResult(observation: observation, reward: reward, terminated: terminated,
                          truncated: truncated, instability: nil, info: info)
    }

    // MARK: Helpers for subclasses

    /// `init + U[−scale, scale)` per component, in index order (NumPy `uniform(size=n)`).
    public func uniformNoise(around base: [Double], scale: Double) -> [Double] {
        base.map { $0 + random.uniform(-scale, scale) }
    }

    /// qpos noise U[−scale, scale) on every coordinate, then qvel noise likewise (hopper, walker2d:
    /// Gymnasium's `reset_model`, docs/environments.md §3.2, §4.2).
    public func uniformInitialState(scale: Double) -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: scale)
        let qvel = uniformNoise(around: initialQvel, scale: scale)
        return (qpos, qvel)
    }

    /// `qpos[1...]` followed by `qvel`, the latter clipped to ±`velocityLimit` if given (the
    /// locomotion robots' `_get_obs`: rootx excluded).
    public func positionsAndVelocities(velocityLimit: Double?) -> [Double] {
        let nq = model.nq, nv = model.nv
        var obs = [Double](repeating: 0, count: nq - 1 + nv)
        for i in 1..<nq { obs[i - 1] = data.qpos(i) }
        for i in 0..<nv {
            let v = data.qvel(i)
            obs[nq - 1 + i] = velocityLimit.map { min(max(v, -$0), $0) } ?? v
        }
        return obs
    }

    /// gym's locomotion reward: `(forward + healthy) − control cost` with forward =
    /// (x_after − x_before)/dt and control cost = weight · `np.square(a).sum()` on the applied
    /// action, the sum in the action's dtype and the product in float64 (NumPy 1.x promotes
    /// `float * np.float32` to float64; docs/environments.md §1.3).
    public func forwardReward(xBefore: Double, action: [Double], controlCostWeight: Double,
                              healthyReward: Double) -> (reward: Double, info: StepInfo) {
        var info = StepInfo()
        info.xPosition = data.qpos(0)
        info.xVelocity = (info.xPosition - xBefore) / dt
        info.forwardReward = 1.0 * info.xVelocity
        info.healthyReward = healthyReward
        info.controlCost = controlCostWeight * sumOfSquares(action)
        return ((info.forwardReward + info.healthyReward) - info.controlCost, info)
    }

    /// `np.square(a).sum()` of an applied action in `actionDType`, NumPy's summation order
    /// (`NumPyArithmetic.sumOfSquares`), returned as a double (a float32 sum widens exactly).
    public func sumOfSquares(_ action: [Double]) -> Double {
        switch actionDType {
        case .float32: return Double(NumPyArithmetic.sumOfSquares(action.map { Float($0) }))
        case .float64: return NumPyArithmetic.sumOfSquares(action)
        }
    }
}
