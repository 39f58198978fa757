import Foundation
import MuJoCo

/// D4RL's Franka kitchen (`kitchen-{complete,partial,mixed}-v0`): `adept_envs` `KitchenV0` with
/// `kitchen_envs.py`'s `KitchenBase` on top, stepped through dm_control 1.0.14 as D4RL does, with
/// D4RL's semantics bit for bit on MuJoCo 2.3.7 (docs/environments.md §12).
///
/// - Model: D4RL 1.1's `franka_kitchen_jntpos_act_ab.xml` (installed by `Scripts/bootstrap`), nq 30,
///   nv 29, 9 position actuators; timestep 0.002 s, 40 substeps per step → 0.08 s.
/// - Action (9, nominally [−1, 1]): clipped to [−1, 1], read as a joint velocity 2·a (rad/s; m/s for
///   the fingers), clipped to ±10, and turned into a position target from the robot positions of the
///   LAST NOISY OBSERVATION: `target = observed + velocity · 0.08 s`, clipped to the calibration's
///   joint bounds; the targets are the actuators' controls.
/// - Substep: dm_control's legacy step, `mj_step2` then `mj_step1`.
/// - Observation (60): 9 robot joint positions + 21 object joint positions, each with uniform noise,
///   then the 30-value goal. Every observation draws 60 uniform numbers from `random` in D4RL's order
///   (robot positions, robot velocities, object positions, object velocities) even though the
///   velocities are not returned, and becomes the "last noisy observation".
/// - Reward: the number of task elements still to do whose noisy observed values are now within 0.3
///   (Euclidean) of their goal; those elements are removed. Terminated when none remain. The time
///   limit (280 in D4RL's registration) truncates.
/// - Reset: dm_control's sequence (reset, forward without actuation, forward), then D4RL's robot
///   reset (the same reset, the start state written, forward), five observations into the robot's
///   cache, a forward, and the first observation: 6 × 60 draws.
public final class KitchenEnvironment {
    /// The compiled model (shared, read-only).
    public let model: MjModel
    /// The simulation state.
    public let data: MjData
    /// The task's elements in D4RL's order (`TASK_ELEMENTS`).
    public let elements: [KitchenTaskElement]
    /// Steps after which the episode is truncated (D4RL registers 280).
    public let maxEpisodeSteps: Int
    /// The observation noise generator (NumPy PCG64-compatible; gym 0.23.1's `env.seed`).
    public var random: NumPyRandom
    /// Elements not yet completed in this episode, in D4RL's order.
    public private(set) var remainingElements: [KitchenTaskElement]
    /// Steps taken since the last reset.
    public private(set) var elapsedSteps = 0
    /// Sum of the rewards since the last reset.
    public private(set) var episodeReturn = 0.0
    /// The robot positions of the last observation, noise included (the robot's observation cache).
    public private(set) var lastObservedRobotPositions: [Double]
    /// The goal part of the observation (30 values: the elements' goals at their indices, else 0).
    public let goal: [Double]
    /// Seconds per environment step (`timestep × 40`).
    public let dt: Double

    private var control: [Double]
    private var hasBeenReset = false

    /// Observation length: 9 + 21 + 30.
    public static let observationSize = 60
    public var observationSize: Int { Self.observationSize }
    /// Action length: the 9 robot joints.
    public var actionSize: Int { FrankaKitchenRobot.robotJoints }

    /// - Parameters:
    ///   - model: D4RL's kitchen model (`KitchenEnvironment.loadModel()`).
    ///   - elements: the task's elements (`KitchenTaskElement`), in D4RL's order.
    ///   - seed: seeds `random` (gym's `env.seed(seed)`).
    public init(model: MjModel, elements: [KitchenTaskElement], maxEpisodeSteps: Int = 280, seed: UInt64 = 0) throws {
        let robot = FrankaKitchenRobot.robotJoints
        guard model.nq == 30, model.nv == 29, model.nu == robot else {
            throw KitchenError.unexpectedModel(source: model.source, nq: model.nq, nv: model.nv, nu: model.nu)
        }
        self.model = model
        self.data = try MjData(model: model)
        self.elements = elements
        self.maxEpisodeSteps = maxEpisodeSteps
        self.random = NumPyRandom(seed: seed)
        self.remainingElements = elements
        self.lastObservedRobotPositions = [Double](repeating: 0, count: robot)
        self.control = [Double](repeating: 0, count: robot)
        self.dt = Double(FrankaKitchenRobot.frameSkip) * model.timestep
        var goal = [Double](repeating: 0, count: 30)
        for element in elements {
            for (index, value) in zip(element.stateIndices, element.goal) { goal[index] = value }
        }
        self.goal = goal
    }

    /// Loads D4RL's kitchen model from the installed asset tree (`ProjectResources.d4rlAsset`).
    public static func loadModel() throws -> MjModel {
        try MjModel(contentsOf: ProjectResources.d4rlAsset(FrankaKitchenRobot.modelPath))
    }

    /// Number of task elements completed in this episode.
    public var completedCount: Int { elements.count - remainingElements.count }

    // MARK: Reset

    /// Starts a new episode (gym's `env.reset()`, after `env.seed(seed)` when a seed is given).
    /// - Returns: the first observation.
    @discardableResult
    public func reset(seed: UInt64? = nil) throws -> [Double] {
        if let seed { random = NumPyRandom(seed: seed) }
        try physicsReset()          // MujocoEnv._reset: sim.reset()
        try data.forward()          //                   sim.forward()
        remainingElements = elements
        try physicsReset()          // Robot.reset: sim.reset(), the start state, sim.forward()
        data.qpos = FrankaKitchenRobot.initialQpos
        data.qvel = [Double](repeating: 0, count: model.nv)
        try data.forward()
        for _ in 0..<FrankaKitchenRobot.observationCacheSize { _ = observe() }
        try data.forward()          // KitchenV0.reset_model: sim.forward(), then _get_obs()
        elapsedSteps = 0
        episodeReturn = 0
        hasBeenReset = true
        return observe()
    }

    /// Overwrites the state right after a reset and observes it afresh (a replay's `"qpos"`,
    /// `"qvel"`): qpos and qvel written, `mj_forward`, one observation (which draws noise and
    /// becomes the last observation).
    @discardableResult
    public func overrideState(qpos: [Double], qvel: [Double]) throws -> [Double] {
        guard qpos.count == model.nq else { throw ReplayError.wrongLength(field: "qpos", expected: model.nq, got: qpos.count) }
        guard qvel.count == model.nv else { throw ReplayError.wrongLength(field: "qvel", expected: model.nv, got: qvel.count) }
        guard qpos.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qpos") }
        guard qvel.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "qvel") }
        data.qpos = qpos
        data.qvel = qvel
        try data.forward()
        return observe()
    }

    /// dm_control's `Physics.reset()`: `mj_resetData`, then `mj_forward` with actuation disabled.
    private func physicsReset() throws {
        try data.reset()
        try data.forward(disabling: .actuation)
    }

    // MARK: Step

    /// Applies `action` (9 values) for one environment step (0.08 s).
    public func step(_ action: [Double]) throws -> StepResult {
        precondition(action.count == actionSize, "the kitchen takes \(actionSize) action values, got \(action.count)")
        precondition(hasBeenReset, "call reset() before step()")
        elapsedSteps += 1
        if let bad = action.firstIndex(where: { !$0.isFinite }) {
            return StepResult(observation: observe(), reward: 0, terminated: false, truncated: false,
                              instability: MjInstability(kind: .nonFiniteAction, index: bad, time: data.time),
                              info: StepInfo())
        }
        setPositionTargets(action)
        control.withUnsafeBufferPointer { data.setControl($0) }
        try data.legacyStep(count: FrankaKitchenRobot.frameSkip)
        let observation = observe()
        if let instability = data.instability {
            return StepResult(observation: observation, reward: 0, terminated: false, truncated: false,
                              instability: instability, info: StepInfo())
        }
        let reward = Double(completeElements(observation: observation))
        episodeReturn += reward
        let terminated = remainingElements.isEmpty
        let truncated = !terminated && elapsedSteps >= maxEpisodeSteps
        return StepResult(observation: observation, reward: reward, terminated: terminated,
                          truncated: truncated, instability: nil, info: StepInfo())
    }

    /// `KitchenV0.step` + `Robot_VelAct.ctrl_velocity_limits` + `ctrl_position_limits`, into `control`.
    private func setPositionTargets(_ action: [Double]) {
        let duration = dt
        for i in 0..<control.count {
            let a = min(max(action[i], -1), 1)
            var velocity = 0 + a * FrankaKitchenRobot.actionAmplitude
            velocity = min(max(velocity, -FrankaKitchenRobot.velocityLimit), FrankaKitchenRobot.velocityLimit)
            let target = lastObservedRobotPositions[i] + velocity * duration
            control[i] = min(max(target, FrankaKitchenRobot.positionLow[i]), FrankaKitchenRobot.positionHigh[i])
        }
    }

    // MARK: Observation and reward

    /// One noisy observation (`Robot.get_obs` with `robot_noise_ratio` 0.1, then `KitchenV0._get_obs`):
    /// draws 9 + 9 + 21 + 21 uniform numbers and updates `lastObservedRobotPositions`.
    public func observe() -> [Double] {
        let robot = FrankaKitchenRobot.robotJoints, objects = FrankaKitchenRobot.objectJoints
        let firstObjectQpos = model.nq - objects
        let ratio = FrankaKitchenRobot.noiseRatio
        let positionAmplitude = FrankaKitchenRobot.positionNoiseAmplitude
        var observation = [Double](repeating: 0, count: Self.observationSize)
        for i in 0..<robot {
            observation[i] = data.qpos(i) + (ratio * positionAmplitude[i]) * random.uniform(-1, 1)
        }
        for _ in 0..<robot { _ = random.uniform(-1, 1) }   // robot velocity noise (velocities not returned)
        for j in 0..<objects {
            observation[robot + j] = data.qpos(firstObjectQpos + j)
                + (ratio * positionAmplitude[robot + j]) * random.uniform(-1, 1)
        }
        for _ in 0..<objects { _ = random.uniform(-1, 1) }   // object velocity noise
        for i in 0..<goal.count { observation[robot + objects + i] = goal[i] }
        lastObservedRobotPositions = Array(observation[0..<robot])
        return observation
    }

    /// `KitchenBase._get_reward_n_score`: removes and counts the remaining elements within the
    /// threshold on the noisy observation.
    private func completeElements(observation: [Double]) -> Int {
        let done = remainingElements.filter { element in
            var sum = 0.0
            for (index, target) in zip(element.stateIndices, element.goal) {
                let difference = observation[index] - target
                sum += difference * difference
            }
            return sum.squareRoot() < KitchenTaskElement.completionThreshold
        }
        remainingElements.removeAll { done.contains($0) }
        return done.count
    }
}

/// Errors building the kitchen environment.
public enum KitchenError: Error, CustomStringConvertible, Equatable {
    case unexpectedModel(source: String, nq: Int, nv: Int, nu: Int)

    public var description: String {
        switch self {
        case .unexpectedModel(let source, let nq, let nv, let nu):
            return "\(source) is not D4RL's kitchen model: expected nq 30, nv 29, nu 9, got nq \(nq), nv \(nv), nu \(nu)"
        }
    }
}
