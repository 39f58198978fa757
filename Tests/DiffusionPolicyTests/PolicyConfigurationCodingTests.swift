import Foundation
import Testing
@testable import DiffusionPolicy

/// The JSON of a `PolicyConfiguration` is a file format (`edp_eval.configuration` in exports and
/// `.npz` members): the sum type must write what the 20-field struct it replaced wrote. The
/// expected strings are the `edp_eval.configuration` metadata that `edp-eval export` wrote
/// (sorted keys) for Tests/Fixtures/ff-checkpoints/ff-relu.npz and dql/trained/actor_2000.pth
/// before the configuration became a sum type.
@Suite struct PolicyConfigurationCodingTests {
    static func json(_ configuration: PolicyConfiguration) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    static let feedForwardJSON = #"{"actionSelection":"single","actionSize":3,"candidates":1,"criticActivation":"relu","criticHiddenSizes":[],"criticLayerNorm":false,"diffusionSteps":1,"dpmEndTime":0.001,"dpmSteps":1,"family":"ff-deterministic","feedForwardActivation":"relu","maxAction":1,"observationSize":11,"policyHiddenSizes":[16,16],"policyLayerNorm":false,"sampler":"ddpm","schedule":"linear","timeEmbeddingSize":1}"#
    static let diffusionQLJSON = #"{"actionSelection":"energy","actionSize":3,"candidates":50,"criticActivation":"mish","criticHiddenSizes":[256,256,256],"criticLayerNorm":false,"diffusionSteps":5,"dpmEndTime":0.001,"dpmSteps":15,"family":"diffusion-ql","maxAction":1,"observationSize":11,"policyHiddenSizes":[256,256,256],"policyLayerNorm":false,"sampler":"ddpm","schedule":"vp","timeEmbeddingSize":16}"#

    @Test func feedForwardWritesTheNeutralDiffusionFieldsItAlwaysWrote() throws {
        let configuration = PolicyConfiguration.feedForward(FeedForwardConfiguration(
            family: .feedForwardDeterministic, observationSize: 11, actionSize: 3, hiddenSizes: [16, 16],
            activation: "relu", actionOutput: nil))
        #expect(try Self.json(configuration) == Self.feedForwardJSON)
        let decoded = try JSONDecoder().decode(PolicyConfiguration.self, from: Data(Self.feedForwardJSON.utf8))
        #expect(decoded == configuration)
    }

    @Test func diffusionRoundTripsByteForByte() throws {
        let decoded = try JSONDecoder().decode(PolicyConfiguration.self, from: Data(Self.diffusionQLJSON.utf8))
        let d = try #require(decoded.diffusionConfiguration)
        #expect(d.family == .diffusionQL && d.diffusionSteps == 5 && d.schedule == .vp && d.candidates == 50)
        #expect(try Self.json(decoded) == Self.diffusionQLJSON)
    }

    @Test func handWrittenFeedForwardNeedsOnlyItsOwnFields() throws {
        let text = #"{"family": "ff-gaussian", "observationSize": 4, "actionSize": 2, "policyHiddenSizes": [8]}"#
        let decoded = try JSONDecoder().decode(PolicyConfiguration.self, from: Data(text.utf8))
        let f = try #require(decoded.feedForwardConfiguration)
        #expect(f.outputSize == 4 && f.activation == nil && f.actionOutput == nil && f.maxAction == 1)
        // Diffusion fields present in a feed-forward configuration are still type-checked.
        let wrongType = #"{"family": "ff-gaussian", "observationSize": 4, "actionSize": 2, "policyHiddenSizes": [8], "sampler": "euler"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PolicyConfiguration.self, from: Data(wrongType.utf8)) }
    }

    @Test func diffusionNeedsEveryDiffusionField() throws {
        let missing = Self.diffusionQLJSON.replacingOccurrences(of: #""candidates":50,"#, with: "")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PolicyConfiguration.self, from: Data(missing.utf8)) }
    }

    @Test func overridesChangeOnlyTheDiffusionCase() throws {
        let diffusion = try JSONDecoder().decode(PolicyConfiguration.self, from: Data(Self.diffusionQLJSON.utf8))
        let overridden = diffusion.overriding(selection: .single, candidates: 7)
        #expect(overridden.diffusionConfiguration?.actionSelection == .single)
        #expect(overridden.diffusionConfiguration?.candidates == 7)
        let feedForward = try JSONDecoder().decode(PolicyConfiguration.self, from: Data(Self.feedForwardJSON.utf8))
        #expect(feedForward.overriding(sampler: .dpm, dpmSteps: 3) == feedForward)
    }
}
