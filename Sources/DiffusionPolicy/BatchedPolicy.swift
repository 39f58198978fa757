import Randomness
import TensorArchives
/// What the evaluation layer calls: a policy that maps a batch of observations to actions.
///
/// Layout: `observations` is batch × observationSize floats, `actions` batch × actionSize,
/// row-major. Row b (environment b) draws all its randomness from `generators[b]` only, so its
/// action does not depend on the batch composition. Implementations hold reusable buffers and
/// are not thread-safe: use `makeCopy()` for each thread (weights are shared, not copied).
public protocol BatchedPolicy: AnyObject {
    var observationSize: Int { get }
    var actionSize: Int { get }
    /// Writes one action per observation row; row b draws from `generators[rows[b]]` (the
    /// caller's generators stay where they are: one per environment slot, say, with `rows` the
    /// slots of this batch). `rows.count` must be ≥ `batch`.
    func act(observations: UnsafeBufferPointer<Float>, batch: Int, generators: UnsafeMutableBufferPointer<PolicyRandom>,
             rows: [Int], into actions: UnsafeMutableBufferPointer<Float>)
    /// Useful floating-point operations of one `act` call at this batch size: 2 × the multiply-adds
    /// of every network evaluation (noise network × NFE × candidates, critics × candidates).
    /// Elementwise work (activations, sampler updates) is not counted.
    func usefulFlops(batch: Int) -> Double
    /// An independent policy with the same weights and settings, for another thread.
    func makeCopy() -> BatchedPolicy
    /// Rows of the latest `act` call whose action is not trustworthy, with the reason (e.g. a
    /// non-finite or absurd Q-value in energy-based selection); empty when all are fine.
    var rowProblems: [Int: String] { get }
}

extension BatchedPolicy {
    public var rowProblems: [Int: String] { [:] }

    /// Writes one action per observation row; row b draws from `generators[b]`.
    /// `generators.count` must be ≥ `batch`.
    public func act(observations: UnsafeBufferPointer<Float>, batch: Int, generators: inout [PolicyRandom],
                    into actions: UnsafeMutableBufferPointer<Float>) {
        precondition(generators.count >= batch, "need one generator per batch row (\(batch)), got \(generators.count)")
        generators.withUnsafeMutableBufferPointer { g in
            act(observations: observations, batch: batch, generators: g, rows: Array(0..<batch), into: actions)
        }
    }
}

/// Builds the policy a configuration describes: `DiffusionPolicyModel` for EDP / Diffusion-QL,
/// `FeedForwardPolicy` for the baselines.
public func makeBatchedPolicy(tensors: TensorDictionary, configuration: PolicyConfiguration) throws -> BatchedPolicy {
    switch configuration {
    case .diffusion(let c):
        return try DiffusionPolicyModel(tensors: tensors, configuration: c)
    case .feedForward(let c):
        return try FeedForwardPolicy(tensors: tensors, configuration: c)
    }
}
