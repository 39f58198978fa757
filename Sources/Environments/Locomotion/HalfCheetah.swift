import Foundation
import MuJoCo

/// D4RL's halfcheetah (gym `half_cheetah.py` "v2" class = Gymnasium `HalfCheetah-v4`; docs/environments.md §5).
///
/// - Model: `assets/models/half_cheetah.xml`, Euler, timestep 0.01 s, frame skip 5 → dt 0.05 s.
/// - Observation (17 = nq − 1 + nv): qpos[1…8], qvel[0…8], no clipping.
/// - Reward: Δx/dt − 0.1 Σa². No alive bonus; never terminates (1000 steps, truncated).
/// - Reset: qpos0 + U[−0.1, 0.1)⁹, then qvel 0.1·N(0, 1)⁹.
public final class HalfCheetahEnvironment: MuJoCoEnvironment {
    static let frameSkip = 5
    static let controlCostWeight = 0.1
    static let resetNoiseScale = 0.1

    public override var observationSize: Int { model.nq - 1 + model.nv }

    public override func observation() -> [Double] { positionsAndVelocities(velocityLimit: nil) }

    public override func sampleInitialState() -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: Self.resetNoiseScale)
        let qvel = initialQvel.map { $0 + Self.resetNoiseScale * random.standardNormal() }
        return (qpos, qvel)
    }

    /// Gymnasium v4: `forward − ctrl_cost`, i.e. the shared form with no alive bonus (x + 0 = x exactly).
    public override func evaluateStep(xBefore: Double, action: [Double]) -> (reward: Double, terminated: Bool, info: StepInfo) {
        let (reward, info) = forwardReward(xBefore: xBefore, action: action, controlCostWeight: Self.controlCostWeight,
                                           healthyReward: 0)
        return (reward, false, info)
    }
}

extension HalfCheetahEnvironment: RobotDescriptor {
    public static let robot = "halfcheetah"
    /// The MJCF file in `assets/models/` (PROVENANCE.md).
    static let modelFile = "half_cheetah.xml"

    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] { [ProjectResources.model(modelFile)] }

    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel { try bundledModel(modelFile, physics: physics) }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        try HalfCheetahEnvironment(task: task, model: model(for: task, physics: physics), frameSkip: frameSkip, seed: seed)
    }

    /// Torso-tracking side view: the robot moves along +x, so the camera sits on −y (azimuth 90°)
    /// looking slightly down; 3.5 m frames the cheetah (≈1 m long) with room to see the stride.
    public static let defaultCamera = CameraView.tracking(body: "torso", distance: 3.5, azimuth: 90, elevation: -10)
}
