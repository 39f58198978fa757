import Foundation

/// `edp-eval dataset info`: what a D4RL file holds and its own episodes' returns.
public struct DatasetSummary: Codable, Sendable {
    public var file: String
    public var sha256: String
    public var keys: [D4RLDataset.Key]
    public var transitions: Int
    public var episodes: Int
    /// Episodes ended by `terminals` / by `timeouts`; the rest is a trailing unfinished one.
    public var terminalEpisodes: Int
    public var timeoutEpisodes: Int
    public var episodeLength: Statistic
    /// Undiscounted returns of the dataset's episodes (unfinished trailing one included).
    public var returns: Statistic
    /// 100 · (R − REF_MIN) / (REF_MAX − REF_MIN) with the task's D4RL reference scores (d4rl/infos.py).
    public var normalizedReturns: Statistic?
    public var task: String?
    public var metadata: [String: String]

    public struct Statistic: Codable, Sendable {
        public var mean: Double
        public var std: Double
        public var min: Double
        public var max: Double

        init(_ values: [Double]) {
            let n = Double(Swift.max(values.count, 1))
            mean = values.reduce(0, +) / n
            let m = mean
            std = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
            min = values.min() ?? 0
            max = values.max() ?? 0
        }
    }

    enum CodingKeys: String, CodingKey {
        case file, sha256, keys, transitions, episodes, task, metadata, returns
        case terminalEpisodes = "terminal_episodes", timeoutEpisodes = "timeout_episodes"
        case episodeLength = "episode_length", normalizedReturns = "normalized_returns"
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
        episodeLength = Statistic(list.map { Double($0.length) })
        returns = Statistic(list.map(\.return))
        self.task = task
        if let normalizedScore {
            normalizedReturns = Statistic(list.map { normalizedScore($0.return) })
        }
        metadata = dataset.metadata()
    }
}
