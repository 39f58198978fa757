import MuJoCo

/// D4RL's hopper (gym `hopper.py` "v2" class = Gymnasium `Hopper-v4`; docs/environments.md §3).
///
/// - Model: `assets/models/hopper.xml`, RK4, timestep 0.002 s, frame skip 4 → dt 0.008 s.
/// - Observation (11 = nq − 1 + nv): qpos[1…5] (z, torso angle, thigh, leg, foot), clip(qvel[0…5], −10, 10).
/// - Reward: Δx/dt + 1 − 10⁻³ Σa² (the +1 also on the terminating step).
/// - Terminated when not healthy: all of qpos[2…] and qvel inside (−100, 100), z > 0.7,
///   |angle| < 0.2, all strict (a NaN fails them).
/// - Reset: qpos0 + U[−0.005, 0.005)⁶, then qvel U[−0.005, 0.005)⁶.
public final class Hopper: LocomotionRobot {
    public static let robot = "hopper"
    public static let modelFile = "hopper.xml"
    public static let controlCostWeight = 1e-3
    public static let healthyReward: Double = 1
    public static let frameSkip = 4
    public static let observedVelocityLimit: Double? = 10
    public static let environmentBenchmarkTask: String? = "hopper-medium-v2"
    /// Torso-tracking side view: the robot moves along +x, so the camera sits on −y (azimuth 90°)
    /// looking slightly down; 4 m frames the hopper (≈1.3 m tall) with room to see the stride.
    public static let defaultCamera = CameraView.tracking(body: "torso", distance: 4.0, azimuth: 90, elevation: -10)

    public let observationSize: Int
    public init(model: MjModel) { observationSize = model.nq - 1 + model.nv }

    public func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double]) {
        env.uniformInitialState(scale: 5e-3)
    }

    /// Whether Gymnasium Hopper-v4's `is_healthy` fails (strict comparisons; NaN is unhealthy).
    public func isTerminal(_ env: MuJoCoEnvironment) -> Bool {
        let data = env.data, z = data.qpos(1), angle = data.qpos(2)
        for i in 2..<env.model.nq where !(-100 < data.qpos(i) && data.qpos(i) < 100) { return true }
        for i in 0..<env.model.nv where !(-100 < data.qvel(i) && data.qvel(i) < 100) { return true }
        return !(0.7 < z && z < .infinity && -0.2 < angle && angle < 0.2)
    }
}
