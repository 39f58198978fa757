import Checkpoints
import DiffusionPolicy
import Environments
import Foundation
import MuJoCo
import TensorArchives

/// Where an evaluation's policy comes from.
public enum PolicySource: Equatable, Sendable, CustomStringConvertible {
    /// D4RL's random reference policy (uniform actions).
    case random
    /// A checkpoint file (EDP .pkl, Diffusion-QL .pth, .safetensors, .npz) or a folder with one.
    case checkpoint(URL)
    /// An EDP network of the paper's architecture with seeded random weights (for speed only).
    case randomEDP(seed: UInt64)

    /// The label reports use for it.
    public var description: String {
        switch self {
        case .random: return "random"
        case .checkpoint(let url): return Provenance.relativePath(url)
        case .randomEDP(let seed): return "random-edp(seed \(seed))"
        }
    }
}

/// Overrides of a checkpoint's own inference settings (nil keeps the checkpoint's).
public struct PolicyOverrides: Equatable, Sendable {
    public var sampler: PolicyConfiguration.Sampler?
    public var dpmSteps: Int?
    public var dpmEndTime: Double?
    public var selection: PolicyConfiguration.ActionSelection?
    public var candidates: Int?
    /// Observation statistics file given on the command line (`--observation-stats`: JSON or a
    /// `vecnormalize.pkl`, `ObservationStatistics.load`); it replaces the checkpoint's own.
    public var observationStatistics: URL?
    /// A D4RL file whose observations give the statistics (`--dataset`), and the rule.
    public var observationDataset: ObservationDatasetSource?
    public init(sampler: PolicyConfiguration.Sampler? = nil, dpmSteps: Int? = nil, dpmEndTime: Double? = nil,
                selection: PolicyConfiguration.ActionSelection? = nil, candidates: Int? = nil,
                observationStatistics: URL? = nil, observationDataset: ObservationDatasetSource? = nil) {
        self.observationStatistics = observationStatistics
        self.observationDataset = observationDataset
        self.sampler = sampler
        self.dpmSteps = dpmSteps
        self.dpmEndTime = dpmEndTime
        self.selection = selection
        self.candidates = candidates
    }
}

/// Builds rollout policies from sources.
public enum PolicyFactory {
    /// The policy for `task` (dimensions are checked against the task's environment by the engine).
    /// - Parameter checkpoints: where a checkpoint source is read from; a run passes its one store
    ///   so that each file is read and hashed once however many tasks it is evaluated on.
    /// - Returns: the policy and, for checkpoints, the loaded checkpoint (for provenance).
    public static func make(_ source: PolicySource, task: TaskSpec, physics: MuJoCoPhysics, overrides: PolicyOverrides = PolicyOverrides(),
                            checkpoints: CheckpointStore = CheckpointStore())
        throws -> (policy: any RolloutPolicy, checkpoint: Checkpoint?) {
        switch source {
        case .random:
            let env = try EnvironmentFactory.make(task: task, physics: physics)
            return (UniformRandomPolicy(observationSize: env.observationSize, actionSize: env.actionSize), nil)
        case .checkpoint(let url):
            let checkpoint = try checkpoints.checkpoint(at: url)
            try ObservationStatistics.requireStatistics(checkpoint, task: task,
                                                        given: overrides.observationStatistics ?? overrides.observationDataset?.url)
            return (try make(tensors: checkpoint.tensors, configuration: checkpoint.configuration,
                             overrides: overrides, checkpoint: checkpoint), checkpoint)
        case .randomEDP(let seed):
            let env = try EnvironmentFactory.make(task: task, physics: physics)
            let tensors = DiffusionPolicyModel.randomEDPTensors(observationSize: env.observationSize,
                                                                actionSize: env.actionSize, seed: seed)
            let configuration = PolicyConfiguration.diffusion(DiffusionConfiguration(
                family: .edp, observationSize: env.observationSize, actionSize: env.actionSize,
                diffusionSteps: 1000, schedule: .linear, sampler: .dpm, actionSelection: .energy, candidates: 50))
            return (try make(tensors: tensors, configuration: configuration, overrides: overrides, checkpoint: nil), nil)
        }
    }

    static func make(tensors: TensorDictionary, configuration: PolicyConfiguration, overrides: PolicyOverrides,
                     checkpoint: Checkpoint?) throws -> any RolloutPolicy {
        var config = configuration.overriding(sampler: overrides.sampler, dpmSteps: overrides.dpmSteps,
                                              dpmEndTime: overrides.dpmEndTime, selection: overrides.selection,
                                              candidates: overrides.candidates)
        if let url = overrides.observationStatistics ?? overrides.observationDataset?.url {
            let normalization = overrides.observationStatistics != nil
                ? try ObservationStatistics.load(url, family: config.family)
                : try overrides.observationDataset!.normalization(family: config.family, observationSize: config.observationSize)
            if let problem = normalization.problem(observationSize: config.observationSize) {
                throw CheckpointError(.invalidConfiguration, file: url, problem)
            }
            config.observationNormalization = normalization
        }
        let model = try makeBatchedPolicy(tensors: tensors, configuration: config)
        return CheckpointPolicy(model: model, configuration: config, checkpoint: checkpoint, samplerOverrides: overrides)
    }
}
