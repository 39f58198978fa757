import Digests
import Foundation

/// A dataset file in D4RL's HDF5 layout, read lazily in row chunks (D4RL files reach 2M
/// transitions; nothing holds more than one chunk of an array at a time).
///
/// Keys (d4rl/offline_env.py `get_dataset`, d4rl/locomotion datasets): `observations` (N, O),
/// `actions` (N, A), `rewards` (N,), `terminals` (N,), `timeouts` (N,) (absent in some old
/// files), optional `next_observations` (N, O), `infos/qpos` (N, nq), `infos/qvel` (N, nv),
/// `infos/goal` (N, 2) for goal-reaching tasks, `metadata/*`. Opening checks that the required keys exist,
/// are numeric, have the right rank and one common length N.
public final class D4RLDataset {
    public let url: URL
    let file: HDF5File
    /// Transitions N (rows of every per-transition array).
    public let transitions: Int
    public let observationSize: Int
    public let actionSize: Int
    /// Every dataset in the file with its shape and dtype, in HDF5 name order.
    public let keys: [Key]

    /// Rows read at once by the streaming passes.
    public static let chunkRows = 16_384
    /// Most rows a file may declare (D4RL's largest datasets hold a few million transitions).
    public static let maxTransitions = 100_000_000
    /// Most values per row (D4RL's widest observations have 60-odd values).
    public static let maxWidth = 10_000

    public struct Key: Codable, Equatable, Sendable {
        public var path: String
        public var shape: [Int]
        public var dtype: String
    }

    public init(url: URL) throws {
        self.url = url
        file = try HDF5File(url)
        var keys: [Key] = []
        for object in file.objects() where object.isDataset {
            let d = try file.dataset(object.path)
            keys.append(Key(path: object.path, shape: d.shape, dtype: d.dtype))
        }
        self.keys = keys
        func present(_ path: String) -> Bool { keys.contains { $0.path == path } }
        func require(_ path: String, rank: Int) throws -> Key {
            guard let key = keys.first(where: { $0.path == path }) else {
                throw DatasetError(file: url, key: path, "missing (D4RL datasets hold observations, actions, rewards, terminals)")
            }
            guard key.shape.count == rank else {
                throw DatasetError(file: url, key: path, "has shape \(key.shape), expected rank \(rank)")
            }
            guard key.dtype.hasPrefix("float") || key.dtype.hasPrefix("int") || key.dtype.hasPrefix("uint") || key.dtype == "bool" else {
                throw DatasetError(file: url, key: path, "has dtype \(key.dtype), expected a numeric array")
            }
            return key
        }
        let observations = try require("observations", rank: 2)
        let actions = try require("actions", rank: 2)
        let n = observations.shape[0]
        var perTransition = [observations, actions, try require("rewards", rank: 1), try require("terminals", rank: 1)]
        if present("timeouts") { perTransition.append(try require("timeouts", rank: 1)) }
        if present("next_observations") {
            let next = try require("next_observations", rank: 2)
            guard next.shape == observations.shape else {
                throw DatasetError(file: url, key: "next_observations", "has shape \(next.shape), expected \(observations.shape) like observations")
            }
            perTransition.append(next)
        }
        for path in ["infos/qpos", "infos/qvel", "infos/goal"] where present(path) { perTransition.append(try require(path, rank: 2)) }
        if let bad = perTransition.first(where: { $0.shape[0] != n }) {
            throw DatasetError(file: url, key: bad.path, "has \(bad.shape[0]) rows but observations has \(n): lengths must match")
        }
        // Declared sizes are the file's word: bound them before anything multiplies or allocates.
        for key in perTransition {
            guard key.shape[0] <= Self.maxTransitions else {
                throw DatasetError(file: url, key: key.path, "declares \(key.shape[0]) rows, more than the \(Self.maxTransitions) a D4RL dataset can have")
            }
            if key.shape.count == 2, !(1...Self.maxWidth).contains(key.shape[1]) {
                throw DatasetError(file: url, key: key.path, "declares rows of \(key.shape[1]) values, expected 1 to \(Self.maxWidth)")
            }
        }
        transitions = n
        observationSize = observations.shape[1]
        actionSize = actions.shape[1]
    }

    /// Whether the file holds dataset `path`.
    public func has(_ path: String) -> Bool { keys.contains { $0.path == path } }

    /// The key's shape, nil when absent.
    public func shape(_ path: String) -> [Int]? { keys.first { $0.path == path }?.shape }

    /// The key's dtype, nil when absent.
    public func dtype(_ path: String) -> String? { keys.first { $0.path == path }?.dtype }

    /// Rows `range` of `path`, row-major, as Double. NaN or infinity is an error naming the key and row.
    public func read(_ path: String, _ range: Range<Int>) throws -> [Double] {
        let dataset = try file.dataset(path)
        let values = try dataset.rows(range)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            let width = max(1, dataset.rowWidth)
            throw DatasetError(file: url, key: path, "row \(range.lowerBound + bad / width) holds \(values[bad]) (NaN or infinite values are not valid data)")
        }
        return values
    }

    /// `metadata/*` string values.
    public func metadata() -> [String: String] {
        var result: [String: String] = [:]
        for key in keys where key.path.hasPrefix("metadata/") {
            if let value = try? file.dataset(key.path).stringValue() { result[String(key.path.dropFirst("metadata/".count))] = value }
        }
        return result
    }

    /// Lower-case hex SHA-256 of the file, read in 4 MiB blocks.
    public func sha256() throws -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw DatasetError(file: url, key: nil, "cannot read the file")
        }
        defer { try? handle.close() }
        return try SHA256Digest.hex(reading: handle, blockSize: 4 << 20)
    }

    /// Episodes as D4RL splits them: an episode ends after transition i when `terminals[i]` or
    /// `timeouts[i]`; trailing transitions without an end form a last, unfinished episode.
    /// Returns (first index, length, undiscounted return, ended by terminal).
    public func episodes() throws -> [Episode] {
        var episodes: [Episode] = []
        var start = 0, total = 0.0
        for chunk in stride(from: 0, to: transitions, by: Self.chunkRows) {
            let range = chunk..<min(transitions, chunk + Self.chunkRows)
            let rewards = try read("rewards", range), terminals = try read("terminals", range)
            let timeouts = has("timeouts") ? try read("timeouts", range) : [Double](repeating: 0, count: range.count)
            for (k, i) in range.enumerated() {
                total += rewards[k]
                if terminals[k] != 0 || timeouts[k] != 0 {
                    episodes.append(Episode(start: start, length: i + 1 - start, return: total, terminal: terminals[k] != 0, finished: true))
                    start = i + 1
                    total = 0
                }
            }
        }
        if start < transitions {
            episodes.append(Episode(start: start, length: transitions - start, return: total, terminal: false, finished: false))
        }
        return episodes
    }

    public struct Episode: Equatable, Sendable {
        public var start: Int
        public var length: Int
        public var `return`: Double
        public var terminal: Bool
        /// False for trailing transitions with neither a terminal nor a timeout.
        public var finished: Bool
    }
}
