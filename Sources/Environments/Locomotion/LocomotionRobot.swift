import Foundation
import MuJoCo

/// What gym's planar locomotion robots share (hopper, walker2d, halfcheetah; D4RL's `-v2` tasks
/// and gym's `-v3` ids of the same classes): one bundled MJCF file, `frameSkip` × `mj_step`,
/// gym's reset (`GymReset`) and the observation `qpos[1…]` + `qvel` (nq − 1 + nv values).
public protocol LocomotionRobot: GymReset, RobotDescriptor {
    /// The MJCF file in `assets/models/` (PROVENANCE.md).
    static var modelFile: String { get }
    /// MuJoCo steps per environment step.
    static var frameSkip: Int { get }
    /// |qvel| limit in the observation (gym's clip), or nil for none.
    static var observedVelocityLimit: Double? { get }
    /// Weight of the control cost Σa² in the reward (gym's `ctrl_cost_weight`).
    static var controlCostWeight: Double { get }
    /// Reward for every step the robot is healthy, the terminating step included (gym's
    /// `healthy_reward`; 0 for robots that never terminate).
    static var healthyReward: Double { get }
    /// A robot for `model`; its `observationSize` is the model's nq − 1 + nv (11 for the hopper,
    /// 17 for walker2d and halfcheetah).
    init(model: MjModel)
}

extension LocomotionRobot {
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] { [ProjectResources.model(modelFile)] }

    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel {
        try bundledModel(modelFile, physics: physics)
    }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        let model = try model(for: task, physics: physics)
        return try MuJoCoEnvironment(task: task, model: model, robot: Self(model: model), seed: seed)
    }

    public var substeps: Substeps { Substeps(Self.frameSkip) }

    /// Gym's reward Δx/dt + healthy reward − weight · Σa², and the robot's own termination rule.
    public func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                             observation: UnsafeBufferPointer<Double>) -> StepEvaluation {
        let (reward, info) = env.forwardReward(xBefore: xBefore, action: appliedAction,
                                               controlCostWeight: Self.controlCostWeight, healthyReward: Self.healthyReward)
        return StepEvaluation(reward: reward, terminated: isTerminal(env), info: info)
    }

    public func observe(_ env: MuJoCoEnvironment, into observation: UnsafeMutableBufferPointer<Double>) {
        env.writePositionsAndVelocities(velocityLimit: Self.observedVelocityLimit, into: observation)
    }
}
