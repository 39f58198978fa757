import Foundation
import Testing
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Reproduces edp_golden.json ("init") and edp_trained_golden.json ("trained"): outputs of EDP's
/// own code (Tests/Fixtures/edp/README.md). Tolerances from that README: network/Q/softmax/DDPM 1e-5,
/// DPM-Solver 1e-5 (trained) / 1e-4 (init), EAS: the same index.
@Suite("EDP golden values", .serialized)
struct EDPGoldenTests {
    /// Golden set 0 ("init", DPM-Solver tolerance 1e-4) or 1 ("trained", 1e-5): name, set, DPM tolerance.
    static func set(_ which: Int) throws -> (String, GoldenSet, Float) {
        which == 0 ? ("init", try Fixtures.edpInit(), 1e-4) : ("trained", try Fixtures.edpTrained(), 1e-5)
    }

    func model(_ set: GoldenSet, sampler: PolicyConfiguration.Sampler = .dpm, steps: Int = 1000,
               selection: PolicyConfiguration.ActionSelection = .energy, candidates: Int = 50) throws -> DiffusionPolicyModel {
        var tensors = set.loadedTensors()
        if steps != 1000 { tensors = tensors.filter { !$0.key.hasPrefix("diffusion/") } }
        return try DiffusionPolicyModel(tensors: tensors, configuration: Fixtures.edpConfiguration(
            steps: steps, sampler: sampler, selection: selection, candidates: candidates))
    }

    @Test("noise network ε, time embedding and every layer (tolerance 1e-5)", arguments: [0, 1])
    func epsilon(_ which: Int) throws {
        let (name, set, _) = try Self.set(which)
        let m = try model(set)
        let obs = set.floats("eps/obs"), act = set.floats("eps/noisy_action"), t = set.floats("eps/t")
        try #require(obs.count == 4 * 11 && act.count == 4 * 3 && t.count == 4, "eps inputs of \(set.jsonPath)")
        var recorded: [String: [Float]] = [:]
        var out = [Float](repeating: 0, count: 12)
        obs.withUnsafeBufferPointer { o in act.withUnsafeBufferPointer { a in t.withUnsafeBufferPointer { tt in
            out.withUnsafeMutableBufferPointer { e in
                m.network.predict(observations: o.baseAddress!, actions: a.baseAddress!, times: tt.baseAddress!, rows: 4,
                                  workspace: NetworkWorkspace(), into: e.baseAddress!) { recorded[$0] = Array($1) }
            }
        } } }
        let embedding = t.flatMap { m.network.sinusoidalEmbedding($0) }
        let checks: [(String, [Float], String)] = [
            ("sinusoidal embedding", embedding, "eps/sinusoidal_embedding"),
            ("TimeEmbedding_0/Dense_0", recorded["time_dense_0"] ?? [], "eps/intermediates/base_net/TimeEmbedding_0/Dense_0"),
            ("TimeEmbedding_0/Dense_1", recorded["time_dense_1"] ?? [], "eps/intermediates/base_net/TimeEmbedding_0/Dense_1"),
            ("Dense_0", recorded["dense_0"] ?? [], "eps/intermediates/base_net/Dense_0"),
            ("Dense_1", recorded["dense_1"] ?? [], "eps/intermediates/base_net/Dense_1"),
            ("Dense_2", recorded["dense_2"] ?? [], "eps/intermediates/base_net/Dense_2"),
            ("Dense_3 (eps)", recorded["dense_3"] ?? [], "eps/intermediates/base_net/Dense_3"),
            ("eps", out, "eps/eps"),
        ]
        for (label, value, path) in checks {
            let error = maxAbsDifference(value, set.floats(path))
            report("EDP \(name) \(label)", error, tolerance: 1e-5)
            #expect(error <= 1e-5, "\(label)")
        }
    }

    @Test("twin critics Q1, Q2 (tolerance 1e-5)", arguments: [0, 1])
    func qValues(_ which: Int) throws {
        let (name, set, _) = try Self.set(which)
        let critic = try #require(try model(set).critic)
        let (q1, q2) = critic.qValues(observations: set.floats("q/obs"), actions: set.floats("q/action"))
        let error = max(maxAbsDifference(q1, set.floats("q/q1")), maxAbsDifference(q2, set.floats("q/q2")))
        report("EDP \(name) Q1/Q2", error, tolerance: 1e-5)
        #expect(error <= 1e-5)
    }

    @Test("schedule computed in float32 equals EDP's diffusion/* arrays (tolerance 1e-5 relative)")
    func schedule() throws {
        let computed = try DiffusionSchedule.edp(.linear, steps: 1000)
        let stored = try #require(try DiffusionSchedule(tensors: Fixtures.edpInit().loadedTensors(), prefix: "diffusion/", convention: .edp))
        let pairs: [(String, [Float], [Float])] = [
            ("betas", computed.betas, stored.betas), ("alphas_cumprod", computed.alphasCumprod, stored.alphasCumprod),
            ("sqrt_recip", computed.sqrtRecipAlphasCumprod, stored.sqrtRecipAlphasCumprod),
            ("sqrt_recipm1", computed.sqrtRecipm1AlphasCumprod, stored.sqrtRecipm1AlphasCumprod),
            ("posterior_log_variance_clipped", computed.posteriorLogVarianceClipped, stored.posteriorLogVarianceClipped),
            ("coef1", computed.posteriorMeanCoef1, stored.posteriorMeanCoef1), ("coef2", computed.posteriorMeanCoef2, stored.posteriorMeanCoef2),
        ]
        for (name, a, b) in pairs {
            let relative = zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-30) }.max() ?? .infinity
            let exact = zip(a, b).filter { $0 != $1 }.count
            report("EDP K=1000 schedule \(name) (relative; \(exact) of 1000 entries not bit-equal)", relative, tolerance: 1e-5)
            #expect(relative <= 1e-5, "\(name)")
        }
        // K = 100 (EDP's code default) against ddpm_K100/schedule.
        let k100 = try DiffusionSchedule.edp(.linear, steps: 100)
        let set = try Fixtures.edpInit()
        for (name, value) in [("betas", k100.betas), ("alphas_cumprod", k100.alphasCumprod),
                              ("sqrt_recip_alphas_cumprod", k100.sqrtRecipAlphasCumprod),
                              ("sqrt_recipm1_alphas_cumprod", k100.sqrtRecipm1AlphasCumprod),
                              ("posterior_log_variance_clipped", k100.posteriorLogVarianceClipped),
                              ("posterior_mean_coef1", k100.posteriorMeanCoef1), ("posterior_mean_coef2", k100.posteriorMeanCoef2)] {
            let expected = set.floats("ddpm_K100/schedule/\(name)")
            let relative = zip(value, expected).map { abs($0 - $1) / max(abs($1), 1e-30) }.max() ?? .infinity
            report("EDP K=100 schedule \(name) (relative)", relative, tolerance: 1e-5)
            #expect(relative <= 1e-5, "\(name)")
        }
    }

    @Test("DDPM K=1000 from the given x_T and per-step noise (tolerance 1e-5)", arguments: [0, 1])
    func ddpm(_ which: Int) throws {
        let (name, set, _) = try Self.set(which)
        let m = try model(set, sampler: .ddpm, selection: .single)
        var states: [Int: [Float]] = [:]
        m.trace = { if case let .ddpmStep(i, x) = $0 { states[i] = x } }
        let noise = try set.arrays("ddpm/noise")
        var source = RecordedNoise(initial: set.floats("ddpm/x_T"), stepNoise: noise)
        let action = act(m, observations: set.floats("ddpm/obs"), batch: 4, noise: &source)
        var worst = maxAbsDifference(action, set.floats("ddpm/action"))
        for index in [999, 998, 990, 900, 500, 100, 10, 1, 0] {
            worst = max(worst, maxAbsDifference(states[index] ?? [], set.floats("ddpm/x_after_index/\(index)")))
        }
        report("EDP \(name) DDPM action and x after indices", worst, tolerance: 1e-5)
        #expect(worst <= 1e-5)
    }

    @Test("DDPM with EDP's default K=100 (tolerance 1e-5); DPM-Solver at K=100, t_end 1e-3 is rejected (EDP gives NaN)", arguments: [0, 1])
    func ddpmK100(_ which: Int) throws {
        let (name, set, _) = try Self.set(which)
        let m = try model(set, sampler: .ddpm, steps: 100, selection: .single)
        let noise = try set.arrays("ddpm_K100/noise")
        var source = RecordedNoise(initial: set.floats("ddpm_K100/x_T"), stepNoise: noise)
        let action = act(m, observations: set.floats("ddpm_K100/obs"), batch: 4, noise: &source)
        let error = maxAbsDifference(action, set.floats("ddpm_K100/action"))
        report("EDP \(name) DDPM K=100", error, tolerance: 1e-5)
        #expect(error <= 1e-5)
        #expect(set.value("ddpm_K100/dpm_sample_K100_t_end_1e-3_all_nan") as? Bool == true)
        #expect(throws: PolicyLoadingError.self) { try model(set, sampler: .dpm, steps: 100) }
    }

    @Test("DPM-Solver from x_T: action, per-call raw/clipped ε, state per outer step (tolerance 1e-5 trained, 1e-4 init)", arguments: [0, 1])
    func dpm(_ which: Int) throws {
        let (name, set, tolerance) = try Self.set(which)
        let m = try model(set, sampler: .dpm, selection: .single)
        var raw: [Float] = [], clipped: [Float] = [], outer: [Float] = []
        m.trace = {
            switch $0 {
            case let .dpmCall(_, r, c): raw += r; clipped += c
            case let .dpmOuterStep(_, x): outer += x
            default: break
            }
        }
        var source = RecordedNoise(initial: set.floats("dpm/x_T"))
        let action = act(m, observations: set.floats("dpm/obs"), batch: 4, noise: &source)
        let errors = [maxAbsDifference(action, set.floats("dpm/action")),
                      maxAbsDifference(raw, set.floats("dpm/eps_raw_per_call")),
                      maxAbsDifference(clipped, set.floats("dpm/eps_clipped_per_call")),
                      maxAbsDifference(outer, set.floats("dpm/x_after_outer_step"))]
        report("EDP \(name) DPM action / raw eps / clipped eps / outer x", errors.max() ?? .infinity, tolerance: tolerance)
        print("[measure] EDP \(name) DPM components \(errors)")
        #expect(errors.max() ?? .infinity <= tolerance)
        #expect(try #require(m.dpmPlan).clipIndices == set.floats("dpm/plan/clip_index").map { Int($0) })
    }

    @Test("EAS: min(Q1,Q2) logits, softmax, Gumbel-max index from the given draws (1e-5; same index)", arguments: [0, 1])
    func eas(_ which: Int) throws {
        let (name, set, _) = try Self.set(which)
        let critic = try #require(try model(set).critic)
        let obs = set.floats("eas/obs"), candidates = set.floats("eas/candidates")
        let repeated = (0..<50).flatMap { _ in obs }
        let (q1, q2) = critic.qValues(observations: repeated, actions: candidates)
        let logits = zip(q1, q2).map { min($0, $1) }
        let probabilities = EnergySelection.softmax(logits)
        let gumbels = set.floats("eas/gumbel")
        let index = gumbels.withUnsafeBufferPointer { EnergySelection.gumbelMax(logits: logits, gumbels: $0) }
        // Q up to |25| in the trained set (float32 ulp 2e-6, summation-order spread ~6 ulp): error is
        // |a − b| / max(1, |b|), i.e. absolute 1e-5 for |Q| ≤ 1 and relative 1e-5 above.
        func scaled(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity }
        let errors = [scaled(q1, set.floats("eas/q1")), scaled(q2, set.floats("eas/q2")),
                      scaled(logits, set.floats("eas/logits_qmin")),
                      maxAbsDifference(probabilities, set.floats("eas/probs_softmax"))]
        report("EDP \(name) EAS q1/q2/logits (scaled) / softmax (abs)", errors.max() ?? .infinity, tolerance: 1e-5)
        #expect(errors.max() ?? .infinity <= 1e-5)
        #expect(index == Int(set.floats("eas/categorical_index")[0]))
    }

    @Test("dpmensemble end to end from x_T and Gumbel draws: same candidates (1e-4 init / 1e-5 trained vs *_jit) and index", arguments: [0, 1])
    func dpmEnsemble(_ which: Int) throws {
        let (name, set, tolerance) = try Self.set(which)
        let m = try model(set, sampler: .dpm, selection: .energy, candidates: 50)
        var candidates: [Float] = []
        m.trace = { if case let .dpmOuterStep(step, x) = $0, step == 5 { candidates = x } }
        var source = RecordedNoise(initial: set.floats("dpm_eas_e2e/x_T"), gumbels: set.floats("dpm_eas_e2e/gumbel"))
        let action = act(m, observations: set.floats("dpm_eas_e2e/obs"), batch: 1, noise: &source)
        // The fixture's candidates come from jax.jit (XLA fusion rounding, Tests/Fixtures/edp/README.md).
        let error = maxAbsDifference(candidates, set.floats("dpm_eas_e2e/candidates_jit"))
        let errorEager = maxAbsDifference(candidates, set.floats("dpm_eas_e2e/candidates"))
        report("EDP \(name) dpmensemble candidates vs jit (eager: \(errorEager))", error, tolerance: tolerance)
        #expect(error <= tolerance)
        let index = Int(set.floats("dpm_eas_e2e/categorical_index")[0])
        #expect(maxAbsDifference(action, Array(candidates[(index * 3)..<(index * 3 + 3)])) == 0)
        let selectedError = maxAbsDifference(action, set.floats("dpm_eas_e2e/action_selected_jit"))
        report("EDP \(name) dpmensemble selected action", selectedError, tolerance: tolerance)
        #expect(selectedError <= tolerance)
    }
}

/// Runs `act` on arrays (test convenience).
func act<Noise: PolicyNoiseSource>(_ model: DiffusionPolicyModel, observations: [Float], batch: Int, noise: inout Noise) -> [Float] {
    var actions = [Float](repeating: .nan, count: batch * model.actionSize)
    observations.withUnsafeBufferPointer { o in
        actions.withUnsafeMutableBufferPointer { a in model.act(observations: o, batch: batch, noise: &noise, into: a) }
    }
    return actions
}
