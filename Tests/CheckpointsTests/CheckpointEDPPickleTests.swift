import Foundation
import Testing
import TestSupport
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

@Suite struct CheckpointEDPPickleTests {
    /// EDP pickles with params.npz, schedule.npz and variant.json beside them. One is enough: the
    /// run's 106k-step pickle has the same structure (its export is the bundled
    /// assets/checkpoints/edp-hopper-reference.safetensors, checked in `provenanceAndHash`).
    static let checkpoints = [CheckpointFixtures.edp42k]

    @Test(arguments: checkpoints)
    func weightsAreBitIdenticalToParamsNpz(_ url: URL) throws {
        let checkpoint = try Checkpoint.load(url)
        let folder = url.deletingLastPathComponent()
        let params = try NumPyArchive.read(contentsOf: folder.appendingPathComponent("params.npz"))
        let networkKeys = Set(checkpoint.tensors.keys.filter { !$0.hasPrefix("diffusion/") })
        #expect(networkKeys == Set(params.keys))
        #expect(params.count == 28)
        for (key, expected) in params {
            #expect(CheckpointFixtures.bitIdentical(checkpoint.tensors[key], expected), "\(key)")
        }
        let schedule = try NumPyArchive.read(contentsOf: folder.appendingPathComponent("schedule.npz"))
        #expect(schedule.count == 9)
        for (name, expected) in schedule {
            #expect(CheckpointFixtures.bitIdentical(checkpoint.tensors["diffusion/\(name)"], expected), "diffusion/\(name)")
        }
    }

    @Test(arguments: checkpoints)
    func variantBecomesTheConfiguration(_ url: URL) throws {
        let checkpoint = try Checkpoint.load(url)
        let c = try #require(checkpoint.configuration.diffusionConfiguration)
        #expect(c.family == .edp)
        #expect(c.observationSize == 11)
        #expect(c.actionSize == 3)
        #expect(c.diffusionSteps == 1000)
        #expect(c.schedule == .linear)
        #expect(c.sampler == .dpm)               // act_method "dpmensemble-dpm": first entry
        #expect(c.actionSelection == .energy)
        #expect(c.candidates == 50)
        #expect(c.dpmSteps == 15)
        #expect(c.dpmEndTime == 0.001)
        #expect(c.policyHiddenSizes == [256, 256, 256])
        #expect(c.criticHiddenSizes == [256, 256, 256])
        #expect(c.timeEmbeddingSize == 16)
        #expect(c.policyLayerNorm == false && c.criticLayerNorm == false)
        #expect(c.criticActivation == "mish")
        #expect(c.maxAction == 1)
        // The full variant is kept and agrees with variant.json.
        let json = try Checkpoint.parseVariant(CheckpointFixtures.bytes(url.deletingLastPathComponent().appendingPathComponent("variant.json")))
        #expect(checkpoint.variant.count == 109)
        #expect(checkpoint.variant == json)
        #expect(checkpoint.provenance["source_format"] == "edp-pickle")
        #expect(checkpoint.provenance["agent_class"] == "diffusion.dql.DiffusionQL")
    }

    @Test func provenanceAndHash() throws {
        let checkpoint = try Checkpoint.load(CheckpointFixtures.edp42k)
        #expect(checkpoint.sha256 == "a45b98642369f03422c83b7330172bf771e935292fadbb15283ad09fc3eb6745")
        #expect(checkpoint.fileHashes == ["model_final.pkl": checkpoint.sha256])
        #expect(checkpoint.provenance["total_steps"] == "42000")
        #expect(checkpoint.provenance["epoch"] == "11")
        // The same run's 106k-step pickle, as exported to the bundled safetensors: its export
        // keeps the pickle's provenance (hash, epoch, step count).
        let final = try Checkpoint.load(TestFixtures.repositoryFile("assets/checkpoints/edp-hopper-reference.safetensors"))
        #expect(final.provenance["source_format"] == "edp-pickle")
        #expect(final.provenance["source_sha256"] == "5c95498a9712e93b6c86f2ca1d3d7a91581d7f76daa6061e886bb940526387be")
        #expect(final.provenance["total_steps"] == "106000")
        #expect(final.provenance["epoch"] == "63")
        let counts = Dictionary(uniqueKeysWithValues: checkpoint.parameterCounts.map { ($0.network, $0.count) })
        #expect(final.parameterCounts.map(\.count) == checkpoint.parameterCounts.map(\.count))
        // policy: 16·32+32 + 32·16+16 + 30·256+256 + 2·(256·256+256) + 256·3+3
        #expect(counts["policy"] == 16 * 32 + 32 + 32 * 16 + 16 + 30 * 256 + 256 + 2 * (256 * 256 + 256) + 256 * 3 + 3)
        #expect(counts["qf1"] == 14 * 256 + 256 + 2 * (256 * 256 + 256) + 256 + 1)
        #expect(counts["qf1"] == counts["qf2"])
    }

    @Test func missingTrainStatesAreNamed() throws {
        // {"agent": DiffusionQL-like object without _train_states}
        var p = PickleBuilder()
        p.proto(4)
        p.op(0x7D)
        p.shortUnicode("agent")
        p.stackGlobal("diffusion.dql", "DiffusionQL"); p.op(0x29); p.op(0x81)
        p.op(0x7D); p.shortUnicode("max_action"); p.bytes += [0x47] + withUnsafeBytes(of: (1.0).bitPattern.bigEndian, Array.init); p.op(0x73)
        p.op(0x62)
        p.op(0x73)
        p.stop()
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model_1.pkl")
        try Data(p.bytes).write(to: file)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(file) }
        #expect(error?.kind == .missingEntry)
        #expect(error?.description.contains("_train_states") == true)
        #expect(error?.description.contains("model_1.pkl") == true)
    }

    @Test func hostilePickleIsFlaggedThroughTheFacade() throws {
        var p = PickleBuilder()
        p.proto(2)
        p.global("os", "system")
        p.binUnicode("touch /tmp/pwned")
        p.op(0x85); p.op(0x52); p.stop()
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model_final.pkl")
        try Data(p.bytes).write(to: file)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(folder) }
        #expect(error?.kind == .pickle)
        #expect(error?.pickleError?.kind == .forbidden)
        #expect(error?.description.contains("os.system") == true)
    }

    @Test func truncatedRealPickleFailsThroughTheFacade() throws {
        let bytes = try Data(contentsOf: CheckpointFixtures.edp42k)
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for length in [100, 64_000, bytes.count - 10] {
            let file = folder.appendingPathComponent("model_\(length).pkl")
            try bytes.prefix(length).write(to: file)
            let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(file) }
            #expect(error?.pickleError?.kind == .truncated, "\(length)")
        }
    }
}
