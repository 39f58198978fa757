import ArgumentParser
import Evaluation
import Foundation

/// Observation statistics for a policy trained on normalized observations, shared by `evaluate`,
/// `record` (through `PolicyOptions`), `bench` and `verify`: an EDP checkpoint trained with
/// `obs_norm` is refused without them.
struct ObservationStatsOptions: ParsableArguments {
    @Option(name: .customLong("observation-stats"), help: ArgumentHelp(
        "Observation statistics for a policy trained on normalized observations: JSON {\"mean\": m, \"std\": s} (numbers = EDP's global scalars, lists = per dimension; optional \"epsilon\", \"clip\") or an SB3 vecnormalize.pkl. Replaces the checkpoint's own; applies to every checkpoint.",
        valueName: "file"))
    var observationStats: String?

    @Option(name: .customLong("dataset"), help: ArgumentHelp(
        "D4RL .hdf5 file the policy was trained on: observation statistics are computed from it (see --observation-normalization); applies to every checkpoint.",
        valueName: "file"))
    var observationDataset: String?

    @Option(name: .customLong("observation-normalization"), help: ArgumentHelp(
        "How --dataset statistics are computed: edp (global scalar mean/std, +1e-6, clip ±10; default for EDP checkpoints) or per-dimension (CORL/IQL: mean(0), std(0) + 1e-3; default otherwise).",
        valueName: "rule"))
    var observationRule: ObservationStatistics.DatasetRule?

    func validate() throws {
        if observationStats != nil && observationDataset != nil {
            throw ValidationError("give either --observation-stats or --dataset, not both")
        }
        if observationRule != nil && observationDataset == nil {
            throw ValidationError("--observation-normalization applies to statistics computed from --dataset")
        }
    }

    /// `overrides` with these statistics set.
    func applied(to overrides: PolicyOverrides) -> PolicyOverrides {
        var o = overrides
        o.observationStatistics = observationStats.map { URL(fileURLWithPath: $0) }
        o.observationDataset = observationDataset.map {
            DatasetObservationNormalization.source(URL(fileURLWithPath: $0), rule: observationRule)
        }
        return o
    }
}
