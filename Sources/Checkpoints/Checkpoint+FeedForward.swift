import DiffusionPolicy
import Foundation
import TensorArchives

/// Feed-forward baselines in the project's own format (docs/checkpoints.md "Feed-forward baselines"):
/// flax-style `policy/params/Dense_i/{kernel,bias}` (kernels (in, out)), optional
/// `policy/params/LayerNorm_i/{scale,bias}`, and the configuration as JSON: the
/// `edp_eval.configuration` metadata of a `.safetensors`, or an `edp_eval.configuration` member of
/// an `.npz` holding the JSON text's UTF-8 bytes as a uint8 array. The shapes cannot tell a
/// deterministic actor from a Gaussian one (A or 2A outputs), so the configuration is required.
extension Checkpoint {
    /// Prefix of the feed-forward MLP's parameters.
    static let feedForwardPrefix = "policy/params/"

    /// True when the tensor names are a feed-forward MLP's (`policy/params/Dense_0/kernel`, no EDP `base_net`).
    static func looksFeedForward(_ tensors: TensorDictionary) -> Bool {
        tensors["\(feedForwardPrefix)Dense_0/kernel"] != nil && !tensors.keys.contains { $0.hasPrefix("\(feedForwardPrefix)base_net/") }
    }

    /// The error for feed-forward weights without a configuration.
    static func feedForwardConfigurationMissing(url: URL, container: String) -> CheckpointError {
        CheckpointError(.invalidConfiguration, file: url,
                        "feed-forward weights (policy/params/Dense_i) need a configuration: \(container) with " +
                        "{\"family\": \"ff-deterministic\" or \"ff-gaussian\", \"observationSize\", \"actionSize\", " +
                        "\"policyHiddenSizes\", \"feedForwardActivation\", \"maxAction\"} (README \"Feed-forward checkpoints\")")
    }

    /// Expected shape of every tensor of a feed-forward policy.
    static func feedForwardExpectedShapes(_ c: FeedForwardConfiguration) -> [String: [Int]] {
        flaxStackShapes(feedForwardPrefix, input: c.observationSize, hidden: c.policyHiddenSizes,
                        output: c.outputSize, layerNorm: c.policyLayerNorm)
    }

    /// The feed-forward part of `validate` (after `FeedForwardConfiguration.validate()`): every
    /// tensor with its exact shape; tensors the policy does not use are refused so that a
    /// mislabelled file (say, an extra hidden layer) cannot load as a smaller network.
    static func validateFeedForwardTensors(_ c: FeedForwardConfiguration, _ tensors: TensorDictionary, url: URL) throws {
        let expected = feedForwardExpectedShapes(c)
        for key in expected.keys.sorted() {
            guard let tensor = tensors[key] else {
                throw CheckpointError(.missingEntry, file: url, "tensor \(key) is missing (expected shape \(expected[key]!))")
            }
            guard tensor.shape == expected[key]! else {
                throw CheckpointError(.invalidTensor, file: url, "tensor \(key) has shape \(tensor.shape), expected \(expected[key]!)")
            }
        }
        if let extra = tensors.keys.sorted().first(where: { expected[$0] == nil }) {
            throw CheckpointError(.invalidTensor, file: url, "tensor \(extra) is not part of a \(c.family.rawValue) policy with hidden sizes \(c.policyHiddenSizes)")
        }
        try requireFinite(tensors, url: url)
    }
}
