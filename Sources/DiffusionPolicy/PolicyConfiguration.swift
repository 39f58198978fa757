/// Everything besides the weights that decides how a checkpoint's policy acts: a diffusion policy
/// (EDP or Diffusion-QL: network shapes, diffusion schedule, sampler, action selection, critics)
/// or a feed-forward baseline (an MLP and its output mapping). Each case carries only its own
/// fields and checks them in its own `validate()`; the fields both share (family, O, A, hidden
/// widths, LayerNorm, action bound, observation normalization) are reachable from either.
///
/// EDP takes these from the pickled `variant` (docs/edp-inference.md §5.1, §7); Diffusion-QL from
/// its fixed defaults and the tensor shapes (§1.3, §2.2). Stored as JSON in exported
/// `.safetensors` metadata, so the field names are part of the file format: add, never rename
/// (the JSON is one flat object keyed by `family`, see PolicyConfiguration+Coding.swift).
public enum PolicyConfiguration: Equatable, Sendable {
    /// EDP or Diffusion-QL.
    case diffusion(DiffusionConfiguration)
    /// `ff-deterministic` or `ff-gaussian`.
    case feedForward(FeedForwardConfiguration)

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

    /// Output mapping of the feed-forward baselines.
    public enum ActionOutput: String, Codable, Sendable {
        /// action = max_action · tanh(output): TD3+BC / TD3 actors, and the mode of SAC/TQC's
        /// tanh-squashed Gaussian (`SquashedDiagGaussianDistribution.mode`).
        case tanh
        /// action = clip(output, −max_action, max_action): the mean of an unsquashed Gaussian
        /// (SB3 PPO/A2C `predict(deterministic=True)` clips to the action space).
        case clip
    }

    /// True for the feed-forward families (`ff-deterministic`, `ff-gaussian`).
    public var isFeedForward: Bool { family.isFeedForward }

    /// The diffusion case's configuration, nil for a feed-forward baseline.
    public var diffusionConfiguration: DiffusionConfiguration? {
        if case .diffusion(let c) = self { return c }
        return nil
    }

    /// The feed-forward case's configuration, nil for a diffusion policy.
    public var feedForwardConfiguration: FeedForwardConfiguration? {
        if case .feedForward(let c) = self { return c }
        return nil
    }

    public var family: Family {
        switch self {
        case .diffusion(let c): return c.family
        case .feedForward(let c): return c.family
        }
    }

    /// Observation length (O).
    public var observationSize: Int {
        switch self {
        case .diffusion(let c): return c.observationSize
        case .feedForward(let c): return c.observationSize
        }
    }

    /// Action length (A).
    public var actionSize: Int {
        switch self {
        case .diffusion(let c): return c.actionSize
        case .feedForward(let c): return c.actionSize
        }
    }

    /// Hidden widths of the policy network (noise network or feed-forward MLP).
    public var policyHiddenSizes: [Int] {
        switch self {
        case .diffusion(let c): return c.policyHiddenSizes
        case .feedForward(let c): return c.policyHiddenSizes
        }
    }

    /// LayerNorm after each hidden Dense of the policy network.
    public var policyLayerNorm: Bool {
        switch self {
        case .diffusion(let c): return c.policyLayerNorm
        case .feedForward(let c): return c.policyLayerNorm
        }
    }

    /// Bound of the action box.
    public var maxAction: Float {
        switch self {
        case .diffusion(let c): return c.maxAction
        case .feedForward(let c): return c.maxAction
        }
    }

    /// Normalization applied to observations before the network (nil → none; EDP always divides
    /// by 1 + 1e-6, see `Evaluation.CheckpointPolicy`).
    public var observationNormalization: ObservationNormalization? {
        get {
            switch self {
            case .diffusion(let c): return c.observationNormalization
            case .feedForward(let c): return c.observationNormalization
            }
        }
        set {
            switch self {
            case .diffusion(var c): c.observationNormalization = newValue; self = .diffusion(c)
            case .feedForward(var c): c.observationNormalization = newValue; self = .feedForward(c)
            }
        }
    }

    /// The first size outside `Limits` (or not positive) of whichever case this is; nil when all
    /// sizes are plausible.
    public var limitViolation: String? {
        switch self {
        case .diffusion(let c): return c.limitViolation
        case .feedForward(let c): return c.limitViolation
        }
    }

    /// This configuration with the inference settings that are given replaced (nil keeps the
    /// configuration's): sampler, DPM-Solver steps and end time, action selection, candidates N.
    /// The one place overrides are applied (`DiffusionConfiguration.overriding`); a feed-forward
    /// baseline has no such settings and is returned unchanged.
    public func overriding(sampler: Sampler? = nil, dpmSteps: Int? = nil, dpmEndTime: Double? = nil,
                           selection: ActionSelection? = nil, candidates: Int? = nil) -> PolicyConfiguration {
        switch self {
        case .diffusion(let c):
            return .diffusion(c.overriding(sampler: sampler, dpmSteps: dpmSteps, dpmEndTime: dpmEndTime,
                                           selection: selection, candidates: candidates))
        case .feedForward:
            return self
        }
    }
}

extension PolicyConfiguration.Family {
    /// True for `ff-deterministic` and `ff-gaussian`.
    public var isFeedForward: Bool { self == .feedForwardDeterministic || self == .feedForwardGaussian }
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
}

extension PolicyConfiguration.Limits {
    /// The hidden-layer count and widths of a network named `name` ("policy", "critic") checked
    /// against the bounds above; nil when plausible.
    static func hiddenSizesViolation(_ name: String, _ sizes: [Int]) -> String? {
        guard sizes.count <= maxHiddenLayers else {
            return "\(name) has \(sizes.count) hidden layers, at most \(maxHiddenLayers) are supported"
        }
        if let bad = sizes.first(where: { !(1...maxHiddenSize).contains($0) }) {
            return "\(name) hidden size \(bad) is outside 1...\(maxHiddenSize)"
        }
        return nil
    }
}

extension PolicyConfiguration {
    /// What a case's `validate()` found wrong with a configuration.
    public enum Invalid: Error, Equatable, Sendable {
        /// A size outside `Limits` (the `limitViolation` text).
        case implausible(String)
        /// Any other problem.
        case invalid(String)
    }

    /// Checks the configuration of whichever case this is (`DiffusionConfiguration.validate`,
    /// `FeedForwardConfiguration.validate`).
    public func validate() throws(Invalid) {
        switch self {
        case .diffusion(let c): try c.validate()
        case .feedForward(let c): try c.validate()
        }
    }
}
