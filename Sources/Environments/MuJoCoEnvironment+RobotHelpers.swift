import MuJoCo

/// Pieces several robots build their reset, observation and reward from (gym's locomotion forms).
extension MuJoCoEnvironment {
    /// `init + U[−scale, scale)` per component, in index order (NumPy `uniform(size=n)`).
    public func uniformNoise(around base: [Double], scale: Double) -> [Double] {
        base.map { $0 + random.uniform(-scale, scale) }
    }

    /// qpos noise U[−scale, scale) on every coordinate, then qvel noise likewise (hopper, walker2d:
    /// Gymnasium's `reset_model`, docs/environments.md §3.2, §4.2).
    public func uniformInitialState(scale: Double) -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: scale)
        let qvel = uniformNoise(around: initialQvel, scale: scale)
        return (qpos, qvel)
    }

    /// qpos noise U[−scale, scale), then qvel `scale · N(0, 1)` (halfcheetah, ant: `reset_model`).
    public func uniformPositionsNormalVelocities(scale: Double) -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: scale)
        let qvel = initialQvel.map { $0 + scale * random.standardNormal() }
        return (qpos, qvel)
    }

    /// Writes `qpos[1...]` followed by `qvel`, the latter clipped to ±`velocityLimit` if given (the
    /// locomotion robots' `_get_obs`: rootx excluded), into `row`.
    public func writePositionsAndVelocities(velocityLimit: Double?, into row: UnsafeMutableBufferPointer<Double>) {
        let nq = model.nq, nv = model.nv
        for i in 1..<nq { row[i - 1] = data.qpos(i) }
        for i in 0..<nv {
            let v = data.qvel(i)
            row[nq - 1 + i] = velocityLimit.map { min(max(v, -$0), $0) } ?? v
        }
    }

    /// gym's locomotion reward: `(forward + healthy) − control cost` with forward =
    /// (x_after − x_before)/dt and control cost = weight · `np.square(a).sum()` on the applied
    /// action, the sum in the action's dtype and the product in float64 (NumPy 1.x promotes
    /// `float * np.float32` to float64; docs/environments.md §1.3).
    public func forwardReward(xBefore: Double, action: [Double], controlCostWeight: Double,
                              healthyReward: Double) -> (reward: Double, info: StepInfo) {
        var info = StepInfo()
        info.xPosition = data.qpos(0)
        info.xVelocity = (info.xPosition - xBefore) / dt
        info.forwardReward = 1.0 * info.xVelocity
        info.healthyReward = healthyReward
        info.controlCost = controlCostWeight * sumOfSquares(action)
        return ((info.forwardReward + info.healthyReward) - info.controlCost, info)
    }

    /// `np.square(a).sum()` of an applied action in `actionDType`, NumPy's summation order
    /// (`NumPyArithmetic.sumOfSquares`), returned as a double (a float32 sum widens exactly).
    public func sumOfSquares(_ action: [Double]) -> Double {
        switch actionDType {
        case .float32: return Double(NumPyArithmetic.sumOfSquares(action.map { Float($0) }))
        case .float64: return NumPyArithmetic.sumOfSquares(action)
        }
    }
}
