import Foundation
import SampleStatistics

/// The same episodes evaluated on two MuJoCo builds (`evaluate --mujoco A --mujoco B`): per task and
/// policy, both means and their difference in standard errors (docs/physics.md).
public struct PhysicsComparison: Codable, Equatable, Sendable {
    /// One (task, policy) evaluated on both builds.
    public struct Row: Codable, Equatable, Sendable {
        public var task: String
        public var policy: String
        public var episodes: Int
        /// Mean return (± s.e.) on the first and second build.
        public var returnFirst: Summary
        public var returnSecond: Summary
        /// Mean normalized score on each build; nil for a task without D4RL reference scores.
        public var normalizedFirst: Summary?
        public var normalizedSecond: Summary?
        /// Second minus first, of the mean return.
        public var returnDifference: Double
        /// `returnDifference / sqrt(se₁² + se₂²)`: the difference in standard errors of the
        /// difference (the episodes of the two runs are independent draws of each build's returns).
        public var returnDifferenceInStandardErrors: Double?

        enum CodingKeys: String, CodingKey {
            case task, policy, episodes
            case returnFirst = "return_first", returnSecond = "return_second"
            case normalizedFirst = "normalized_first", normalizedSecond = "normalized_second"
            case returnDifference = "return_difference"
            case returnDifferenceInStandardErrors = "return_difference_in_standard_errors"
        }
    }

    /// The two builds, in the order given ("2.1.0", "2.3.7").
    public var physics: [String]
    public var rows: [Row]
    /// The full report of each build, in `physics` order.
    public var reports: [EvaluationReport]

    /// Pairs the rows of two reports of the same plan run on two builds.
    public init(_ first: EvaluationReport, _ second: EvaluationReport) {
        physics = [first.provenance.mujocoVersion, second.provenance.mujocoVersion]
        reports = [first, second]
        rows = first.tasks.compactMap { a in
            guard let b = second.tasks.first(where: { $0.task == a.task && $0.policy == a.policy }) else { return nil }
            let difference = b.return.mean - a.return.mean
            var inStandardErrors: Double?
            if let seA = a.return.stderr, let seB = b.return.stderr, seA * seA + seB * seB > 0 {
                inStandardErrors = difference / (seA * seA + seB * seB).squareRoot()
            }
            return Row(task: a.task, policy: a.policy, episodes: min(a.episodes.count, b.episodes.count),
                       returnFirst: a.return, returnSecond: b.return,
                       normalizedFirst: a.normalizedScore, normalizedSecond: b.normalizedScore,
                       returnDifference: difference,
                       returnDifferenceInStandardErrors: inStandardErrors)
        }
    }

    /// The comparison table: one line per task and policy with both builds' means.
    public var text: String {
        var lines = ["physics comparison (same seeds and episodes): MuJoCo \(physics[0]) vs \(physics[1])"]
        for row in rows {
            let z = row.returnDifferenceInStandardErrors.map { Format.fixed($0, 1) + " s.e." } ?? "— s.e."
            lines.append("  \(row.task)  \(ReportText.shortPolicy(row.policy)): return \(Format.fixed(row.returnFirst.mean, 1)) ± \(Format.fixed(row.returnFirst.stderr ?? .nan, 1)) on \(physics[0]), "
                         + "\(Format.fixed(row.returnSecond.mean, 1)) ± \(Format.fixed(row.returnSecond.stderr ?? .nan, 1)) on \(physics[1]); "
                         + "difference \(Format.fixed(row.returnDifference, 1)) (\(z))")
        }
        return lines.joined(separator: "\n")
    }
}
