import Foundation
import Testing
@testable import Environments
@testable import Evaluation
import DiffusionPolicy

private func task(_ id: String) throws -> TaskSpec { try TaskRegistry.standard().task(id) }

private func runEngine(_ taskID: String, policy: any RolloutPolicy, episodes: [EpisodeID], width: Int, threads: Int) throws -> [EpisodeResult] {
    var results: [EpisodeResult] = []
    _ = try RolloutEngine(task: try task(taskID), physics: .v2_3_7, policy: policy, width: width, threads: threads)
        .run(episodes: episodes, onEpisode: { results.append($0) })
    return results.sorted { $0.id < $1.id }
}

@Suite struct RolloutEngineTests {
    static let episodes = (0..<3).flatMap { seed in (0..<4).map { EpisodeID(seed: UInt64(seed), episode: $0) } }

    /// The same episodes give identical results for any number of environments in flight and threads.
    @Test(arguments: ["hopper-medium-v2", "walker2d-medium-v2", "halfcheetah-medium-v2"])
    func resultsDoNotDependOnWidthOrThreads(taskID: String) throws {
        let policy = LinearPolicy(observationSize: taskID.hasPrefix("hopper") ? 11 : 17,
                                  actionSize: taskID.hasPrefix("hopper") ? 3 : 6, seed: 5)
        let reference = try runEngine(taskID, policy: policy, episodes: Self.episodes, width: 1, threads: 1)
        for (width, threads) in [(3, 2), (12, 2), (5, 1), (40, 2)] {
            #expect(try runEngine(taskID, policy: policy, episodes: Self.episodes, width: width, threads: threads) == reference,
                    "width \(width), threads \(threads)")
        }
        // A stochastic policy with per-episode streams behaves the same way.
        let random = UniformRandomPolicy(observationSize: policy.observationSize, actionSize: policy.actionSize)
        let a = try runEngine(taskID, policy: random, episodes: Self.episodes, width: 1, threads: 1)
        #expect(try runEngine(taskID, policy: random, episodes: Self.episodes.reversed(), width: 7, threads: 2) == a)
    }

    @Test func exactlyTheRequestedEpisodesRunWhateverTheirLengths() throws {
        // Random hopper episodes vary from ~10 to ~60 steps; every requested episode is reported once.
        let episodes = (0..<5).flatMap { seed in (0..<7).map { EpisodeID(seed: UInt64(seed), episode: $0) } }
        for width in [1, 4, 35, 100] {
            let results = try runEngine("hopper-medium-v2", policy: UniformRandomPolicy(observationSize: 11, actionSize: 3),
                                        episodes: episodes, width: width, threads: 2)
            #expect(results.map(\.id) == episodes.sorted(), "width \(width)")
            #expect(Set(results.map(\.length)).count > 3)
            #expect(Dictionary(grouping: results, by: \.seed).values.allSatisfy { $0.count == 7 })
        }
    }

    @Test func episodeResultsFollowTheEnvironment() throws {
        let id = EpisodeID(seed: 3, episode: 1)
        let results = try runEngine("walker2d-medium-v2", policy: LinearPolicy(observationSize: 17, actionSize: 6, seed: 2),
                                    episodes: [id], width: 1, threads: 1)
        // Replaying by hand with the same seeds gives the same return and length when the actions
        // are stepped as float32 (the policy's dtype), and not when they are stepped as float64.
        func byHand(_ dtype: ActionDType) throws -> (total: Double, steps: Int) {
            let env = try EnvironmentFactory.make(task: try task("walker2d-medium-v2"), physics: .v2_3_7)
            let policy = LinearPolicy(observationSize: 17, actionSize: 6, seed: 2)
            var obs = try env.reset(seed: id.environmentSeed)
            var total = 0.0, steps = 0
            var action = [Float](repeating: 0, count: 6)
            var streams = PolicyStreams(bySlot: [policy.makeStream(seed: id.policySeed)], rows: [0])
            while true {
                try obs.withUnsafeBufferPointer { o in
                    try action.withUnsafeMutableBufferPointer { a in
                        try policy.act(observations: o, batch: 1, streams: &streams, actions: a)
                    }
                }
                let r = try env.step(action.map(Double.init), dtype: dtype)
                total += r.reward
                steps += 1
                obs = r.observation
                if r.isDone { break }
            }
            return (total, steps)
        }
        #expect(LinearPolicy(observationSize: 17, actionSize: 6, seed: 2).actionDType == .float32)
        let (total, steps) = try byHand(.float32)
        #expect(results[0].return == total && results[0].length == steps)
        #expect(try byHand(.float64).total != total)
        #expect(results[0].normalizedScore == (try task("walker2d-medium-v2")).normalizedScore(return: total))
        #expect(results[0].end == (steps == 1000 ? .truncated : .terminated))
    }

    @Test func policyWithWrongDimensionsIsRejectedClearly() throws {
        #expect {
            _ = try runEngine("hopper-medium-v2", policy: UniformRandomPolicy(observationSize: 17, actionSize: 6),
                              episodes: [EpisodeID(seed: 0, episode: 0)], width: 1, threads: 1)
        } throws: { error in
            "\(error)".contains("observations of 17") && "\(error)".contains("hopper-medium-v2 has observations of 11")
        }
    }

    @Test func nanActionsEndEpisodesAsUnstableAndTheRunGoesOn() throws {
        final class NaNPolicy: RolloutPolicy {
            let observationSize = 11, actionSize = 3
            var summary: String { "NaN after 5 steps" }
            /// Steps taken in the episode, kept by the engine per slot.
            func makeStream(seed: UInt64) -> Int { 0 }
            func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<Int>,
                     actions: UnsafeMutableBufferPointer<Float>) throws {
                for row in 0..<batch {
                    streams[row] += 1
                    for j in 0..<3 { actions[row * 3 + j] = streams[row] > 5 ? .nan : 0 }
                }
            }
        }
        let results = try runEngine("hopper-medium-v2", policy: NaNPolicy(),
                                    episodes: [EpisodeID(seed: 0, episode: 0), EpisodeID(seed: 0, episode: 1)], width: 2, threads: 1)
        #expect(results.count == 2)
        #expect(results.allSatisfy { $0.end == .unstable && $0.length == 6 && $0.detail?.contains("non_finite_action") == true })
    }

    /// AntMaze goals depend only on (seed, episode): v0 one goal per seed (as one D4RL instance
    /// built with that seed), v2 a new goal every episode (the instance's draw for its (e+1)-th
    /// reset); the same whatever the environments in flight and threads.
    @Test(arguments: ["antmaze-umaze-v0", "antmaze-umaze-v2"])
    func antmazeGoalsFollowTheEpisodeNotTheSlot(taskID: String) throws {
        let episodes = (0..<2).flatMap { seed in (0..<3).map { EpisodeID(seed: UInt64(seed) + 7, episode: $0) } }
        let policy = LinearPolicy(observationSize: 29, actionSize: 8, seed: 1)
        let reference = try runEngine(taskID, policy: policy, episodes: episodes, width: 1, threads: 1)
        #expect(try runEngine(taskID, policy: policy, episodes: episodes.reversed(), width: 6, threads: 2) == reference)
        #expect(try runEngine(taskID, policy: policy, episodes: episodes, width: 4, threads: 2) == reference)
        for result in reference {
            // The goal a single environment built with the episode's seed shows after episode+1 resets.
            let instance = try EnvironmentFactory.make(task: try task(taskID), seed: result.seed, physics: .v2_3_7)
            let ant = try #require(instance.robot(as: AntMaze.self))
            for _ in 0...result.episode { try instance.reset() }
            #expect(result.goal == [ant.goal.x, ant.goal.y], "seed \(result.seed) episode \(result.episode)")
        }
        let goalsBySeed = Dictionary(grouping: reference, by: \.seed).mapValues { Set($0.compactMap(\.goal)) }
        #expect(goalsBySeed[7] != goalsBySeed[8])
        if taskID.hasSuffix("v0") {
            #expect(goalsBySeed.values.allSatisfy { $0.count == 1 })
        } else {
            #expect(goalsBySeed.values.allSatisfy { $0.count == 3 })
        }
    }

    @Test func antmazeEpisodesReportSuccess() throws {
        let results = try runEngine("antmaze-umaze-v2", policy: UniformRandomPolicy(observationSize: 29, actionSize: 8),
                                    episodes: [EpisodeID(seed: 0, episode: 0)], width: 1, threads: 1)
        #expect(results[0].success == false && results[0].timeToGoal == nil)
        #expect(results[0].length == 700 && results[0].end == .truncated && results[0].normalizedScore == 0)
    }
}

/// End to end with a real diffusion policy (EDP network with seeded random weights, small widths
/// so the debug build stays fast; DPM-Solver 15 steps, EAS over 4 candidates): every episode is
/// bit-identical whatever the number of environments in flight and threads.
@Suite struct DiffusionRolloutDeterminismTests {
    @Test func diffusionPolicyRolloutsDoNotDependOnWidthOrThreads() throws {
        let model = try DiffusionPolicyModel.randomEDP(observationSize: 11, actionSize: 3, seed: 3, candidates: 4) {
            $0.policyHiddenSizes = [32, 32]
            $0.criticHiddenSizes = [32, 32]
        }
        let policy = CheckpointPolicy(model: model, configuration: .diffusion(model.configuration))
        let episodes = (0..<2).flatMap { seed in (0..<3).map { EpisodeID(seed: UInt64(seed), episode: $0) } }
        func run(width: Int, threads: Int) throws -> [EpisodeResult] {
            BLASThreading.setThreadCount(threads)
            defer { BLASThreading.setThreadCount(1) }
            var results: [EpisodeResult] = []
            _ = try RolloutEngine(task: try TaskRegistry.standard().task("hopper-medium-v2"), physics: .v2_3_7, policy: policy,
                                  width: width, threads: threads).run(episodes: episodes, onEpisode: { results.append($0) })
            return results.sorted { $0.id < $1.id }
        }
        let reference = try run(width: 1, threads: 1)
        #expect(reference.count == 6 && reference.allSatisfy { $0.length > 0 })
        #expect(Set(reference.map(\.return)).count > 1)
        #expect(try run(width: 6, threads: 2) == reference)
        #expect(try run(width: 4, threads: 1) == reference)
    }
}
