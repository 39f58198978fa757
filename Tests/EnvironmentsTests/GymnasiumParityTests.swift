import Foundation
import Randomness
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
    /// continues across resets, for all three robots (halfcheetah's normal qvel noise included:
    /// `NumPyRandom.standardNormal` is NumPy's ziggurat).
    @Test(arguments: ["hopper", "walker2d", "halfcheetah"])
    func seededResetMatchesGymnasium(robot: String) throws {
        let rows = try #require(try Fixtures.resets().resets[robot])
        let env = try gymEnvironment(robot)
        for row in rows {
            try env.reset(seed: row.seed)
            #expect(env.data.qpos == row.qpos, "\(robot) seed \(row.seed) qpos")
            #expect(env.data.qvel == row.qvel, "\(robot) seed \(row.seed) qvel")
            try env.reset()
            #expect(env.data.qpos == row.next_qpos, "\(robot) seed \(row.seed) second reset qpos")
            #expect(env.data.qvel == row.next_qvel, "\(robot) seed \(row.seed) second reset qvel")
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

    /// `np.random.default_rng(seed).standard_normal(n)` (NumPy 1.26.4's ziggurat), draw for draw:
    /// the first values of two seeds, after uniforms on the same stream (halfcheetah's reset), and
    /// an FNV-1a hash of the bit patterns of 300,000 draws, which include 71 tail draws beyond r.
    @Test func numpyStandardNormalMatchesNumPy() {
        var zero = NumPyRandom(seed: 0), seven = NumPyRandom(seed: 7)
        #expect((0..<5).map { _ in zero.standardNormal() }
                == [0.1257302210933933, -0.1321048632913019, 0.6404226504432821, 0.10490011715303971, -0.535669373161111])
        #expect((0..<5).map { _ in seven.standardNormal() }
                == [0.0012301533574825742, 0.2987455375084699, -0.2741378553622176, -0.8905918387572742, -0.45467078517172255])
        var five = NumPyRandom(seed: 5)
        for _ in 0..<9 { _ = five.uniform(-0.1, 0.1) }
        #expect((0..<3).map { _ in five.standardNormal() } == [1.6347830429585775, 0.27276877584472176, -1.2333286640307717])
        var many = NumPyRandom(seed: 2024)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325, tail = 0
        for _ in 0..<300_000 {
            let x = many.standardNormal()
            if abs(x) > 3.6541528853610088 { tail += 1 }
            hash = (hash ^ x.bitPattern) &* 0x100_0000_01B3
        }
        #expect(hash == 0x681C_39BF_7C4E_4068 && tail == 71)
    }
}
