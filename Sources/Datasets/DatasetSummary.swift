import Foundation
import SampleStatistics

/// `edp-eval dataset info`: what a D4RL file holds and its own episodes' returns.
public struct DatasetSummary: Encodable, Sendable {
    public var file: String
    public var sha256: String
    public var keys: [D4RLDataset.Key]
    public var transitions: Int
    public var episodes: Int
    /// Episodes ended by `terminals` / by `timeouts`; the rest is a trailing unfinished one.
    public var terminalEpisodes: Int
    public var timeoutEpisodes: Int
    public var episodeLength: Summary
    /// Undiscounted returns of the dataset's episodes (unfinished trailing one included).
    public var returns: Summary
    /// 100 · (R − REF_MIN) / (REF_MAX − REF_MIN) with the task's D4RL reference scores (d4rl/infos.py).
    public var normalizedReturns: Summary?
    public var task: String?
    public var metadata: [String: String]

    /// The summary of per-episode values; a file without rows (no episodes) gives zeros.
    static func summary(_ values: [Double]) -> Summary { Summary(values.isEmpty ? [0] : values) }

    /// A summary as `dataset info --json` writes it: mean, population std, min and max.
    struct Spread: Encodable {
        var summary: Summary
        enum CodingKeys: String, CodingKey { case mean, std, min, max }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(summary.mean, forKey: .mean)
            try c.encode(summary.std, forKey: .std)
            try c.encode(summary.min, forKey: .min)
            try c.encode(summary.max, forKey: .max)
        }
    }

    enum CodingKeys: String, CodingKey {
        case file, sha256, keys, transitions, episodes, task, metadata, returns
        case terminalEpisodes = "terminal_episodes", timeoutEpisodes = "timeout_episodes"
        case episodeLength = "episode_length", normalizedReturns = "normalized_returns"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(keys, forKey: .keys)
        try c.encode(transitions, forKey: .transitions)
        try c.encode(episodes, forKey: .episodes)
        try c.encode(terminalEpisodes, forKey: .terminalEpisodes)
        try c.encode(timeoutEpisodes, forKey: .timeoutEpisodes)
        try c.encode(Spread(summary: episodeLength), forKey: .episodeLength)
        try c.encode(Spread(summary: returns), forKey: .returns)
        try c.encodeIfPresent(normalizedReturns.map(Spread.init), forKey: .normalizedReturns)
        try c.encodeIfPresent(task, forKey: .task)
        try c.encode(metadata, forKey: .metadata)
    }

    /// Reads the file in chunks.
    /// - Parameters:
    ///   - task: the task id the summary names (the caller checks the widths against it).
    ///   - normalizedScore: the task's D4RL normalization of a return, when it has reference scores.
    public init(_ dataset: D4RLDataset, task: String?, normalizedScore: ((Double) -> Double)?) throws {
        let list = try dataset.episodes()
        file = dataset.url.path
        sha256 = try dataset.sha256()
        keys = dataset.keys
        transitions = dataset.transitions
        episodes = list.count
        terminalEpisodes = list.filter(\.terminal).count
        timeoutEpisodes = list.filter { $0.finished && !$0.terminal }.count
        episodeLength = Self.summary(list.map { Double($0.length) })
        returns = Self.summary(list.map(\.return))
        self.task = task
        if let normalizedScore {
            normalizedReturns = Self.summary(list.map { normalizedScore($0.return) })
        }
        metadata = dataset.metadata()
    }
}
