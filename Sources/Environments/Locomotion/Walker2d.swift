import Foundation
import MuJoCo

/// D4RL's walker2d (gym `walker2d.py` "v2" class = Gymnasium `Walker2d-v4`; docs/environments.md §4).
///
/// - Model: `assets/models/walker2d.xml` (right foot friction 0.9, left 1.9), RK4, timestep
///   0.002 s, frame skip 4 → dt 0.008 s.
/// - Observation (17 = nq − 1 + nv): qpos[1…8], clip(qvel[0…8], −10, 10).
/// - Reward: Δx/dt + 1 − 10⁻³ Σa² (the +1 also on the terminating step).
/// - Terminated unless 0.8 < z < 2.0 and −1 < angle < 1 (strict; NaN terminates).
/// - Reset: qpos0 + U[−0.005, 0.005)⁹, then qvel U[−0.005, 0.005)⁹.
public final class Walker2dEnvironment: MuJoCoEnvironment {
    static let frameSkip = 4
    static let controlCostWeight = 1e-3
    static let healthyReward = 1.0
    static let resetNoiseScale = 5e-3

    public override var observationSize: Int { model.nq - 1 + model.nv }

    public override func observation() -> [Double] { positionsAndVelocities(velocityLimit: 10) }

    public override func sampleInitialState() -> (qpos: [Double], qvel: [Double]) {
        uniformInitialState(scale: Self.resetNoiseScale)
    }

    public override func evaluateStep(xBefore: Double, action: [Double]) -> (reward: Double, terminated: Bool, info: StepInfo) {
        let (reward, info) = forwardReward(xBefore: xBefore, action: action, controlCostWeight: Self.controlCostWeight,
                                           healthyReward: Self.healthyReward)
        let z = data.qpos(1), angle = data.qpos(2)
        let healthy = 0.8 < z && z < 2.0 && -1.0 < angle && angle < 1.0
        return (reward, !healthy, info)
    }
}

extension Walker2dEnvironment: RobotDescriptor {
    public static let robot = "walker2d"
    /// The MJCF file in `assets/models/` (PROVENANCE.md).
    static let modelFile = "walker2d.xml"

    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] { [ProjectResources.model(modelFile)] }

    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel { try bundledModel(modelFile, physics: physics) }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        try Walker2dEnvironment(task: task, model: model(for: task, physics: physics), frameSkip: frameSkip, seed: seed)
    }

    /// Torso-tracking side view: the robot moves along +x, so the camera sits on −y (azimuth 90°)
    /// looking slightly down; 4.5 m frames the walker (≈1.6 m tall) with room to see the stride.
    public static let defaultCamera = CameraView.tracking(body: "torso", distance: 4.5, azimuth: 90, elevation: -10)
}
