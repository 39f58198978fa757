import Dispatch
import Environments
import Foundation
import MuJoCo

/// Runs episodes of one task with one policy: many environments in flight, one batched policy
/// call per step across all live environments, environments stepped in parallel on `threads`
/// threads. Each episode's reset and policy streams are seeded from its `EpisodeID`, so results
/// are identical for any number of environments in flight or threads.
public final class RolloutEngine {
    /// Called with a live episode's environment after its reset (step 0) and after every step
    /// (step k); it must only read the simulation.
    public typealias EpisodeObserver = (EpisodeID, Int, MuJoCoEnvironment) throws -> Void

    public let task: TaskSpec
    /// The MuJoCo build the environments run on.
    public let physics: MuJoCoPhysics
    public let policy: any RolloutPolicy
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

    public init(task: TaskSpec, physics: MuJoCoPhysics, policy: any RolloutPolicy, width: Int, threads: Int) {
        self.physics = physics
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
                    observer: EpisodeObserver? = nil) throws -> RolloutTiming {
        try run(policy, episodes: episodes, stepLimit: stepLimit, onEpisode: onEpisode, onProgress: onProgress, observer: observer)
    }

    /// `run` with the policy's concrete type, so that the engine holds its streams (one per
    /// slot, `P.Stream`) and hands them to the policy in place at every step.
    private func run<P: RolloutPolicy>(_ policy: P, episodes: [EpisodeID], stepLimit: Int?,
                                       onEpisode: (EpisodeResult) throws -> Void,
                                       onProgress: ((RolloutProgress) -> Void)?,
                                       observer: EpisodeObserver?) throws -> RolloutTiming {
        var timing = RolloutTiming()
        timingSoFar = RolloutTiming()
        observerSeconds = 0
        let start = DispatchTime.now().uptimeNanoseconds
        guard !episodes.isEmpty else { return timing }

        let (slots, rows) = try makeSlots(count: min(width, episodes.count))
        var queue = episodes[...]
        var done = 0
        // Start the first episodes (resets are physics time).
        let t0 = DispatchTime.now().uptimeNanoseconds
        var streams = PolicyStreams<P.Stream>(bySlot: [], rows: [])
        for slot in slots {
            guard let id = queue.popFirst() else { break }
            streams.bySlot.append(policy.makeStream(seed: id.policySeed))
            try slot.begin(id)
        }
        timing.physics += Self.seconds(since: t0)
        for slot in slots { if let id = slot.episode { try observe(observer, id, 0, slot.environment) } }

        var buffers = StepBuffers(slots: slots.count, observationSize: policy.observationSize, actionSize: policy.actionSize)
        while true {
            let live = slots.indices.filter { slots[$0].episode != nil }
            if live.isEmpty { break }
            try act(policy, slots, live: live, rows: rows, streams: &streams, buffers: &buffers, timing: &timing)
            step(slots, live: live, actions: buffers.actions, timing: &timing)
            if let stepLimit, timing.steps >= stepLimit { break }
            for index in live { try observe(observer, slots[index].episode!, slots[index].length, slots[index].environment) }
            // Report finished episodes and start the next ones in their slots.
            for index in live {
                guard let result = slots[index].finishedResult() else { continue }
                done += 1
                timingSoFar = timing
                timingSoFar.total = Self.seconds(since: start) - observerSeconds
                try onEpisode(result)
                if let id = queue.popFirst() {
                    let tReset = DispatchTime.now().uptimeNanoseconds
                    streams.bySlot[index] = policy.makeStream(seed: id.policySeed)
                    try slots[index].begin(id)
                    timing.physics += Self.seconds(since: tReset)
                    try observe(observer, id, 0, slots[index].environment)
                }
            }
            onProgress?(RolloutProgress(episodesDone: done, episodesTotal: episodes.count,
                                        steps: timing.steps, elapsed: Self.seconds(since: start) - observerSeconds))
        }
        timing.total = Self.seconds(since: start) - observerSeconds
        return timing
    }

    /// Seconds since `t` (a `DispatchTime` uptime in ns).
    static func seconds(since t: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9 }

    /// Calls `observer` (if any), its time kept out of `total` and added to `observerSeconds`.
    private func observe(_ observer: EpisodeObserver?, _ id: EpisodeID, _ step: Int, _ environment: MuJoCoEnvironment) throws {
        guard let observer else { return }
        let t = DispatchTime.now().uptimeNanoseconds
        defer { observerSeconds += Self.seconds(since: t) }
        try observer(id, step, environment)
    }

    /// `count` environments of the task, checked against the policy's sizes, each with its row.
    private func makeSlots(count: Int) throws -> ([Slot], ObservationRows) {
        var environments: [MuJoCoEnvironment] = []
        for _ in 0..<count { environments.append(try EnvironmentFactory.make(task: task, physics: physics)) }
        guard environments[0].observationSize == policy.observationSize,
              environments[0].actionSize == policy.actionSize else {
            throw EvaluationError.dimensionMismatch(task: task.id,
                                                    observation: environments[0].observationSize,
                                                    action: environments[0].actionSize,
                                                    policyObservation: policy.observationSize,
                                                    policyAction: policy.actionSize)
        }
        let rows = ObservationRows(rows: count, rowLength: policy.observationSize)
        return (environments.indices.map { Slot(environment: environments[$0], rows: rows, index: $0) }, rows)
    }

    /// The batched policy call's output, one row per live slot (row-major), and the gathered
    /// observations when the live slots are not the first rows of `ObservationRows`. The actions
    /// are held as doubles whatever the policy's dtype (a float32 action widens exactly); the
    /// environments step them in `policy.actionDType`.
    struct StepBuffers {
        var observations: [Double]
        var actions: [Double]
        /// A float32 policy's output before it is widened into `actions`.
        var float32Actions: [Float]
        init(slots: Int, observationSize: Int, actionSize: Int) {
            observations = [Double](repeating: 0, count: slots * observationSize)
            actions = [Double](repeating: 0, count: slots * actionSize)
            float32Actions = [Float](repeating: 0, count: slots * actionSize)
        }
    }

    /// One batched policy call for the `live` slots (row k = slot live[k]); rows the policy could
    /// not act for (e.g. absurd Q-values) end as unstable, unstepped. While every slot from the
    /// first is live (most of a run) the policy reads the environments' rows in place; otherwise
    /// the live rows are gathered first.
    private func act<P: RolloutPolicy>(_ policy: P, _ slots: [Slot], live: [Int], rows observationRows: ObservationRows,
                                       streams: inout PolicyStreams<P.Stream>, buffers: inout StepBuffers,
                                       timing: inout RolloutTiming) throws {
        let obsSize = policy.observationSize, actSize = policy.actionSize
        let inPlace = live.last == live.count - 1
        if !inPlace {
            for (row, index) in live.enumerated() {
                let obs = slots[index].observation
                for k in 0..<obsSize { buffers.observations[row * obsSize + k] = obs[k] }
            }
        }
        streams.rows = live
        let tPolicy = DispatchTime.now().uptimeNanoseconds
        let rows = live.count * actSize
        try buffers.observations.withUnsafeBufferPointer { gathered in
            let observations = inPlace ? UnsafeBufferPointer(rebasing: observationRows.storage[0..<(live.count * obsSize)])
                                       : UnsafeBufferPointer(rebasing: gathered[0..<(live.count * obsSize)])
            switch policy.actionDType {
            case .float32:
                try buffers.float32Actions.withUnsafeMutableBufferPointer { act in
                    try policy.act(observations: observations, batch: live.count, streams: &streams,
                                   actions: UnsafeMutableBufferPointer(rebasing: act[0..<rows]))
                }
                for i in 0..<rows { buffers.actions[i] = Double(buffers.float32Actions[i]) }
            case .float64:
                try buffers.actions.withUnsafeMutableBufferPointer { act in
                    try policy.act(observations: observations, batch: live.count, streams: &streams,
                                   float64Actions: UnsafeMutableBufferPointer(rebasing: act[0..<rows]))
                }
            }
        }
        timing.inference += Self.seconds(since: tPolicy)
        for (row, reason) in policy.rowProblems where row < live.count {
            slots[live[row]].end = .unstable
            slots[live[row]].detail = "policy: " + reason
        }
    }

    /// Steps every live environment with its row of `actions`, in parallel on `threads` threads.
    private func step(_ slots: [Slot], live: [Int], actions: [Double], timing: inout RolloutTiming) {
        let actSize = policy.actionSize, dtype = policy.actionDType
        let tPhysics = DispatchTime.now().uptimeNanoseconds
        let chunks = min(threads, live.count)
        actions.withUnsafeBufferPointer { act in
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var row = chunk
                while row < live.count {
                    if slots[live[row]].end == nil {
                        let action = Array(act[(row * actSize)..<((row + 1) * actSize)])
                        slots[live[row]].advance(action: action, dtype: dtype)
                    }
                    row += chunks
                }
            }
        }
        timing.steps += live.count
        timing.physics += Self.seconds(since: tPhysics)
    }
}
