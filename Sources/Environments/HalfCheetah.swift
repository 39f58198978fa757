import MuJoCo

/// D4RL's halfcheetah (gym `half_cheetah.py` "v2" class = Gymnasium `HalfCheetah-v4`; spec §5).
///
/// - Model: `assets/models/half_cheetah.xml`, Euler, timestep 0.01 s, frame skip 5 → dt 0.05 s.
/// - Observation (17): qpos[1…8], qvel[0…8], no clipping.
/// - Reward: Δx/dt − 0.1 Σa². No alive bonus; never terminates (1000 steps, truncated).
/// - Reset: qpos0 + U[−0.1, 0.1)⁹, then qvel 0.1·N(0, 1)⁹.
public final class HalfCheetahEnvironment: MuJoCoEnvironment {
    static let frameSkip = 5
    static let controlCostWeight = 0.1
    static let resetNoiseScale = 0.1

    public override var observationSize: Int { 17 }

    public override func observation() -> [Double] {
        var obs = [Double](repeating: 0, count: 17)
        for i in 1..<9 { obs[i - 1] = data.qpos(i) }
        for i in 0..<9 { obs[8 + i] = data.qvel(i) }
        return obs
    }

    public override func sampleInitialState() -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: Self.resetNoiseScale)
        let qvel = initialQvel.map { $0 + Self.resetNoiseScale * random.standardNormal() }
        return (qpos, qvel)
    }

    public override func evaluateStep(xBefore: Double, action: [Double]) -> (reward: Double, terminated: Bool, info: StepInfo) {
        var info = StepInfo()
        info.xPosition = data.qpos(0)
        info.xVelocity = (info.xPosition - xBefore) / dt
        info.forwardReward = 1.0 * info.xVelocity
        info.controlCost = Self.controlCostWeight * Self.sumOfSquares(action)
        return (info.forwardReward - info.controlCost, false, info)
    }
}
