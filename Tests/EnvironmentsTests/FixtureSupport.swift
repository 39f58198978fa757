import Foundation
import Testing
import TestSupport
import ZIPFoundation
@testable import Environments

/// The environment fixtures (Tests/Fixtures/gymnasium-v4, antmaze, reference: see the README in
/// each folder), located through `TestFixtures`.
enum Fixtures {
    /// A reference MJCF model of Tests/Fixtures/reference/models (written by the original
    /// Gymnasium / D4RL code, see the README there).
    static func referenceModel(_ file: String) throws -> URL {
        try TestFixtures.url("reference/models/\(file)")
    }

    /// Gymnasium's expected output for one episode (the replay output format plus metadata).
    struct Expected: RecordedEpisode {
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
        let controller: String
        let seed: Int
    }

    /// Every episode of `gymnasium-v4-<robot>.zip`, as (name, input, expected).
    static func episodes(robot: String) throws -> [(name: String, input: ReplayInput, expected: Expected)] {
        try episodes(archive: "gymnasium-v4/gymnasium-v4-\(robot).zip", label: robot)
    }

    /// Every `episode-k.in.json` / `episode-k.expected.json` pair of a fixture archive (a path
    /// relative to Tests/Fixtures), in order.
    static func episodes<E: RecordedEpisode>(archive file: String, label: String, as type: E.Type = E.self) throws
        -> [(name: String, input: ReplayInput, expected: E)] {
        let archive = try Archive(url: TestFixtures.url(file), accessMode: .read)
        func read(_ name: String) throws -> Data {
            guard let entry = archive[name] else {
                throw FixtureError(path: "Tests/Fixtures/\(file)", reason: "has no member \(name)")
            }
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return data
        }
        var result: [(String, ReplayInput, E)] = []
        var k = 0
        while archive["episode-\(k).in.json"] != nil {
            let input = try JSONDecoder().decode(ReplayInput.self, from: read("episode-\(k).in.json"))
            let expected = try JSONDecoder().decode(E.self, from: read("episode-\(k).expected.json"))
            result.append(("\(label) episode \(k) (\(expected.controller))", input, expected))
            k += 1
        }
        return result
    }

    struct Resets: Decodable {
        struct Row: Decodable {
            let seed: UInt64
            let qpos: [Double]
            let qvel: [Double]
            let next_qpos: [Double]
            let next_qvel: [Double]
        }
        let resets: [String: [Row]]
    }

    static func resets() throws -> Resets {
        try JSONDecoder().decode(Resets.self, from: TestFixtures.data("gymnasium-v4/gymnasium-v4-resets.json"))
    }
}

/// The environment for a robot's `-medium-v2` task.
func environment(_ robot: String, seed: UInt64 = 0) throws -> MuJoCoEnvironment {
    try EnvironmentFactory.make(task: TaskRegistry.standard().task("\(robot)-medium-v2"), seed: seed, physics: .v2_3_7)
}

/// A recorded reference episode in the replay output format.
protocol RecordedEpisode: Decodable {
    var observations: [[Double]] { get }
    var rewards: [Double] { get }
    var terminated: [Bool] { get }
    var truncated: [Bool] { get }
    var controller: String { get }
}

/// Replays `input` and expects every observation, reward and flag to be bit-identical to
/// `expected`. Returns the number of steps replayed.
@discardableResult
func expectBitIdenticalReplay(_ env: MuJoCoEnvironment, _ input: ReplayInput, _ expected: some RecordedEpisode,
                              _ name: String) throws -> Int {
    let output = try env.replay(input)
    #expect(output.observations.count == expected.observations.count, "\(name): length")
    for (t, (ours, theirs)) in zip(output.observations, expected.observations).enumerated() where ours != theirs {
        Issue.record("\(name): observation \(t) differs, max |Δ| = \(zip(ours, theirs).map { abs($0 - $1) }.max() ?? .nan)")
        break
    }
    #expect(output.rewards == expected.rewards, "\(name): rewards")
    #expect(output.terminated == expected.terminated, "\(name): terminated")
    #expect(output.truncated == expected.truncated, "\(name): truncated")
    #expect(output.unstable == nil, "\(name): unstable")
    return output.rewards.count
}
