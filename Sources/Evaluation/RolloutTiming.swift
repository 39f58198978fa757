/// Wall-clock split of a run (seconds).
public struct RolloutTiming: Codable, Sendable, Equatable {
    public var total: Double = 0
    /// Environment stepping and resets.
    public var physics: Double = 0
    /// Policy calls.
    public var inference: Double = 0
    /// Environment steps taken in this run.
    public var steps: Int = 0
    public init() {}
    /// Everything else: batching, bookkeeping, reporting.
    public var overhead: Double { max(0, total - physics - inference) }
}
