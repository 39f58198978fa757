import Foundation
import Testing
import TestSupport
import ZIPFoundation

/// Bit-exact parity with D4RL's own stack on MuJoCo 2.1.0 (d4rl 1.1 + gym 0.23.1 + mujoco-py over
/// libmujoco210; Tests/Fixtures/d4rl-mujoco210, see its README): every fixture episode is replayed
/// through `edp-eval replay --mujoco 2.1.0` from its own `episode-<k>.in.json` (seeded reset, the
/// actions in their `action_dtype`, antmaze's goal) and must give every observation, reward,
/// termination and time-limit flag and the antmaze goal bit for bit. Tolerance: none.
///
/// Skipped only when the MuJoCo 2.1.0 library is not installed (Scripts/bootstrap puts it at
/// `$EDP_EVAL_MUJOCO_PREFIX/lib/mujoco210/libmujoco210.so`, prefix default /usr/local).
@Suite(.serialized) struct D4RLMuJoCo210ParityTests {
    static let library: String = {
        let prefix = ProcessInfo.processInfo.environment["EDP_EVAL_MUJOCO_PREFIX"] ?? ""
        return (prefix.isEmpty ? "/usr/local" : prefix) + "/lib/mujoco210/libmujoco210.so"
    }()
    static var libraryInstalled: Bool { FileManager.default.fileExists(atPath: library) }

    struct Expected: Decodable {
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
        let goal: [Double]?
        let controller: String
    }

    struct Output: Decodable {
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
        let goal: [Double]?
        let unstable: String?
    }

    /// The task and dtype an input names (the rest of the file is the replay input itself).
    struct Header: Decodable {
        let task: String
        let action_dtype: String
    }

    @Test(.enabled(if: libraryInstalled, "MuJoCo 2.1.0 is not installed (no \(library); run Scripts/bootstrap)"),
          arguments: ["hopper", "walker2d", "halfcheetah", "antmaze", "pen"])
    func everyEpisodeReplaysBitForBit(family: String) throws {
        let file = "d4rl-mujoco210/\(family).zip"
        let archive = try Archive(url: TestFixtures.url(file), accessMode: .read)
        func member(_ name: String) throws -> Data {
            let entry = try #require(archive[name], "\(file) has no \(name)")
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return data
        }
        let folder = try temporaryFolder()
        var k = 0, dtypes: Set<String> = []
        while archive["episode-\(k).in.json"] != nil {
            let inputData = try member("episode-\(k).in.json")
            let header = try JSONDecoder().decode(Header.self, from: inputData)
            let expected = try JSONDecoder().decode(Expected.self, from: member("episode-\(k).expected.json"))
            let input = folder.appendingPathComponent("episode-\(k).in.json")
            try inputData.write(to: input)
            let name = "\(family) episode \(k) (\(header.task), \(header.action_dtype); \(expected.controller))"
            dtypes.insert(header.action_dtype)
            let run = try CLI.run(["replay", "--mujoco", "2.1.0", "--task", header.task, "--input", input.path])
            #expect(run.status == 0, "\(name): \(run.stderr)")
            if run.status == 0 {
                let output = try JSONDecoder().decode(Output.self, from: Data(run.stdout.utf8))
                compare(output, expected, name)
            }
            k += 1
        }
        #expect(k >= 4 && dtypes == ["float32", "float64"], "\(file): episodes in both dtypes")
    }

    /// Records the first differing step (not thousands of issues) and the other fields whole.
    private func compare(_ output: Output, _ expected: Expected, _ name: String) {
        #expect(output.unstable == nil, "\(name): unstable \(output.unstable ?? "")")
        #expect(output.observations.count == expected.observations.count, "\(name): length")
        if let t = output.observations.indices.first(where: { $0 < expected.observations.count && output.observations[$0] != expected.observations[$0] }) {
            let gap = zip(output.observations[t], expected.observations[t]).map { abs($0 - $1) }.max() ?? .nan
            Issue.record("\(name): observation \(t) differs first (max |Δ| \(gap))")
        }
        if let t = output.rewards.indices.first(where: { $0 < expected.rewards.count && output.rewards[$0] != expected.rewards[$0] }) {
            Issue.record("\(name): reward \(t) differs first: \(output.rewards[t]) vs \(expected.rewards[t])")
        }
        #expect(output.terminated == expected.terminated, "\(name): terminated")
        #expect(output.truncated == expected.truncated, "\(name): truncated")
        if let goal = expected.goal { #expect(output.goal == goal, "\(name): goal") }
    }
}
