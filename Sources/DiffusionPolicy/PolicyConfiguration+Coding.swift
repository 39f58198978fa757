/// The JSON form of a `PolicyConfiguration` (exported `.safetensors` metadata
/// `edp_eval.configuration`, the `.npz` member of the same name, hand-written baseline
/// configurations): one flat object whose `family` says which case it is. The keys and what is
/// written are the file format: a feed-forward configuration also writes the neutral diffusion
/// and critic values (K = 1, single sample, no critics) it has always written, so exports stay
/// byte-identical; they are read back only to be type-checked.
extension PolicyConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case family, observationSize, actionSize, policyHiddenSizes, criticHiddenSizes, criticActivation
        case timeEmbeddingSize, policyLayerNorm, criticLayerNorm, diffusionSteps, schedule, sampler, dpmSteps
        case dpmEndTime, actionSelection, candidates, maxAction, feedForwardActivation, actionOutput
        case observationNormalization
    }

    /// For the feed-forward families only `family`, `observationSize`, `actionSize` and
    /// `policyHiddenSizes` are required, so a hand-written configuration (docs/checkpoints.md
    /// "Feed-forward baselines") need not mention diffusion or critic settings; diffusion families
    /// require every diffusion field.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let family = try c.decode(Family.self, forKey: .family)
        let observationSize = try c.decode(Int.self, forKey: .observationSize)
        let actionSize = try c.decode(Int.self, forKey: .actionSize)
        let policyHiddenSizes = try c.decode([Int].self, forKey: .policyHiddenSizes)
        let maxAction = try c.decodeIfPresent(Float.self, forKey: .maxAction) ?? 1
        let activation = try c.decodeIfPresent(String.self, forKey: .feedForwardActivation)
        let actionOutput = try c.decodeIfPresent(ActionOutput.self, forKey: .actionOutput)
        let normalization = try c.decodeIfPresent(ObservationNormalization.self, forKey: .observationNormalization)
        let policyLayerNorm = try c.decodeIfPresent(Bool.self, forKey: .policyLayerNorm) ?? false
        if family.isFeedForward {
            // Type-checked only: a feed-forward policy has none of these settings.
            _ = try c.decodeIfPresent([Int].self, forKey: .criticHiddenSizes)
            _ = try c.decodeIfPresent(String.self, forKey: .criticActivation)
            _ = try c.decodeIfPresent(Int.self, forKey: .timeEmbeddingSize)
            _ = try c.decodeIfPresent(Bool.self, forKey: .criticLayerNorm)
            _ = try c.decodeIfPresent(Int.self, forKey: .diffusionSteps)
            _ = try c.decodeIfPresent(Schedule.self, forKey: .schedule)
            _ = try c.decodeIfPresent(Sampler.self, forKey: .sampler)
            _ = try c.decodeIfPresent(Int.self, forKey: .dpmSteps)
            _ = try c.decodeIfPresent(Double.self, forKey: .dpmEndTime)
            _ = try c.decodeIfPresent(ActionSelection.self, forKey: .actionSelection)
            _ = try c.decodeIfPresent(Int.self, forKey: .candidates)
            self = .feedForward(FeedForwardConfiguration(
                family: family, observationSize: observationSize, actionSize: actionSize,
                hiddenSizes: policyHiddenSizes, activation: activation, layerNorm: policyLayerNorm,
                maxAction: maxAction, actionOutput: actionOutput, observationNormalization: normalization))
        } else {
            self = .diffusion(DiffusionConfiguration(
                family: family, observationSize: observationSize, actionSize: actionSize,
                policyHiddenSizes: policyHiddenSizes,
                criticHiddenSizes: try c.decode([Int].self, forKey: .criticHiddenSizes),
                criticActivation: try c.decode(String.self, forKey: .criticActivation),
                timeEmbeddingSize: try c.decode(Int.self, forKey: .timeEmbeddingSize),
                policyLayerNorm: policyLayerNorm,
                criticLayerNorm: try c.decode(Bool.self, forKey: .criticLayerNorm),
                diffusionSteps: try c.decode(Int.self, forKey: .diffusionSteps),
                schedule: try c.decode(Schedule.self, forKey: .schedule),
                sampler: try c.decode(Sampler.self, forKey: .sampler),
                dpmSteps: try c.decode(Int.self, forKey: .dpmSteps),
                dpmEndTime: try c.decode(Double.self, forKey: .dpmEndTime),
                actionSelection: try c.decode(ActionSelection.self, forKey: .actionSelection),
                candidates: try c.decode(Int.self, forKey: .candidates),
                maxAction: maxAction, observationNormalization: normalization))
        }
    }

    /// Writes every key in `CodingKeys` order (as the 20-field struct this replaces did); absent
    /// optionals (activation, action output, normalization) are omitted.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .diffusion(let d):
            try encodeAll(&c, family: d.family, observationSize: d.observationSize, actionSize: d.actionSize,
                          policyHiddenSizes: d.policyHiddenSizes, criticHiddenSizes: d.criticHiddenSizes,
                          criticActivation: d.criticActivation, timeEmbeddingSize: d.timeEmbeddingSize,
                          policyLayerNorm: d.policyLayerNorm, criticLayerNorm: d.criticLayerNorm,
                          diffusionSteps: d.diffusionSteps, schedule: d.schedule, sampler: d.sampler,
                          dpmSteps: d.dpmSteps, dpmEndTime: d.dpmEndTime, actionSelection: d.actionSelection,
                          candidates: d.candidates, maxAction: d.maxAction, activation: nil, actionOutput: nil,
                          normalization: d.observationNormalization)
        case .feedForward(let f):
            // The neutral values the feed-forward configurations have always been written with.
            try encodeAll(&c, family: f.family, observationSize: f.observationSize, actionSize: f.actionSize,
                          policyHiddenSizes: f.policyHiddenSizes, criticHiddenSizes: [], criticActivation: "relu",
                          timeEmbeddingSize: 1, policyLayerNorm: f.policyLayerNorm, criticLayerNorm: false,
                          diffusionSteps: 1, schedule: .linear, sampler: .ddpm, dpmSteps: 1, dpmEndTime: 1e-3,
                          actionSelection: .single, candidates: 1, maxAction: f.maxAction,
                          activation: f.activation, actionOutput: f.actionOutput,
                          normalization: f.observationNormalization)
        }
    }

    private func encodeAll(_ c: inout KeyedEncodingContainer<CodingKeys>, family: Family, observationSize: Int,
                           actionSize: Int, policyHiddenSizes: [Int], criticHiddenSizes: [Int],
                           criticActivation: String, timeEmbeddingSize: Int, policyLayerNorm: Bool,
                           criticLayerNorm: Bool, diffusionSteps: Int, schedule: Schedule, sampler: Sampler,
                           dpmSteps: Int, dpmEndTime: Double, actionSelection: ActionSelection, candidates: Int,
                           maxAction: Float, activation: String?, actionOutput: ActionOutput?,
                           normalization: ObservationNormalization?) throws {
        try c.encode(family, forKey: .family)
        try c.encode(observationSize, forKey: .observationSize)
        try c.encode(actionSize, forKey: .actionSize)
        try c.encode(policyHiddenSizes, forKey: .policyHiddenSizes)
        try c.encode(criticHiddenSizes, forKey: .criticHiddenSizes)
        try c.encode(criticActivation, forKey: .criticActivation)
        try c.encode(timeEmbeddingSize, forKey: .timeEmbeddingSize)
        try c.encode(policyLayerNorm, forKey: .policyLayerNorm)
        try c.encode(criticLayerNorm, forKey: .criticLayerNorm)
        try c.encode(diffusionSteps, forKey: .diffusionSteps)
        try c.encode(schedule, forKey: .schedule)
        try c.encode(sampler, forKey: .sampler)
        try c.encode(dpmSteps, forKey: .dpmSteps)
        try c.encode(dpmEndTime, forKey: .dpmEndTime)
        try c.encode(actionSelection, forKey: .actionSelection)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(maxAction, forKey: .maxAction)
        try c.encodeIfPresent(activation, forKey: .feedForwardActivation)
        try c.encodeIfPresent(actionOutput, forKey: .actionOutput)
        try c.encodeIfPresent(normalization, forKey: .observationNormalization)
    }
}
