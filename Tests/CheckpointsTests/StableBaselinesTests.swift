import Foundation
import Testing
import TestSupport
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Stable-Baselines3 zips as downloaded from the RL Zoo, and one made without PyTorch
/// (`Tools/fixtures/make_sb3_td3_zip.py`). References: float32 NumPy actions, tolerance 1e-5.
@Suite struct StableBaselinesTests {
    @Test func tqcHopperAsDownloadedMatchesTheReferenceActions() throws {
        let checkpoint = try Checkpoint.load(ProjectFixtures.url("sb3-tqc-hopper/Hopper-v3.zip"))
        let c = try #require(checkpoint.configuration.feedForwardConfiguration)
        #expect(checkpoint.format == .stableBaselines && c.family == .feedForwardGaussian)
        #expect(c.observationSize == 11 && c.actionSize == 3 && c.policyHiddenSizes == [256, 256])
        #expect(c.activation == "relu" && c.actionOutput == .tanh && c.maxAction == 1)
        #expect(c.observationNormalization == nil)
        #expect(checkpoint.provenance["sb3_algorithm"] == "TQC")
        let fixture = try ProjectFixtures.json("sb3-tqc-hopper/actions.json")
        let observations = try #require(fixture["observations"] as? [[Double]])
        #expect(observations.count == 264)
        let ours = try deterministicActions(checkpoint, observations)
        let difference = maxAbsDifference(ours, try #require(fixture["actions"] as? [[Double]]))
        #expect(difference <= 1e-5, "max |diff| \(difference)")
    }

    @Test func ppoHopperWithVecNormalizeMatchesTheReferenceActions() throws {
        let checkpoint = try Checkpoint.load(ProjectFixtures.url("sb3-ppo-hopper/Hopper-v3.zip"))
        let c = try #require(checkpoint.configuration.feedForwardConfiguration)
        #expect(c.family == .feedForwardDeterministic && c.actionOutput == .clip && c.activation == "relu")
        let fixture = try ProjectFixtures.json("sb3-ppo-hopper/actions.json")
        let stats = try #require(fixture["vecnormalize"] as? [String: Any])
        let normalization = try #require(c.observationNormalization)
        // The pickle's float64 bytes against the JSON's decimal text (Foundation's parser is not
        // always correctly rounded in the last bit): 1e-14 relative.
        func close(_ a: [Double], _ b: [Double]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-14 * max(abs($0), abs($1)) }
        }
        #expect(close(normalization.mean, try #require(stats["mean"] as? [Double])))
        let variance = try #require(stats["var"] as? [Double])
        #expect(close(normalization.scale, variance.map { ($0 + 1e-8).squareRoot() }))
        #expect(normalization.clip == 10)
        #expect(checkpoint.fileHashes["vecnormalize.pkl"] != nil && checkpoint.provenance["vecnormalize_sha256"] != nil)
        let ours = try deterministicActions(checkpoint, try #require(fixture["observations"] as? [[Double]]))
        let difference = maxAbsDifference(ours, try #require(fixture["actions"] as? [[Double]]))
        #expect(difference <= 1e-5, "max |diff| \(difference)")
    }

    @Test func zooFolderLayoutFindsVecNormalize() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sb3-zoo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("Hopper-v3"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: ProjectFixtures.url("sb3-ppo-hopper/Hopper-v3.zip"), to: folder.appendingPathComponent("Hopper-v3.zip"))
        let plain = try Checkpoint.load(folder.appendingPathComponent("Hopper-v3.zip"))
        #expect(plain.configuration.observationNormalization == nil)
        try FileManager.default.copyItem(at: ProjectFixtures.url("sb3-ppo-hopper/vecnormalize.pkl"),
                                         to: folder.appendingPathComponent("Hopper-v3/vecnormalize.pkl"))
        let zoo = try Checkpoint.load(folder.appendingPathComponent("Hopper-v3.zip"))
        #expect(zoo.configuration.observationNormalization?.clip == 10)
        #expect(zoo.provenance["vecnormalize_file"] == "Hopper-v3/vecnormalize.pkl")
        // Hashed under its path relative to the zip's folder, so reports record where it really is.
        #expect(zoo.fileHashes["Hopper-v3/vecnormalize.pkl"] == zoo.provenance["vecnormalize_sha256"])
        #expect(zoo.fileHashes["vecnormalize.pkl"] == nil)
    }

    @Test func td3ZipMadeWithoutTorchMatchesNumPy() throws {
        let checkpoint = try Checkpoint.load(ProjectFixtures.url("sb3-td3-synthetic/hopper-td3.zip"))
        let c = try #require(checkpoint.configuration.feedForwardConfiguration)
        #expect(c.family == .feedForwardDeterministic && c.actionOutput == .tanh && c.policyHiddenSizes == [32, 32])
        #expect(checkpoint.provenance["sb3_algorithm"] == "TD3/DDPG" && checkpoint.provenance["sb3_version"] == "1.3.0")
        let fixture = try ProjectFixtures.json("sb3-td3-synthetic/actions.json")
        let ours = try deterministicActions(checkpoint, try #require(fixture["observations"] as? [[Double]]))
        let difference = maxAbsDifference(ours, try #require(fixture["actions"] as? [[Double]]))
        #expect(difference <= 1e-5, "max |diff| \(difference)")
    }

    /// SB3 2.x (gymnasium) keeps a Box's shape in `_shape` and may give only `low_repr`/`high_repr`.
    @Test func sb3Version2DataWithUnderscoreShapeAndReprBounds() throws {
        let checkpoint = try Checkpoint.load(ProjectFixtures.url("sb3-td3-synthetic/hopper-td3-sb3v2.zip"))
        let c = try #require(checkpoint.configuration.feedForwardConfiguration)
        #expect(c.observationSize == 11 && c.actionSize == 3 && c.maxAction == 1)
        #expect(checkpoint.provenance["sb3_version"] == "2.3.2")
        let fixture = try ProjectFixtures.json("sb3-td3-synthetic/actions.json")
        let ours = try deterministicActions(checkpoint, try #require(fixture["observations"] as? [[Double]]))
        #expect(maxAbsDifference(ours, try #require(fixture["actions"] as? [[Double]])) <= 1e-5)
        // The remaining fallbacks: a Python tuple repr, and the length of `low`.
        #expect(Checkpoint.StableBaselinesReader.boxShape(["_shape": "(11,)"]) == [11])
        #expect(Checkpoint.StableBaselinesReader.boxShape(["low": "[-inf -inf\n -inf]", "high": "[inf inf inf]"]) == [3])
        #expect(Checkpoint.StableBaselinesReader.boxShape(["dtype": "float32"]) == nil)
        let url = URL(fileURLWithPath: "agent.zip")
        #expect(try Checkpoint.StableBaselinesReader.symmetricBound(["low_repr": "-0.5", "high_repr": "0.5"], url: url) == 0.5)
        #expect { try Checkpoint.StableBaselinesReader.symmetricBound(["dtype": "float32"], url: url) } throws: { "\($0)".contains("no readable low") }
    }

    @Test func vecNormalizeIsReadWithoutAllowingOtherStableBaselinesNames() throws {
        let data = try TestFixtures.data("sb3-ppo-hopper/vecnormalize.pkl")
        #expect(try Checkpoint.stableBaselinesNormalization(data, url: ProjectFixtures.url("sb3-ppo-hopper/vecnormalize.pkl")) != nil)
        #expect(PickleReader.forbiddenReason(for: PickleGlobal(module: "stable_baselines3.common.vec_env.vec_normalize", name: "VecNormalize")) == nil)
        #expect(PickleReader.forbiddenReason(for: PickleGlobal(module: "stable_baselines3.common.utils", name: "get_system_info")) != nil)
        #expect(PickleReader.forbiddenReason(for: PickleGlobal(module: "gym.spaces.box", name: "Box")) == nil)
        #expect(PickleReader.forbiddenReason(for: PickleGlobal(module: "gym.utils", name: "seeding")) != nil)
    }

    @Test func brokenArchivesNameTheFileAndTheProblem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sb3-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A truncated copy of the zip.
        let whole = try TestFixtures.data("sb3-td3-synthetic/hopper-td3.zip")
        let truncated = folder.appendingPathComponent("truncated.zip")
        try whole.prefix(whole.count / 2).write(to: truncated)
        #expect { try Checkpoint.load(truncated) } throws: { "\($0)".contains(truncated.path) }
        // A corrupt vecnormalize.pkl beside a valid zip.
        let zip = folder.appendingPathComponent("agent.zip")
        try whole.write(to: zip)
        try Data([0x80, 0x03, 0x63]).write(to: folder.appendingPathComponent("vecnormalize.pkl"))
        #expect { try Checkpoint.load(zip) } throws: { "\($0)".contains("vecnormalize.pkl") && "\($0)".contains("VecNormalize") }
    }
}
