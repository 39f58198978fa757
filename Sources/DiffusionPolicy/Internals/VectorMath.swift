// Vectorised elementwise kernels used after every GEMM: a polynomial exp and the activations
// built on it. Every element goes through the same SIMD8 code path (tails are padded, not
// handled by scalar code), so an element's result never depends on where it sits in a buffer:
// this is what makes a batch row bit-identical whether it is computed alone or inside a batch.

/// Lane-wise select/minimum/maximum through `replacing(with:where:)`: with the mask used directly
/// (no bit-cast of the `SIMDMask`), LLVM lowers these to one vblendvps / vminps / vmaxps on a ymm
/// register. (Bit-casting the mask to integers, as before, made LLVM scalarise the i1 mask and
/// split the whole Mish epilogue into 128-bit halves; the generic `pointwiseMin/Max` are not
/// inlined.) Same lane semantics as before: `b < a ? b : a` (and `b > a ? b : a`), NaN keeps `a`.
@inline(__always)
func lanewiseSelect(_ a: SIMD8<Float>, _ b: SIMD8<Float>, where mask: SIMDMask<SIMD8<Int32>>) -> SIMD8<Float> {
    a.replacing(with: b, where: mask)
}

@inline(__always)
func lanewiseMin(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .< a) }

@inline(__always)
func lanewiseMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }

/// e^x for float32 lanes, Cephes `expf` scheme: x = k·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6
/// polynomial, 2^k by building the exponent bits. Inputs are clamped to [-87.3, 88] (no inf,
/// no subnormals). Max error against correctly rounded expf measured ≤ 2 ulp on [-87, 88]
/// (`VectorMathTests`).
@inline(__always)
func vectorExp(_ input: SIMD8<Float>) -> SIMD8<Float> {
    var x = lanewiseMin(lanewiseMax(input, SIMD8(repeating: -87.3)), SIMD8(repeating: 88.0))
    // k = round(x / ln 2) with the 1.5·2^23 trick (round-to-nearest-even without SSE4.1).
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = x * SIMD8(repeating: 1.442_695_04) + magic
    let k = shifted - magic
    x = x - k * SIMD8(repeating: 0.693_359_375)
    x = x - k * SIMD8(repeating: -2.121_944_4e-4)
    let z = x * x
    var y = SIMD8<Float>(repeating: 1.987_569_15e-4)
    y = y * x + SIMD8(repeating: 1.398_199_95e-3)
    y = y * x + SIMD8(repeating: 8.333_451_9e-3)
    y = y * x + SIMD8(repeating: 4.166_579_59e-2)
    y = y * x + SIMD8(repeating: 1.666_666_55e-1)
    y = y * x + SIMD8(repeating: 5.000_000_12e-1)
    y = y * z + x + SIMD8(repeating: 1)
    // 2^k: the low mantissa bits of `shifted` hold k; move k + 127 into the exponent field.
    // 0x4B40_0000 is the bit pattern of the magic 1.5·2^23 (IEEE 754 binary32: exponent 150, mantissa 0.5).
    let kBits = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- SIMD8(repeating: 0x4B40_0000)
    let scaleBits = (kBits &+ SIMD8(repeating: 127)) &<< SIMD8(repeating: 23)
    return y * unsafeBitCast(scaleBits, to: SIMD8<Float>.self)
}

/// Mish(x) = x·tanh(softplus(x)) = x·n/(n+2) with n = e^x(e^x+2) (one exp per element);
/// for x > 20 the factor is 1 in float32 and x is returned (as torch's softplus threshold).
/// docs/edp-inference.md §1.4.
@inline(__always)
func vectorMish(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let e = vectorExp(lanewiseMin(x, SIMD8(repeating: 20)))
    let n = e * (e + SIMD8(repeating: 2))
    let y = x * n / (n + SIMD8(repeating: 2))
    return lanewiseSelect(y, x, where: x .> SIMD8(repeating: 20))
}

/// tanh(x) = 1 − 2/(e^{2x}+1), exact sign handling through |x|.
@inline(__always)
func vectorTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // |x| and sign(x) through the sign bit; tanh(x) = sign(x)·(1 − 2/(e^{2|x|} + 1)).
    // IEEE 754 binary32: 0x8000_0000 is the sign bit, 0x7FFF_FFFF the exponent and mantissa.
    let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
    let sign = bits & SIMD8(repeating: 0x8000_0000)
    let a = lanewiseMin(unsafeBitCast(bits & SIMD8(repeating: 0x7FFF_FFFF), to: SIMD8<Float>.self), SIMD8(repeating: 15))
    let e = vectorExp(a + a)
    let t = SIMD8<Float>(repeating: 1) - SIMD8(repeating: 2) / (e + SIMD8(repeating: 1))
    return unsafeBitCast(unsafeBitCast(t, to: SIMD8<UInt32>.self) | sign, to: SIMD8<Float>.self)
}

/// Applies `transform` to `count` contiguous floats in place, 8 at a time; the last partial
/// group is padded with zeros so it runs through the identical vector code.
@inline(__always)
func transformInPlace(_ base: UnsafeMutablePointer<Float>, count: Int,
                      _ transform: (SIMD8<Float>) -> SIMD8<Float>) {
    var index = 0
    while index + 8 <= count {
        let raw = UnsafeMutableRawPointer(base + index)
        let v = raw.loadUnaligned(as: SIMD8<Float>.self)
        raw.storeBytes(of: transform(v), as: SIMD8<Float>.self)
        index += 8
    }
    if index < count {
        var v = SIMD8<Float>(repeating: 0)
        for lane in 0..<(count - index) { v[lane] = base[index + lane] }
        let r = transform(v)
        for lane in 0..<(count - index) { base[index + lane] = r[lane] }
    }
}
