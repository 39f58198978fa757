import DiffusionPolicy
import Randomness

/// Identifies one episode of an evaluation: the `episode`-th episode of seed `seed`.
public struct EpisodeID: Hashable, Codable, Sendable, Comparable {
    public var seed: UInt64
    public var episode: Int
    public init(seed: UInt64, episode: Int) {
        self.seed = seed
        self.episode = episode
    }
    public static func < (a: EpisodeID, b: EpisodeID) -> Bool { (a.seed, a.episode) < (b.seed, b.episode) }

    /// Seed of the environment's reset stream for this episode: SplitMix64 of (seed, episode), so
    /// an episode's start state never depends on which episodes ran before it or beside it.
    public var environmentSeed: UInt64 { SplitMix64.mix(SplitMix64.mix(seed) &+ UInt64(episode)) }
    /// Seed of the policy's random stream for this episode (independent of the environment's):
    /// the environment seed XOR 0x5851F42D4C957F2D (6364136223846793005, Knuth's MMIX LCG
    /// multiplier, TAOCP vol. 2 §3.3.4; used here only as a fixed odd pattern of mixed bits),
    /// then SplitMix64.
    public var policySeed: UInt64 { SplitMix64.mix(environmentSeed ^ 0x5851_F42D_4C95_7F2D) }
}
