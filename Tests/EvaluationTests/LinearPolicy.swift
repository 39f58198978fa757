import Environments
import Evaluation
import Foundation
import Randomness
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A deterministic linear feedback policy `a = tanh(W·obs + b)`, W seeded: a real policy with no
/// randomness, the engine's tests drive it (no command reaches it, so it lives with the tests).
final class LinearPolicy: RolloutPolicy {
    let observationSize: Int
    let actionSize: Int
    let weights: [Float]
    let bias: [Float]
    var summary: String { "linear tanh policy (seeded weights)" }

    init(observationSize: Int, actionSize: Int, seed: UInt64, scale: Double = 0.3) {
        self.observationSize = observationSize
        self.actionSize = actionSize
        var random = NumPyRandom(seed: seed)
        weights = (0..<(observationSize * actionSize)).map { _ in Float(random.uniform(-scale, scale)) }
        bias = (0..<actionSize).map { _ in Float(random.uniform(-scale, scale)) }
    }

    /// Deterministic: no random state.
    func makeStream(seed: UInt64) {}

    func act(observations: UnsafeBufferPointer<Double>, batch: Int, streams: inout PolicyStreams<Void>,
             actions: UnsafeMutableBufferPointer<Float>) throws {
        for row in 0..<batch {
            for j in 0..<actionSize {
                var sum = bias[j]
                for k in 0..<observationSize {
                    sum += weights[j * observationSize + k] * Float(observations[row * observationSize + k])
                }
                actions[row * actionSize + j] = tanhf(sum)
            }
        }
    }
}
