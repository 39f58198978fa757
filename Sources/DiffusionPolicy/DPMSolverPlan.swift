import Foundation

/// Everything DPM-Solver needs that depends only on (schedule, steps, t_end): the outer steps,
/// their orders and the scalar coefficients of every update, plus the network times and
/// noise-clip indices of all model calls (docs/edp-inference.md §3.3). Computed once, in float32 exactly as EDP
/// computes it (`DPM_Solver.sample` with order 3, singlestep, time_uniform, noise prediction,
/// t from 1 to t_end, no denoise), so that the clip indices equal EDP's (docs/edp-inference.md §3.3, Tests/Fixtures/edp:
/// [999, 932, 865, 799, 732, 665, 599, 532, 466, 399, 332, 266, 199, 133, 66] for K = 1000, 15 steps).
public struct DPMSolverPlan: Sendable {
    /// One outer step s → t of order 1, 2 or 3.
    public struct Step: Sendable {
        public let order: Int
        public let s: Float
        public let t: Float
        /// λ-fractions of the intermediate points (nil when the order does not use them).
        public let r1: Float?
        public let r2: Float?
        /// h = λ(t) − λ(s).
        public let h: Float
        /// Continuous times of the model calls of this step: s, then s1, s2.
        public let callTimes: [Float]
        // Update coefficients (noise-prediction form, dpm_solver.py):
        // u1 = a1·x − b1·ε_s;  u2 = a2·x − b2·ε_s − c2·(ε_s1 − ε_s)
        // order 1: x_t = a·x − b·ε_s
        // order 2: x_t = a·x − b·ε_s − c·(ε_s1 − ε_s)
        // order 3: x_t = a·x − b·ε_s − c·(ε_s2 − ε_s)
        let a: Float, b: Float, c: Float
        let a1: Float, b1: Float
        let a2: Float, b2: Float, c2: Float
    }

    public let diffusionSteps: Int
    /// Number of model evaluations (NFE).
    public let steps: Int
    public let endTime: Float
    public let outerSteps: [Step]
    /// Network time of every model call, N·τ − 1 in float32 ((τ − 1/N)·N as EDP's wrapper).
    public let networkTimes: [Float]
    /// int32 truncation of each network time: the schedule index of EDP's noise clip.
    public let clipIndices: [Int]

    /// Orders of singlestep DPM-Solver-fast with order 3 (`get_orders_and_timesteps_for_singlestep_solver`).
    public static func orders(steps: Int) -> [Int] {
        let k = steps / 3 + 1
        switch steps % 3 {
        case 0: return Array(repeating: 3, count: k - 2) + [2, 1]
        case 1: return Array(repeating: 3, count: k - 1) + [1]
        default: return Array(repeating: 3, count: k - 1) + [2]
        }
    }

    /// Builds the plan; throws `PolicyLoadingError.invalidConfiguration` for steps < 1 or above
    /// min(K, `PolicyConfiguration.Limits.maxDPMSteps`), t_end ∉ [1/K, 1), or any non-finite
    /// coefficient — instead of producing NaN actions (docs/edp-inference.md §3.3 Pitfall 1: K = 100 with
    /// t_end = 1e-3) or allocating a plan of absurd length.
    public init(schedule: DiffusionSchedule, steps: Int, endTime: Double) throws {
        let k = schedule.count
        guard steps >= 1 else { throw PolicyLoadingError.invalidConfiguration("DPM-Solver steps = \(steps); need ≥ 1") }
        let maxSteps = min(k, PolicyConfiguration.Limits.maxDPMSteps)
        guard steps <= maxSteps else {
            throw PolicyLoadingError.invalidConfiguration(
                "DPM-Solver steps = \(steps); need ≤ \(maxSteps) (at most K = \(k) model evaluations and at most \(PolicyConfiguration.Limits.maxDPMSteps))")
        }
        guard endTime.isFinite, endTime < 1, endTime >= (1 / Double(k)) * (1 - 1e-6) else {
            throw PolicyLoadingError.invalidConfiguration(
                "DPM-Solver t_end = \(endTime) with K = \(k): need 1/K = \(1 / Double(k)) ≤ t_end < 1 " +
                "(below the first knot log α extrapolates above 0 and σ(t_end) is NaN)")
        }
        let ns = ContinuousNoiseSchedule(alphasCumprod: schedule.alphasCumprod)
        let tEnd = Float(endTime)
        let orders = Self.orders(steps: steps)
        let grid = DiffusionSchedule.float32Linspace(1, tEnd, count: steps + 1)
        var outerTimes: [Float] = [grid[0]]
        var cursor = 0
        for order in orders { cursor += order; outerTimes.append(grid[cursor]) }

        var plannedSteps: [Step] = []
        var callTimes: [Float] = []
        for (i, order) in orders.enumerated() {
            let step = Self.plannedStep(order: order, from: outerTimes[i], to: outerTimes[i + 1], schedule: ns)
            let coefficients = [step.a, step.b, step.c, step.a1, step.b1, step.a2, step.b2, step.c2, step.h] + step.callTimes
            guard coefficients.allSatisfy(\.isFinite) else {
                throw PolicyLoadingError.invalidConfiguration(
                    "DPM-Solver plan (K = \(k), steps = \(steps), t_end = \(endTime)) has a non-finite coefficient in outer step \(i)")
            }
            plannedSteps.append(step)
            callTimes += step.callTimes
        }
        let inverseN = Float(1 / Double(k)), n = Float(k)
        let times = callTimes.map { ($0 - inverseN) * n }
        let indices = times.map { Int(Int32(truncatingIfNeeded: Int($0))) }
        guard indices.allSatisfy({ (0..<k).contains($0) }) else {
            throw PolicyLoadingError.invalidConfiguration("DPM-Solver noise-clip indices \(indices) fall outside 0..<\(k)")
        }
        diffusionSteps = k
        self.steps = steps
        self.endTime = tEnd
        outerSteps = plannedSteps
        networkTimes = times
        clipIndices = indices
    }

    /// One outer step of `order` from time `s` to `t`: its intermediate times and the float32
    /// coefficients of docs/edp-inference.md §3.3 (DPM-Solver's `singlestep_dpm_solver_update`).
    static func plannedStep(order: Int, from s: Float, to t: Float, schedule ns: ContinuousNoiseSchedule) -> Step {
        let inner = DiffusionSchedule.float32Linspace(s, t, count: order + 1)
        let lambdaInner = inner.map(ns.marginalLambda)
        let hInner: Float = lambdaInner[order] - lambdaInner[0]
        let r1: Float? = order >= 2 ? (lambdaInner[1] - lambdaInner[0]) / hInner : nil
        let r2: Float? = order >= 3 ? (lambdaInner[2] - lambdaInner[0]) / hInner : nil

        let lambdaS = ns.marginalLambda(s), lambdaT = ns.marginalLambda(t)
        let h: Float = lambdaT - lambdaS
        let logAlphaS = ns.logMeanCoefficient(s), logAlphaT = ns.logMeanCoefficient(t)
        let sigmaT = ns.marginalStd(t)
        let phi1: Float = Foundation.expm1(h)
        let a: Float = Foundation.exp(logAlphaT - logAlphaS)
        let b: Float = sigmaT * phi1
        var c: Float = 0, a1: Float = 0, b1: Float = 0, a2: Float = 0, b2: Float = 0, c2: Float = 0
        var calls = [s]
        if let r1 {
            let rh1: Float = r1 * h
            let s1 = ns.inverseLambda(lambdaS + rh1)
            calls.append(s1)
            a1 = Foundation.exp(ns.logMeanCoefficient(s1) - logAlphaS)
            b1 = ns.marginalStd(s1) * Foundation.expm1(rh1)
            if let r2 {
                let rh2: Float = r2 * h
                let s2 = ns.inverseLambda(lambdaS + rh2)
                calls.append(s2)
                let phi12: Float = Foundation.expm1(rh2)
                let phi22: Float = phi12 / rh2 - 1
                let phi2: Float = phi1 / h - 1
                let sigmaS2 = ns.marginalStd(s2)
                a2 = Foundation.exp(ns.logMeanCoefficient(s2) - logAlphaS)
                b2 = sigmaS2 * phi12
                c2 = (r2 / r1) * (sigmaS2 * phi22)
                c = (1 / r2) * (sigmaT * phi2)
            } else {
                c = (0.5 / r1) * (sigmaT * phi1)
            }
        }
        return Step(order: order, s: s, t: t, r1: r1, r2: r2, h: h, callTimes: calls,
                    a: a, b: b, c: c, a1: a1, b1: b1, a2: a2, b2: b2, c2: c2)
    }
}
