import Foundation
import TestSupport

/// One episode of `d4rl-kitchen-pen/trajectories.json.gz`: D4RL's own kitchen and pen code on the
/// official mujoco 2.3.7 bindings (see the README there). `goal_quat` is the pen's goal,
/// `completed` the kitchen's completed task elements; each is nil for the other robot.
struct D4RLFixtureEpisode: Decodable {
    struct State: Decodable {
        let qpos: [Double]
        let qvel: [Double]
    }
    let task: String
    let seed: UInt64
    let state: State?
    let goal_quat: [Double]?
    let actions: [[Double]]
    let observations: [[Double]]
    let rewards: [Double]
    let terminated: [Bool]
    let truncated: [Bool]
    let completed: [String]?

    /// The episodes whose task id starts with `prefix` (`"kitchen-"`, `"pen-"`), in file order.
    static func all(prefix: String) throws -> [D4RLFixtureEpisode] {
        struct File: Decodable { let episodes: [D4RLFixtureEpisode] }
        let data = try TestFixtures.gunzippedData("d4rl-kitchen-pen/trajectories.json.gz")
        return try JSONDecoder().decode(File.self, from: data).episodes.filter { $0.task.hasPrefix(prefix) }
    }
}
