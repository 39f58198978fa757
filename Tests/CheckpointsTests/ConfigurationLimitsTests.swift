import Foundation
import Testing
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Sizes from files and overrides are bounded (`PolicyConfiguration.Limits`): a configuration with
/// 2^62 anywhere is refused with a message naming the field, never an arithmetic-overflow trap or
/// an allocation of that length (the reviewer's te_huge, dpmsteps_huge, cand_huge files and the
/// --dpm-steps / --candidates overrides).
@Suite struct ConfigurationLimitsTests {
    static let huge = 1 << 62

    /// The Diffusion-QL fixture's tensors with `edit` applied to its configuration, as an export.
    static func export(_ edit: (inout DiffusionConfiguration) -> Void) throws -> Data {
        let checkpoint = try Checkpoint.load(CheckpointFixtures.dqlInitActor)
        var metadata = try checkpoint.exportMetadata()
        var configuration = try #require(checkpoint.configuration.diffusionConfiguration)
        edit(&configuration)
        metadata[Checkpoint.MetadataKey.configuration] = String(decoding: try JSONEncoder().encode(PolicyConfiguration.diffusion(configuration)), as: UTF8.self)
        return try SafeTensors.encode(checkpoint.tensors, metadata: metadata)
    }

    static let edits: [(String, String, (inout DiffusionConfiguration) -> Void)] = [
        ("time embedding", "time embedding size E 4611686018427387904", { $0.timeEmbeddingSize = huge }),
        ("observation", "observation size O 4611686018427387904", { $0.observationSize = huge }),
        ("action", "action size A 4611686018427387904", { $0.actionSize = huge }),
        ("policy hidden", "policy hidden size 4611686018427387904", { $0.policyHiddenSizes[1] = huge }),
        ("critic hidden", "critic hidden size 4611686018427387904", { $0.criticHiddenSizes[0] = huge }),
        ("hidden layers", "policy has 65 hidden layers", { $0.policyHiddenSizes = Array(repeating: 256, count: 65) }),
        ("K", "diffusion steps K 4611686018427387904", { $0.diffusionSteps = huge }),
        ("dpm steps", "DPM-Solver steps 4611686018427387904", { $0.dpmSteps = huge }),
        ("dpm steps > K", "DPM-Solver steps 6 exceed the 5 diffusion steps K", { $0.sampler = .dpm; $0.dpmSteps = 6 }),
        ("candidates", "candidates N 1000000000000", { $0.candidates = 1_000_000_000_000 }),
    ]

    @Test(arguments: 0..<edits.count)
    func hugeConfigurationValuesAreRefusedByName(_ index: Int) throws {
        let (label, expected, edit) = Self.edits[index]
        let data = try Self.export(edit)
        let url = URL(fileURLWithPath: "/limits/\(label.replacingOccurrences(of: " ", with: "_")).safetensors")
        let error = #expect(throws: CheckpointError.self, "\(label)") { try Checkpoint.SafeTensorsReader.read(data: data, url: url) }
        #expect(error?.kind == .invalidConfiguration)
        #expect(error?.description.hasPrefix("\(url.path): implausible configuration: \(expected)") == true, "\(String(describing: error))")
    }

    @Test func overridesAreBoundedWhenTheModelIsBuilt() throws {
        let tensors = try Fixtures.edpTrained().loadedTensors()
        let configuration = Fixtures.edpConfiguration()
        for (steps, candidates, expected) in [(Self.huge, nil, "DPM-Solver steps 4611686018427387904"),
                                              (nil, 1_000_000_000_000, "candidates N 1000000000000"),
                                              (1001, nil, "DPM-Solver steps 1001 is outside 1...1000")] as [(Int?, Int?, String)] {
            let error = #expect(throws: PolicyLoadingError.self) {
                try DiffusionPolicyModel(tensors: tensors, configuration: configuration, dpmSteps: steps, candidates: candidates)
            }
            #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        }
        // The plan itself refuses more steps than K or than the bound, without allocating them.
        let k100 = try DiffusionSchedule.edp(.linear, steps: 100)
        let tooMany = #expect(throws: PolicyLoadingError.self) { try DPMSolverPlan(schedule: k100, steps: Self.huge, endTime: 0.01) }
        #expect(tooMany?.description.contains("need ≤ 100") == true)
        #expect(throws: PolicyLoadingError.self) { try DPMSolverPlan(schedule: k100, steps: 101, endTime: 0.01) }
        #expect(try DPMSolverPlan(schedule: k100, steps: 100, endTime: 0.01).steps == 100)
    }

    @Test func emptyTensorsWithHugeExtentsDoNotOverflowTheShapeArithmetic() throws {
        var tensors = try Fixtures.edpTrained().loadedTensors()
        tensors["policy/params/base_net/TimeEmbedding_0/Dense_1/kernel"] = Tensor(shape: [0, Self.huge], values: [])
        let url = URL(fileURLWithPath: "/limits/empty.npz")
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.edpDimensions(tensors, url: url) }
        #expect(error?.description.contains("has an extent above") == true)
        var dql = try Checkpoint.load(CheckpointFixtures.dqlInitActor).tensors
        dql["model.final_layer.weight"] = Tensor(shape: [Self.huge, 0], values: [])
        #expect(throws: CheckpointError.self) { try Checkpoint.diffusionQLDimensions(dql, url: url) }
    }
}
