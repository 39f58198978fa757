import Foundation

/// The seedable random generator of the policy module: xoshiro256** (Blackman & Vigna 2018,
/// period 2^256 − 1) seeded through SplitMix64, with float32 draws for the samplers.
///
/// * `nextUniform()`: (k + 0.5)·2^-53 for a 53-bit k, so never exactly 0 or 1.
/// * `nextNormal()`: Box–Muller in float64 on two uniforms, rounded to float32; both values of a
///   pair are used (the second is kept for the next call). Tails reach ±8.6σ.
/// * `nextGumbel()`: −log(−log(u)) in float64 (for Gumbel-max categorical draws).
///
/// Evaluation gives each environment (batch row) its own generator, so a row's actions depend
/// only on its own stream, never on how many other rows share the batch. The same seed always
/// gives the same sequence, on every platform (only integer ops and IEEE float64 math).
public struct PolicyRandom: RandomNumberGenerator, Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Float?

    /// A generator for `seed`; `stream` selects an independent sequence (e.g. the environment
    /// index), so `PolicyRandom(seed: s, stream: i)` are distinct for distinct i.
    public init(seed: UInt64, stream: UInt64 = 0) {
        // The stream is folded into SplitMix64's starting state with two odd 64-bit constants of
        // mixed bits (a multiplier spreading i over all bits, and a tag keeping stream 0 equal to
        // the plain seed); they are this project's choice, not taken from a paper: SplitMix64's
        // finalizer decorrelates whatever starting states they give.
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ (stream == 0 ? 0 : 0x8CB9_2BA7_2F3D_8DD7))
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    /// One generator per environment: `PolicyRandom(seed: seed, stream: i)` for i in 0..<count.
    public static func streams(seed: UInt64, count: Int) -> [PolicyRandom] {
        (0..<count).map { PolicyRandom(seed: seed, stream: UInt64($0)) }
    }

    public static func == (lhs: PolicyRandom, rhs: PolicyRandom) -> Bool {
        lhs.state == rhs.state && lhs.spareNormal == rhs.spareNormal
    }

    @inline(__always)
    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// xoshiro256** step.
    public mutating func next() -> UInt64 {
        let result = Self.rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotate(state.3, 45)
        return result
    }

    /// Uniform in the open interval (0, 1), float64.
    public mutating func nextUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// Standard normal N(0, 1), float32 (Box–Muller, see the type's documentation).
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let radius = (-2 * Foundation.log(nextUniform())).squareRoot()
        let angle = 2 * Double.pi * nextUniform()
        spareNormal = Float(radius * Foundation.sin(angle))
        return Float(radius * Foundation.cos(angle))
    }

    /// Standard Gumbel(0, 1): −log(−log u).
    public mutating func nextGumbel() -> Float {
        Float(-Foundation.log(-Foundation.log(nextUniform())))
    }

    /// Fills `buffer` with standard normals.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices { buffer[i] = nextNormal() }
    }
}
