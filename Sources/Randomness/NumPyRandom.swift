import Foundation

/// A seedable generator that reproduces NumPy's `np.random.Generator(PCG64(SeedSequence(seed)))`,
/// the generator Gymnasium's `reset(seed:)` uses (`gymnasium.utils.seeding.np_random`), draw for
/// draw, for `random()` and `uniform(low, high)`.
///
/// Sources (algorithms and constants, re-implemented here):
/// - PCG64 = PCG XSL-RR 128/64 (O'Neill 2014, "PCG: A Family of Simple Fast Space-Efficient
///   Statistically Good Algorithms"), multiplier 0x2360ED051FC65DA4_4385DF649FCCF645, as NumPy's
///   `numpy/random/src/pcg64/pcg64.h` uses it: the state advances before each output.
/// - SeedSequence: NumPy's `numpy/random/bit_generator.pyx` (pool size 4, hashmix/mix constants
///   below), `generate_state(4, uint64)` → (state high, state low, increment high, increment low).
/// - `random()` = (next64 >> 11) · 2⁻⁵³; `uniform(low, high)` = low + (high − low) · random()
///   (`numpy/random/src/distributions/distributions.c`).
///
/// - `standardNormal()` = `random_standard_normal` (NumPy 1.26.4 distributions.c): the 256-layer
///   ziggurat on one 64-bit draw (8 bits layer, 1 bit sign, 52 bits magnitude), with NumPy's
///   tables (`ZigguratNormalTables`), so `Generator.standard_normal` is reproduced draw for draw.
public struct NumPyRandom: RandomNumberGenerator, Sendable {
    private var state: UInt128Parts
    private let increment: UInt128Parts

    /// Seeds exactly like `np.random.default_rng(seed)` / Gymnasium's `np_random(seed)`.
    public init(seed: UInt64) {
        let words = SeedSequence(entropy: seed).generateState64(count: 4)
        self.init(initialState: UInt128Parts(high: words[0], low: words[1]),
                  sequence: UInt128Parts(high: words[2], low: words[3]))
    }

    /// `pcg_setseq_128_srandom_r`: state = 0, inc = seq·2+1, step, state += initstate, step.
    private init(initialState: UInt128Parts, sequence: UInt128Parts) {
        increment = sequence.shiftedLeftOneOrOne()
        state = UInt128Parts(high: 0, low: 0)
        advance()
        state = state.adding(initialState)
        advance()
    }

    private static let multiplier = UInt128Parts(high: 0x2360_ED05_1FC6_5DA4, low: 0x4385_DF64_9FCC_F645)

    @inline(__always) private mutating func advance() {
        state = state.multiplied(by: Self.multiplier).adding(increment)
    }

    /// The next 64 random bits (PCG XSL-RR output of the advanced state).
    public mutating func next() -> UInt64 {
        advance()
        let xored = state.high ^ state.low
        let rotation = state.high >> 58
        return (xored >> rotation) | (xored << ((64 &- rotation) & 63))
    }

    /// A double uniform in [0, 1) with 53 random bits (NumPy `Generator.random()`).
    public mutating func random() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A double uniform in [low, high) (NumPy `Generator.uniform(low, high)`).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * random()
    }

    /// A standard normal draw, NumPy's ziggurat (`Generator.standard_normal`): 99.3% of draws
    /// return at the first rectangle test; layer 0 samples the tail beyond r by Marsaglia's
    /// exponential method with `log1p(−u)`; other layers accept under exp(−x²/2).
    public mutating func standardNormal() -> Double {
        let tables = ZigguratNormalTables.self
        while true {
            var r = next()
            let layer = Int(r & 0xFF)
            r >>= 8
            let negative = r & 1 == 1
            let magnitude = (r >> 1) & 0x000F_FFFF_FFFF_FFFF
            var x = Double(magnitude) * tables.wi[layer]
            if negative { x = -x }
            if magnitude < tables.ki[layer] { return x }
            if layer == 0 {
                while true {
                    let xx = -tables.inverseR * Foundation.log1p(-random())
                    let yy = -Foundation.log1p(-random())
                    if yy + yy > xx * xx {
                        return (magnitude >> 8) & 1 == 1 ? -(tables.r + xx) : tables.r + xx
                    }
                }
            }
            if (tables.fi[layer - 1] - tables.fi[layer]) * random() + tables.fi[layer] < Foundation.exp(-0.5 * x * x) {
                return x
            }
        }
    }
}

/// A 128-bit unsigned integer as two 64-bit halves (wrapping arithmetic).
struct UInt128Parts: Sendable, Equatable {
    var high: UInt64
    var low: UInt64

    func adding(_ other: UInt128Parts) -> UInt128Parts {
        let (low, carry) = self.low.addingReportingOverflow(other.low)
        return UInt128Parts(high: high &+ other.high &+ (carry ? 1 : 0), low: low)
    }

    func multiplied(by other: UInt128Parts) -> UInt128Parts {
        let (productHigh, productLow) = low.multipliedFullWidth(by: other.low)
        let high = productHigh &+ (low &* other.high) &+ (self.high &* other.low)
        return UInt128Parts(high: high, low: productLow)
    }

    func shiftedLeftOneOrOne() -> UInt128Parts {
        UInt128Parts(high: (high << 1) | (low >> 63), low: (low << 1) | 1)
    }
}

/// NumPy's `SeedSequence` for a single non-negative integer entropy, no spawn key.
struct SeedSequence {
    private static let poolSize = 4
    private static let initA: UInt32 = 0x43B0_D7E5
    private static let multA: UInt32 = 0x931E_8875
    private static let initB: UInt32 = 0x8B51_F9DD
    private static let multB: UInt32 = 0x58F3_8DED
    private static let mixMultL: UInt32 = 0xCA01_F9DD
    private static let mixMultR: UInt32 = 0x4973_F715
    private static let xshift: UInt32 = 16

    private var pool: [UInt32]

    init(entropy: UInt64) {
        // _int_to_uint32_array: little-endian 32-bit words; 0 → [0].
        var words: [UInt32] = []
        var value = entropy
        repeat {
            words.append(UInt32(truncatingIfNeeded: value))
            value >>= 32
        } while value > 0
        pool = [UInt32](repeating: 0, count: Self.poolSize)
        var hashConst = Self.initA
        func hashmix(_ input: UInt32) -> UInt32 {
            var v = input ^ hashConst
            hashConst = hashConst &* Self.multA
            v = v &* hashConst
            v ^= v >> Self.xshift
            return v
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            var r = (Self.mixMultL &* x) &- (Self.mixMultR &* y)
            r ^= r >> Self.xshift
            return r
        }
        for i in 0..<Self.poolSize {
            pool[i] = hashmix(i < words.count ? words[i] : 0)
        }
        for source in 0..<Self.poolSize {
            for destination in 0..<Self.poolSize where source != destination {
                pool[destination] = mix(pool[destination], hashmix(pool[source]))
            }
        }
        for source in Self.poolSize..<max(Self.poolSize, words.count) {
            for destination in 0..<Self.poolSize {
                pool[destination] = mix(pool[destination], hashmix(words[source]))
            }
        }
    }

    /// `generate_state(count, np.uint64)`: 2·count 32-bit words paired little-endian.
    func generateState64(count: Int) -> [UInt64] {
        var hashConst = Self.initB
        var words: [UInt32] = []
        for i in 0..<(2 * count) {
            var value = pool[i % Self.poolSize]
            value ^= hashConst
            hashConst = hashConst &* Self.multB
            value = value &* hashConst
            value ^= value >> Self.xshift
            words.append(value)
        }
        return (0..<count).map { UInt64(words[2 * $0]) | (UInt64(words[2 * $0 + 1]) << 32) }
    }
}
