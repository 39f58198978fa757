import DiffusionPolicy
import Foundation
import Randomness

/// One method's normalized scores (× 100): per task, one value per run. Tasks may have different
/// run counts; the stratified bootstrap resamples runs within each task.
public struct ScoreTable: Equatable, Sendable {
    public var method: String
    public var tasks: [String]
    /// `runs[i]`: the scores of task `tasks[i]`, one per run.
    public var runs: [[Double]]
    public init(method: String, tasks: [String], runs: [[Double]]) {
        precondition(tasks.count == runs.count && !tasks.isEmpty && runs.allSatisfy { !$0.isEmpty })
        self.method = method
        self.tasks = tasks
        self.runs = runs
    }
}

/// The aggregate metrics of Agarwal et al., "Deep Reinforcement Learning at the Edge of the
/// Statistical Precipice", NeurIPS 2021 (arXiv:2108.13264), defined as the `rliable` library
/// computes them (`rliable/metrics.py`), on normalized scores × 100:
/// - mean: mean over tasks of the per-task mean; median: median over tasks of the per-task mean;
/// - IQM: mean of all scores pooled after removing ⌊0.25 N⌋ from each end (scipy's `trim_mean`);
/// - optimality gap: γ − mean(min(score, γ)) over all scores, γ = 100 (a normalized score of 1);
/// - probability of improvement P(X > Y): per task the Mann–Whitney U / (m n) (ties count ½),
///   averaged over tasks;
/// - performance profile at τ: the fraction of all scores above τ.
/// Intervals: stratified bootstrap (runs resampled with replacement within each task;
/// independently for each method in P(X > Y)), percentile method (NumPy's linear percentile).
public enum AggregateMetrics {
    public static let gamma = 100.0

    public static func mean(_ t: ScoreTable) -> Double {
        let means = t.runs.map { $0.reduce(0, +) / Double($0.count) }
        return means.reduce(0, +) / Double(means.count)
    }

    public static func median(_ t: ScoreTable) -> Double {
        percentile(t.runs.map { $0.reduce(0, +) / Double($0.count) }.sorted(), 50)
    }

    public static func iqm(_ t: ScoreTable) -> Double {
        let all = t.runs.flatMap { $0 }.sorted()
        let cut = Int(0.25 * Double(all.count))
        let kept = all[cut..<(all.count - cut)]
        return kept.reduce(0, +) / Double(kept.count)
    }

    public static func optimalityGap(_ t: ScoreTable) -> Double {
        let all = t.runs.flatMap { $0 }
        return gamma - all.reduce(0) { $0 + Swift.min($1, gamma) } / Double(all.count)
    }

    /// The four point estimates, in the order mean, median, IQM, optimality gap.
    public static func point(_ t: ScoreTable) -> [Double] { [mean(t), median(t), iqm(t), optimalityGap(t)] }

    public static let names = ["mean", "median", "IQM", "optimality gap"]

    /// P(X > Y) over the tasks both have.
    public static func probabilityOfImprovement(_ x: ScoreTable, _ y: ScoreTable) -> Double {
        let shared = x.tasks.filter { y.tasks.contains($0) }
        precondition(!shared.isEmpty)
        let perTask = shared.map { task -> Double in
            let a = x.runs[x.tasks.firstIndex(of: task)!], b = y.runs[y.tasks.firstIndex(of: task)!]
            var u = 0.0
            for p in a { for q in b { u += p > q ? 1 : (p == q ? 0.5 : 0) } }
            return u / Double(a.count * b.count)
        }
        return perTask.reduce(0, +) / Double(perTask.count)
    }

    /// Fraction of all scores strictly above each τ.
    public static func profile(_ t: ScoreTable, taus: [Double]) -> [Double] {
        let all = t.runs.flatMap { $0 }
        return taus.map { tau in Double(all.filter { $0 > tau }.count) / Double(all.count) }
    }

    /// NumPy's default (linear) percentile of sorted values, q in [0, 100].
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let position = q / 100 * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Swift.min(low + 1, sorted.count - 1)
        return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
    }

    /// One stratified bootstrap resample: each task's runs drawn with replacement from its own.
    public static func resample(_ t: ScoreTable, _ rng: inout SplitMix64) -> ScoreTable {
        var copy = t
        for i in t.runs.indices {
            let runs = t.runs[i]
            copy.runs[i] = runs.indices.map { _ in runs[Int(rng.next() % UInt64(runs.count))] }
        }
        return copy
    }

    /// The 95% (or `size`) percentile interval of `statistic` over `replications` stratified resamples.
    /// - Returns: one [low, high] per component of `statistic`'s value.
    public static func interval(replications: Int, seed: UInt64, size: Double = 0.95,
                                _ statistic: (inout SplitMix64) -> [Double]) -> [[Double]] {
        var rng = SplitMix64(state: seed)
        var samples: [[Double]] = []
        for _ in 0..<replications { samples.append(statistic(&rng)) }
        guard let width = samples.first?.count else { return [] }
        let alpha = (1 - size) / 2 * 100
        return (0..<width).map { k in
            let sorted = samples.map { $0[k] }.sorted()
            return [percentile(sorted, alpha), percentile(sorted, 100 - alpha)]
        }
    }
}
