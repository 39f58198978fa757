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
/// which moves contact-rich robots such as the ant by ~1e-7); fix the goal from `infos/goal[i]` on antmaze,
/// apply `actions[i]` with the task's step (action clip, frame skip, reward, termination), and
/// compare with the dataset after casting ours to the dataset's dtype:
/// - `next_observations`: against `next_observations[i]`, else `observations[i+1]` when
///   transition i does not end its episode (no terminal or timeout);
/// - `rewards`: against `rewards[i]`;
/// - `terminals`: our `terminated` against `terminals[i]` (|diff| 1 when they disagree).
/// Rows are read in chunks on the calling thread (the serial HDF5 library); each chunk's
/// transitions are split over `threads` environments.
public enum ConsistencyCheck {
    public static let fields = ["next_observations", "rewards", "terminals"]

    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var elapsed: Double
    }

    /// Runs the check on the first `limit` transitions (all by default).
    public static func run(_ dataset: D4RLDataset, task: TaskSpec, threads: Int, limit: Int? = nil, maxListed: Int = 100,
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
                throw DatasetError(file: dataset.url, key: "infos/goal", "missing: antmaze transitions need their goal")
            }
            guard shape[1] == 2 else { throw DatasetError(file: dataset.url, key: "infos/goal", "rows have \(shape[1]) values, expected 2 (x, y)") }
        }
        let total = min(dataset.transitions, max(0, limit ?? dataset.transitions))
        let hasNext = dataset.has("next_observations")
        let nextKey = hasNext ? "next_observations" : "observations"
        let float32 = [
            "next_observations": dataset.dtype(nextKey) == "float32",
            "rewards": dataset.dtype("rewards") == "float32",
        ]
        let o = dataset.observationSize, a = dataset.actionSize
        // Per transition and field: max |diff|, or NaN when not compared.
        var differences = [[Double]](repeating: [Double](repeating: .nan, count: total), count: fields.count)
        let start = Date()
        var done = 0
        for chunk in stride(from: 0, to: total, by: D4RLDataset.chunkRows) {
            let range = chunk..<min(total, chunk + D4RLDataset.chunkRows)
            let qpos = try dataset.read("infos/qpos", range), qvel = try dataset.read("infos/qvel", range)
            let actions = try dataset.read("actions", range)
            let rewards = try dataset.read("rewards", range), terminals = try dataset.read("terminals", range)
            let timeouts = dataset.has("timeouts") ? try dataset.read("timeouts", range) : [Double](repeating: 0, count: range.count)
            let goals = usesGoal ? try dataset.read("infos/goal", range) : []
            // observations[i+1] may lie one row past the chunk.
            let nextRange = hasNext ? range : range.lowerBound + 1..<min(dataset.transitions, range.upperBound + 1)
            let next = try dataset.read(nextKey, nextRange)
            let slices = environments.count
            let perSlice = (range.count + slices - 1) / slices
            var results = [[(Int, Int, Double)]](repeating: [], count: slices)
            var failure: Error?
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: slices) { s in
                let env = environments[s]
                var local: [(Int, Int, Double)] = []
                let lower = s * perSlice, upper = min(range.count, lower + perSlice)
                guard lower < upper else { return }
                func state(_ k: Int) -> (qpos: [Double], qvel: [Double]) {
                    (Array(qpos[(k * nq)..<((k + 1) * nq)]), Array(qvel[(k * nv)..<((k + 1) * nv)]))
                }
                func ends(_ k: Int) -> Bool { terminals[k] != 0 || timeouts[k] != 0 }
                do {
                    // Warm-up: a slice that starts inside an episode first replays the previous
                    // transition, so that the solver's warm start is what a continuous rollout had.
                    var continuing = false
                    if lower > 0, !ends(lower - 1) {
                        if usesGoal { try env.setGoal(Array(goals[(2 * lower - 2)..<(2 * lower)])) }
                        let previous = state(lower - 1)
                        try env.reset(qpos: previous.qpos, qvel: previous.qvel)
                        _ = try env.step(Array(actions[((lower - 1) * a)..<(lower * a)]))
                        continuing = true
                    }
                    for k in lower..<upper {
                        if usesGoal { try env.setGoal(Array(goals[(2 * k)..<(2 * k + 2)])) }
                        let recorded = state(k)
                        // When the simulator already holds exactly the recorded state (the previous
                        // transition of the same episode reproduced it), keep going without
                        // mj_resetData, as the recording rollout did; otherwise set the state.
                        if !(continuing && env.data.qpos == recorded.qpos && env.data.qvel == recorded.qvel) {
                            try env.reset(qpos: recorded.qpos, qvel: recorded.qvel)
                        }
                        let result = try env.step(Array(actions[(k * a)..<((k + 1) * a)]))
                        continuing = !ends(k) && result.instability == nil
                        let ends = ends(k)
                        if hasNext || (!ends && range.lowerBound + k + 1 < dataset.transitions) {
                            let base = k * o
                            var worst = 0.0
                            for j in 0..<o {
                                let ours = float32["next_observations"]! ? Double(Float(result.observation[j])) : result.observation[j]
                                worst = max(worst, abs(ours - next[base + j]))
                            }
                            local.append((k, 0, worst))
                        }
                        let reward = float32["rewards"]! ? Double(Float(result.reward)) : result.reward
                        local.append((k, 1, abs(reward - rewards[k])))
                        local.append((k, 2, result.terminated == (terminals[k] != 0) ? 0 : 1))
                    }
                } catch {
                    lock.lock(); failure = error; lock.unlock()
                }
                lock.lock(); results[s] = local; lock.unlock()
            }
            if let failure { throw failure }
            for slice in results { for (k, field, value) in slice { differences[field][range.lowerBound + k] = value } }
            done = range.upperBound
            progress?(Progress(done: done, total: total, elapsed: Date().timeIntervalSince(start)))
        }
        return ConsistencyReport(dataset: dataset, task: task, transitions: dataset.transitions, checked: total,
                                 differences: differences, maxListed: maxListed,
                                 seconds: Date().timeIntervalSince(start), threads: environments.count,
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
    public var seconds: Double
    public var threads: Int
    public var transitionsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case file, sha256, task, transitions, checked, mismatches, fields, mismatched, seconds, threads
        case mujocoVersion = "mujoco_version", maxAbsDiff = "max_abs_diff", mismatchedTruncated = "mismatched_truncated"
        case nextObservationsFrom = "next_observations_from", transitionsPerSecond = "transitions_per_second"
    }

    /// Every compared value equal.
    public var consistent: Bool { mismatches == 0 }

    init(dataset: D4RLDataset, task: TaskSpec, transitions: Int, checked: Int, differences: [[Double]], maxListed: Int,
         seconds: Double, threads: Int, nextObservationsFrom: String) {
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
        self.seconds = seconds
        self.threads = threads
        transitionsPerSecond = seconds > 0 ? Double(checked) / seconds : 0
    }
}
