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
    /// D4RL normalized score × 100; nil for a task without reference scores (gym ids).
    public var normalizedScore: Double?
    public var end: EpisodeEnd
    /// Goal-reaching tasks (`RobotDescriptor.reportsGoalSuccess`): whether the goal was reached
    /// (nil for other tasks).
    public var success: Bool?
    /// Goal-reaching tasks: steps until the goal was reached (nil if never or not a goal task).
    public var timeToGoal: Int?
    /// The episode's goal, m, world frame `[x, y]`, for tasks with a goal position (nil for others).
    public var goal: [Double]?
    /// The robot's own per-episode numbers (`MuJoCoEnvironment.episodeMetrics`, snake_case
    /// keys); nil when it reports none.
    public var metrics: [String: Double]?
    /// Why the episode ended early (instability or error message).
    public var detail: String?

    enum CodingKeys: String, CodingKey {
        case task, seed, episode, `return`, length, end, success, detail, goal, metrics
        case normalizedScore = "normalized_score"
        case timeToGoal = "time_to_goal"
    }

    public var id: EpisodeID { EpisodeID(seed: seed, episode: episode) }
}
