import MuJoCo

/// D4RL's hopper (gym `hopper.py` "v2" class = Gymnasium `Hopper-v4`; spec §3).
///
/// - Model: `assets/models/hopper.xml`, RK4, timestep 0.002 s, frame skip 4 → dt 0.008 s.
/// - Observation (11): qpos[1…5] (z, torso angle, thigh, leg, foot), clip(qvel[0…5], −10, 10).
/// - Reward: Δx/dt + 1 − 10⁻³ Σa² (the +1 also on the terminating step).
/// - Terminated when not healthy: all of qpos[2…] and qvel inside (−100, 100), z > 0.7,
///   |angle| < 0.2, all strict (a NaN fails them).
/// - Reset: qpos0 + U[−0.005, 0.005)⁶, then qvel U[−0.005, 0.005)⁶.
public final class HopperEnvironment: MuJoCoEnvironment {
    static let frameSkip = 4
    static let controlCostWeight = 1e-3
    static let healthyReward = 1.0
    static let resetNoiseScale = 5e-3

    public override var observationSize: Int { 11 }

    public override func observation() -> [Double] {
        var obs = [Double](repeating: 0, count: 11)
        for i in 1..<6 { obs[i - 1] = data.qpos(i) }
        for i in 0..<6 { obs[5 + i] = min(max(data.qvel(i), -10), 10) }
        return obs
    }

    public override func sampleInitialState() -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: Self.resetNoiseScale)
        let qvel = uniformNoise(around: initialQvel, scale: Self.resetNoiseScale)
        return (qpos, qvel)
    }

    public override func evaluateStep(xBefore: Double, action: [Double]) -> (reward: Double, terminated: Bool, info: StepInfo) {
        var info = StepInfo()
        info.xPosition = data.qpos(0)
        info.xVelocity = (info.xPosition - xBefore) / dt
        info.forwardReward = 1.0 * info.xVelocity
        info.healthyReward = Self.healthyReward
        info.controlCost = Self.controlCostWeight * Self.sumOfSquares(action)
        let reward = (info.forwardReward + info.healthyReward) - info.controlCost
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
