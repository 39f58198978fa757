/// How an episode ended.
public enum EpisodeEnd: String, Codable, Sendable {
    /// The task ended it (fell over, reached the goal).
    case terminated
    /// The time limit ended it.
    case truncated
    /// MuJoCo reported a numerical blow-up, the policy produced a NaN action, or its critic gave
    /// NaN, infinite or absurd Q-values (`detail` says which).
    case unstable
    /// MuJoCo raised an engine error.
    case error
}

/// The outcome of one episode.
public struct EpisodeResult: Codable, Sendable, Equatable {
    public var task: String
    public var seed: UInt64
    public var episode: Int
    /// Undiscounted sum of rewards.
    public var `return`: Double
    /// Steps taken.
    public var length: Int
    /// D4RL normalized score × 100.
    public var normalizedScore: Double
    public var end: EpisodeEnd
    /// AntMaze: whether the goal was reached (nil for other tasks).
    public var success: Bool?
    /// AntMaze: steps until the goal was reached (nil if never or not a goal task).
    public var timeToGoal: Int?
    /// AntMaze: the episode's goal, m, world frame `[x, y]` (nil for other tasks).
    public var goal: [Double]?
    /// Why the episode ended early (instability or error message).
    public var detail: String?

    enum CodingKeys: String, CodingKey {
        case task, seed, episode, `return`, length, end, success, detail, goal
        case normalizedScore = "normalized_score"
        case timeToGoal = "time_to_goal"
    }

    public var id: EpisodeID { EpisodeID(seed: seed, episode: episode) }
}
