/// Everything besides the weights that decides how a checkpoint's policy acts: which code base
/// trained it, network shapes, diffusion schedule, sampler and action selection.
///
/// EDP takes these from the pickled `variant` (docs/edp-inference.md §5.1, §7); Diffusion-QL from
/// its fixed defaults and the tensor shapes (§1.3, §2.2). Stored as JSON in exported
/// `.safetensors` metadata, so the field names are part of the file format: add, never rename.
public struct PolicyConfiguration: Codable, Equatable, Sendable {
    /// Which implementation's conventions the weights follow.
    public enum Family: String, Codable, Sendable {
        /// EDP (sail-sg/edp, JAX/flax): embedding [cos, sin], input [state, action, temb], kernels (in, out).
        case edp
        /// Diffusion-QL (PyTorch): embedding [sin, cos], input [action, temb, state], weights (out, in).
        case diffusionQL = "diffusion-ql"
        /// Feed-forward deterministic MLP policy (TD3+BC-style baseline): tanh(MLP(state)).
        case feedForwardDeterministic = "ff-deterministic"
        /// Feed-forward tanh-squashed Gaussian policy; acts with tanh(mean).
        case feedForwardGaussian = "ff-gaussian"
    }

    /// β schedule names (docs/edp-inference.md §2).
    public enum Schedule: String, Codable, Sendable {
        case linear, cosine, vp
    }

    /// Diffusion samplers (docs/edp-inference.md §3).
    public enum Sampler: String, Codable, Sendable {
        case ddpm, ddim, dpm
    }

    /// How one action is picked from the sampler's output (docs/edp-inference.md §4).
    public enum ActionSelection: String, Codable, Sendable {
        /// One sample, no critic.
        case single
        /// Energy-based action selection: N candidates, logits min(Q1, Q2), categorical draw.
        case energy
        /// Like `energy`, but the candidate with the highest min(Q1, Q2) (deterministic).
        case argmax
    }

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
    /// Hidden activation of the feed-forward baselines (nil → "relu"); diffusion policies always
    /// use Mish. Optional so configurations written before this field still decode.
    public var feedForwardActivation: String?
    /// How a feed-forward policy turns its (first A) outputs into an action (nil → `.tanh`).
    public var actionOutput: ActionOutput?
    /// Normalization applied to observations before the network (nil → none; EDP always divides
    /// by 1 + 1e-6, see `CheckpointPolicy`).
    public var observationNormalization: ObservationNormalization?

    /// Output mapping of the feed-forward baselines.
    public enum ActionOutput: String, Codable, Sendable {
        /// action = max_action · tanh(output): TD3+BC / TD3 actors, and the mode of SAC/TQC's
        /// tanh-squashed Gaussian (`SquashedDiagGaussianDistribution.mode`).
        case tanh
        /// action = clip(output, −max_action, max_action): the mean of an unsquashed Gaussian
        /// (SB3 PPO/A2C `predict(deterministic=True)` clips to the action space).
        case clip
    }

    public init(family: Family, observationSize: Int, actionSize: Int,
                policyHiddenSizes: [Int] = [256, 256, 256], criticHiddenSizes: [Int] = [256, 256, 256],
                criticActivation: String = "mish", timeEmbeddingSize: Int = 16,
                policyLayerNorm: Bool = false, criticLayerNorm: Bool = false,
                diffusionSteps: Int, schedule: Schedule, sampler: Sampler,
                dpmSteps: Int = 15, dpmEndTime: Double = 1e-3,
                actionSelection: ActionSelection = .energy, candidates: Int = 50, maxAction: Float = 1,
                feedForwardActivation: String? = nil, actionOutput: ActionOutput? = nil,
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
        self.feedForwardActivation = feedForwardActivation
        self.actionOutput = actionOutput
        self.observationNormalization = observationNormalization
    }

    /// True for `ff-deterministic` and `ff-gaussian`.
    public var isFeedForward: Bool { family == .feedForwardDeterministic || family == .feedForwardGaussian }

    enum CodingKeys: String, CodingKey {
        case family, observationSize, actionSize, policyHiddenSizes, criticHiddenSizes, criticActivation
        case timeEmbeddingSize, policyLayerNorm, criticLayerNorm, diffusionSteps, schedule, sampler, dpmSteps
        case dpmEndTime, actionSelection, candidates, maxAction, feedForwardActivation, actionOutput
        case observationNormalization
    }

    /// Decodes the JSON written by `export` (all fields). For the feed-forward families only
    /// `family`, `observationSize`, `actionSize` and `policyHiddenSizes` are required, so a
    /// hand-written configuration (docs/checkpoints.md "Feed-forward baselines") need not mention diffusion
    /// or critic settings; diffusion families require every field, as before.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        family = try c.decode(Family.self, forKey: .family)
        observationSize = try c.decode(Int.self, forKey: .observationSize)
        actionSize = try c.decode(Int.self, forKey: .actionSize)
        policyHiddenSizes = try c.decode([Int].self, forKey: .policyHiddenSizes)
        maxAction = try c.decodeIfPresent(Float.self, forKey: .maxAction) ?? 1
        feedForwardActivation = try c.decodeIfPresent(String.self, forKey: .feedForwardActivation)
        actionOutput = try c.decodeIfPresent(ActionOutput.self, forKey: .actionOutput)
        observationNormalization = try c.decodeIfPresent(ObservationNormalization.self, forKey: .observationNormalization)
        policyLayerNorm = try c.decodeIfPresent(Bool.self, forKey: .policyLayerNorm) ?? false
        if family == .feedForwardDeterministic || family == .feedForwardGaussian {
            // Not used by a feed-forward policy: neutral values that pass `limitViolation`.
            criticHiddenSizes = try c.decodeIfPresent([Int].self, forKey: .criticHiddenSizes) ?? []
            criticActivation = try c.decodeIfPresent(String.self, forKey: .criticActivation) ?? "relu"
            timeEmbeddingSize = try c.decodeIfPresent(Int.self, forKey: .timeEmbeddingSize) ?? 1
            criticLayerNorm = try c.decodeIfPresent(Bool.self, forKey: .criticLayerNorm) ?? false
            diffusionSteps = try c.decodeIfPresent(Int.self, forKey: .diffusionSteps) ?? 1
            schedule = try c.decodeIfPresent(Schedule.self, forKey: .schedule) ?? .linear
            sampler = try c.decodeIfPresent(Sampler.self, forKey: .sampler) ?? .ddpm
            dpmSteps = try c.decodeIfPresent(Int.self, forKey: .dpmSteps) ?? 1
            dpmEndTime = try c.decodeIfPresent(Double.self, forKey: .dpmEndTime) ?? 1e-3
            actionSelection = try c.decodeIfPresent(ActionSelection.self, forKey: .actionSelection) ?? .single
            candidates = try c.decodeIfPresent(Int.self, forKey: .candidates) ?? 1
        } else {
            criticHiddenSizes = try c.decode([Int].self, forKey: .criticHiddenSizes)
            criticActivation = try c.decode(String.self, forKey: .criticActivation)
            timeEmbeddingSize = try c.decode(Int.self, forKey: .timeEmbeddingSize)
            criticLayerNorm = try c.decode(Bool.self, forKey: .criticLayerNorm)
            diffusionSteps = try c.decode(Int.self, forKey: .diffusionSteps)
            schedule = try c.decode(Schedule.self, forKey: .schedule)
            sampler = try c.decode(Sampler.self, forKey: .sampler)
            dpmSteps = try c.decode(Int.self, forKey: .dpmSteps)
            dpmEndTime = try c.decode(Double.self, forKey: .dpmEndTime)
            actionSelection = try c.decode(ActionSelection.self, forKey: .actionSelection)
            candidates = try c.decode(Int.self, forKey: .candidates)
        }
    }
}

extension PolicyConfiguration {
    /// Upper bounds on every size a configuration may give. Configurations come from files (pickled
    /// variants, safetensors metadata) and the command line, so a value such as 2^62 must be refused
    /// with a message instead of overflowing `2 · E` or `O + A + E`, or allocating a DPM-Solver plan
    /// or candidate buffers of that length. The bounds are orders of magnitude above any EDP or
    /// Diffusion-QL setting (O ≤ 376, E = 16, widths 256, K ≤ 1000, 15 DPM steps, N ≤ 50).
    public enum Limits {
        /// Observation, action and time-embedding sizes (O, A, E).
        public static let maxVectorSize = 1 << 20
        /// Width of any hidden layer.
        public static let maxHiddenSize = 1 << 16
        /// Hidden layers of the noise network or of a critic.
        public static let maxHiddenLayers = 64
        /// Diffusion steps K.
        public static let maxDiffusionSteps = 100_000
        /// DPM-Solver steps (model evaluations); with the DPM sampler also at most K.
        public static let maxDPMSteps = 1_000
        /// EAS candidates N per observation.
        public static let maxCandidates = 10_000
    }

    /// The first size outside `Limits` (or not positive), described with the bound; nil when all
    /// sizes are plausible. The DPM step count is also checked against K when the sampler is DPM.
    public var limitViolation: String? {
        let vectors = [("observation size O", observationSize), ("action size A", actionSize),
                       ("time embedding size E", timeEmbeddingSize)]
        for (name, value) in vectors where !(1...Limits.maxVectorSize).contains(value) {
            return "\(name) \(value) is outside 1...\(Limits.maxVectorSize)"
        }
        for (name, sizes) in [("policy", policyHiddenSizes), ("critic", criticHiddenSizes)] {
            guard sizes.count <= Limits.maxHiddenLayers else {
                return "\(name) has \(sizes.count) hidden layers, at most \(Limits.maxHiddenLayers) are supported"
            }
            if let bad = sizes.first(where: { !(1...Limits.maxHiddenSize).contains($0) }) {
                return "\(name) hidden size \(bad) is outside 1...\(Limits.maxHiddenSize)"
            }
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
}

extension PolicyConfiguration {
    /// A feed-forward baseline's configuration; the diffusion and critic fields take neutral
    /// values that no feed-forward code reads (K = 1, single sample, no critics).
    public static func feedForward(family: Family, observationSize: Int, actionSize: Int, hiddenSizes: [Int],
                                   activation: String, layerNorm: Bool = false, maxAction: Float = 1,
                                   actionOutput: ActionOutput = .tanh,
                                   observationNormalization: ObservationNormalization? = nil) -> PolicyConfiguration {
        PolicyConfiguration(family: family, observationSize: observationSize, actionSize: actionSize,
                            policyHiddenSizes: hiddenSizes, criticHiddenSizes: [], criticActivation: "relu",
                            timeEmbeddingSize: 1, policyLayerNorm: layerNorm, diffusionSteps: 1, schedule: .linear,
                            sampler: .ddpm, dpmSteps: 1, actionSelection: .single, candidates: 1, maxAction: maxAction,
                            feedForwardActivation: activation, actionOutput: actionOutput,
                            observationNormalization: observationNormalization)
    }
}

extension PolicyConfiguration {
    /// This configuration with the inference settings that are given replaced (nil keeps the
    /// configuration's): sampler, DPM-Solver steps and end time, action selection, candidates N.
    /// The one place overrides are applied (the command line's through `PolicyFactory`, a test's
    /// through `DiffusionPolicyModel.init`).
    public func overriding(sampler: Sampler? = nil, dpmSteps: Int? = nil, dpmEndTime: Double? = nil,
                           selection: ActionSelection? = nil, candidates: Int? = nil) -> PolicyConfiguration {
        var config = self
        if let sampler { config.sampler = sampler }
        if let dpmSteps { config.dpmSteps = dpmSteps }
        if let dpmEndTime { config.dpmEndTime = dpmEndTime }
        if let selection { config.actionSelection = selection }
        if let candidates { config.candidates = candidates }
        return config
    }
}
