/// The configuration of a feed-forward baseline (`ff-deterministic`: tanh(MLP(state)) TD3+BC-style;
/// `ff-gaussian`: the mean of a tanh-squashed Gaussian): an MLP's widths and activation and how its
/// outputs become an action. The case `PolicyConfiguration.feedForward`; `FeedForwardPolicy` is
/// built from it. It has no diffusion, sampler or critic settings.
public struct FeedForwardConfiguration: Equatable, Sendable {
    public typealias Family = PolicyConfiguration.Family
    public typealias ActionOutput = PolicyConfiguration.ActionOutput

    /// `.feedForwardDeterministic` or `.feedForwardGaussian`.
    public var family: Family
    /// Observation length (O).
    public var observationSize: Int
    /// Action length (A).
    public var actionSize: Int
    /// Hidden widths of the MLP (JSON `policyHiddenSizes`).
    public var policyHiddenSizes: [Int]
    /// Hidden activation (JSON `feedForwardActivation`; nil → "relu"). Optional so that
    /// configurations written without it read and write back unchanged.
    public var activation: String?
    /// LayerNorm after each hidden Dense (JSON `policyLayerNorm`).
    public var policyLayerNorm: Bool
    /// Bound of the action box.
    public var maxAction: Float
    /// How the (first A) outputs become an action (nil → `.tanh`).
    public var actionOutput: ActionOutput?
    /// Normalization applied to observations before the network (nil → none).
    public var observationNormalization: ObservationNormalization?

    public init(family: Family, observationSize: Int, actionSize: Int, hiddenSizes: [Int],
                activation: String?, layerNorm: Bool = false, maxAction: Float = 1,
                actionOutput: ActionOutput? = .tanh, observationNormalization: ObservationNormalization? = nil) {
        self.family = family
        self.observationSize = observationSize
        self.actionSize = actionSize
        self.policyHiddenSizes = hiddenSizes
        self.activation = activation
        self.policyLayerNorm = layerNorm
        self.maxAction = maxAction
        self.actionOutput = actionOutput
        self.observationNormalization = observationNormalization
    }

    /// Network outputs: A for `ff-deterministic`, 2A (mean | log-std) for `ff-gaussian`.
    public var outputSize: Int { family == .feedForwardGaussian ? 2 * actionSize : actionSize }
}

extension FeedForwardConfiguration {
    /// The first size outside `PolicyConfiguration.Limits` (or not positive); nil when all sizes
    /// are plausible.
    public var limitViolation: String? {
        typealias Limits = PolicyConfiguration.Limits
        for (name, value) in [("observation size O", observationSize), ("action size A", actionSize)]
        where !(1...Limits.maxVectorSize).contains(value) {
            return "\(name) \(value) is outside 1...\(Limits.maxVectorSize)"
        }
        return Limits.hiddenSizesViolation("policy", policyHiddenSizes)
    }

    /// Checks the configuration on its own, before any weights are looked at: sizes within
    /// `PolicyConfiguration.Limits`, the observation normalization, at least one hidden layer, a
    /// positive finite action bound and a known activation. Throws `PolicyConfiguration.Invalid`
    /// naming the first problem.
    public func validate() throws(PolicyConfiguration.Invalid) {
        if let violation = limitViolation { throw .implausible(violation) }
        if let problem = observationNormalization?.problem(observationSize: observationSize) { throw .invalid(problem) }
        guard !policyHiddenSizes.isEmpty else { throw .invalid("policyHiddenSizes must list at least one hidden layer") }
        guard maxAction > 0, maxAction.isFinite else { throw .invalid("maxAction \(maxAction) must be a positive finite number") }
        do {
            _ = try Activation(name: activation ?? "relu")
        } catch let error as PolicyLoadingError {
            throw .invalid("feedForwardActivation: \(error)")
        } catch {
            throw .invalid("feedForwardActivation: \(error)")
        }
    }
}
