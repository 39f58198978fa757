/// The configuration of a diffusion policy (EDP or Diffusion-QL): noise network, critics,
/// diffusion schedule, sampler and action selection. The case `PolicyConfiguration.diffusion`;
/// `DiffusionPolicyModel` is built from it.
public struct DiffusionConfiguration: Equatable, Sendable {
    public typealias Family = PolicyConfiguration.Family
    public typealias Schedule = PolicyConfiguration.Schedule
    public typealias Sampler = PolicyConfiguration.Sampler
    public typealias ActionSelection = PolicyConfiguration.ActionSelection

    /// `.edp` or `.diffusionQL`.
    public var family: Family
    /// Observation length (O).
    public var observationSize: Int
    /// Action length (A).
    public var actionSize: Int
    /// Hidden widths of the noise network (EDP `policy_arch`, default 256-256-256).
    public var policyHiddenSizes: [Int]
    /// Hidden widths of each critic (EDP `qf_arch`, default 256-256-256).
    public var criticHiddenSizes: [Int]
    /// Critic activation (EDP `activation`, default "mish"); the policy always uses Mish.
    public var criticActivation: String
    /// Size of the sinusoidal time embedding (EDP `algo_cfg.time_embed_size`, 16).
    public var timeEmbeddingSize: Int
    /// LayerNorm after each hidden Dense of the policy (EDP `policy_layer_norm`).
    public var policyLayerNorm: Bool
    /// LayerNorm after each hidden Dense of the critics (EDP `qf_layer_norm`).
    public var criticLayerNorm: Bool
    /// Number of discrete diffusion steps K (EDP `algo_cfg.num_timesteps`; Diffusion-QL `T`).
    public var diffusionSteps: Int
    /// β schedule (EDP `algo_cfg.schedule_name`; Diffusion-QL `beta_schedule`).
    public var schedule: Schedule
    /// Default sampler (EDP `sample_method`).
    public var sampler: Sampler
    /// DPM-Solver steps (EDP `algo_cfg.dpm_steps`, 15).
    public var dpmSteps: Int
    /// DPM-Solver end time (EDP `algo_cfg.dpm_t_end`, 1e-3); must be ≥ 1/K.
    public var dpmEndTime: Double
    /// Default action selection (EDP `act_method` "…ensemble" → energy).
    public var actionSelection: ActionSelection
    /// Number of EAS candidates N (EDP code: 50; EDP paper's main setting: 10).
    public var candidates: Int
    /// Bound of the action box, A in the samplers' clips (1.0 for every D4RL task).
    public var maxAction: Float
    /// Normalization applied to observations before the network (nil → EDP's default division by
    /// 1 + 1e-6 for EDP, none for Diffusion-QL; see `Evaluation.CheckpointPolicy`).
    public var observationNormalization: ObservationNormalization?

    public init(family: Family, observationSize: Int, actionSize: Int,
                policyHiddenSizes: [Int] = [256, 256, 256], criticHiddenSizes: [Int] = [256, 256, 256],
                criticActivation: String = "mish", timeEmbeddingSize: Int = 16,
                policyLayerNorm: Bool = false, criticLayerNorm: Bool = false,
                diffusionSteps: Int, schedule: Schedule, sampler: Sampler,
                dpmSteps: Int = 15, dpmEndTime: Double = 1e-3,
                actionSelection: ActionSelection = .energy, candidates: Int = 50, maxAction: Float = 1,
                observationNormalization: ObservationNormalization? = nil) {
        self.family = family
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.policyHiddenSizes = policyHiddenSizes
        self.criticHiddenSizes = criticHiddenSizes
        self.criticActivation = criticActivation
        self.timeEmbeddingSize = timeEmbeddingSize
        self.policyLayerNorm = policyLayerNorm
        self.criticLayerNorm = criticLayerNorm
        self.diffusionSteps = diffusionSteps
        self.schedule = schedule
        self.sampler = sampler
        self.dpmSteps = dpmSteps
        self.dpmEndTime = dpmEndTime
        self.actionSelection = actionSelection
        self.candidates = candidates
        self.maxAction = maxAction
        self.observationNormalization = observationNormalization
    }

    /// This configuration with the inference settings that are given replaced (nil keeps the
    /// configuration's): sampler, DPM-Solver steps and end time, action selection, candidates N.
    /// The one place overrides are applied (the command line's through `PolicyConfiguration.overriding`,
    /// a test's through `DiffusionPolicyModel.init`).
    public func overriding(sampler: Sampler? = nil, dpmSteps: Int? = nil, dpmEndTime: Double? = nil,
                           selection: ActionSelection? = nil, candidates: Int? = nil) -> DiffusionConfiguration {
        var config = self
        if let sampler { config.sampler = sampler }
        if let dpmSteps { config.dpmSteps = dpmSteps }
        if let dpmEndTime { config.dpmEndTime = dpmEndTime }
        if let selection { config.actionSelection = selection }
        if let candidates { config.candidates = candidates }
        return config
    }
}

extension DiffusionConfiguration {
    /// The first size outside `PolicyConfiguration.Limits` (or not positive), described with the
    /// bound; nil when all sizes are plausible. The DPM step count is also checked against K when
    /// the sampler is DPM.
    public var limitViolation: String? {
        typealias Limits = PolicyConfiguration.Limits
        let vectors = [("observation size O", observationSize), ("action size A", actionSize),
                       ("time embedding size E", timeEmbeddingSize)]
        for (name, value) in vectors where !(1...Limits.maxVectorSize).contains(value) {
            return "\(name) \(value) is outside 1...\(Limits.maxVectorSize)"
        }
        for (name, sizes) in [("policy", policyHiddenSizes), ("critic", criticHiddenSizes)] {
            if let violation = PolicyConfiguration.Limits.hiddenSizesViolation(name, sizes) { return violation }
        }
        guard (1...Limits.maxDiffusionSteps).contains(diffusionSteps) else {
            return "diffusion steps K \(diffusionSteps) is outside 1...\(Limits.maxDiffusionSteps)"
        }
        guard (1...Limits.maxDPMSteps).contains(dpmSteps) else {
            return "DPM-Solver steps \(dpmSteps) is outside 1...\(Limits.maxDPMSteps)"
        }
        if sampler == .dpm, dpmSteps > diffusionSteps {
            return "DPM-Solver steps \(dpmSteps) exceed the \(diffusionSteps) diffusion steps K"
        }
        guard (1...Limits.maxCandidates).contains(candidates) else {
            return "candidates N \(candidates) is outside 1...\(Limits.maxCandidates)"
        }
        return nil
    }

    /// Checks the configuration on its own, before any weights are looked at: sizes within
    /// `PolicyConfiguration.Limits`, the observation normalization's width and values, non-empty
    /// hidden layers, a positive finite action bound and a DPM-Solver end time in (0, 1).
    /// Throws `PolicyConfiguration.Invalid` naming the first problem.
    public func validate() throws(PolicyConfiguration.Invalid) {
        if let violation = limitViolation { throw .implausible(violation) }
        // Applied per element: a wrong width or a zero scale must never reach `ObservationNormalization.apply`.
        if let problem = observationNormalization?.problem(observationSize: observationSize) { throw .invalid(problem) }
        guard observationSize > 0, actionSize > 0, timeEmbeddingSize > 0, diffusionSteps > 0 else {
            throw .invalid("sizes must be positive (O \(observationSize), A \(actionSize), E \(timeEmbeddingSize), K \(diffusionSteps))")
        }
        guard !policyHiddenSizes.isEmpty, !criticHiddenSizes.isEmpty,
              (policyHiddenSizes + criticHiddenSizes).allSatisfy({ $0 > 0 }) else {
            throw .invalid("hidden sizes must be non-empty and positive")
        }
        guard candidates > 0, dpmSteps > 0, maxAction > 0, maxAction.isFinite, dpmEndTime > 0, dpmEndTime < 1 else {
            throw .invalid("candidates, dpm steps, max action and dpm end time must be positive (end time < 1)")
        }
    }
}
