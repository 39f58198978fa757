import Checkpoints
import DiffusionPolicy
import Environments
import Randomness

/// A policy the rollout engine can drive: one batched call per step for all live environments.
///
/// Determinism contract: row `i` of the output may depend only on row `i` of the observations and
/// on `streams[i]`, never on the other rows or the batch size, so that an episode's actions are the
/// same whatever the parallelism. Each episode owns one `Stream` for its whole length; the engine
/// keeps it (one per environment slot) and the policy draws from it in place.
public protocol RolloutPolicy: AnyObject {
    /// The per-episode random state (a value, e.g. a generator; `Void` for a deterministic policy).
    associatedtype Stream
    /// Observation length the policy expects.
    var observationSize: Int { get }
    /// Action length it produces.
    var actionSize: Int { get }
    /// Short human description (for reports), e.g. "EDP dpm 15 steps, EAS N=10".
    var summary: String { get }
    /// Settings that decide the policy's behaviour (sampler, steps, candidates...), for provenance.
    var settings: [String: SettingValue] { get }
    /// The per-episode random state, seeded deterministically from the episode's seed.
    func makeStream(seed: UInt64) -> Stream
    /// Writes `batch` actions (row-major, `batch × actionSize`, float32 as the networks produce
    /// them) for `batch` observations (row-major, `batch × observationSize`, float64 as the
    /// environment produces them), drawing row `i`'s randomness from `streams[i]`.
    func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<Stream>,
             actions: UnsafeMutableBufferPointer<Float>) throws
    /// The dtype the policy's own code base hands its actions to `env.step` in, which the
    /// environment maps, clips and charges the control cost in (docs/environments.md §1.3).
    /// Default float32 (JAX, PyTorch and SB3 actors; the engine then calls the float32 `act`);
    /// a float64 policy is called through `act(observations:batch:streams:float64Actions:)`.
    var actionDType: ActionDType { get }
    /// A float64 policy's actions in full double precision, otherwise as `act`. Default: `act`
    /// into float32, widened.
    func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<Stream>,
             float64Actions: UnsafeMutableBufferPointer<Double>) throws
    /// Useful floating-point operations of one `act` call per batch row (multiply-adds × 2), or 0.
    var flopsPerAction: Double { get }
    /// Rows of the latest `act` whose action cannot be trusted, with the reason (e.g. a
    /// non-finite or absurd Q-value): the engine ends those episodes as `unstable`.
    var rowProblems: [Int: String] { get }
}

extension RolloutPolicy {
    public var actionDType: ActionDType { .float32 }
    public func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<Stream>,
                    float64Actions: UnsafeMutableBufferPointer<Double>) throws {
        var single = [Float](repeating: 0, count: float64Actions.count)
        try single.withUnsafeMutableBufferPointer { try act(observations: observations, batch: batch, streams: &streams, actions: $0) }
        for i in 0..<single.count { float64Actions[i] = Double(single[i]) }
    }
    public var flopsPerAction: Double { 0 }
    public var rowProblems: [Int: String] { [:] }
    public var settings: [String: SettingValue] { [:] }
}

/// One policy setting as reports store it: numbers as JSON numbers, names as strings (the same
/// value type as a checkpoint's `variant` entries; `description` gives the text the episode
/// log's header uses, e.g. `50`, `0.001`, `dpm`).
public typealias SettingValue = VariantValue

extension VariantValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

/// The streams of a batch call: one per environment slot, owned by the engine, and the slot of
/// each batch row (row `k` draws from `bySlot[rows[k]]`). Policies use them in place, through
/// `self[row]` or, for a batched model, the whole `bySlot` buffer with `rows`.
public struct PolicyStreams<Stream> {
    /// One stream per slot; a slot without a running episode keeps its last stream, unused.
    public var bySlot: [Stream]
    /// The slot of each batch row.
    public var rows: [Int]

    public init(bySlot: [Stream], rows: [Int]) {
        self.bySlot = bySlot
        self.rows = rows
    }

    /// The stream of batch row `row`, accessed in place.
    public subscript(row: Int) -> Stream {
        get { bySlot[rows[row]] }
        _modify { yield &bySlot[rows[row]] }
    }
}

/// D4RL's "random" reference policy: actions uniform in [−1, 1) per component, drawn as NumPy's
/// `Generator.uniform(-1, 1)` (float64) and handed over as float64.
public final class UniformRandomPolicy: RolloutPolicy {
    public let observationSize: Int
    public let actionSize: Int
    public var summary: String { "uniform random actions in [-1, 1) (float64)" }
    public var settings: [String: SettingValue] { ["policy": "random"] }
    public var actionDType: ActionDType { .float64 }

    public init(observationSize: Int, actionSize: Int) {
        self.observationSize = observationSize
        self.actionSize = actionSize
    }

    /// A NumPy-compatible PCG64 generator per episode.
    public func makeStream(seed: UInt64) -> NumPyRandom { NumPyRandom(seed: seed) }

    /// The draws rounded to float32 (for callers that want float32 actions).
    public func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<NumPyRandom>,
                    actions: UnsafeMutableBufferPointer<Float>) throws {
        for row in 0..<batch {
            for j in 0..<actionSize {
                actions[row * actionSize + j] = Float(streams[row].uniform(-1, 1))
            }
        }
    }

    public func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<NumPyRandom>,
                    float64Actions actions: UnsafeMutableBufferPointer<Double>) throws {
        for row in 0..<batch {
            for j in 0..<actionSize {
                actions[row * actionSize + j] = streams[row].uniform(-1, 1)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
