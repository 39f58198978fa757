import DiffusionPolicy
import Foundation

/// A policy loaded from a checkpoint (EDP, Diffusion-QL or a feed-forward baseline) driven by the
/// rollout engine.
///
/// Observation preprocessing follows each code base's evaluation (docs/edp-inference.md §6): EDP's sampler always
/// applies `(obs − 0) / (1 + 1e-6)` in float64 before the float32 network (sampler.py:84-86 with
/// mean 0, std 1, clip ∞); Diffusion-QL feeds the raw observation as float32.
public final class CheckpointPolicy: RolloutPolicy {
    public let checkpoint: Checkpoint?
    public let model: BatchedPolicy
    public let configuration: PolicyConfiguration
    public var observationSize: Int { model.observationSize }
    public var actionSize: Int { model.actionSize }
    private var generators: [PolicyRandom] = []
    private var input: [Float] = []
    /// EDP: 1 + 1e-6 (its `std + 1e-6` with std 1); others 1 (x / 1 is exact).
    private let observationDivisor: Double

    /// Wraps a built model. `configuration` must be the one the model was built with (overrides applied).
    public init(model: BatchedPolicy, configuration: PolicyConfiguration, checkpoint: Checkpoint? = nil) {
        self.model = model
        self.configuration = configuration
        self.checkpoint = checkpoint
        self.observationDivisor = configuration.family == .edp ? 1 + 1e-6 : 1
    }

    public var summary: String {
        let c = configuration
        let sampler: String
        switch c.sampler {
        case .dpm: sampler = "DPM-Solver \(c.dpmSteps) steps to t=\(c.dpmEndTime)"
        case .ddpm: sampler = "DDPM \(c.diffusionSteps) steps"
        case .ddim: sampler = "DDIM \(c.diffusionSteps) steps"
        }
        switch c.family {
        case .feedForwardDeterministic, .feedForwardGaussian:
            return "\(c.family.rawValue) policy"
        case .edp, .diffusionQL:
            let selection = c.actionSelection == .single ? "single sample" : "\(c.actionSelection == .energy ? "EAS" : "argmax") N=\(c.candidates)"
            return "\(c.family.rawValue) \(sampler), \(selection)"
        }
    }

    public var settings: [String: SettingValue] {
        let c = configuration
        var s: [String: SettingValue] = [
            "family": .string(c.family.rawValue), "sampler": .string(c.sampler.rawValue), "diffusion_steps": .int(c.diffusionSteps),
            "schedule": .string(c.schedule.rawValue), "action_selection": .string(c.actionSelection.rawValue),
            "candidates": .int(c.candidates), "observation_preprocessing": c.family == .edp ? "obs/(1+1e-6)" : "none",
        ]
        if c.sampler == .dpm {
            s["dpm_steps"] = .int(c.dpmSteps)
            s["dpm_t_end"] = .double(c.dpmEndTime)
        }
        return s
    }

    public var flopsPerAction: Double { model.usefulFlops(batch: 1) }
    public var rowProblems: [Int: String] { model.rowProblems }

    public func makeStream(seed: UInt64) -> PolicyStream { Stream(seed: seed) }

    final class Stream: PolicyStream {
        var random: PolicyRandom
        init(seed: UInt64) { random = PolicyRandom(seed: seed) }
    }

    public func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: [PolicyStream],
                    actions: UnsafeMutableBufferPointer<Float>) throws {
        generators.removeAll(keepingCapacity: true)
        for stream in streams.prefix(batch) { generators.append((stream as! Stream).random) }
        let count = batch * observationSize
        if input.count < count { input = [Float](repeating: 0, count: count) }
        for i in 0..<count { input[i] = Float(observations[i] / observationDivisor) }
        input.withUnsafeBufferPointer { obs in
            model.act(observations: UnsafeBufferPointer(rebasing: obs[0..<count]), batch: batch,
                      generators: &generators, into: actions)
        }
        for (stream, generator) in zip(streams.prefix(batch), generators) { (stream as! Stream).random = generator }
    }
}
