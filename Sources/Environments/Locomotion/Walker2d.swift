import MuJoCo

/// D4RL's walker2d (gym `walker2d.py` "v2" class = Gymnasium `Walker2d-v4`; docs/environments.md §4).
///
/// - Model: `assets/models/walker2d.xml` (right foot friction 0.9, left 1.9), RK4, timestep
///   0.002 s, frame skip 4 → dt 0.008 s.
/// - Observation (17 = nq − 1 + nv): qpos[1…8], clip(qvel[0…8], −10, 10).
/// - Reward: Δx/dt + 1 − 10⁻³ Σa² (the +1 also on the terminating step).
/// - Terminated unless 0.8 < z < 2.0 and −1 < angle < 1 (strict; NaN terminates).
/// - Reset: qpos0 + U[−0.005, 0.005)⁹, then qvel U[−0.005, 0.005)⁹.
public final class Walker2d: LocomotionRobot {
    public static let robot = "walker2d"
    public static let modelFile = "walker2d.xml"
    public static let controlCostWeight = 1e-3
    public static let healthyReward: Double = 1
    public static let frameSkip = 4
    public static let observedVelocityLimit: Double? = 10
    public static let environmentBenchmarkTask: String? = "walker2d-medium-v2"
    /// Torso-tracking side view: the robot moves along +x, so the camera sits on −y (azimuth 90°)
    /// looking slightly down; 4.5 m frames the walker (≈1.6 m tall) with room to see the stride.
    public static let defaultCamera = CameraView.tracking(body: "torso", distance: 4.5, azimuth: 90, elevation: -10)

    public let observationSize: Int
    public init(model: MjModel) { observationSize = model.nq - 1 + model.nv }

    public func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double]) {
        env.uniformInitialState(scale: 5e-3)
    }

    public func isTerminal(_ env: MuJoCoEnvironment) -> Bool {
        let z = env.data.qpos(1), angle = env.data.qpos(2)
        return !(0.8 < z && z < 2.0 && -1.0 < angle && angle < 1.0)
    }
}
