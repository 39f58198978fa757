/// SplitMix64 (Steele, Lea & Flood, "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014;
/// the constants below are those of Vigna's reference `splitmix64.c`, prng.di.unimi.it): a 64-bit
/// state advanced by a fixed odd increment, with a bijective finalizer as output. The project's one
/// SplitMix64: it seeds `PolicyRandom`'s xoshiro256** state (as Blackman & Vigna recommend), derives
/// each episode's seeds in `Evaluation`, and drives the checkpoint fuzz tests.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The increment γ = 0x9E3779B97F4A7C15 = ⌊2^64/φ⌋ (φ the golden ratio; odd, as an increment must be).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    /// Advances the state by `increment` and returns its finalized value.
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.finalize(state)
    }

    /// The first output of a generator started at `x`: a bijective 64-bit mixer for deriving seeds.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 { finalize(x &+ increment) }

    /// The output function: two xor-shift-multiply rounds (shifts 30, 27, 31; multipliers
    /// 0xBF58476D1CE4E5B9 and 0x94D049BB133111EB, Stafford's "Mix13" variant as `splitmix64.c` uses).
    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
