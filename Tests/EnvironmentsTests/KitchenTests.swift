import Foundation
import Randomness
import Testing
@testable import Environments
@testable import MuJoCo

/// Kitchen registry facts and semantics beyond the parity fixtures (docs/environments.md §12).
@Suite struct KitchenTests {
    private func kitchen(_ id: String, seed: UInt64 = 0) throws -> (env: MuJoCoEnvironment, kitchen: Kitchen) {
        let env = try EnvironmentFactory.make(task: TaskRegistry.standard().task(id), seed: seed, physics: .v2_3_7)
        return (env, try #require(env.robot(as: Kitchen.self)))
    }

    /// §12.1: the three v0 ids, 280 steps, reference scores 0 and 4, D4RL's element lists.
    @Test func registryHasD4RLsKitchenTasks() throws {
        let registry = try TaskRegistry.standard()
        let kitchenTasks = registry.tasks.filter { $0.robot == "kitchen" }
        #expect(kitchenTasks.map(\.id) == ["kitchen-complete-v0", "kitchen-partial-v0", "kitchen-mixed-v0"])
        for task in kitchenTasks {
            #expect(task.maxEpisodeSteps == 280 && task.referenceMinScore == 0 && task.referenceMaxScore == 4)
            #expect(task.normalizedScore(return: 3) == 75)
        }
        #expect(try kitchen("kitchen-partial-v0").kitchen.elements == [.microwave, .kettle, .lightSwitch, .slideCabinet])
        #expect(try kitchen("kitchen-mixed-v0").kitchen.elements == [.microwave, .kettle, .bottomBurner, .lightSwitch])
    }

    /// §12.3, §12.7: an observation draws 60 uniform numbers, a reset 6 × 60; observation 60 values
    /// with the goal at the elements' indices.
    @Test func noiseDrawsFollowD4RLsCounts() throws {
        let (env, kitchen) = try kitchen("kitchen-complete-v0")
        let observation = try env.reset(seed: 7)
        var reference = NumPyRandom(seed: 7)
        for _ in 0..<360 { _ = reference.random() }
        var afterReset = env.random
        #expect(afterReset.next() == reference.next(), "a reset draws 360 numbers")
        #expect(observation.count == 60 && env.observationSize == 60 && env.actionSize == 9)
        #expect(Array(observation[30...]) == kitchen.goal)
        #expect(kitchen.goal[22] == -0.75 && kitchen.goal[19] == 0.37 && kitchen.goal[11] == 0)   // microwave, slide; no burner
        _ = try env.step([Double](repeating: 0, count: 9))
        var afterStep = env.random
        var expected = NumPyRandom(seed: 7)
        for _ in 0..<420 { _ = expected.random() }
        #expect(afterStep.next() == expected.next(), "a step draws 60 more")
    }

    /// §12.4: targets come from the last noisy observation, clipped to the joint bounds; actions
    /// outside [−1, 1] act as ±1.
    @Test func actionIsAVelocityFromTheLastNoisyObservation() throws {
        let (env, kitchen) = try kitchen("kitchen-partial-v0")
        try env.reset(seed: 3)
        let observed = kitchen.lastObservedRobotPositions
        let applied = kitchen.applyAction(env, [3, -3, 0.5, 0, 0, 0, 0, 1, -1])
        #expect(applied[0] == observed[0] + 2 * 0.08)
        #expect(observed[1] - 2 * 0.08 < -1.8 && applied[1] == -1.8)   // joint 2's bound
        #expect(applied[2] == observed[2] + 1 * 0.08)
        #expect(applied[3] == observed[3])
        #expect(applied[7] == 0.04 && applied[8] == 0)   // finger bounds [0, 0.04]
        #expect(env.data.ctrl == applied)
    }

    /// Episode metrics and the overlay report the elements done; a NaN action ends the episode as
    /// unstable; reset restores all elements.
    @Test func metricsAndReset() throws {
        let (env, _) = try kitchen("kitchen-mixed-v0")
        try env.reset(seed: 1)
        #expect(env.episodeMetrics == ["tasks_completed": 0, "completion_rate": 0])
        #expect(env.overlayLines == ["tasks 0/4"])
        let result = try env.step([.nan, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(result.instability?.kind == .nonFiniteAction)
    }

    /// Descriptor facts: D4RL's viewer camera, EDP's observation normalization on kitchen, every
    /// model file in the provenance (the main XML first).
    @Test func descriptorFacts() throws {
        #expect(Kitchen.robot == "kitchen" && Kitchen.edpNormalizesObservations)
        #expect(Kitchen.d4rlViewerCamera == .free(distance: 4.5, azimuth: -66, elevation: -65,
                                                             lookat: SIMD3(-0.03841241123364699, 0.582, 2.187)))
        // Videos use a view of the counter (docs/tasks.md "Franka kitchen"), not D4RL's view of the cabinet tops.
        #expect(Kitchen.defaultCamera == .free(distance: 2.8, azimuth: 70, elevation: -25, lookat: SIMD3(-0.2, 0.6, 2.2)))
        let files = try Kitchen.modelSourceURLs(for: TaskRegistry.standard().task("kitchen-complete-v0"))
        #expect(files.first?.lastPathComponent == "franka_kitchen_jntpos_act_ab.xml" && files.count > 50)
        #expect(files.contains { $0.lastPathComponent == "kettle_chain.xml" })
    }

    /// Bad registry entries are errors naming the file, task and field.
    @Test func badTaskElementsAreClearErrors() throws {
        let model = try EnvironmentFactory.model(for: TaskRegistry.standard().task("kitchen-mixed-v0"), physics: .v2_3_7)
        let spec = TaskSpec(id: "kitchen-x-v0", robot: "kitchen", dataset: "x", version: "v0", maxEpisodeSteps: 280,
                            referenceMinScore: 0, referenceMaxScore: 4,
                            robotData: RobotTaskData(["task_elements": .array([.string("microwave"), .string("toaster")])]))
        #expect(throws: KitchenError.unknownTaskElement(task: "kitchen-x-v0", name: "toaster")) {
            try Kitchen(task: spec, model: model)
        }
        let empty = TaskSpec(id: "kitchen-y-v0", robot: "kitchen", dataset: "y", version: "v0", maxEpisodeSteps: 280,
                             referenceMinScore: 0, referenceMaxScore: 4)
        #expect(throws: KitchenError.noTaskElements(task: "kitchen-y-v0")) { try Kitchen(task: empty, model: model) }
        #expect(KitchenError.unknownTaskElement(task: "t", name: "toaster").description.contains("task_elements"))
    }
}
