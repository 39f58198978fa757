import MuJoCo

/// D4RL's halfcheetah (gym `half_cheetah.py` "v2" class = Gymnasium `HalfCheetah-v4`; docs/environments.md §5).
///
/// - Model: `assets/models/half_cheetah.xml`, Euler, timestep 0.01 s, frame skip 5 → dt 0.05 s.
/// - Observation (17 = nq − 1 + nv): qpos[1…8], qvel[0…8], no clipping.
/// - Reward: Δx/dt − 0.1 Σa² (Gymnasium v4: `forward − ctrl_cost`, the shared form with no alive
///   bonus, x + 0 = x exactly). Never terminates (1000 steps, truncated).
/// - Reset: qpos0 + U[−0.1, 0.1)⁹, then qvel 0.1·N(0, 1)⁹.
public final class HalfCheetah: LocomotionRobot {
    public static let robot = "halfcheetah"
    public static let modelFile = "half_cheetah.xml"
    public static let controlCostWeight = 0.1
    public static let healthyReward: Double = 0
    public static let frameSkip = 5
    public static let observedVelocityLimit: Double? = nil
    public static let environmentBenchmarkTask: String? = "halfcheetah-medium-v2"
    /// Torso-tracking side view: the robot moves along +x, so the camera sits on −y (azimuth 90°)
    /// looking slightly down; 3.5 m frames the cheetah (≈1 m long) with room to see the stride.
    public static let defaultCamera = CameraView.tracking(body: "torso", distance: 3.5, azimuth: 90, elevation: -10)

    public let observationSize: Int
    public init(model: MjModel) { observationSize = model.nq - 1 + model.nv }

    public func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double]) {
        env.uniformPositionsNormalVelocities(scale: 0.1)
    }

    public func isTerminal(_ env: MuJoCoEnvironment) -> Bool { false }
}
