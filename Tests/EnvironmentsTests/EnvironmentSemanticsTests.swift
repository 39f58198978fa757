import Foundation
import Randomness
import Testing
@testable import Environments
@testable import MuJoCo

@Suite struct ModelTests {
    /// (robot, nq, nv, nu, nbody, ngeom, frame skip, dt) from docs/environments.md §3.1, §4.1, §5.1.
    @Test(arguments: [("hopper", 6, 6, 3, 5, 5, 4, 0.008), ("walker2d", 9, 9, 6, 8, 8, 4, 0.008),
                      ("halfcheetah", 9, 9, 6, 8, 9, 5, 0.05)])
    func sizesAndTiming(robot: String, nq: Int, nv: Int, nu: Int, nbody: Int, ngeom: Int, frameSkip: Int, dt: Double) throws {
        let env = try environment(robot)
        let m = env.model
        let sizes: [Int] = [m.nq, m.nv, m.nu, m.nbody, m.ngeom]
        #expect(sizes == [nq, nv, nu, nbody, ngeom])
        #expect(env.frameSkip == frameSkip)
        #expect(abs(env.dt - dt) < 1e-15)
        #expect(m.integrator == (robot == "halfcheetah" ? .euler : .rk4))
        #expect(m.actuatorControlRange.allSatisfy { $0 == -1...1 })
    }

    /// The bundled models compile to the same mjModel as Tests/Fixtures/reference/models, compared
    /// field by field (exact equality: same XML semantics, same compiler).
    @Test(arguments: [("hopper", "hopper.xml"), ("walker2d", "walker2d.xml"), ("halfcheetah", "half_cheetah.xml")])
    func bundledModelMatchesReference(robot: String, file: String) throws {
        let ours = try environment(robot).model
        let reference = try MjModel(contentsOf: Fixtures.referenceModel(file), physics: .v2_3_7)
        #expect(ours.nq == reference.nq && ours.nv == reference.nv && ours.nu == reference.nu)
        #expect(ours.bodyMass == reference.bodyMass)
        #expect(ours.bodyPosition == reference.bodyPosition)
        #expect(ours.bodyInertia == reference.bodyInertia)
        #expect(ours.geomType == reference.geomType)
        #expect(ours.geomPosition == reference.geomPosition)
        #expect(ours.geomQuaternion == reference.geomQuaternion)
        #expect(ours.geomSize == reference.geomSize)
        #expect(ours.geomFriction == reference.geomFriction)
        #expect(ours.geomContype == reference.geomContype && ours.geomConaffinity == reference.geomConaffinity)
        #expect(ours.geomCondim == reference.geomCondim && ours.geomMargin == reference.geomMargin)
        #expect(ours.geomSolref == reference.geomSolref && ours.geomSolimp == reference.geomSolimp)
        #expect(ours.jointType == reference.jointType && ours.jointRange == reference.jointRange)
        #expect(ours.jointAxis == reference.jointAxis && ours.jointLimited == reference.jointLimited)
        #expect(ours.dofDamping == reference.dofDamping && ours.dofArmature == reference.dofArmature)
        #expect(ours.actuatorGear == reference.actuatorGear && ours.actuatorJoint == reference.actuatorJoint)
        #expect(ours.timestep == reference.timestep && ours.qpos0 == reference.qpos0)
    }

    @Test func walkerFeetKeepD4RLsAsymmetricFriction() throws {
        let m = try environment("walker2d").model
        let right = try #require(m.id(of: .geom, named: "foot_geom"))
        let left = try #require(m.id(of: .geom, named: "foot_left_geom"))
        #expect(m.geomFriction[3 * right] == 0.9)
        #expect(m.geomFriction[3 * left] == 1.9)
    }
}

@Suite struct StepSemanticsTests {
    @Test func actionsAreClippedToTheControlRangeAndCostIsOnTheClippedAction() throws {
        let a = try environment("hopper"), b = try environment("hopper")
        try a.reset(seed: 3)
        try b.reset(seed: 3)
        let clipped = try a.step([1.0, -1.0, 0.5])
        let raw = try b.step([1.7, -25.0, 0.5])
        #expect(raw.observation == clipped.observation)
        #expect(raw.reward == clipped.reward)
        #expect(raw.info.controlCost == 1e-3 * (1 + 1 + 0.25))
        #expect(b.data.ctrl == [1.0, -1.0, 0.5])
        let inf = try environment("hopper")
        try inf.reset(seed: 3)
        #expect(try inf.step([.infinity, -.infinity, 0.5]).reward == clipped.reward)
    }

    @Test func rewardPartsAddUp() throws {
        for robot in ["hopper", "walker2d", "halfcheetah"] {
            let env = try environment(robot)
            try env.reset(seed: 1)
            let result = try env.step([Double](repeating: 0.3, count: env.actionSize))
            let info = result.info
            #expect(result.reward == (info.forwardReward + info.healthyReward) - info.controlCost, "\(robot)")
            #expect(info.healthyReward == (robot == "halfcheetah" ? 0 : 1))
            #expect(result.observation.count == env.observationSize)
        }
    }

    @Test func hopperTerminatesWhenFallenAndStillGetsTheAliveBonus() throws {
        let env = try environment("hopper")
        try env.reset(seed: 0)
        var result: StepResult
        var steps = 0
        repeat {
            result = try env.step([1, 1, 1])
            steps += 1
        } while !result.isDone
        #expect(result.terminated && !result.truncated && steps < 1000)
        #expect(result.info.healthyReward == 1)
    }

    @Test func halfCheetahRunsExactly1000StepsAndIsTruncated() throws {
        let env = try environment("halfcheetah")
        try env.reset(seed: 5)
        var steps = 0
        var result: StepResult
        repeat {
            result = try env.step([0.5, -0.5, 0.5, -0.5, 0.5, -0.5])
            steps += 1
            #expect(!result.terminated)
        } while !result.isDone
        #expect(steps == 1000 && result.truncated && env.elapsedSteps == 1000)
    }

    @Test func truncatedIsFalseWhenTheLastStepAlsoTerminates() throws {
        let spec = TaskSpec(id: "hopper-short", robot: "hopper", dataset: "test", version: "v2", maxEpisodeSteps: 1,
                            referenceMinScore: 0, referenceMaxScore: 1)
        let env = try EnvironmentFactory.make(task: spec, physics: .v2_3_7)
        try env.reset(qpos: [0, 0.5, 0, 0, 0, 0], qvel: [0, 0, 0, 0, 0, 0])   // z = 0.5 < 0.7: unhealthy
        let result = try env.step([0, 0, 0])
        #expect(result.terminated && !result.truncated)
        try env.reset(seed: 0)
        let healthy = try env.step([0, 0, 0])
        #expect(!healthy.terminated && healthy.truncated)
    }

    @Test func nanActionEndsTheEpisodeAsUnstableWithoutStepping() throws {
        let env = try environment("walker2d")
        try env.reset(seed: 0)
        let before = env.data.qpos
        let result = try env.step([0, 0, .nan, 0, 0, 0])
        #expect(result.instability == MjInstability(kind: .nonFiniteAction, index: 2, time: 0))
        #expect(result.isDone && env.data.qpos == before)
    }

    @Test func blownUpStateIsReportedAsUnstable() throws {
        let env = try environment("hopper")
        try env.reset(qpos: [0, 1.25, 0, 0, 0, 0], qvel: [0, 0, 1e12, 0, 0, 0])
        let result = try env.step([0, 0, 0])
        #expect(result.instability?.kind == .badQvel)
        #expect(result.isDone)
    }

    @Test func wrongActionLengthIsAProgrammerError() async {
        await #expect(processExitsWith: .failure) {
            let env = try environment("hopper")
            try env.reset(seed: 0)
            _ = try env.step([0, 0])
        }
    }

    @Test func replayRejectsBadInputNamingTheField() throws {
        let env = try environment("hopper")
        #expect(throws: ReplayError.wrongLength(field: "qpos", expected: 6, got: 5)) {
            try env.replay(ReplayInput(qpos: [0, 1, 0, 0, 0], qvel: [0, 0, 0, 0, 0, 0], actions: []))
        }
        #expect(throws: ReplayError.wrongLength(field: "actions[1]", expected: 3, got: 2)) {
            try env.replay(ReplayInput(qpos: [0, 1.25, 0, 0, 0, 0], qvel: [0, 0, 0, 0, 0, 0], actions: [[0, 0, 0], [0, 0]]))
        }
        #expect(throws: ReplayError.notFinite(field: "qvel")) {
            try env.replay(ReplayInput(qpos: [0, 1.25, 0, 0, 0, 0], qvel: [0, 0, .nan, 0, 0, 0], actions: []))
        }
        #expect(throws: ReplayError.goalNotSupported(task: "hopper-medium-v2")) {
            try env.replay(ReplayInput(qpos: [0, 1.25, 0, 0, 0, 0], qvel: [0, 0, 0, 0, 0, 0], actions: [], goal: [1, 2]))
        }
    }

    @Test func replayOutputRoundTripsThroughJSONExactly() throws {
        var random = NumPyRandom(seed: 9)
        let values = (0..<2000).map { _ in (random.random() - 0.5) * pow(10, Double(Int(random.random() * 40) - 20)) }
        let output = ReplayOutput(observations: [values], rewards: values, terminated: [true], truncated: [false])
        let decoded = try JSONDecoder().decode(ReplayOutput.self, from: JSONEncoder().encode(output))
        #expect(decoded == output)
    }
}

@Suite struct ResetAndDeterminismTests {
    /// Every registered task: same seed → identical trajectory; different seed → different start.
    @Test func everyRegisteredTaskIsDeterministic() throws {
        let registry = try TaskRegistry.standard()
        #expect(!registry.tasks.isEmpty)
        for task in registry.tasks {
            func rollout(seed: UInt64) throws -> [[Double]] {
                let env = try EnvironmentFactory.make(task: task, seed: seed, physics: .v2_3_7)
                var observations = [try env.reset()]
                var actions = NumPyRandom(seed: 100 + seed)
                for _ in 0..<30 {
                    let result = try env.step((0..<env.actionSize).map { _ in actions.uniform(-1, 1) })
                    observations.append(result.observation)
                    if result.isDone { break }
                }
                return observations
            }
            #expect(try rollout(seed: 1) == rollout(seed: 1), "\(task.id)")
            #expect(try rollout(seed: 1)[0] != rollout(seed: 2)[0], "\(task.id)")
        }
    }

    /// Reset noise: U[−0.005, 0.005) for hopper/walker; U[−0.1, 0.1) qpos and 0.1·N(0,1) qvel for
    /// halfcheetah. Over 4000 resets the mean is within 4 standard errors of the centre, the range
    /// stays inside the bounds and the std is within 5% of the distribution's.
    @Test(arguments: [("hopper", 0.005), ("walker2d", 0.005), ("halfcheetah", 0.1)])
    func resetNoiseHasTheSpecifiedDistribution(robot: String, scale: Double) throws {
        let env = try environment(robot, seed: 11)
        let n = 4000
        var qpos: [[Double]] = [], qvel: [[Double]] = []
        for _ in 0..<n {
            try env.reset()
            qpos.append(zip(env.data.qpos, env.initialQpos).map { $0 - $1 })
            qvel.append(env.data.qvel)
        }
        func check(_ samples: [[Double]], uniform: Bool) {
            for j in 0..<samples[0].count {
                let column = samples.map { $0[j] }
                let mean = column.reduce(0, +) / Double(n)
                let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
                let expectedStd = uniform ? 2 * scale / 12.0.squareRoot() : scale
                #expect(abs(mean) < 4 * expectedStd / Double(n).squareRoot(), "\(robot) mean \(j)")
                #expect(abs(std / expectedStd - 1) < 0.05, "\(robot) std \(j)")
                if uniform { #expect(column.allSatisfy { -scale <= $0 && $0 < scale }, "\(robot) range \(j)") }
            }
        }
        check(qpos, uniform: true)
        check(qvel, uniform: robot != "halfcheetah")
    }
}

@Suite struct RegistryTests {
    @Test func registryHoldsEveryD4RLLocomotionTask() throws {
        let registry = try TaskRegistry.standard()
        let locomotion = registry.tasks.filter { ["hopper", "walker2d", "halfcheetah"].contains($0.robot) && $0.dataset != nil }
        #expect(locomotion.count == 51)   // 3 robots × (5 datasets × 3 versions + full-replay v1, v2)
        for robot in ["hopper", "walker2d", "halfcheetah"] {
            for dataset in ["random", "medium", "medium-replay", "medium-expert", "expert"] {
                for version in ["v0", "v1", "v2"] { _ = try registry.task("\(robot)-\(dataset)-\(version)") }
            }
            _ = try registry.task("\(robot)-full-replay-v1")
            _ = try registry.task("\(robot)-full-replay-v2")
            #expect(throws: TaskRegistryError.self) { try registry.task("\(robot)-full-replay-v0") }
        }
        #expect(locomotion.allSatisfy { $0.maxEpisodeSteps == 1000 && $0.actionMapping == .normalizedBox && $0.hasReferenceScores })
    }

    /// gym 0.23.1 registers Hopper-v3, Walker2d-v3, HalfCheetah-v3 with max_episode_steps=1000
    /// (gym/envs/__init__.py); they take the raw action and D4RL gives them no reference scores.
    @Test func registryHoldsGymsV3Ids() throws {
        let registry = try TaskRegistry.standard()
        let gym = registry.tasks.filter { $0.dataset == nil && ["hopper", "walker2d", "halfcheetah"].contains($0.robot) }
        #expect(gym.map(\.id) == ["Hopper-v3", "Walker2d-v3", "HalfCheetah-v3"])
        #expect(gym.map(\.robot) == ["hopper", "walker2d", "halfcheetah"])
        for task in gym {
            #expect(task.version == "v3" && task.maxEpisodeSteps == 1000 && task.actionMapping == .raw)
            #expect(!task.hasReferenceScores && task.normalizedScore(return: 3000) == nil)
        }
        #expect(registry.semanticsVersion == 2)
    }

    /// D4RL: normalized = (R − ref_min)/(ref_max − ref_min), reported ×100 (d4rl/offline_env.py).
    @Test func normalizedScoreFollowsD4RLsFormula() throws {
        let registry = try TaskRegistry.standard()
        #expect(try registry.task("hopper-medium-v2").normalizedScore(return: -20.272305) == 0)
        #expect(abs(try #require(try registry.task("hopper-medium-v2").normalizedScore(return: 3234.3)) - 100) < 1e-12)
        // Hand-computed: 100 · (1000 + 20.272305) / (3234.3 + 20.272305) = 31.348890...
        #expect(abs(try #require(try registry.task("hopper-medium-v2").normalizedScore(return: 1000)) - 31.348890) < 1e-6)
        // walker2d: 100 · (4000 − 1.629008) / (4592.3 − 1.629008) = 87.097747...
        #expect(abs(try #require(try registry.task("walker2d-medium-expert-v2").normalizedScore(return: 4000)) - 87.097747) < 1e-6)
        // halfcheetah: 100 · (5000 + 280.178953) / (12135 + 280.178953) = 42.530027...
        #expect(abs(try #require(try registry.task("halfcheetah-medium-v0").normalizedScore(return: 5000)) - 42.530027) < 1e-6)
        // Reference values copied by D4RL to every version and dataset.
        let ids = ["hopper-random-v0", "hopper-expert-v1", "hopper-full-replay-v2"]
        #expect(Set(try ids.map { try registry.task($0).referenceMaxScore }) == [3234.3])
        // gym's -v3 ids have no reference scores, hence no normalized score.
        #expect(try registry.task("Hopper-v3").normalizedScore(return: 1000) == nil)
    }

    @Test func unknownTaskListsCloseMatches() throws {
        let registry = try TaskRegistry.standard()
        #expect {
            try registry.task("hoper-medium-v2")
        } throws: { error in
            guard case TaskRegistryError.unknownTask(_, let suggestions) = error else { return false }
            return suggestions.first == "hopper-medium-v2" && "\(error)".contains("did you mean hopper-medium-v2")
        }
        #expect {
            try registry.task("zzz")
        } throws: { "\($0)".contains("edp-eval tasks") }
    }
}
