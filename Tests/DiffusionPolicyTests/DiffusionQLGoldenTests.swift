import Foundation
import Testing
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Diffusion-QL fixtures (dql/{init,trained}/golden.json, outputs of the original PyTorch code),
/// with the weights read from the saved `actor_2000.pth` / `critic_2000.pth` through
/// `loadTensors(url)` (the torch reader `TorchArchive` of this module). Tolerance 1e-5.
struct DiffusionQLGoldenTests {
    /// The one place DQL weights enter the tests.
    static func loadTensors(_ url: URL) throws -> TensorDictionary {
        Dictionary(try TorchArchive.readStateDict(url).map { ($0.key, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    static func load(_ variant: String) throws -> (DiffusionPolicyModel, GoldenSet) {
        let folder = "dql/\(variant)/"
        var tensors = try loadTensors(Fixtures.url(folder + "actor_2000.pth"))
        tensors.merge(try loadTensors(Fixtures.url(folder + "critic_2000.pth"))) { a, _ in a }
        let configuration = DiffusionConfiguration(family: .diffusionQL, observationSize: 11, actionSize: 3, diffusionSteps: 5,
                                                   schedule: .vp, sampler: .ddpm, actionSelection: .energy, candidates: 50)
        let model = try DiffusionPolicyModel(tensors: tensors, configuration: configuration)
        return (model, try Fixtures.dqlGolden(variant))
    }

    @Test("ε with every layer, Q1/Q2/q_min, EAS softmax, schedule buffers (tolerance 1e-5)", arguments: ["init", "trained"])
    func networks(_ variant: String) throws {
        let (model, set) = try Self.load(variant)
        let t = set.floats("eps/t"), epsObs = set.floats("eps/obs"), epsAction = set.floats("eps/noisy_action")
        try #require(epsObs.count == 4 * 11 && epsAction.count == 4 * 3 && t.count == 4, "eps inputs of \(set.jsonPath)")
        var recorded: [String: [Float]] = [:]
        var eps = [Float](repeating: 0, count: 12)
        epsObs.withUnsafeBufferPointer { o in epsAction.withUnsafeBufferPointer { a in
            t.withUnsafeBufferPointer { tt in eps.withUnsafeMutableBufferPointer { e in
                model.network.predict(observations: o.baseAddress!, actions: a.baseAddress!, times: tt.baseAddress!, rows: 4,
                                      workspace: NetworkWorkspace(), into: e.baseAddress!) { recorded[$0] = Array($1) }
            } } } }
        let checks: [(String, [Float], String)] = [
            ("sinusoidal", t.flatMap { model.network.sinusoidalEmbedding($0) }, "eps/sinusoidal_embedding"),
            ("time_mlp.1", recorded["time_dense_0"] ?? [], "eps/intermediates/time_mlp.1"),
            ("time_mlp.3", recorded["time_dense_1"] ?? [], "eps/intermediates/time_mlp.3"),
            ("mid_layer.0", recorded["dense_0"] ?? [], "eps/intermediates/mid_layer.0"),
            ("mid_layer.2", recorded["dense_1"] ?? [], "eps/intermediates/mid_layer.2"),
            ("mid_layer.4", recorded["dense_2"] ?? [], "eps/intermediates/mid_layer.4"),
            ("eps", eps, "eps/eps"),
        ]
        for (label, value, path) in checks {
            let error = maxAbsDifference(value, set.floats(path))
            report("DQL \(variant) \(label)", error, tolerance: 1e-5)
            #expect(error <= 1e-5, "\(label)")
        }
        let (q1, q2) = try #require(model.critic).qValues(observations: set.floats("q/obs"), actions: set.floats("q/action"))
        let qError = max(maxAbsDifference(q1, set.floats("q/q1")), maxAbsDifference(q2, set.floats("q/q2")),
                         maxAbsDifference(zip(q1, q2).map { min($0, $1) }, set.floats("q/q_min")))
        report("DQL \(variant) Q1/Q2/q_min", qError, tolerance: 1e-5)
        #expect(qError <= 1e-5)
        let obs = set.floats("eas/obs")
        let (e1, e2) = try #require(model.critic).qValues(observations: (0..<50).flatMap { _ in obs }, actions: set.floats("eas/candidates"))
        let qmin = zip(e1, e2).map { min($0, $1) }
        let easError = max(maxAbsDifference(qmin, set.floats("eas/q_min")),
                           maxAbsDifference(EnergySelection.softmax(qmin), set.floats("eas/probs_softmax")))
        report("DQL \(variant) EAS q_min/softmax", easError, tolerance: 1e-5)
        #expect(easError <= 1e-5)
        // The VP schedule recomputed as Diffusion-QL does equals the checkpoint's buffers.
        let computed = try DiffusionSchedule.diffusionQL(.vp, steps: 5)
        let scheduleError = [maxAbsDifference(computed.alphasCumprod, model.schedule.alphasCumprod),
                             maxAbsDifference(computed.posteriorMeanCoef1, model.schedule.posteriorMeanCoef1),
                             maxAbsDifference(computed.posteriorMeanCoef2, model.schedule.posteriorMeanCoef2),
                             maxAbsDifference(computed.posteriorLogVarianceClipped, model.schedule.posteriorLogVarianceClipped),
                             maxAbsDifference(computed.sqrtRecipm1AlphasCumprod, model.schedule.sqrtRecipm1AlphasCumprod)].max() ?? .infinity
        report("DQL \(variant) VP T=5 schedule vs .pth buffers", scheduleError, tolerance: 1e-5)
        #expect(scheduleError <= 1e-5)
    }

    @Test("DDPM T=5 with final clamp from the given noise; sample_action candidates and selected action (1e-5)", arguments: ["init", "trained"])
    func ddpm(_ variant: String) throws {
        let (model, set) = try Self.load(variant)
        var states: [Int: [Float]] = [:]
        model.trace = { if case let .ddpmStep(i, x) = $0 { states[i] = x } }
        let single = try DiffusionPolicyModel(tensors: [:].merging(try Self.loadTensors(Fixtures.url("dql/\(variant)/actor_2000.pth"))) { a, _ in a },
                                              configuration: model.configuration, selection: .single)
        single.trace = model.trace
        var noise = RecordedNoise(initial: set.floats("ddpm/x_T"), stepNoise: try set.arrays("ddpm/noise"))
        let action = act(single, observations: set.floats("ddpm/obs"), batch: 4, noise: &noise)
        var worst = maxAbsDifference(action, set.floats("ddpm/action"))
        for i in 0..<5 { worst = max(worst, maxAbsDifference(states[i] ?? [], set.floats("ddpm/x_after_index/\(i)"))) }
        report("DQL \(variant) DDPM action + x after each index", worst, tolerance: 1e-5)
        #expect(worst <= 1e-5)
        // sample_action end to end: candidates from the given noise; torch.multinomial's draw is not
        // reproducible, so the selected action must be the candidate at the recorded index.
        var candidates: [Float] = []
        model.trace = { if case let .ddpmStep(0, x) = $0 { candidates = x.map { min(max($0, -1), 1) } } }
        var e2e = RecordedNoise(initial: set.floats("ddpm_eas_e2e/x_T"),
                                stepNoise: try set.arrays("ddpm_eas_e2e/noise"), uniforms: [0.5])
        _ = act(model, observations: set.floats("ddpm_eas_e2e/obs"), batch: 1, noise: &e2e)
        let candidateError = maxAbsDifference(candidates, set.floats("ddpm_eas_e2e/candidates"))
        report("DQL \(variant) sample_action candidates", candidateError, tolerance: 1e-5)
        #expect(candidateError <= 1e-5)
        let index = Int(set.floats("ddpm_eas_e2e/selected_index")[0])
        #expect(maxAbsDifference(Array(candidates[(index * 3)..<(index * 3 + 3)]), set.floats("ddpm_eas_e2e/action_selected")) <= 1e-5)
    }
}
