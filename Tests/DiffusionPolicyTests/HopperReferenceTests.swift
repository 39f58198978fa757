import Foundation
import Testing
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// The real EDP hopper checkpoint at 42k steps (Tests/Fixtures/edp-hopper-42k):
/// params.npz + schedule.npz against EDP's own outputs in golden_trained.npz.
struct HopperReferenceTests {
    static let folder = "edp-hopper-42k/"
    static let goldenFile = folder + "golden_trained.npz"

    /// The checkpoint's weights with EDP's schedule arrays under `diffusion/`, and EDP's outputs,
    /// read once per test.
    let tensors: TensorDictionary
    let outputs: TensorDictionary

    init() throws {
        var tensors = try Fixtures.npz(Self.folder + "params.npz")
        for (key, value) in try Fixtures.npz(Self.folder + "schedule.npz") {
            tensors["diffusion/" + key] = value
        }
        self.tensors = tensors
        outputs = try Fixtures.npz(Self.goldenFile)
    }

    func model(_ selection: PolicyConfiguration.ActionSelection = .energy) throws -> DiffusionPolicyModel {
        try DiffusionPolicyModel(tensors: tensors, configuration: Fixtures.edpConfiguration(selection: selection))
    }

    /// The array `key` of golden_trained.npz.
    func golden(_ key: String) throws -> [Float] { try outputs.values(key, in: Self.goldenFile) }

    @Test("ε (tolerance 1e-5), Q1/Q2 (Q ≈ 300: tolerance 1e-6·|Q|, float32 ulp there is 3e-5)")
    func networkAndCritics() throws {
        let model = try model()
        var eps = [Float](repeating: 0, count: 24)
        NoiseNetworkEvaluator(network: model.network).predict(
            observations: try golden("observations"), actions: try golden("eps_x"), times: try golden("eps_t"), into: &eps)
        let e1 = maxAbsDifference(eps, try golden("eps_out"))
        report("hopper eps_out", e1, tolerance: 1e-5)
        #expect(e1 <= 1e-5)
        let (q1, q2) = try #require(model.critic).qValues(observations: try golden("observations"), actions: try golden("q_actions"))
        let expected = try golden("q1") + golden("q2")
        let relative = zip(q1 + q2, expected).map { abs($0 - $1) / abs($1) }.max() ?? .infinity
        report("hopper Q1/Q2 (relative)", relative, tolerance: 1e-6)
        #expect(relative <= 1e-6)
    }

    @Test("DPM-Solver actions from dpm_xT (tolerance 1e-5)")
    func dpm() throws {
        let model = try model(.single)
        var noise = RecordedNoise(initial: try golden("dpm_xT"))
        let actions = act(model, observations: try golden("observations"), batch: 8, noise: &noise)
        let error = maxAbsDifference(actions, try golden("dpm_actions"))
        report("hopper dpm_actions", error, tolerance: 1e-5)
        #expect(error <= 1e-5)
    }

    @Test("EAS: 50 candidates from eas_xT (1e-5), min(Q1,Q2) (1e-6 relative), argmax index, and the categorical pick is a candidate")
    func eas() throws {
        let model = try model(.argmax)
        var candidates: [Float] = [], q1: [Float] = [], q2: [Float] = []
        model.trace = {
            if case let .dpmOuterStep(5, x) = $0 { candidates = x }
            if case let .scores(a, b) = $0 { q1 = a; q2 = b }
        }
        var noise = RecordedNoise(initial: try golden("eas_xT"))
        let action = act(model, observations: try golden("eas_obs"), batch: 1, noise: &noise)
        let e1 = maxAbsDifference(candidates, try golden("eas_candidates"))
        let qmin = zip(q1, q2).map { min($0, $1) }
        let e2 = zip(qmin, try golden("eas_qmin")).map { abs($0 - $1) / abs($1) }.max() ?? .infinity
        report("hopper eas candidates", e1, tolerance: 1e-5)
        report("hopper eas qmin (relative)", e2, tolerance: 1e-6)
        #expect(e1 <= 1e-5)
        #expect(e2 <= 1e-6)
        try #require(candidates.count == 50 * 3 && qmin.count == 50)
        let argmax = Int(try #require(try golden("eas_argmax_idx").first))
        #expect(EnergySelection.argmax(qmin) == argmax)
        #expect(maxAbsDifference(action, Array(candidates[(argmax * 3)..<(argmax * 3 + 3)])) == 0)
        let picked = Int(try #require(try golden("eas_categorical_idx").first))
        #expect(maxAbsDifference(Array(candidates[(picked * 3)..<(picked * 3 + 3)]), try golden("eas_action")) <= 1e-5)
    }
}
