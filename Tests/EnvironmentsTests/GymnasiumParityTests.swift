import Foundation
import Testing
@testable import Environments

/// Bit-exact parity with Gymnasium's Hopper-v4, Walker2d-v4 and HalfCheetah-v4 running the same
/// MuJoCo 2.3.7 binary (fixtures from Tools/fixtures/generate_locomotion.py), replayed through
/// gym's `-v3` ids: like Gymnasium v4 they take the raw float64 action (no NormalizedBoxEnv).
/// Tolerance: none; every observation, reward and flag must be the identical double/bool.
@Suite struct GymnasiumParityTests {
    @Test(arguments: ["hopper", "walker2d", "halfcheetah"])
    func replayReproducesEveryStepBitForBit(robot: String) throws {
        let episodes = try Fixtures.episodes(robot: robot)
        #expect(episodes.count == 4)
        let env = try gymEnvironment(robot)
        var steps = 0
        for (name, input, expected) in episodes {
            steps += try expectBitIdenticalReplay(env, input, expected, name)
        }
        #expect(steps >= 2000, "fixtures should exercise long episodes")
    }

    @Test func fixturesCoverTerminationAndTimeLimit() throws {
        let hopper = try Fixtures.episodes(robot: "hopper"), walker = try Fixtures.episodes(robot: "walker2d")
        let all = hopper + walker
        #expect(all.contains { $0.expected.terminated.last == true && $0.expected.rewards.count > 100 })
        #expect(all.contains { $0.expected.truncated.last == true && $0.expected.rewards.count == 1000 })
    }

    /// `reset(seed:)` draws the same start state as Gymnasium's `reset(seed=)`, and the stream
    /// continues across resets, for the uniform reset noise of all three robots. HalfCheetah's
    /// qvel noise is normal: its distribution is matched (see ResetNoiseTests), not NumPy's stream.
    @Test(arguments: ["hopper", "walker2d", "halfcheetah"])
    func seededResetMatchesGymnasium(robot: String) throws {
        let rows = try #require(try Fixtures.resets().resets[robot])
        let env = try gymEnvironment(robot)
        for row in rows {
            try env.reset(seed: row.seed)
            #expect(env.data.qpos == row.qpos, "\(robot) seed \(row.seed) qpos")
            if robot != "halfcheetah" { #expect(env.data.qvel == row.qvel, "\(robot) seed \(row.seed) qvel") }
            try env.reset()
            if robot != "halfcheetah" {
                #expect(env.data.qpos == row.next_qpos, "\(robot) seed \(row.seed) second reset qpos")
                #expect(env.data.qvel == row.next_qvel, "\(robot) seed \(row.seed) second reset qvel")
            }
        }
    }

    @Test func numpyPCG64StreamMatchesNumPy() {
        // np.random.default_rng(seed).bit_generator.random_raw() and .uniform(-0.005, 0.005), NumPy 1.26.4.
        var zero = NumPyRandom(seed: 0)
        #expect(zero.next() == 11_749_869_230_777_074_271 && zero.next() == 4_976_686_463_289_251_617)
        var one = NumPyRandom(seed: 1)
        #expect(one.next() == 9_441_442_522_235_856_127 && one.next() == 17_532_960_557_476_522_086)
        var big = NumPyRandom(seed: (1 << 40) + 7)
        #expect(big.next() == 15_307_346_044_642_009_514 && big.next() == 4_709_548_916_763_817_589)
        var u = NumPyRandom(seed: 42)
        #expect(u.uniform(-0.005, 0.005) == 0.0027395604855596336)
    }
}
