import Foundation
import Randomness
import Testing
import TestSupport
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Fixtures of the feed-forward and SB3 tests, through the one locator (`TestFixtures`).
enum ProjectFixtures {
    static func url(_ relative: String) throws -> URL { try TestFixtures.url(relative) }
    static func json(_ relative: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: TestFixtures.data(relative)) as? [String: Any] else {
            throw FixtureError(path: "Tests/Fixtures/\(relative)", reason: "not a JSON object")
        }
        return object
    }
}

/// Runs a checkpoint's policy on float64 observations the way `CheckpointPolicy` does: the
/// configuration's normalization in float64, then the float32 network.
func deterministicActions(_ checkpoint: Checkpoint, _ observations: [[Double]]) throws -> [[Float]] {
    let policy = try makeBatchedPolicy(tensors: checkpoint.tensors, configuration: checkpoint.configuration)
    let o = policy.observationSize, a = policy.actionSize, n = observations.count
    let flat = observations.flatMap { $0 }
    guard flat.count == n * o else {
        throw FixtureError(path: checkpoint.url.path, reason: "observations have \(flat.count) values, expected \(n) rows of \(o)")
    }
    var input = [Float](repeating: 0, count: n * o)
    if let normalization = checkpoint.configuration.observationNormalization {
        flat.withUnsafeBufferPointer { obs in
            input.withUnsafeMutableBufferPointer { normalization.apply(obs, rows: n, width: o, into: $0) }
        }
    } else {
        input = flat.map { Float($0) }
    }
    var actions = [Float](repeating: 0, count: n * a)
    var generators = (0..<n).map { PolicyRandom(seed: UInt64($0)) }
    input.withUnsafeBufferPointer { obs in
        actions.withUnsafeMutableBufferPointer { policy.act(observations: obs, batch: n, generators: &generators, into: $0) }
    }
    return (0..<n).map { Array(actions[($0 * a)..<(($0 + 1) * a)]) }
}

func maxAbsDifference(_ ours: [[Float]], _ reference: [[Double]]) -> Double {
    zip(ours, reference).flatMap { zip($0.0, $0.1).map { abs(Double($0.0) - $0.1) } }.max() ?? .infinity
}

@Suite struct FeedForwardCheckpointTests {
    @Test func npzWithConfigurationMemberLoadsAndActsLikeNumPy() throws {
        let checkpoint = try Checkpoint.load(ProjectFixtures.url("ff-checkpoints/ff-relu.npz"))
        let c = try #require(checkpoint.configuration.feedForwardConfiguration)
        #expect(checkpoint.format == .npz && c.family == .feedForwardDeterministic)
        #expect(c.observationSize == 11 && c.actionSize == 3 && c.policyHiddenSizes == [16, 16])
        #expect(c.activation == "relu" && c.observationNormalization == nil)
        #expect(checkpoint.tensors[Checkpoint.MetadataKey.configuration] == nil)
        let fixture = try ProjectFixtures.json("ff-checkpoints/actions.json")
        let ours = try deterministicActions(checkpoint, try #require(fixture["observations"] as? [[Double]]))
        #expect(maxAbsDifference(ours, try #require(fixture["ff-relu.npz"] as? [[Double]])) <= 1e-5)
    }

    @Test func safetensorsGaussianWithEluAndNormalizationActsLikeNumPy() throws {
        let checkpoint = try Checkpoint.load(ProjectFixtures.url("ff-checkpoints/ff-elu-gaussian.safetensors"))
        let c = try #require(checkpoint.configuration.feedForwardConfiguration)
        #expect(c.family == .feedForwardGaussian && c.activation == "elu" && c.maxAction == 0.5)
        #expect(c.observationNormalization?.clip == 5 && c.observationNormalization?.mean.count == 11)
        let fixture = try ProjectFixtures.json("ff-checkpoints/actions.json")
        let ours = try deterministicActions(checkpoint, try #require(fixture["observations"] as? [[Double]]))
        let difference = maxAbsDifference(ours, try #require(fixture["ff-elu-gaussian.safetensors"] as? [[Double]]))
        #expect(difference <= 1e-5, "max |diff| \(difference)")
    }

    @Test func exportRoundTripKeepsConfigurationAndWeights() throws {
        let original = try Checkpoint.load(ProjectFixtures.url("ff-checkpoints/ff-elu-gaussian.safetensors"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for source in [original, try Checkpoint.load(ProjectFixtures.url("ff-checkpoints/ff-relu.npz"))] {
            let destination = folder.appendingPathComponent("out.safetensors")
            try source.export(to: destination)
            let back = try Checkpoint.load(destination)
            #expect(back.configuration == source.configuration)
            #expect(back.tensors == source.tensors)
        }
    }

    @Test func feedForwardWeightsWithoutConfigurationAreRefusedWithTheFix() throws {
        var tensors = try Checkpoint.load(ProjectFixtures.url("ff-checkpoints/ff-relu.npz")).tensors
        let bytes = try SafeTensors.encode(tensors, metadata: [:])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bare.safetensors")
        try bytes.write(to: url)
        #expect { try Checkpoint.load(url) } throws: { error in
            let text = "\(error)"
            return text.contains(url.path) && text.contains("need a configuration") && text.contains("ff-deterministic")
        }

        // A configuration that disagrees with the weights names the tensor and the expected shape.
        func write(_ configuration: String, _ tensors: TensorDictionary) throws -> URL {
            try SafeTensors.encode(tensors, metadata: [Checkpoint.MetadataKey.configuration: configuration]).write(to: url)
            return url
        }
        let wrongHidden = #"{"family": "ff-deterministic", "observationSize": 11, "actionSize": 3, "policyHiddenSizes": [16, 8]}"#
        #expect { try Checkpoint.load(try write(wrongHidden, tensors)) } throws: { "\($0)".contains("policy/params/Dense_1/bias has shape [16], expected [8]") }
        let gaussian = #"{"family": "ff-gaussian", "observationSize": 11, "actionSize": 3, "policyHiddenSizes": [16, 16]}"#
        #expect { try Checkpoint.load(try write(gaussian, tensors)) } throws: { "\($0)".contains("Dense_2/bias has shape [3], expected [6]") }
        let badActivation = #"{"family": "ff-deterministic", "observationSize": 11, "actionSize": 3, "policyHiddenSizes": [16, 16], "feedForwardActivation": "gelu"}"#
        #expect { try Checkpoint.load(try write(badActivation, tensors)) } throws: { "\($0)".contains("feedForwardActivation") && "\($0)".contains("gelu") }
        tensors["policy/params/Dense_3/kernel"] = Tensor(shape: [3, 3], values: [Float](repeating: 0, count: 9))
        let good = #"{"family": "ff-deterministic", "observationSize": 11, "actionSize": 3, "policyHiddenSizes": [16, 16]}"#
        #expect { try Checkpoint.load(try write(good, tensors)) } throws: { "\($0)".contains("Dense_3/kernel is not part of") }
        let diffusionMissingFields = #"{"family": "edp", "observationSize": 11, "actionSize": 3, "policyHiddenSizes": [16, 16]}"#
        #expect { try Checkpoint.load(try write(diffusionMissingFields, tensors)) } throws: { "\($0)".contains("edp_eval.configuration") }
    }

    /// Normalization stored in a diffusion checkpoint's configuration is validated like a
    /// feed-forward one: a wrong-width mean would be read out of bounds, a zero scale gives inf.
    @Test func diffusionCheckpointNormalizationIsValidated() throws {
        let source = try Checkpoint.load(ProjectFixtures.url("ff-checkpoints/edp-antmaze-obsnorm.safetensors"))
        #expect(source.configuration.family == .edp)
        let width = source.configuration.observationSize
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edp-norm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("edp-norm.safetensors")
        func write(_ normalization: ObservationNormalization) throws -> URL {
            var configuration = source.configuration
            configuration.observationNormalization = normalization
            let json = String(decoding: try JSONEncoder().encode(configuration), as: UTF8.self)
            try SafeTensors.encode(source.tensors, metadata: [Checkpoint.MetadataKey.configuration: json]).write(to: url)
            return url
        }
        let good = try Checkpoint.load(try write(.edp(mean: 1, std: 2, source: "test")))
        #expect(good.configuration.observationNormalization?.scale == [2 + 1e-6])
        let wrongWidth = ObservationNormalization(mean: [0, 1], scale: [1], clip: nil, source: "test")
        #expect { try Checkpoint.load(try write(wrongWidth)) } throws: { error in
            "\(error)".contains(url.path) && "\(error)".contains("mean has 2 values, expected 1 or \(width)")
        }
        let zeroScale = ObservationNormalization(mean: [0], scale: [0], clip: 10, source: "test")
        #expect { try Checkpoint.load(try write(zeroScale)) } throws: { "\($0)".contains("scale[0] is 0.0, must be > 0") }
    }

    @Test func eluMatchesItsDefinition() throws {
        let x = SIMD8<Float>(-30, -2, -0.5, -1e-3, 0, 1e-3, 0.5, 3)
        let y = Activation.elu(x)
        for i in 0..<8 {
            let expected = x[i] > 0 ? Double(x[i]) : expm1(Double(x[i]))
            #expect(abs(Double(y[i]) - expected) <= 2e-7 * max(1, abs(expected)), "elu(\(x[i]))")
        }
    }
}
