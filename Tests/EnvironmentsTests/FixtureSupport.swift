import Foundation
import ZIPFoundation
@testable import Environments

/// Paths to the test fixtures and the shared reference folder.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shared = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// Gymnasium's expected output for one episode (the replay output format plus metadata).
    struct Expected: Decodable {
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
        let controller: String
        let seed: Int
    }

    /// Every episode of `gymnasium-v4-<robot>.zip`, as (name, input, expected).
    static func episodes(robot: String) throws -> [(name: String, input: ReplayInput, expected: Expected)] {
        let archive = try Archive(url: folder.appendingPathComponent("gymnasium-v4-\(robot).zip"), accessMode: .read)
        func read(_ name: String) throws -> Data {
            guard let entry = archive[name] else { throw CocoaError(.fileNoSuchFile) }
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return data
        }
        var result: [(String, ReplayInput, Expected)] = []
        var k = 0
        while archive["episode-\(k).in.json"] != nil {
            let input = try JSONDecoder().decode(ReplayInput.self, from: read("episode-\(k).in.json"))
            let expected = try JSONDecoder().decode(Expected.self, from: read("episode-\(k).expected.json"))
            result.append(("\(robot) episode \(k) (\(expected.controller))", input, expected))
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
        try JSONDecoder().decode(Resets.self, from: Data(contentsOf: folder.appendingPathComponent("gymnasium-v4-resets.json")))
    }
}

/// The environment for a robot's `-medium-v2` task.
func environment(_ robot: String, seed: UInt64 = 0) throws -> MuJoCoEnvironment {
    try EnvironmentFactory.make(task: TaskRegistry.standard().task("\(robot)-medium-v2"), seed: seed)
}
