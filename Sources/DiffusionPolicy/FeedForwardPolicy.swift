import Randomness
import TensorArchives
/// The feed-forward baselines: an MLP on the observation, no diffusion, no critics.
///
/// Parameter layout (defined by this module; flax naming, kernels (in, out), y = x·W + b):
/// ```
/// policy/params/Dense_0/kernel (O, H1)   policy/params/Dense_0/bias (H1,)
/// …                                      (hidden widths = policyHiddenSizes, activation
/// policy/params/Dense_L/kernel (H_L, D)   = feedForwardActivation, default relu)
/// ```
/// * `.feedForwardDeterministic` (TD3+BC-style actor): D = A, action = A_max·tanh(output).
/// * `.feedForwardGaussian` (tanh-squashed Gaussian, SAC/IQL-style): D = 2A with the first A
///   outputs the mean and the last A the log-std (unused when acting); action = A_max·tanh(mean),
///   the mode of the squashed distribution's pre-image (deterministic evaluation).
/// With `configuration.actionOutput == .clip` the mapping is clip(output, −A_max, A_max) instead
/// (the mean of an unsquashed Gaussian, SB3 PPO/A2C). Observation normalization, when the
/// configuration has one, is applied by the caller (`CheckpointPolicy`, in float64).
/// Deterministic, so the generators are not used.
public final class FeedForwardPolicy: BatchedPolicy {
    public let configuration: FeedForwardConfiguration
    let stack: LayerStack
    /// `stack` packed for the micro-kernel (rows bit-identical whatever the batch or threads).
    let packed: PackedStack
    let workspace = NetworkWorkspace()
    let output = ScratchBuffer()

    public var observationSize: Int { configuration.observationSize }
    public var actionSize: Int { configuration.actionSize }

    public init(tensors: TensorDictionary, configuration: FeedForwardConfiguration) throws {
        let o = configuration.observationSize, a = configuration.actionSize
        guard o > 0, a > 0, configuration.policyHiddenSizes.allSatisfy({ $0 > 0 }) else {
            throw PolicyLoadingError.invalidConfiguration("O \(o), A \(a), hidden \(configuration.policyHiddenSizes)")
        }
        let limits = PolicyConfiguration.Limits.self
        guard o <= limits.maxVectorSize, a <= limits.maxVectorSize,
              configuration.policyHiddenSizes.count <= limits.maxHiddenLayers,
              configuration.policyHiddenSizes.allSatisfy({ $0 <= limits.maxHiddenSize }) else {
            throw PolicyLoadingError.invalidConfiguration(
                "O \(o), A \(a), hidden \(configuration.policyHiddenSizes): need O, A ≤ \(limits.maxVectorSize), " +
                "at most \(limits.maxHiddenLayers) hidden layers of width ≤ \(limits.maxHiddenSize)")
        }
        let outputs: Int
        switch configuration.family {
        case .feedForwardDeterministic: outputs = a
        case .feedForwardGaussian: outputs = 2 * a
        case .edp, .diffusionQL:
            throw PolicyLoadingError.invalidConfiguration("family \(configuration.family.rawValue) is not a feed-forward baseline")
        }
        let activation = try Activation(name: configuration.activation ?? "relu")
        stack = try tensors.flaxStack("policy/params", input: o, hidden: configuration.policyHiddenSizes, output: outputs,
                                      layerNorm: configuration.policyLayerNorm, activation: activation)
        packed = PackedStack(stack)
        self.configuration = configuration
    }

    private init(copying other: FeedForwardPolicy) {
        configuration = other.configuration
        stack = other.stack
        packed = other.packed
    }

    public func makeCopy() -> BatchedPolicy { FeedForwardPolicy(copying: self) }

    public func usefulFlops(batch: Int) -> Double { 2 * Double(batch) * Double(stack.multiplyAdds) }

    public func act(observations: UnsafeBufferPointer<Float>, batch: Int, generators: UnsafeMutableBufferPointer<PolicyRandom>,
                    rows: [Int], into actions: UnsafeMutableBufferPointer<Float>) {
        precondition(observations.count >= batch * observationSize && actions.count >= batch * actionSize)
        guard batch > 0 else { return }
        let width = stack.outputSize, a = actionSize
        let out = output.reserve(batch * width)
        workspace.prepareWorkers()
        let input = observations.baseAddress!, inputStride = observationSize
        RowParallel.run(rows: batch, scratch: workspace.workers) { scratch, range in
            packed.forward(input, inputStride: inputStride, rows: range, firstBias: nil, scratch: scratch, into: out)
        }
        let limit = configuration.maxAction
        for b in 0..<batch {
            // The mean is the first A outputs in both layouts.
            switch configuration.actionOutput ?? .tanh {
            case .tanh:
                transformInPlace(out + b * width, count: a, vectorTanh)
                for j in 0..<a { actions[b * a + j] = limit * out[b * width + j] }
            case .clip:
                for j in 0..<a { actions[b * a + j] = min(max(out[b * width + j], -limit), limit) }
            }
        }
    }
}
