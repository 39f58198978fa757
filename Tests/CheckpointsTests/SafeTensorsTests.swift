import Foundation
import Testing
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

@Suite struct SafeTensorsTests {
    static let sources = [
        CheckpointFixtures.edp42k,
        CheckpointFixtures.dqlInitActor,
        CheckpointFixtures.dqlTrainedActor,
        CheckpointFixtures.root.appendingPathComponent("edp/edp_trained_params.npz"),
        CheckpointFixtures.edpReference.appendingPathComponent("params.npz"),
    ]

    @Test(arguments: sources)
    func roundTripIsBitExact(_ source: URL) throws {
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Checkpoint.load(source)
        let exported = folder.appendingPathComponent("policy.safetensors")
        try original.export(to: exported)
        let loaded = try Checkpoint.load(exported)
        #expect(loaded.format == .safetensors)
        #expect(loaded.configuration == original.configuration)
        #expect(loaded.variant == original.variant)
        #expect(Set(loaded.tensors.keys) == Set(original.tensors.keys))
        for (key, tensor) in original.tensors {
            #expect(CheckpointFixtures.bitIdentical(loaded.tensors[key], tensor), "\(key)")
        }
        #expect(loaded.provenance["source_sha256"] == original.sha256)
        #expect(loaded.provenance["source_name"] == source.lastPathComponent)
        #expect(loaded.provenance["container_sha256"] == loaded.sha256)
        // Exporting the loaded file again gives the same bytes (provenance points at the original).
        let again = folder.appendingPathComponent("again.safetensors")
        try loaded.export(to: again)
        let first = try Data(contentsOf: exported), second = try Data(contentsOf: again)
        let decodedFirst = try SafeTensors.decode(first), decodedSecond = try SafeTensors.decode(second)
        #expect(decodedFirst.tensors == decodedSecond.tensors)
        #expect(decodedFirst.metadata[Checkpoint.MetadataKey.configuration] == decodedSecond.metadata[Checkpoint.MetadataKey.configuration])
        #expect(decodedFirst.metadata[Checkpoint.MetadataKey.sourceSHA256] == decodedSecond.metadata[Checkpoint.MetadataKey.sourceSHA256])
    }

    @Test func encodingLayoutFollowsTheFormat() throws {
        let tensors: TensorDictionary = [
            "b": Tensor(shape: [2], values: [1, -0.0]),
            "a": Tensor(shape: [1, 1], values: [.pi]),
            "empty": Tensor(shape: [0, 3], values: []),
        ]
        let data = try SafeTensors.encode(tensors, metadata: ["k\"ey": "va\nlue"])
        let bytes = [UInt8](data)
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + n) % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"k\\\"ey\":\"va\\nlue\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]}"))
        #expect(bytes.count == 8 + n + 12)
        let decoded = try SafeTensors.decode(data)
        #expect(decoded.tensors == tensors)
        #expect(decoded.metadata == ["k\"ey": "va\nlue"])
        #expect(decoded.tensors["b"]?.values[1].sign == .minus)
    }

    /// Builds a file from a raw header and data section.
    static func file(_ header: String, data: [UInt8]) -> Data {
        let h = Array(header.utf8)
        return Data(withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + data)
    }

    @Test func lyingOrInvalidHeadersAreRejected() throws {
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [(String, Data)] = [
            ("offsets beyond the data", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}"#, data: eight)),
            ("offsets disagree with shape", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, data: eight)),
            ("overlap", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight)),
            ("gap", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight)),
            ("trailing bytes", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: eight)),
            ("reversed offsets", Self.file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: eight)),
            ("duplicate name", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: eight)),
            ("F16", Self.file(#"{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}"#, data: eight)),
            ("negative shape", Self.file(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: eight)),
            ("metadata not strings", Self.file(#"{"__metadata__":{"x":1}}"#, data: [])),
            ("bad JSON", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, data: eight)),
            ("huge shape", Self.file(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: eight)),
            ("header length past the end", Data([0xFF, 0, 0, 0, 0, 0, 0, 0]) + Data("{}".utf8)),
            ("too short", Data([1, 2, 3])),
        ]
        for (name, data) in cases {
            #expect(throws: TensorArchiveError.self, "\(name)") { try SafeTensors.decode(data) }
        }
        // The same lie through the facade names the file.
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("lying.safetensors")
        try cases[2].1.write(to: url)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(url) }
        #expect(error?.kind == .safetensors)
        #expect(error?.description.contains("lying.safetensors") == true)
    }

    @Test func wrongShapesAndNaNAreRejectedOnLoad() throws {
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Checkpoint.load(CheckpointFixtures.dqlInitActor)
        // Wrong shape: the critic's output layer made 2-wide.
        var wrong = original
        wrong.tensors["q2_model.6.weight"] = Tensor(shape: [2, 256], values: [Float](repeating: 0, count: 512))
        let wrongURL = folder.appendingPathComponent("wrong.safetensors")
        try wrong.export(to: wrongURL)
        let shapeError = #expect(throws: CheckpointError.self) { try Checkpoint.load(wrongURL) }
        #expect(shapeError?.kind == .invalidTensor)
        #expect(shapeError?.description.contains("q2_model.6.weight") == true)
        // Missing tensor.
        var missing = original
        missing.tensors["model.final_layer.bias"] = nil
        let missingURL = folder.appendingPathComponent("missing.safetensors")
        try missing.export(to: missingURL)
        let missingError = #expect(throws: CheckpointError.self) { try Checkpoint.load(missingURL) }
        #expect(missingError?.kind == .missingEntry)
        // NaN weight.
        var poisoned = original
        try #require(poisoned.tensors["model.mid_layer.2.weight"] != nil)
        poisoned.tensors["model.mid_layer.2.weight"]?.values[7] = .nan
        let nanURL = folder.appendingPathComponent("nan.safetensors")
        try poisoned.export(to: nanURL)
        let nanError = #expect(throws: CheckpointError.self) { try Checkpoint.load(nanURL) }
        #expect(nanError?.kind == .nonFinite)
        #expect(nanError?.description.contains("model.mid_layer.2.weight") == true)
    }

    @Test func safetensorsWithoutMetadataInferTheConfiguration() throws {
        let original = try Checkpoint.load(CheckpointFixtures.edp42k)
        let data = try SafeTensors.encode(original.tensors)
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bare.safetensors")
        try data.write(to: url)
        let loaded = try Checkpoint.load(url)
        // Shapes give the network; without a variant the sampler falls back to EDP's code default.
        #expect(loaded.configuration.observationSize == 11)
        #expect(loaded.configuration.diffusionConfiguration?.diffusionSteps == 1000)
        #expect(loaded.configuration.diffusionConfiguration?.sampler == .ddpm)
        #expect(loaded.configuration.diffusionConfiguration?.actionSelection == .energy)
    }
}
