import Datasets
import Dispatch
import Environments
import Foundation
import MuJoCo

/// `edp-eval dataset check`: does this simulator reproduce the dataset, one step at a time?
///
/// For every transition i: reset the environment to `infos/qpos[i]`, `infos/qvel[i]` (gym's
/// `set_state`: `mj_resetData`, write, `mj_forward`) — unless the simulator already holds exactly
/// that state because it just stepped transition i−1 of the same episode, in which case it goes on
/// as the recording rollout did (`mj_resetData` would also clear the constraint solver's warm start,
/// which moves contact-rich robots by ~1e-7); fix the goal from `infos/goal[i]` on goal-reaching tasks,
/// apply `actions[i]` with the task's step (action clip, frame skip, reward, termination), and
/// compare with the dataset after casting ours to the dataset's dtype:
/// - `next_observations`: against `next_observations[i]`, else `observations[i+1]` when
///   transition i does not end its episode (no terminal or timeout);
/// - `rewards`: against `rewards[i]`;
/// - `terminals`: our `terminated` against `terminals[i]` (|diff| 1 when they disagree).
/// Rows are read in chunks on the calling thread (the serial HDF5 library); each chunk is cut into
/// fixed blocks of `blockRows` transitions, replayed in parallel on `threads` environments. A block
/// starting inside an episode first steps the previous transition from its recorded state (warm
/// start), so the report does not depend on `threads`.
public enum ConsistencyCheck {
    public static let fields = ["next_observations", "rewards", "terminals"]

    /// Transitions per independently replayed block (`D4RLDataset.chunkRows` is a multiple).
    public static let blockRows = 256

    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var elapsed: Double
    }

    /// Runs the check on the first `limit` transitions (all by default).
    /// - Parameter warmStart: continue without a reset when the simulator already holds the
    ///   recorded state (the default, as the recording rollout did); false resets before every
    ///   transition, the path D4RL's float32 states always take (`edp-bench dataset-check
    ///   --reset-every-transition` measures it on float64 fixtures).
    /// - Parameter tolerance: what |diff| counts as a mismatch (`Tolerance`; default: 16 ulps at the
    ///   file's precision of the transition's largest value).
    public static func run(_ dataset: D4RLDataset, task: TaskSpec, physics: MuJoCoPhysics, threads: Int, limit: Int? = nil,
                           maxListed: Int = 100, warmStart: Bool = true, tolerance: Tolerance? = nil,
                           progress: ((Progress) -> Void)? = nil) throws -> ConsistencyReport {
        try DatasetTaskCheck.requireCompatible(dataset, task: task, physics: physics)
        let environments = try (0..<max(1, threads)).map { _ in try EnvironmentFactory.make(task: task, physics: physics) }
        let settings = try ReplaySettings(dataset, task: task, environment: environments[0], warmStart: warmStart)
        let total = min(dataset.transitions, max(0, limit ?? dataset.transitions))
        // Per transition and field: max |diff|, or NaN when not compared.
        var differences = [[Double]](repeating: [Double](repeating: .nan, count: total), count: fields.count)
        // Per transition: the largest magnitude among its recorded state, next observation and
        // reward (the scale of its float rounding, `Tolerance`).
        var scales = [Double](repeating: 0, count: total)
        let start = Date()
        var continued = 0
        for chunkStart in stride(from: 0, to: total, by: D4RLDataset.chunkRows) {
            let chunk = try ChunkRows(dataset, range: chunkStart..<min(total, chunkStart + D4RLDataset.chunkRows), settings: settings)
            let (results, continuedInChunk) = try replay(chunk, on: environments, settings: settings)
            for block in results {
                for (k, field, value, scale) in block {
                    differences[field][chunk.range.lowerBound + k] = value
                    scales[chunk.range.lowerBound + k] = scale
                }
            }
            continued += continuedInChunk
            progress?(Progress(done: chunk.range.upperBound, total: total, elapsed: Date().timeIntervalSince(start)))
        }
        return ConsistencyReport(dataset: dataset, task: task, physics: physics, transitions: dataset.transitions, checked: total,
                                 differences: differences, scales: scales,
                                 tolerance: tolerance ?? .ulps(Tolerance.defaultULPs, precision: settings.precision), maxListed: maxListed,
                                 seconds: Date().timeIntervalSince(start), threads: environments.count,
                                 warmStart: warmStart, continuedWithoutReset: continued,
                                 nextObservationsFrom: settings.hasNext ? "next_observations" : "observations[i+1] within an episode")
    }

    /// Replays a chunk's fixed blocks (absolute multiples of `blockRows`), each on its own: the
    /// report is the same whatever the thread count, which only decides who runs which block.
    /// Returns each block's (row in chunk, field, max |diff|) triples and the transitions continued
    /// without a reset.
    static func replay(_ chunk: ChunkRows, on environments: [MuJoCoEnvironment],
                       settings: ReplaySettings) throws -> ([[(Int, Int, Double, Double)]], Int) {
        let blocks = (chunk.range.count + blockRows - 1) / blockRows
        let workers = min(environments.count, blocks)
        var results = [[(Int, Int, Double, Double)]](repeating: [], count: blocks)
        var continuedPerBlock = [Int](repeating: 0, count: blocks)
        var failure: Error?
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var replayer = BlockReplayer(environment: environments[w], settings: settings)
            for b in stride(from: w, to: blocks, by: workers) {
                let lower = b * blockRows
                do {
                    let (local, skipped) = try replayer.replay(chunk, rows: lower..<min(chunk.range.count, lower + blockRows))
                    lock.lock(); results[b] = local; continuedPerBlock[b] = skipped; lock.unlock()
                } catch {
                    lock.lock(); failure = failure ?? error; lock.unlock()
                }
            }
        }
        if let failure { throw failure }
        return (results, continuedPerBlock.reduce(0, +))
    }
}

extension ConsistencyCheck {
    /// What the replay needs to know about the dataset and the task, the same for every chunk.
    struct ReplaySettings {
        /// Widths of qpos, qvel, observations and actions.
        let nq: Int, nv: Int, observationSize: Int, actionSize: Int
        /// The task has a goal (the environment reports one): each transition's goal comes from `infos/goal`.
        let usesGoal: Bool
        /// The dataset has `next_observations` (else `observations[i+1]` within an episode).
        let hasNext: Bool
        /// Ours are cast to float32 before comparing when the dataset stores float32.
        let float32Observations: Bool, float32Rewards: Bool
        /// The coarsest precision among the recorded states, next observations and rewards: the
        /// rounding the default tolerance allows for.
        let precision: Tolerance.Precision
        let warmStart: Bool
        let transitions: Int

        /// Checks that the dataset holds the state columns (and goals, for tasks with one) the replay sets.
        init(_ dataset: D4RLDataset, task: TaskSpec, environment: MuJoCoEnvironment, warmStart: Bool) throws {
            nq = environment.initialQpos.count
            nv = environment.initialQvel.count
            for (path, width) in [("infos/qpos", nq), ("infos/qvel", nv)] {
                guard let shape = dataset.shape(path) else {
                    throw DatasetError(file: dataset.url, key: path, "missing: the check sets the simulator state from infos/qpos and infos/qvel")
                }
                guard shape[1] == width else {
                    throw DatasetError(file: dataset.url, key: path, "rows have \(shape[1]) values but \(task.id) has \(width)")
                }
            }
            usesGoal = environment.goalPosition != nil
            if usesGoal {
                guard let shape = dataset.shape("infos/goal") else {
                    throw DatasetError(file: dataset.url, key: "infos/goal", "missing: transitions of a goal-reaching task need their goal")
                }
                guard shape[1] == 2 else { throw DatasetError(file: dataset.url, key: "infos/goal", "rows have \(shape[1]) values, expected 2 (x, y)") }
            }
            hasNext = dataset.has("next_observations")
            float32Observations = dataset.dtype(hasNext ? "next_observations" : "observations") == "float32"
            float32Rewards = dataset.dtype("rewards") == "float32"
            precision = ["infos/qpos", "infos/qvel", Self.nextKeyOf(hasNext), "rewards"].contains { dataset.dtype($0) == "float32" } ? .float32 : .float64
            observationSize = dataset.observationSize
            actionSize = dataset.actionSize
            self.warmStart = warmStart
            transitions = dataset.transitions
        }

        /// The dataset field the next observations are compared with.
        var nextKey: String { Self.nextKeyOf(hasNext) }
        static func nextKeyOf(_ hasNext: Bool) -> String { hasNext ? "next_observations" : "observations" }
    }

    /// The rows of one chunk, read on the calling thread (the serial HDF5 library). Row k of the chunk
    /// is row `k + extra` of the "wide" arrays, which also hold the row before the chunk (k = −1) for
    /// the first block's warm-up.
    struct ChunkRows {
        /// The transitions checked.
        let range: Range<Int>
        /// 1 when the wide arrays start one row before `range`, else 0.
        let extra: Int
        let qpos: [Double], qvel: [Double], actions: [Double], terminals: [Double], timeouts: [Double], goals: [Double]
        /// Rows of `range` only.
        let rewards: [Double]
        /// `next_observations` of `range`, or `observations` from one row after its start.
        let next: [Double]

        init(_ dataset: D4RLDataset, range: Range<Int>, settings: ReplaySettings) throws {
            self.range = range
            extra = range.lowerBound > 0 ? 1 : 0
            let wide = (range.lowerBound - extra)..<range.upperBound
            qpos = try dataset.read("infos/qpos", wide)
            qvel = try dataset.read("infos/qvel", wide)
            actions = try dataset.read("actions", wide)
            rewards = try dataset.read("rewards", range)
            terminals = try dataset.read("terminals", wide)
            timeouts = dataset.has("timeouts") ? try dataset.read("timeouts", wide) : [Double](repeating: 0, count: wide.count)
            goals = settings.usesGoal ? try dataset.read("infos/goal", wide) : []
            // observations[i+1] may lie one row past the chunk.
            let nextRange = settings.hasNext ? range : range.lowerBound + 1..<min(dataset.transitions, range.upperBound + 1)
            next = try dataset.read(settings.nextKey, nextRange)
        }

        /// Whether row k ends its episode (a terminal or a timeout).
        func ends(_ k: Int) -> Bool { terminals[k + extra] != 0 || timeouts[k + extra] != 0 }
    }

    /// One environment replaying blocks of a chunk, with its reusable state and action buffers.
    struct BlockReplayer {
        let environment: MuJoCoEnvironment
        let settings: ReplaySettings
        var qpos: [Double], qvel: [Double], action: [Double], goal = [Double](repeating: 0, count: 2)

        init(environment: MuJoCoEnvironment, settings: ReplaySettings) {
            self.environment = environment
            self.settings = settings
            qpos = [Double](repeating: 0, count: settings.nq)
            qvel = [Double](repeating: 0, count: settings.nv)
            action = [Double](repeating: 0, count: settings.actionSize)
        }

        /// Loads row k of the chunk (k = −1: the row before it) into the buffers.
        mutating func load(_ k: Int, of chunk: ChunkRows) {
            let r = k + chunk.extra, nq = settings.nq, nv = settings.nv, a = settings.actionSize
            for j in 0..<nq { qpos[j] = chunk.qpos[r * nq + j] }
            for j in 0..<nv { qvel[j] = chunk.qvel[r * nv + j] }
            for j in 0..<a { action[j] = chunk.actions[r * a + j] }
            if settings.usesGoal { goal[0] = chunk.goals[2 * r]; goal[1] = chunk.goals[2 * r + 1] }
        }

        /// Whether the simulator holds exactly the loaded state.
        func holdsRecordedState() -> Bool {
            environment.data.qpos == qpos && environment.data.qvel == qvel
        }

        /// Replays rows `rows` of the chunk; returns (row, field, max |diff|) triples and how many rows
        /// continued without a reset.
        mutating func replay(_ chunk: ChunkRows, rows: Range<Int>) throws -> ([(Int, Int, Double, Double)], Int) {
            var local: [(Int, Int, Double, Double)] = []
            local.reserveCapacity(3 * ConsistencyCheck.blockRows)
            var skipped = 0
            // Warm-up: a block that starts inside an episode first replays the previous transition from
            // its recorded state, so that the solver's warm start is that of a rollout (the same for
            // every thread count).
            var continuing = false
            if settings.warmStart, chunk.range.lowerBound + rows.lowerBound > 0, !chunk.ends(rows.lowerBound - 1) {
                load(rows.lowerBound - 1, of: chunk)
                if settings.usesGoal { try environment.setGoal(goal) }
                try environment.reset(qpos: qpos, qvel: qvel)
                continuing = try environment.step(action).instability == nil
            }
            for k in rows {
                load(k, of: chunk)
                if settings.usesGoal { try environment.setGoal(goal) }
                // When the simulator already holds exactly the recorded state (the previous transition
                // of the same episode reproduced it), keep going without mj_resetData, as the recording
                // rollout did; otherwise set the state.
                if settings.warmStart && continuing && holdsRecordedState() {
                    skipped += 1
                } else {
                    try environment.reset(qpos: qpos, qvel: qvel)
                }
                let result = try environment.step(action)
                let ends = chunk.ends(k)
                continuing = !ends && result.instability == nil
                var scale = abs(chunk.rewards[k])
                for v in qpos { scale = max(scale, abs(v)) }
                for v in qvel { scale = max(scale, abs(v)) }
                if settings.hasNext || (!ends && chunk.range.lowerBound + k + 1 < settings.transitions) {
                    let o = settings.observationSize
                    for j in 0..<o { scale = max(scale, abs(chunk.next[k * o + j])) }
                    local.append((k, 0, nextObservationDifference(result.observation, row: k, of: chunk), scale))
                }
                let reward = settings.float32Rewards ? Double(Float(result.reward)) : result.reward
                local.append((k, 1, abs(reward - chunk.rewards[k]), scale))
                local.append((k, 2, result.terminated == (chunk.terminals[k + chunk.extra] != 0) ? 0 : 1, scale))
            }
            return (local, skipped)
        }

        /// Max |ours − recorded| over the next observation of row k, ours cast to the dataset's dtype.
        func nextObservationDifference(_ observation: [Double], row k: Int, of chunk: ChunkRows) -> Double {
            let o = settings.observationSize, base = k * o
            var worst = 0.0
            for j in 0..<o {
                let ours = settings.float32Observations ? Double(Float(observation[j])) : observation[j]
                worst = max(worst, abs(ours - chunk.next[base + j]))
            }
            return worst
        }
    }
}
