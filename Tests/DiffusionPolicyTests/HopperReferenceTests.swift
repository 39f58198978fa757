import Foundation
import Testing
@testable import DiffusionPolicy

/// The real EDP hopper checkpoint at 42k steps (fixtures/edp-hopper-reference/step-42k):
/// params.npz + schedule.npz against EDP's own outputs in golden_trained.npz.
struct HopperReferenceTests {
    static let folder = "fixtures/edp-hopper-reference/step-42k/"

    func load() throws -> (DiffusionPolicyModel, TensorDictionary) {
        var tensors = try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "params.npz"))
        for (key, value) in try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "schedule.npz")) {
            tensors["diffusion/" + key] = value
        }
        let golden = try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "golden_trained.npz"))
        let model = try DiffusionPolicyModel(tensors: tensors, configuration: Fixtures.edpConfiguration())
        return (model, golden)
    }

    @Test("ε (tolerance 1e-5), Q1/Q2 (Q ≈ 300: tolerance 1e-6·|Q|, float32 ulp there is 3e-5)")
    func networkAndCritics() throws {
        let (model, golden) = try load()
        var eps = [Float](repeating: 0, count: 24)
        NoiseNetworkEvaluator(network: model.network).predict(
            observations: golden["observations"]!.values, actions: golden["eps_x"]!.values, times: golden["eps_t"]!.values, into: &eps)
        let e1 = maxAbsDifference(eps, golden["eps_out"]!.values)
        report("hopper eps_out", e1, tolerance: 1e-5)
        #expect(e1 <= 1e-5)
        let (q1, q2) = model.critic!.qValues(observations: golden["observations"]!.values, actions: golden["q_actions"]!.values)
        let relative = zip(q1 + q2, golden["q1"]!.values + golden["q2"]!.values).map { abs($0 - $1) / abs($1) }.max()!
        report("hopper Q1/Q2 (relative)", relative, tolerance: 1e-6)
        #expect(relative <= 1e-6)
    }

    @Test("DPM-Solver actions from dpm_xT (tolerance 1e-5)")
    func dpm() throws {
        let (_, golden) = try load()
        var tensors = try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "params.npz"))
        tensors.merge(try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "schedule.npz")).map { ("diffusion/" + $0.key, $0.value) }) { a, _ in a }
        let model = try DiffusionPolicyModel(tensors: tensors, configuration: Fixtures.edpConfiguration(selection: .single))
        var noise = RecordedNoise(initial: golden["dpm_xT"]!.values)
        let actions = act(model, observations: golden["observations"]!.values, batch: 8, noise: &noise)
        let error = maxAbsDifference(actions, golden["dpm_actions"]!.values)
        report("hopper dpm_actions", error, tolerance: 1e-5)
        #expect(error <= 1e-5)
    }

    @Test("EAS: 50 candidates from eas_xT (1e-5), min(Q1,Q2) (1e-6 relative), argmax index, and the categorical pick is a candidate")
    func eas() throws {
        let (_, golden) = try load()
        var tensors = try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "params.npz"))
        tensors.merge(try NumPyArchive.read(contentsOf: Fixtures.url(Self.folder + "schedule.npz")).map { ("diffusion/" + $0.key, $0.value) }) { a, _ in a }
        let model = try DiffusionPolicyModel(tensors: tensors, configuration: Fixtures.edpConfiguration(selection: .argmax))
        var candidates: [Float] = [], q1: [Float] = [], q2: [Float] = []
        model.trace = {
            if case let .dpmOuterStep(5, x) = $0 { candidates = x }
            if case let .scores(a, b) = $0 { q1 = a; q2 = b }
        }
        var noise = RecordedNoise(initial: golden["eas_xT"]!.values)
        let action = act(model, observations: golden["eas_obs"]!.values, batch: 1, noise: &noise)
        let e1 = maxAbsDifference(candidates, golden["eas_candidates"]!.values)
        let qmin = zip(q1, q2).map { min($0, $1) }
        let e2 = zip(qmin, golden["eas_qmin"]!.values).map { abs($0 - $1) / abs($1) }.max()!
        report("hopper eas candidates", e1, tolerance: 1e-5)
        report("hopper eas qmin (relative)", e2, tolerance: 1e-6)
        #expect(e1 <= 1e-5)
        #expect(e2 <= 1e-6)
        let argmax = Int(golden["eas_argmax_idx"]!.values[0])
        #expect(EnergySelection.argmax(qmin) == argmax)
        #expect(maxAbsDifference(action, Array(candidates[(argmax * 3)..<(argmax * 3 + 3)])) == 0)
        let picked = Int(golden["eas_categorical_idx"]!.values[0])
        #expect(maxAbsDifference(Array(candidates[(picked * 3)..<(picked * 3 + 3)]), golden["eas_action"]!.values) <= 1e-5)
    }
}
