import Foundation

extension DiffusionPolicyModel {
    /// Runs the configured sampler for `batch` observations × `candidates` rows and returns a
    /// pointer to the B·N × A samples (valid until the next call). Row b·N + j is candidate j of
    /// observation b. Randomness per row as `PolicyNoiseSource` documents.
    func sampleCandidates<Noise: PolicyNoiseSource>(observations: UnsafePointer<Float>, batch: Int, candidates n: Int,
                                                   noise: inout Noise) -> UnsafeMutablePointer<Float> {
        let a = actionSize, rows = batch * n
        // The first layer's state columns, once per observation (shared by its N candidates and
        // every sampler step).
        network.prepareStates(observations: observations, count: batch, workspace: workspace)
        let x = state.reserve(rows * a)
        for b in 0..<batch {
            noise.fillNormals(draw: 0, row: b, into: UnsafeMutableBufferPointer(start: x + b * n * a, count: n * a))
        }
        switch configuration.sampler {
        case .ddpm: runDDPM(batch: batch, candidates: n, noise: &noise)
        case .ddim: runDDIM(rows: rows, candidates: n)
        case .dpm: runDPMSolver(rows: rows, candidates: n)
        }
        return x
    }

    /// DDPM ancestral sampling (docs/edp-inference.md §3.1; EDP `p_sample_loop`, Diffusion-QL `p_sample_loop`):
    /// x̂0 = clip(sqrt(1/ᾱ_i)·x − sqrt(1/ᾱ_i − 1)·ε, ±A); x ← coef1_i·x̂0 + coef2_i·x + exp(½ logvar_i)·z
    /// for i > 0. EDP returns x as is; Diffusion-QL clamps it to ±A.
    func runDDPM<Noise: PolicyNoiseSource>(batch: Int, candidates n: Int, noise: inout Noise) {
        let a = actionSize, rows = batch * n, count = rows * a
        let x = state.pointer, eps = epsilon.reserve(count), z = self.noise.reserve(count)
        let limit = configuration.maxAction
        let k = schedule.count
        for step in 0..<k {
            let i = k - 1 - step
            network.predict(time: Float(i), actions: x, rows: rows, group: n, workspace: workspace, into: eps)
            let recip = schedule.sqrtRecipAlphasCumprod[i], recipM1 = schedule.sqrtRecipm1AlphasCumprod[i]
            let c1 = schedule.posteriorMeanCoef1[i], c2 = schedule.posteriorMeanCoef2[i]
            if i > 0 {
                for b in 0..<batch {
                    noise.fillNormals(draw: step + 1, row: b, into: UnsafeMutableBufferPointer(start: z + b * n * a, count: n * a))
                }
                let sigma: Float = Foundation.exp(0.5 * schedule.posteriorLogVarianceClipped[i])
                for e in 0..<count {
                    let x0 = min(max(recip * x[e] - recipM1 * eps[e], -limit), limit)
                    let mean: Float = c1 * x0 + c2 * x[e]
                    x[e] = mean + sigma * z[e]
                }
            } else {
                for e in 0..<count {
                    let x0 = min(max(recip * x[e] - recipM1 * eps[e], -limit), limit)
                    x[e] = c1 * x0 + c2 * x[e]
                }
            }
            if let trace { trace(.ddpmStep(index: i, state: Array(UnsafeBufferPointer(start: x, count: count)))) }
        }
        if configuration.family == .diffusionQL {
            for e in 0..<count { x[e] = min(max(x[e], -limit), limit) }
        }
    }

    /// EDP's full-length DDIM with eta = 0 (docs/edp-inference.md §3.2): ε' = (sqrt(1/ᾱ_i)·x − x̂0)/sqrt(1/ᾱ_i − 1),
    /// x ← x̂0·sqrt(ᾱprev_i) + sqrt(1 − ᾱprev_i)·ε'. Deterministic given x_T.
    func runDDIM(rows: Int, candidates n: Int) {
        let count = rows * actionSize
        let x = state.pointer, eps = epsilon.reserve(count)
        let limit = configuration.maxAction
        for i in stride(from: schedule.count - 1, through: 0, by: -1) {
            network.predict(time: Float(i), actions: x, rows: rows, group: n, workspace: workspace, into: eps)
            let recip = schedule.sqrtRecipAlphasCumprod[i], recipM1 = schedule.sqrtRecipm1AlphasCumprod[i]
            let previous = schedule.alphasCumprodPrev[i]
            let keep = previous.squareRoot(), noiseScale = (1 - previous).squareRoot()
            for e in 0..<count {
                let x0 = min(max(recip * x[e] - recipM1 * eps[e], -limit), limit)
                let implied: Float = (recip * x[e] - x0) / recipM1
                x[e] = x0 * keep + noiseScale * implied
            }
        }
    }

    /// EDP's noise-clipped model for DPM-Solver (nets.py:149-191): ε at network time
    /// `plan.networkTimes[call]`, clipped so the implied x̂0 stays in ±A using the discrete ᾱ
    /// at `plan.clipIndices[call]`. Computes the rows `range` of `output`: with `rowWorkspace`, on
    /// the calling thread only (a worker's share of the batch); without, `range` is every row and
    /// the network call is one fork-join of its own (the traced path).
    private func clippedNoise(_ plan: DPMSolverPlan, call: Int, candidates n: Int, input: UnsafePointer<Float>,
                              rows range: Range<Int>, rowWorkspace: NetworkWorkspace?, into output: UnsafeMutablePointer<Float>) {
        let a = actionSize, elements = (range.lowerBound * a)..<(range.upperBound * a)
        if let rowWorkspace {
            network.predict(time: plan.networkTimes[call], actions: input, rows: range, group: n,
                            states: workspace.stateProjection.pointer, workspace: rowWorkspace, into: output)
        } else {
            network.predict(time: plan.networkTimes[call], actions: input, rows: range.count, group: n, workspace: workspace,
                            into: output)
        }
        let raw = trace == nil ? nil : Array(UnsafeBufferPointer(start: output, count: elements.count))
        let k = plan.clipIndices[call]
        let xw = schedule.sqrtRecipAlphasCumprod[k], ew = schedule.sqrtRecipm1AlphasCumprod[k]
        let limit = configuration.maxAction
        for e in elements {
            let scaled: Float = xw * input[e]
            let upper: Float = (limit + scaled) / ew
            let lower: Float = (-limit + scaled) / ew
            output[e] = min(max(output[e], lower), upper)
        }
        if let trace, let raw { trace(.dpmCall(call: call, raw: raw, clipped: Array(UnsafeBufferPointer(start: output, count: elements.count)))) }
    }

    /// Singlestep DPM-Solver-fast (order 3, noise prediction) over the precomputed plan (docs/edp-inference.md §3.3);
    /// no final clip.
    ///
    /// Every row's solver is independent of the other rows, so each worker runs all the plan's
    /// network calls and updates on its own rows in ONE parallel section (`RowParallel`), instead
    /// of one fork-join per network call (15 for the paper's setting): a small batch no longer
    /// pays a thread hand-over per call (docs/evaluate.md "Environments in flight"). Bit-identical to the
    /// call-by-call order, which the traced path (tests) keeps.
    func runDPMSolver(rows: Int, candidates n: Int) {
        let plan = dpmPlan!
        let count = rows * actionSize
        let buffers = DPMBuffers(x: state.pointer, epsS: epsilon.reserve(count), eps1: epsilon1.reserve(count),
                                 eps2: epsilon2.reserve(count), u: intermediate.reserve(count))
        if trace != nil {
            runDPMSolver(plan, buffers, rows: 0..<rows, candidates: n, rowWorkspace: nil)
            return
        }
        while rowWorkspaces.count < BLASThreading.threadCount { rowWorkspaces.append(NetworkWorkspace()) }
        let workspaces = rowWorkspaces
        RowParallel.run(rows: rows, workers: workspaces.count) { w, range in
            runDPMSolver(plan, buffers, rows: range, candidates: n, rowWorkspace: workspaces[w])
        }
    }

    /// The sampler's buffers, rows × A floats each.
    struct DPMBuffers {
        var x, epsS, eps1, eps2, u: UnsafeMutablePointer<Float>
    }

    /// The plan's steps on the rows `range` (see `clippedNoise` for `rowWorkspace`).
    private func runDPMSolver(_ plan: DPMSolverPlan, _ buffers: DPMBuffers, rows range: Range<Int>, candidates n: Int,
                              rowWorkspace: NetworkWorkspace?) {
        let x = buffers.x, epsS = buffers.epsS, eps1 = buffers.eps1, eps2 = buffers.eps2, u = buffers.u
        let elements = (range.lowerBound * actionSize)..<(range.upperBound * actionSize)
        var call = 0
        /// The next model call: ε for `input` on this worker's rows, clipped, into `output`.
        func noise(_ input: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<Float>) {
            clippedNoise(plan, call: call, candidates: n, input: input, rows: range, rowWorkspace: rowWorkspace, into: output)
            call += 1
        }
        /// target = a·x − b·ε_s, minus c·(ε_k − ε_s) when ε_k (`correction`) is given, on this
        /// worker's elements: the update forms of `DPMSolverPlan.Step`.
        func update(_ target: UnsafeMutablePointer<Float>, a: Float, b: Float, c: Float = 0,
                    correction: UnsafeMutablePointer<Float>? = nil) {
            guard let correction else {
                for e in elements { target[e] = a * x[e] - b * epsS[e] }
                return
            }
            for e in elements {
                let first: Float = a * x[e] - b * epsS[e]
                target[e] = first - c * (correction[e] - epsS[e])
            }
        }
        for (index, step) in plan.outerSteps.enumerated() {
            noise(x, into: epsS)
            switch step.order {
            case 1:
                update(x, a: step.a, b: step.b)
            case 2:
                update(u, a: step.a1, b: step.b1)
                noise(u, into: eps1)
                update(x, a: step.a, b: step.b, c: step.c, correction: eps1)
            default:
                update(u, a: step.a1, b: step.b1)
                noise(u, into: eps1)
                update(u, a: step.a2, b: step.b2, c: step.c2, correction: eps1)
                noise(u, into: eps2)
                update(x, a: step.a, b: step.b, c: step.c, correction: eps2)
            }
            if let trace { trace(.dpmOuterStep(step: index, state: Array(UnsafeBufferPointer(start: x, count: elements.count)))) }
        }
    }
}
