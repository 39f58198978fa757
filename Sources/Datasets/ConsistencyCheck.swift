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
    public static func run(_ dataset: D4RLDataset, task: TaskSpec, threads: Int, limit: Int? = nil, maxListed: Int = 100,
                           warmStart: Bool = true,
                           progress: ((Progress) -> Void)? = nil) throws -> ConsistencyReport {
        try DatasetTaskCheck.requireCompatible(dataset, task: task)
        let environments = try (0..<max(1, threads)).map { _ in try EnvironmentFactory.make(task: task) }
        let env0 = environments[0]
        let nq = env0.initialQpos.count, nv = env0.initialQvel.count
        for (path, width) in [("infos/qpos", nq), ("infos/qvel", nv)] {
            guard let shape = dataset.shape(path) else {
                throw DatasetError(file: dataset.url, key: path, "missing: the check sets the simulator state from infos/qpos and infos/qvel")
            }
            guard shape[1] == width else {
                throw DatasetError(file: dataset.url, key: path, "rows have \(shape[1]) values but \(task.id) has \(width)")
            }
        }
        let usesGoal = env0.goalPosition != nil
        if usesGoal {
            guard let shape = dataset.shape("infos/goal") else {
                throw DatasetError(file: dataset.url, key: "infos/goal", "missing: transitions of a goal-reaching task need their goal")
            }
            guard shape[1] == 2 else { throw DatasetError(file: dataset.url, key: "infos/goal", "rows have \(shape[1]) values, expected 2 (x, y)") }
        }
        let total = min(dataset.transitions, max(0, limit ?? dataset.transitions))
        let hasNext = dataset.has("next_observations")
        let nextKey = hasNext ? "next_observations" : "observations"
        let float32Observations = dataset.dtype(nextKey) == "float32"
        let float32Rewards = dataset.dtype("rewards") == "float32"
        let o = dataset.observationSize, a = dataset.actionSize
        // Per transition and field: max |diff|, or NaN when not compared.
        var differences = [[Double]](repeating: [Double](repeating: .nan, count: total), count: fields.count)
        let start = Date()
        var done = 0
        var continued = 0
        for chunk in stride(from: 0, to: total, by: D4RLDataset.chunkRows) {
            let range = chunk..<min(total, chunk + D4RLDataset.chunkRows)
            // One row before the chunk too: the first block's warm-up replays it.
            let extra = range.lowerBound > 0 ? 1 : 0
            let wide = (range.lowerBound - extra)..<range.upperBound
            let qpos = try dataset.read("infos/qpos", wide), qvel = try dataset.read("infos/qvel", wide)
            let actions = try dataset.read("actions", wide)
            let rewards = try dataset.read("rewards", range), terminals = try dataset.read("terminals", wide)
            let timeouts = dataset.has("timeouts") ? try dataset.read("timeouts", wide) : [Double](repeating: 0, count: wide.count)
            let goals = usesGoal ? try dataset.read("infos/goal", wide) : []
            // observations[i+1] may lie one row past the chunk.
            let nextRange = hasNext ? range : range.lowerBound + 1..<min(dataset.transitions, range.upperBound + 1)
            let next = try dataset.read(nextKey, nextRange)
            // Fixed blocks (absolute multiples of blockRows), each replayed on its own: the report is
            // the same whatever the thread count, which only decides who runs which block.
            let blocks = (range.count + blockRows - 1) / blockRows
            let workers = min(environments.count, blocks)
            var results = [[(Int, Int, Double)]](repeating: [], count: blocks)
            var continuedPerBlock = [Int](repeating: 0, count: blocks)
            var failure: Error?
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let env = environments[w]
                var qposBuffer = [Double](repeating: 0, count: nq), qvelBuffer = [Double](repeating: 0, count: nv)
                var action = [Double](repeating: 0, count: a), goal = [Double](repeating: 0, count: 2)
                // Row k of the chunk (k = −1: the row before it) in the wide arrays.
                func load(_ k: Int) {
                    let r = k + extra
                    for j in 0..<nq { qposBuffer[j] = qpos[r * nq + j] }
                    for j in 0..<nv { qvelBuffer[j] = qvel[r * nv + j] }
                    for j in 0..<a { action[j] = actions[r * a + j] }
                    if usesGoal { goal[0] = goals[2 * r]; goal[1] = goals[2 * r + 1] }
                }
                func ends(_ k: Int) -> Bool { terminals[k + extra] != 0 || timeouts[k + extra] != 0 }
                func holdsRecordedState() -> Bool {
                    env.data.qpos == qposBuffer && env.data.qvel == qvelBuffer
                }
                for b in stride(from: w, to: blocks, by: workers) {
                    var local: [(Int, Int, Double)] = []
                    local.reserveCapacity(3 * blockRows)
                    var skipped = 0
                    let lower = b * blockRows, upper = min(range.count, lower + blockRows)
                    do {
                        // Warm-up: a block that starts inside an episode first replays the previous
                        // transition from its recorded state, so that the solver's warm start is
                        // that of a rollout (the same for every thread count).
                        var continuing = false
                        if warmStart, range.lowerBound + lower > 0, !ends(lower - 1) {
                            load(lower - 1)
                            if usesGoal { try env.setGoal(goal) }
                            try env.reset(qpos: qposBuffer, qvel: qvelBuffer)
                            continuing = try env.step(action).instability == nil
                        }
                        for k in lower..<upper {
                            load(k)
                            if usesGoal { try env.setGoal(goal) }
                            // When the simulator already holds exactly the recorded state (the previous
                            // transition of the same episode reproduced it), keep going without
                            // mj_resetData, as the recording rollout did; otherwise set the state.
                            if warmStart && continuing && holdsRecordedState() {
                                skipped += 1
                            } else {
                                try env.reset(qpos: qposBuffer, qvel: qvelBuffer)
                            }
                            let result = try env.step(action)
                            let ends = ends(k)
                            continuing = !ends && result.instability == nil
                            if hasNext || (!ends && range.lowerBound + k + 1 < dataset.transitions) {
                                let base = k * o
                                var worst = 0.0
                                for j in 0..<o {
                                    let ours = float32Observations ? Double(Float(result.observation[j])) : result.observation[j]
                                    worst = max(worst, abs(ours - next[base + j]))
                                }
                                local.append((k, 0, worst))
                            }
                            let reward = float32Rewards ? Double(Float(result.reward)) : result.reward
                            local.append((k, 1, abs(reward - rewards[k])))
                            local.append((k, 2, result.terminated == (terminals[k + extra] != 0) ? 0 : 1))
                        }
                    } catch {
                        lock.lock(); failure = failure ?? error; lock.unlock()
                    }
                    lock.lock(); results[b] = local; continuedPerBlock[b] = skipped; lock.unlock()
                }
            }
            if let failure { throw failure }
            for block in results { for (k, field, value) in block { differences[field][range.lowerBound + k] = value } }
            continued += continuedPerBlock.reduce(0, +)
            done = range.upperBound
            progress?(Progress(done: done, total: total, elapsed: Date().timeIntervalSince(start)))
        }
        return ConsistencyReport(dataset: dataset, task: task, transitions: dataset.transitions, checked: total,
                                 differences: differences, maxListed: maxListed,
                                 seconds: Date().timeIntervalSince(start), threads: environments.count,
                                 warmStart: warmStart, continuedWithoutReset: continued,
                                 nextObservationsFrom: hasNext ? "next_observations" : "observations[i+1] within an episode")
    }
}

/// The check's result; JSON keys as documented in the README (`dataset check`).
public struct ConsistencyReport: Codable, Sendable {
    public struct FieldReport: Codable, Sendable {
        /// Transitions where the field was compared.
        public var compared: Int
        /// Transitions where it differs (|diff| > 0).
        public var differing: Int
        public var maxAbsDiff: Double
        /// Quantiles 50/90/99/100 % of the per-transition max |diff|.
        public var quantiles: [String: Double]
        enum CodingKeys: String, CodingKey { case compared, differing, quantiles, maxAbsDiff = "max_abs_diff" }
    }

    public struct Mismatch: Codable, Sendable, Equatable {
        public var index: Int
        public var field: String
        public var maxAbsDiff: Double
        enum CodingKeys: String, CodingKey { case index, field, maxAbsDiff = "max_abs_diff" }
    }

    public var file: String
    public var sha256: String
    public var task: String
    public var mujocoVersion: String
    public var transitions: Int
    public var checked: Int
    /// Transitions with at least one differing field.
    public var mismatches: Int
    public var maxAbsDiff: Double
    public var fields: [String: FieldReport]
    /// Differing (transition, field) pairs, worst first, at most `maxListed`.
    public var mismatched: [Mismatch]
    /// True when `mismatched` was cut.
    public var mismatchedTruncated: Bool
    public var nextObservationsFrom: String
    /// True when transitions whose recorded state the simulator already holds continue without
    /// a reset (the default; see `ConsistencyCheck`), false when every transition is reset.
    public var warmStart: Bool
    /// Transitions stepped without a reset because the simulator held their recorded state.
    public var continuedWithoutReset: Int
    public var seconds: Double
    public var threads: Int
    public var transitionsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case file, sha256, task, transitions, checked, mismatches, fields, mismatched, seconds, threads
        case mujocoVersion = "mujoco_version", maxAbsDiff = "max_abs_diff", mismatchedTruncated = "mismatched_truncated"
        case nextObservationsFrom = "next_observations_from", transitionsPerSecond = "transitions_per_second"
        case warmStart = "warm_start", continuedWithoutReset = "continued_without_reset"
    }

    /// Every compared value equal.
    public var consistent: Bool { mismatches == 0 }

    init(dataset: D4RLDataset, task: TaskSpec, transitions: Int, checked: Int, differences: [[Double]], maxListed: Int,
         seconds: Double, threads: Int, warmStart: Bool, continuedWithoutReset: Int, nextObservationsFrom: String) {
        file = dataset.url.path
        sha256 = (try? dataset.sha256()) ?? "unreadable"
        self.task = task.id
        mujocoVersion = MuJoCoLibrary.version
        self.transitions = transitions
        self.checked = checked
        var fields: [String: FieldReport] = [:]
        var all: [Mismatch] = []
        var bad = Set<Int>()
        for (f, name) in ConsistencyCheck.fields.enumerated() {
            let values = differences[f].filter { !$0.isNaN }.sorted()
            func quantile(_ q: Double) -> Double {
                values.isEmpty ? 0 : values[min(values.count - 1, Int((q * Double(values.count - 1)).rounded(.up)))]
            }
            for (i, d) in differences[f].enumerated() where d > 0 {
                all.append(Mismatch(index: i, field: name, maxAbsDiff: d))
                bad.insert(i)
            }
            fields[name] = FieldReport(compared: values.count, differing: values.filter { $0 > 0 }.count,
                                       maxAbsDiff: values.last ?? 0,
                                       quantiles: ["50": quantile(0.5), "90": quantile(0.9), "99": quantile(0.99), "100": values.last ?? 0])
        }
        all.sort { $0.maxAbsDiff != $1.maxAbsDiff ? $0.maxAbsDiff > $1.maxAbsDiff : ($0.index, $0.field) < ($1.index, $1.field) }
        self.fields = fields
        mismatches = bad.count
        maxAbsDiff = fields.values.map(\.maxAbsDiff).max() ?? 0
        mismatched = Array(all.prefix(maxListed))
        mismatchedTruncated = all.count > maxListed
        self.nextObservationsFrom = nextObservationsFrom
        self.warmStart = warmStart
        self.continuedWithoutReset = continuedWithoutReset
        self.seconds = seconds
        self.threads = threads
        transitionsPerSecond = seconds > 0 ? Double(checked) / seconds : 0
    }
}
