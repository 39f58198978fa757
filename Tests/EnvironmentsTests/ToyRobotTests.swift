import Environments
import Foundation
import MuJoCo
import Testing
import TestSupport

/// A robot added from outside the module (`ToyRobot/ToyCart.swift`, one catalog line, one
/// registry file) is found by the catalog and the factory, decodes its own task fields, runs
/// episodes through the environment's loop (goal success, time limit, replay) like a built-in one.
@Suite struct ToyRobotTests {
    /// The toy's registry file (the shape of `envs/tasks.json`).
    private func toyTask(_ id: String) throws -> TaskSpec {
        try TaskRegistry(contentsOf: TestFixtures.url("toy-robot/tasks.json")).task(id)
    }

    @Test func aRobotAddedFromOutsideRunsEpisodes() throws {
        RobotCatalog.register(ToyCart.self)                     // the catalog line
        #expect(!RobotCatalog.register(ToyCart.self), "a robot name is registered once")
        #expect(!RobotCatalog.builtIn.contains { $0.robot == "toy-cart" })
        let near = try toyTask("toy-cart-near-v0")
        #expect(near.robotData == RobotTaskData(["goal_x": .number(0.3)]))
        #expect(try RobotCatalog.descriptor(for: near).reportsGoalSuccess)

        // Full force towards the goal at x = 0.3 m: about √(2·0.3 m / 1 m/s²) ≈ 0.77 s ≈ 39 steps of 0.02 s.
        let env = try EnvironmentFactory.make(task: near, seed: 3, physics: .v2_3_7)
        let first = try env.reset(seed: 3)
        #expect(first.count == 3 && first[2] == 0.3 && abs(first[0]) < 0.01)
        var result = try env.step([1])
        while !result.isDone { result = try env.step([1]) }
        #expect(result.terminated && !result.truncated && result.reward == 1 && result.info.success)
        #expect((30...50).contains(env.elapsedSteps) && env.successStep == env.elapsedSteps && env.episodeReturn == 1)
        #expect(abs(env.data.qpos(0) - 0.3) < 0.05 && result.observation[0] == env.data.qpos(0))
        #expect(env.goalPosition == [0.3, 0] && env.goalMarker == GoalMarker(x: 0.3, y: 0, radius: 0.05))

        // The same seed and actions replay to the same end; a fixed goal moves the success.
        let steps = env.elapsedSteps
        let replayed = try EnvironmentFactory.make(task: near, physics: .v2_3_7)
            .replay(ReplayInput(seed: 3, qpos: nil, qvel: nil, actions: Array(repeating: [1], count: steps)))
        #expect(replayed.observations.last == result.observation && replayed.terminated.last == true)
        let moved = try EnvironmentFactory.make(task: near, physics: .v2_3_7)
            .replay(ReplayInput(seed: 3, qpos: nil, qvel: nil, actions: Array(repeating: [1], count: steps), goal: [5, 0]))
        #expect(moved.rewards.allSatisfy { $0 == 0 } && moved.goal == [5, 0])

        // A goal out of reach: the registry's time limit (50) truncates.
        let far = try EnvironmentFactory.make(task: try toyTask("toy-cart-far-v0"), physics: .v2_3_7)
        try far.reset(seed: 1)
        var last = try far.step([1])
        while !last.isDone { last = try far.step([1]) }
        #expect(last.truncated && !last.terminated && far.elapsedSteps == 50 && far.successStep == nil)
    }
}
