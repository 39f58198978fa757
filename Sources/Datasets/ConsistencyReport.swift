import Foundation
import Environments
import MuJoCo

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

    init(dataset: D4RLDataset, task: TaskSpec, physics: MuJoCoPhysics, transitions: Int, checked: Int, differences: [[Double]], maxListed: Int,
         seconds: Double, threads: Int, warmStart: Bool, continuedWithoutReset: Int, nextObservationsFrom: String) {
        file = dataset.url.path
        sha256 = (try? dataset.sha256()) ?? "unreadable"
        self.task = task.id
        mujocoVersion = physics.rawValue
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
