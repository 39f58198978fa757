import Foundation
import Testing
import TestSupport
@testable import Environments
@testable import MuJoCo

extension D4RLFixtureEpisode {
    /// The qpos D4RL's generator wrote for a state override: the recorded state (read after its
    /// `forward`) with the overridden elements' goal values put back. They are the elements the
    /// episode completed (each override episode completes exactly its overridden elements on step 0).
    /// It matters for the kettle: MuJoCo's forward normalizes the written goal quaternion
    /// (0.99, 0, 0, −0.06) in qpos, and normalizing the recorded, already normalized values again
    /// moves two components by 1 ulp.
    func writtenQpos(_ state: State) -> [Double] {
        var qpos = state.qpos
        for name in completed ?? [] {
            guard let element = KitchenTaskElement(d4rlName: name) else { continue }
            for (index, value) in zip(element.stateIndices, element.goal) { qpos[index] = value }
        }
        return qpos
    }
}

/// Bit-exact parity with D4RL's kitchen (docs/environments.md §12): the 12 kitchen episodes of
/// Tests/Fixtures/d4rl-kitchen-pen replayed from their seed (and state override), tolerance 0 on
/// every observation, reward, terminated and truncated flag, and the completed elements.
@Suite struct KitchenParityTests {
    @Test(arguments: ["kitchen-complete-v0", "kitchen-partial-v0", "kitchen-mixed-v0"])
    func everyKitchenEpisodeReplaysBitForBit(task: String) throws {
        let episodes = try D4RLFixtureEpisode.all(prefix: "kitchen-").filter { $0.task == task }
        #expect(episodes.count == 4)
        var steps = 0
        for episode in episodes {
            let name = "\(episode.task) seed \(episode.seed)"
            let made = try EnvironmentFactory.make(task: TaskRegistry.standard().task(task), physics: .v2_3_7)
            let env = made, kitchen = try #require(made.robot(as: Kitchen.self))
            // The replay path (`edp-eval replay`): the seeded reset, the written state if any, the actions.
            let input = ReplayInput(seed: episode.seed, qpos: episode.state.map(episode.writtenQpos), qvel: episode.state?.qvel,
                                    actions: episode.actions)
            let output = try env.replay(input)
            steps += output.rewards.count
            #expect(output.unstable == nil, "\(name)")
            #expect(output.observations.count == episode.observations.count, "\(name): steps replayed")
            if let t = output.observations.indices.first(where: { $0 < episode.observations.count && output.observations[$0] != episode.observations[$0] }) {
                Issue.record("\(name): observation \(t) differs (max |Δ| \(maxDifference(output.observations[t], episode.observations[t])))")
            }
            #expect(output.rewards == episode.rewards, "\(name): rewards")
            #expect(output.terminated == episode.terminated && output.truncated == episode.truncated, "\(name): flags")
            let completed = Set(kitchen.elements.filter { !kitchen.remainingElements.contains($0) }.map(\.rawValue))
            #expect(completed == Set(episode.completed ?? []), "\(name): completed elements")
            if let state = episode.state {
                try env.reset(seed: episode.seed, overwritingWith: episode.writtenQpos(state), qvel: state.qvel)
                #expect(env.data.qpos == state.qpos, "\(name): the state after the override's forward")
            }
        }
        #expect(steps == 3 * 280 + 1, "three 280-step episodes and one that ends on its first step")
    }

    private func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }
}
