import Foundation

/// `edp-eval aggregate`: per method, over tasks, the `AggregateMetrics` with stratified bootstrap
/// intervals, P(X > Y) between methods and performance profiles, from evaluation reports.
public struct Aggregate: Codable, Sendable {
    public struct MethodResult: Codable, Sendable {
        public var method: String
        public var tasks: [String]
        /// Runs per task, in `tasks` order.
        public var runsPerTask: [Int]
        /// "runs" (each report row, i.e. each checkpoint, is one run) or "episodes" (one run per
        /// task: its episodes are resampled, which measures evaluation noise only).
        public var unit: String
        /// Point estimates by metric name (`AggregateMetrics.names`).
        public var point: [String: Double]
        /// 95% intervals by metric name.
        public var ci95: [String: [Double]]
        /// Performance profile: fraction of scores above each τ, with its 95% band.
        public var profile: [Double]
        public var profileBand: [[Double]]

        enum CodingKeys: String, CodingKey {
            case method, tasks, unit, point, ci95, profile
            case runsPerTask = "runs_per_task"
            case profileBand = "profile_band"
        }
    }

    public struct Improvement: Codable, Sendable {
        public var x: String
        public var y: String
        /// P(X > Y) over the tasks both have.
        public var probability: Double
        public var ci95: [Double]
        public var tasks: Int
    }

    public var methods: [MethodResult]
    public var improvements: [Improvement]
    public var taus: [Double]
    public var replications: Int
    public var seed: UInt64
    /// Describes the interval method for people and files.
    public var intervalMethod: String
    /// The physics of the reports, per method ("2.3.7", or several joined with "+").
    public var physics: [String: String]
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case methods, improvements, taus, replications, seed, physics, warnings
        case intervalMethod = "interval_method"
    }

    /// Builds each method's score table from its reports: every (task, policy) row is one run
    /// scored by its mean normalized score; a method with one run per task falls back to its
    /// episodes as the replication unit (with a warning).
    public static func scoreTable(method: String, reports: [EvaluationReport]) -> (table: ScoreTable, unit: String) {
        // Only tasks with D4RL reference scores have normalized scores to aggregate.
        let rows = reports.flatMap(\.tasks).filter { $0.normalizedScore != nil }
        let tasks = rows.map(\.task).uniqued()
        let runs = tasks.map { task in rows.filter { $0.task == task }.compactMap { $0.normalizedScore?.mean } }
        if runs.allSatisfy({ $0.count == 1 }) {
            let episodes = tasks.map { task in rows.filter { $0.task == task }.flatMap { $0.episodes.compactMap(\.normalizedScore) } }
            return (ScoreTable(method: method, tasks: tasks, runs: episodes), "episodes")
        }
        return (ScoreTable(method: method, tasks: tasks, runs: runs), "runs")
    }

    /// - Parameters:
    ///   - methods: (name, reports, each report's physics) in the order given; P(X > Y) is computed
    ///     for every pair in that order.
    public init(methods: [(name: String, reports: [EvaluationReport], physics: [String])], replications: Int, seed: UInt64,
                taus: [Double] = stride(from: 0.0, through: 120.0, by: 2.5).map { $0 }) {
        var warnings: [String] = []
        var tables: [ScoreTable] = []
        var results: [MethodResult] = []
        var physics: [String: String] = [:]
        for (index, entry) in methods.enumerated() {
            let (table, unit) = Self.scoreTable(method: entry.name, reports: entry.reports)
            tables.append(table)
            physics[entry.name] = entry.physics.uniqued().joined(separator: "+")
            for report in entry.reports {
                for (task, series) in (report.series ?? [:]).sorted(by: { $0.key < $1.key }) {
                    warnings.append("\(entry.name): a report holds a series of checkpoints for \(task) (RAT window \(series.window)); each checkpoint counts as a run here, which is right only when they come from different training runs")
                }
            }
            if unit == "episodes" {
                warnings.append("\(entry.name): one run per task, so the replication unit is the episodes of one run: the intervals show evaluation noise, not the spread between training runs")
            }
            let streamSeed = seed &+ UInt64(index) &* 0x9E37_79B9
            let ci = AggregateMetrics.interval(replications: replications, seed: streamSeed) { rng in
                AggregateMetrics.point(AggregateMetrics.resample(table, &rng))
            }
            let band = AggregateMetrics.interval(replications: replications, seed: streamSeed &+ 1) { rng in
                AggregateMetrics.profile(AggregateMetrics.resample(table, &rng), taus: taus)
            }
            let point = AggregateMetrics.point(table)
            results.append(MethodResult(method: entry.name, tasks: table.tasks, runsPerTask: table.runs.map(\.count), unit: unit,
                                        point: Dictionary(uniqueKeysWithValues: zip(AggregateMetrics.names, point)),
                                        ci95: Dictionary(uniqueKeysWithValues: zip(AggregateMetrics.names, ci)),
                                        profile: AggregateMetrics.profile(table, taus: taus), profileBand: band))
        }
        var improvements: [Improvement] = []
        for i in tables.indices {
            for j in tables.indices where j > i {
                let (x, y) = (tables[i], tables[j])
                let shared = x.tasks.filter { y.tasks.contains($0) }
                guard !shared.isEmpty else {
                    warnings.append("\(x.method) and \(y.method) share no task: no probability of improvement")
                    continue
                }
                let ci = AggregateMetrics.interval(replications: replications, seed: seed &+ 0xABCD &+ UInt64(i * 64 + j)) { rng in
                    [AggregateMetrics.probabilityOfImprovement(AggregateMetrics.resample(x, &rng), AggregateMetrics.resample(y, &rng))]
                }
                improvements.append(Improvement(x: x.method, y: y.method, probability: AggregateMetrics.probabilityOfImprovement(x, y),
                                                ci95: ci[0], tasks: shared.count))
            }
        }
        (self.methods, self.improvements, self.taus, self.replications, self.seed, self.physics, self.warnings) =
            (results, improvements, taus, replications, seed, physics, warnings)
        intervalMethod = "stratified bootstrap (runs resampled with replacement within each task), \(replications) replications, percentile 95% intervals"
    }

    /// Methods × metrics: "point [low, high]".
    public func grid() -> (header: [String], rows: [[String]]) {
        let header = ["method", "tasks", "runs", "unit"] + AggregateMetrics.names + ["physics"]
        let rows = methods.map { m in
            [m.method, "\(m.tasks.count)", m.runsPerTask.map(String.init).uniqued().joined(separator: "/"), m.unit]
                + AggregateMetrics.names.map { name in
                    "\(Format.fixed(m.point[name]!)) [\(Format.fixed(m.ci95[name]![0])), \(Format.fixed(m.ci95[name]![1]))]"
                } + [physics[m.method] ?? "?"]
        }
        return (header, rows)
    }
}
