import Randomness
/// Where a policy's random numbers come from, one independent stream per environment row.
///
/// The samplers ask in a fixed order per row: draw 0 = the initial noise x_T (N·A normals,
/// candidate-major), then draw d = the ancestral noise z of loop step d−1 (DDPM only, N·A
/// normals, only for steps whose noise is used: index i > 0), then N Gumbel draws (EDP EAS) or one
/// uniform (Diffusion-QL EAS). A row's numbers never depend on other rows, so a row acts the same
/// at batch 1 and inside any batch.
public protocol PolicyNoiseSource {
    /// Fills `buffer` with standard normals for draw `draw` of environment `row`.
    mutating func fillNormals(draw: Int, row: Int, into buffer: UnsafeMutableBufferPointer<Float>)
    /// Fills `buffer` with standard Gumbel draws for environment `row` (Gumbel-max categorical).
    mutating func fillGumbels(row: Int, into buffer: UnsafeMutableBufferPointer<Float>)
    /// One uniform (0, 1) for environment `row` (inverse-CDF categorical).
    mutating func uniform(row: Int) -> Double
}

/// Noise drawn from one `PolicyRandom` per row (row b: `generators[rows[b]]`, used in place),
/// consumed in the protocol's fixed order.
struct GeneratorNoise: PolicyNoiseSource {
    let generators: UnsafeMutableBufferPointer<PolicyRandom>
    let rows: [Int]

    mutating func fillNormals(draw: Int, row: Int, into buffer: UnsafeMutableBufferPointer<Float>) {
        generators[rows[row]].fillNormal(buffer)
    }

    mutating func fillGumbels(row: Int, into buffer: UnsafeMutableBufferPointer<Float>) {
        let slot = rows[row]
        for i in buffer.indices { buffer[i] = generators[slot].nextGumbel() }
    }

    mutating func uniform(row: Int) -> Double { generators[rows[row]].nextUniform() }
}

/// Explicitly given noise, to replay the fixtures of the original code bit for bit (docs/edp-inference.md §8
/// item 9). Arrays are row-major over all rows of the batch (B·N·A floats for normals, B·N for
/// Gumbels).
public struct RecordedNoise: PolicyNoiseSource {
    /// x_T, B × N × A.
    public var initial: [Float]
    /// stepNoise[n]: the z of sampler loop step n (DDPM: index i = K−1−n), B × N × A each.
    public var stepNoise: [[Float]]
    /// B × N Gumbel draws (EDP EAS).
    public var gumbels: [Float]
    /// B uniforms (Diffusion-QL EAS).
    public var uniforms: [Double]

    public init(initial: [Float], stepNoise: [[Float]] = [], gumbels: [Float] = [], uniforms: [Double] = []) {
        self.initial = initial
        self.stepNoise = stepNoise
        self.gumbels = gumbels
        self.uniforms = uniforms
    }

    public mutating func fillNormals(draw: Int, row: Int, into buffer: UnsafeMutableBufferPointer<Float>) {
        let source = draw == 0 ? initial : stepNoise[draw - 1]
        let start = row * buffer.count
        precondition(source.count >= start + buffer.count, "recorded noise for draw \(draw) is too short")
        for i in buffer.indices { buffer[i] = source[start + i] }
    }

    public mutating func fillGumbels(row: Int, into buffer: UnsafeMutableBufferPointer<Float>) {
        let start = row * buffer.count
        precondition(gumbels.count >= start + buffer.count, "recorded Gumbel draws are too short")
        for i in buffer.indices { buffer[i] = gumbels[start + i] }
    }

    public mutating func uniform(row: Int) -> Double { uniforms[row] }
}
