/// Progress of a running evaluation, for display.
public struct RolloutProgress: Sendable {
    public var episodesDone: Int
    public var episodesTotal: Int
    public var steps: Int
    public var elapsed: Double
    /// Environment steps per second so far.
    public var stepsPerSecond: Double { elapsed > 0 ? Double(steps) / elapsed : 0 }
}
