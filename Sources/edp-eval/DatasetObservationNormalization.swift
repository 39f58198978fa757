import Checkpoints
import Datasets
import DiffusionPolicy
import Evaluation
import Foundation

/// Observation statistics computed from a D4RL file (`--dataset`) with the Datasets reader, handed
/// to Evaluation as an `ObservationDatasetSource`. The source string names the file, its SHA-256
/// and the rule.
enum DatasetObservationNormalization {
    static func source(_ url: URL, rule: ObservationStatistics.DatasetRule?) -> ObservationDatasetSource {
        ObservationDatasetSource(url: url, rule: rule, compute: normalization)
    }

    /// - Parameter observationSize: the policy's observation width; a dataset of another width is
    ///   refused under either rule (EDP's global scalars would otherwise hide the mismatch).
    @Sendable static func normalization(_ url: URL, rule: ObservationStatistics.DatasetRule,
                              observationSize: Int) throws -> ObservationNormalization {
        let dataset = try D4RLDataset(url: url)
        guard dataset.observationSize == observationSize else {
            throw CheckpointError(.invalidConfiguration, file: url,
                                  "dataset observations have width \(dataset.observationSize), but the policy expects \(observationSize): statistics must come from the dataset the policy was trained on")
        }
        let sha = try dataset.sha256()
        switch rule {
        case .edp:
            let (mean, std) = try DatasetObservationStatistics.global(dataset)
            return .edp(mean: Double(mean), std: Double(std),
                        source: "\(url.lastPathComponent) (EDP rule: global obs.mean() \(mean), obs.std() \(std) + 1e-6, clip ±10), sha256 \(sha)")
        case .perDimension:
            let (mean, std) = try DatasetObservationStatistics.perDimension(dataset)
            return .perDimension(mean: mean.map(Double.init), std: std.map(Double.init), epsilon: 1e-3, clip: nil,
                                 source: "\(url.lastPathComponent) (per-dimension rule: obs.mean(0), obs.std(0) + 1e-3), sha256 \(sha)")
        }
    }
}
