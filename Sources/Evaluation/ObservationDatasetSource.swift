import DiffusionPolicy
import Foundation

/// A D4RL file whose observations give a policy's statistics (`--dataset`). Evaluation does not
/// read HDF5: the caller (edp-eval, with the Datasets module) supplies the computation, which runs
/// once the policy's family and observation width are known (after its checkpoint is read), so
/// a bad checkpoint is still reported before a bad dataset.
public struct ObservationDatasetSource: Equatable, Sendable {
    /// The dataset file; it names the statistics in errors and provenance.
    public let url: URL
    /// The rule asked for (`--observation-normalization`); nil: EDP's rule for EDP checkpoints,
    /// the per-dimension rule otherwise.
    public let rule: ObservationStatistics.DatasetRule?
    /// The statistics of `url` under a rule, for a policy of the given observation width (which
    /// the computation checks against the dataset's).
    public typealias Compute = @Sendable (_ url: URL, _ rule: ObservationStatistics.DatasetRule,
                                          _ observationSize: Int) throws -> ObservationNormalization
    private let compute: Compute

    public init(url: URL, rule: ObservationStatistics.DatasetRule?, compute: @escaping Compute) {
        self.url = url
        self.rule = rule
        self.compute = compute
    }

    /// The statistics for a policy of `family` that reads `observationSize` values.
    public func normalization(family: PolicyConfiguration.Family, observationSize: Int) throws -> ObservationNormalization {
        try compute(url, rule ?? (family == .edp ? .edp : .perDimension), observationSize)
    }

    /// Two sources are the same when they name the same file and rule.
    public static func == (a: ObservationDatasetSource, b: ObservationDatasetSource) -> Bool {
        a.url == b.url && a.rule == b.rule
    }
}
