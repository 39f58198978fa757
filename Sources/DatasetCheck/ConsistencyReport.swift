import Datasets
import Environments
import Foundation
import MuJoCo

/// The check's result; JSON keys as documented in docs/datasets.md "dataset check".
public struct ConsistencyReport: Codable, Sendable {
    public struct FieldReport: Codable, Sendable {
        /// Transitions where the field was compared.
        public var compared: Int
        /// Transitions where it differs at all (|diff| > 0).
        public var differing: Int
        /// Transitions where it differs beyond the tolerance (mismatches).
        public var beyondTolerance: Int
        public var maxAbsDiff: Double
        /// Quantiles 50/90/99/100 % of the per-transition max |diff|.
        public var quantiles: [String: Double]
        enum CodingKeys: String, CodingKey { case compared, differing, quantiles, maxAbsDiff = "max_abs_diff", beyondTolerance = "beyond_tolerance" }
    }

    public struct Mismatch: Codable, Sendable, Equatable {
        public var index: Int
        public var field: String
        public var maxAbsDiff: Double
        /// The tolerance this transition's value had to meet.
        public var tolerance: Double
        enum CodingKeys: String, CodingKey { case index, field, tolerance, maxAbsDiff = "max_abs_diff" }
    }

    public var file: String
    public var sha256: String
    public var task: String
    public var mujocoVersion: String
    public var transitions: Int
    public var checked: Int
    /// Transitions with at least one field beyond the tolerance.
    public var mismatchCount: Int
    public var maxAbsDiff: Double
    /// The rule a difference had to exceed to count (`Tolerance`).
    public var tolerance: Tolerance
    public var fields: [String: FieldReport]
    /// (transition, field) pairs beyond the tolerance, worst first (by |diff| / tolerance), at most `maxListed`.
    public var mismatches: [Mismatch]
    /// True when `mismatches` was cut.
    public var mismatchesTruncated: Bool
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
        case file, sha256, task, transitions, checked, mismatches, fields, seconds, threads, tolerance
        case mujocoVersion = "mujoco_version", maxAbsDiff = "max_abs_diff", mismatchesTruncated = "mismatches_truncated"
        case mismatchCount = "mismatch_count"
        case nextObservationsFrom = "next_observations_from", transitionsPerSecond = "transitions_per_second"
        case warmStart = "warm_start", continuedWithoutReset = "continued_without_reset"
    }

    /// Every compared value within the tolerance.
    public var consistent: Bool { mismatchCount == 0 }

    init(dataset: D4RLDataset, task: TaskSpec, physics: MuJoCoPhysics, transitions: Int, checked: Int, differences: [[Double]],
         scales: [Double], tolerance: Tolerance, maxListed: Int,
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
            var beyond = 0
            for (i, d) in differences[f].enumerated() where d > 0 {
                // Terminal flags are exact whatever the tolerance.
                let bound = name == "terminals" ? 0 : tolerance.bound(scale: scales[i])
                guard d > bound else { continue }
                all.append(Mismatch(index: i, field: name, maxAbsDiff: d, tolerance: bound))
                bad.insert(i)
                beyond += 1
            }
            fields[name] = FieldReport(compared: values.count, differing: values.filter { $0 > 0 }.count, beyondTolerance: beyond,
                                       maxAbsDiff: values.last ?? 0,
                                       quantiles: ["50": quantile(0.5), "90": quantile(0.9), "99": quantile(0.99), "100": values.last ?? 0])
        }
        all.sort { $0.maxAbsDiff != $1.maxAbsDiff ? $0.maxAbsDiff > $1.maxAbsDiff : ($0.index, $0.field) < ($1.index, $1.field) }
        self.fields = fields
        self.tolerance = tolerance
        mismatchCount = bad.count
        maxAbsDiff = fields.values.map(\.maxAbsDiff).max() ?? 0
        mismatches = Array(all.prefix(maxListed))
        mismatchesTruncated = all.count > maxListed
        self.nextObservationsFrom = nextObservationsFrom
        self.warmStart = warmStart
        self.continuedWithoutReset = continuedWithoutReset
        self.seconds = seconds
        self.threads = threads
        transitionsPerSecond = seconds > 0 ? Double(checked) / seconds : 0
    }
}
