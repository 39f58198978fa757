import Foundation
import Testing
import TestSupport
import Digests
@testable import Environments
@testable import MuJoCo

/// The kitchen model compiled here equals the one D4RL compiles (dm_control 1.0.14's
/// `Physics.from_xml_path` on the official mujoco 2.3.7 bindings), array by array:
/// Tests/Fixtures/d4rl-kitchen-pen/kitchen-model.json holds every size of mjModel and the SHA-256
/// of every compiled array's raw bytes (Tools/fixtures/generate_kitchen_model.py). Exact.
@Suite struct KitchenModelTests {
    struct Digest: Decodable {
        struct Array: Decodable {
            let count: Int
            let sha256: String
        }
        struct Options: Decodable {
            let timestep: Double
            let integrator: Int
            let gravity: [Double]
        }
        let sizes: [String: Int]
        let arrays: [String: Array]
        let options: Options
    }

    @Test func compiledModelEqualsD4RLs() throws {
        let digest = try JSONDecoder().decode(Digest.self, from: TestFixtures.data("d4rl-kitchen-pen/kitchen-model.json"))
        let model = try EnvironmentFactory.model(for: TaskRegistry.standard().task("kitchen-mixed-v0"), physics: .v2_3_7)
        let sizes = model.compiledSizes
        #expect(sizes.count == digest.sizes.count, "every size of mjModel is in the digest")
        for (name, value) in sizes {
            #expect(digest.sizes[name] == value, "size \(name): ours \(value), D4RL's \(digest.sizes[name].map(String.init) ?? "missing")")
        }
        let arrays = model.compiledArrays
        #expect(arrays.count == digest.arrays.count && arrays.count > 250, "every array of mjModel is in the digest")
        for array in arrays {
            let reference = try #require(digest.arrays[array.name], "array \(array.name) missing from the digest")
            let hash = SHA256Digest.hex(Data(array.bytes))
            #expect(array.count == reference.count && hash == reference.sha256, "array \(array.name) differs from D4RL's")
        }
        #expect(model.timestep == digest.options.timestep && model.timestep == 0.002)
        #expect(model.integrator.rawValue == digest.options.integrator && model.integrator == .euler)
        #expect(model.gravity == digest.options.gravity)
        #expect(model.nq == 30 && model.nv == 29 && model.nu == 9)
    }
}
