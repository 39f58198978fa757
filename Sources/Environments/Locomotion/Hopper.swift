import Foundation
import MuJoCo

/// D4RL's hopper (gym `hopper.py` "v2" class = Gymnasium `Hopper-v4`; docs/environments.md §3).
///
/// - Model: `assets/models/hopper.xml`, RK4, timestep 0.002 s, frame skip 4 → dt 0.008 s.
/// - Observation (11 = nq − 1 + nv): qpos[1…5] (z, torso angle, thigh, leg, foot), clip(qvel[0…5], −10, 10).
/// - Reward: Δx/dt + 1 − 10⁻³ Σa² (the +1 also on the terminating step).
/// - Terminated when not healthy: all of qpos[2…] and qvel inside (−100, 100), z > 0.7,
///   |angle| < 0.2, all strict (a NaN fails them).
/// - Reset: qpos0 + U[−0.005, 0.005)⁶, then qvel U[−0.005, 0.005)⁶.
public final class HopperEnvironment: MuJoCoEnvironment {
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
        return (reward, !isHealthy, info)
    }

    /// Gymnasium Hopper-v4 `is_healthy` (strict comparisons; NaN is unhealthy).
    var isHealthy: Bool {
        let z = data.qpos(1), angle = data.qpos(2)
        for i in 2..<model.nq where !(-100 < data.qpos(i) && data.qpos(i) < 100) { return false }
        for i in 0..<model.nv where !(-100 < data.qvel(i) && data.qvel(i) < 100) { return false }
        return 0.7 < z && z < .infinity && -0.2 < angle && angle < 0.2
    }
}

extension HopperEnvironment: RobotDescriptor {
    public static let robot = "hopper"
    /// The MJCF file in `assets/models/` (PROVENANCE.md).
    static let modelFile = "hopper.xml"

    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] { [ProjectResources.model(modelFile)] }

    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel { try bundledModel(modelFile, physics: physics) }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        try HopperEnvironment(task: task, model: model(for: task, physics: physics), frameSkip: frameSkip, seed: seed)
    }

    /// Torso-tracking side view: the robot moves along +x, so the camera sits on −y (azimuth 90°)
    /// looking slightly down; 4 m frames the hopper (≈1.3 m tall) with room to see the stride.
    public static let defaultCamera = CameraView.tracking(body: "torso", distance: 4.0, azimuth: 90, elevation: -10)
}
