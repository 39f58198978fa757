import Dispatch
import Environments
import Foundation
import MuJoCo

/// Identifies one episode of an evaluation: the `episode`-th episode of seed `seed`.
public struct EpisodeID: Hashable, Codable, Sendable, Comparable {
    public var seed: UInt64
    public var episode: Int
    public init(seed: UInt64, episode: Int) {
        self.seed = seed
        self.episode = episode
    }
    public static func < (a: EpisodeID, b: EpisodeID) -> Bool { (a.seed, a.episode) < (b.seed, b.episode) }

    /// Seed of the environment's reset stream for this episode: SplitMix64 of (seed, episode), so
    /// an episode's start state never depends on which episodes ran before it or beside it.
    public var environmentSeed: UInt64 { splitMix64(splitMix64(seed) &+ UInt64(episode)) }
    /// Seed of the policy's random stream for this episode (independent of the environment's).
    public var policySeed: UInt64 { splitMix64(environmentSeed ^ 0x5851_F42D_4C95_7F2D) }
}

/// How an episode ended.
public enum EpisodeEnd: String, Codable, Sendable {
    /// The task ended it (fell over, reached the goal).
    case terminated
    /// The time limit ended it.
    case truncated
    /// MuJoCo reported a numerical blow-up, the policy produced a NaN action, or its critic gave
    /// NaN, infinite or absurd Q-values (`detail` says which).
    case unstable
    /// MuJoCo raised an engine error.
    case error
}

/// The outcome of one episode.
public struct EpisodeResult: Codable, Sendable, Equatable {
    public var task: String
    public var seed: UInt64
    public var episode: Int
    /// Undiscounted sum of rewards.
    public var `return`: Double
    /// Steps taken.
    public var length: Int
    /// D4RL normalized score × 100.
    public var normalizedScore: Double
    public var end: EpisodeEnd
    /// Goal-reaching tasks (`RobotDescriptor.reportsGoalSuccess`): whether the goal was reached
    /// (nil for other tasks).
    public var success: Bool?
    /// Goal-reaching tasks: steps until the goal was reached (nil if never or not a goal task).
    public var timeToGoal: Int?
    /// The episode's goal, m, world frame `[x, y]`, for tasks with a goal position (nil for others).
    public var goal: [Double]?
    /// The robot's own per-episode numbers (`MuJoCoEnvironment.episodeMetrics`, snake_case
    /// keys); nil when it reports none.
    public var metrics: [String: Double]?
    /// Why the episode ended early (instability or error message).
    public var detail: String?

    enum CodingKeys: String, CodingKey {
        case task, seed, episode, `return`, length, end, success, detail, goal, metrics
        case normalizedScore = "normalized_score"
        case timeToGoal = "time_to_goal"
    }

    public var id: EpisodeID { EpisodeID(seed: seed, episode: episode) }
}

/// Wall-clock split of a run (seconds).
public struct RolloutTiming: Codable, Sendable, Equatable {
    public var total: Double = 0
    /// Environment stepping and resets.
    public var physics: Double = 0
    /// Policy calls.
    public var inference: Double = 0
    /// Environment steps taken in this run.
    public var steps: Int = 0
    public init() {}
    /// Everything else: batching, bookkeeping, reporting.
    public var overhead: Double { max(0, total - physics - inference) }
}

/// Progress of a running evaluation, for display.
public struct RolloutProgress: Sendable {
    public var episodesDone: Int
    public var episodesTotal: Int
    public var steps: Int
    public var elapsed: Double
    /// Environment steps per second so far.
    public var stepsPerSecond: Double { elapsed > 0 ? Double(steps) / elapsed : 0 }
}

/// Runs episodes of one task with one policy: many environments in flight, one batched policy
/// call per step across all live environments, environments stepped in parallel on `threads`
/// threads. Each episode's reset and policy streams are seeded from its `EpisodeID`, so results
/// are identical for any number of environments in flight or threads.
public final class RolloutEngine {
    public let task: TaskSpec
    public let policy: RolloutPolicy
    /// Environments stepped at once (the policy's batch size, at most).
    public let width: Int
    /// Threads stepping environments.
    public let threads: Int
    /// The running `run`'s timing so far (`total` = wall time since it started), as of the latest
    /// `onEpisode` call: lets a caller log the time and steps behind each finished episode.
    public private(set) var timingSoFar = RolloutTiming()
    /// Seconds the latest `run` spent in its observer (rendering and encoding video): excluded
    /// from the timing's `total`, so SPS measures the evaluation alone.
    public private(set) var observerSeconds = 0.0

    /// Runs `body` and counts its time as observer time (excluded from `total`, added to
    /// `observerSeconds`): for work a caller does inside `onEpisode` that is not evaluation, such
    /// as finishing an episode's video (which waits for the encoder).
    public func asObserverTime<T>(_ body: () throws -> T) rethrows -> T {
        let t = DispatchTime.now().uptimeNanoseconds
        defer { observerSeconds += Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }
        return try body()
    }

    public init(task: TaskSpec, policy: RolloutPolicy, width: Int, threads: Int) {
        precondition(width >= 1 && threads >= 1)
        self.task = task
        self.policy = policy
        self.width = width
        self.threads = threads
    }

    /// Runs `episodes` (in this order of start) and calls `onEpisode` as each finishes (on the
    /// calling thread). Stops at the first error thrown by the policy or `onEpisode`; episodes
    /// already reported stay reported.
    ///
    /// `observer`, if given, is called on the calling thread with each live episode's environment
    /// right after its reset (step 0) and after every step (step k), before the next policy call;
    /// it must only read the simulation (rendering does), so results are the same with or without it.
    ///
    /// `stepLimit`, if given, stops the run once that many environment steps were taken (episodes
    /// still in flight are dropped unreported): used by speed benchmarks that count transitions.
    public func run(episodes: [EpisodeID],
                    stepLimit: Int? = nil,
                    onEpisode: (EpisodeResult) throws -> Void,
                    onProgress: ((RolloutProgress) -> Void)? = nil,
                    observer: ((EpisodeID, Int, MuJoCoEnvironment) throws -> Void)? = nil) throws -> RolloutTiming {
        var timing = RolloutTiming()
        timingSoFar = RolloutTiming()
        observerSeconds = 0
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }
        // The observer's time is measured and kept out of `total`.
        func observe(_ id: EpisodeID, _ step: Int, _ environment: MuJoCoEnvironment) throws {
            guard let observer else { return }
            let t = DispatchTime.now().uptimeNanoseconds
            defer { observerSeconds += elapsed(since: t) }
            try observer(id, step, environment)
        }
        guard !episodes.isEmpty else { return timing }

        let slotCount = min(width, episodes.count)
        var slots: [Slot] = []
        for _ in 0..<slotCount { slots.append(Slot(environment: try EnvironmentFactory.make(task: task))) }
        guard slots[0].environment.observationSize == policy.observationSize,
              slots[0].environment.actionSize == policy.actionSize else {
            throw EvaluationError.dimensionMismatch(task: task.id,
                                                    observation: slots[0].environment.observationSize,
                                                    action: slots[0].environment.actionSize,
                                                    policyObservation: policy.observationSize,
                                                    policyAction: policy.actionSize)
        }
        let obsSize = policy.observationSize, actSize = policy.actionSize
        var queue = episodes[...]
        var done = 0

        // Start the first episodes (resets are physics time).
        let t0 = DispatchTime.now().uptimeNanoseconds
        for slot in slots {
            guard let id = queue.popFirst() else { break }
            try slot.begin(id, policy: policy)
        }
        timing.physics += elapsed(since: t0)
        if observer != nil {
            for slot in slots { if let id = slot.episode { try observe(id, 0, slot.environment) } }
        }

        var observations = [Double](repeating: 0, count: slotCount * obsSize)
        var actions = [Float](repeating: 0, count: slotCount * actSize)
        while true {
            let live = slots.indices.filter { slots[$0].episode != nil }
            if live.isEmpty { break }
            // One batched policy call for every live environment.
            for (row, index) in live.enumerated() {
                let obs = slots[index].observation
                for k in 0..<obsSize { observations[row * obsSize + k] = obs[k] }
            }
            let streams = live.map { slots[$0].stream! }
            let tPolicy = DispatchTime.now().uptimeNanoseconds
            try observations.withUnsafeBufferPointer { obs in
                try actions.withUnsafeMutableBufferPointer { act in
                    try policy.act(observations: UnsafeBufferPointer(rebasing: obs[0..<(live.count * obsSize)]),
                                   batch: live.count, streams: streams,
                                   actions: UnsafeMutableBufferPointer(rebasing: act[0..<(live.count * actSize)]))
                }
            }
            timing.inference += elapsed(since: tPolicy)
            // Rows the policy could not act for (e.g. absurd Q-values) end as unstable, unstepped.
            for (row, reason) in policy.rowProblems where row < live.count {
                slots[live[row]].end = .unstable
                slots[live[row]].detail = "policy: " + reason
            }

            // Step every live environment, in parallel.
            let tPhysics = DispatchTime.now().uptimeNanoseconds
            let chunks = min(threads, live.count)
            actions.withUnsafeBufferPointer { act in
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var row = chunk
                    while row < live.count {
                        if slots[live[row]].end == nil {
                            let action = (0..<actSize).map { Double(act[row * actSize + $0]) }
                            slots[live[row]].advance(action: action)
                        }
                        row += chunks
                    }
                }
            }
            timing.steps += live.count
            timing.physics += elapsed(since: tPhysics)
            if let stepLimit, timing.steps >= stepLimit { break }
            if observer != nil {
                for index in live { try observe(slots[index].episode!, slots[index].length, slots[index].environment) }
            }
            // Report finished episodes and start the next ones in their slots.
            for index in live {
                guard let result = slots[index].finishedResult() else { continue }
                done += 1
                timingSoFar = timing
                timingSoFar.total = elapsed(since: start) - observerSeconds
                try onEpisode(result)
                if let id = queue.popFirst() {
                    let tReset = DispatchTime.now().uptimeNanoseconds
                    try slots[index].begin(id, policy: policy)
                    timing.physics += elapsed(since: tReset)
                    if observer != nil { try observe(id, 0, slots[index].environment) }
                }
            }
            onProgress?(RolloutProgress(episodesDone: done, episodesTotal: episodes.count,
                                        steps: timing.steps, elapsed: elapsed(since: start) - observerSeconds))
        }
        timing.total = elapsed(since: start) - observerSeconds
        return timing
    }

    /// One environment and the episode running in it.
    final class Slot {
        let environment: MuJoCoEnvironment
        var episode: EpisodeID?
        var stream: PolicyStream?
        var observation: [Double] = []
        var length = 0
        var end: EpisodeEnd?
        var detail: String?
        var timeToGoal: Int?
        var success = false

        init(environment: MuJoCoEnvironment) { self.environment = environment }

        func begin(_ id: EpisodeID, policy: RolloutPolicy) throws {
            episode = id
            stream = policy.makeStream(seed: id.policySeed)
            environment.prepareEpisode(id.episode, instanceSeed: id.seed)
            observation = try environment.reset(seed: id.environmentSeed)
            length = 0
            end = nil
            detail = nil
            timeToGoal = nil
            success = false
        }

        /// Steps the environment (called on a worker thread; touches only this slot).
        func advance(action: [Double]) {
            do {
                let result = try environment.step(action)
                length += 1
                observation = result.observation
                if result.info.success && timeToGoal == nil {
                    success = true
                    timeToGoal = length
                }
                if let instability = result.instability {
                    end = .unstable
                    detail = instability.description
                } else if result.terminated {
                    end = .terminated
                } else if result.truncated {
                    end = .truncated
                }
            } catch {
                length += 1
                end = .error
                detail = "\(error)"
            }
        }

        /// The result if the episode just ended (and frees the slot), else nil.
        func finishedResult() -> EpisodeResult? {
            guard let end, let id = episode else { return nil }
            let task = environment.task
            let isGoalTask = environment.descriptor.reportsGoalSuccess
            let metrics = environment.episodeMetrics
            // The environment sums the rewards since its reset (and leaves the goal in place).
            let episodeReturn = environment.episodeReturn
            episode = nil
            stream = nil
            return EpisodeResult(task: task.id, seed: id.seed, episode: id.episode, return: episodeReturn,
                                 length: length, normalizedScore: task.normalizedScore(return: episodeReturn),
                                 end: end, success: isGoalTask ? success : nil,
                                 timeToGoal: isGoalTask ? timeToGoal : nil, goal: environment.goalPosition,
                                 metrics: metrics.isEmpty ? nil : metrics, detail: detail)
        }
    }
}

/// Errors of the evaluation layer, each naming what was expected.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case dimensionMismatch(task: String, observation: Int, action: Int, policyObservation: Int, policyAction: Int)
    case invalidShard(String)
    case resumeMismatch(file: String, reason: String)
    case mergeMismatch(file: String, reason: String)
    /// A report whose content breaks what edp-eval writes (a field out of range, a malformed value).
    case invalidReport(file: String, reason: String)
    /// Merging reports that do not cover their sweep; the text says what is missing.
    case incompleteSweep(String)
    case badTable(file: String, line: Int, reason: String)
    /// Another run holds the output's lock (`owner`: its PID, host and start time).
    case outputInUse(file: String, owner: String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let task, let o, let a, let po, let pa):
            return "the policy expects observations of \(po) and produces actions of \(pa), but \(task) has observations of \(o) and actions of \(a)"
        case .invalidShard(let text):
            return "invalid shard '\(text)': expected i/n with 1 ≤ i ≤ n, e.g. 2/8"
        case .resumeMismatch(let file, let reason):
            return "cannot resume from \(file): \(reason)"
        case .mergeMismatch(let file, let reason):
            return "cannot merge \(file): \(reason)"
        case .invalidReport(let file, let reason):
            return "\(file): not a valid edp-eval report: \(reason)"
        case .incompleteSweep(let explanation):
            return "the sweep is incomplete: " + explanation
        case .badTable(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        case .outputInUse(let file, let owner):
            return "\(file): the output is in use by \(owner); wait for that run to end (the lock is released when it exits)"
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a bijective 64-bit mixer used to derive seeds.
@inline(__always) func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
