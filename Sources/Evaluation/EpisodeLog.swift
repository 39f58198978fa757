import Foundation

/// The append-only JSON Lines record of a run: a header line describing the run, then one line
/// per finished episode, carrying the time and steps spent since the previous line of its group,
/// and one timing line at the end of each (task, policy) group for the rest. Each line is written
/// and flushed as soon as it is known, so an interrupted run loses at most the episodes still in
/// flight (and the time spent on them); `resume` reads it back and the run continues where it
/// stopped, with the recorded time and steps added to the new ones.
public final class EpisodeLog {
    /// What must match for a log to be resumed: the run's identity.
    public struct Header: Codable, Equatable, Sendable {
        public var tasks: [String]
        public var policies: [String]
        /// SHA-256 of each checkpoint (same order as `policies`; "" for non-file policies); for a
        /// checkpoint of several files (Diffusion-QL actor + critic) `name=sha256` of each, joined by ",".
        public var policyHashes: [String]
        public var policySettings: [String]
        public var seeds: [UInt64]
        public var episodesPerSeed: Int
        public var shard: String?
        public var taskSemanticsVersion: Int
        public var mujocoVersion: String

        /// snake_case like the reports (logs of earlier builds used camelCase keys and cannot be resumed).
        enum CodingKeys: String, CodingKey {
            case tasks, policies, seeds, shard
            case policyHashes = "policy_hashes", policySettings = "policy_settings", episodesPerSeed = "episodes_per_seed"
            case taskSemanticsVersion = "task_semantics_version", mujocoVersion = "mujoco_version"
        }
    }

    struct Line: Codable {
        var type: String
        var header: Header?
        var policy: String?
        var episode: EpisodeResult?
        var timing: RolloutTiming?
        var task: String?
    }

    public let url: URL
    private let handle: FileHandle
    /// Episodes found in the file when it was opened (resume).
    public private(set) var recordedEpisodes: [(policy: String, result: EpisodeResult)] = []
    /// What resume noticed and fixed in the file (a repeated episode line dropped), for stderr.
    public private(set) var notes: [String] = []
    /// Timing lines found in the file when it was opened, per task and policy.
    public private(set) var recordedTiming: [GroupKey: RolloutTiming] = [:]

    /// Creates a new log (replacing any file there), or with `resume` continues an existing one
    /// after checking it describes the same run.
    public init(url: URL, header: Header, resume: Bool) throws {
        self.url = url
        let fm = FileManager.default
        if resume, fm.fileExists(atPath: url.path) {
            let text = try String(contentsOf: url, encoding: .utf8)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // A run killed mid-write can leave a partial last line: drop it.
            var validLength = 0
            var parsed: [Line] = []
            var lineNumbers: [Int] = []
            for (i, line) in lines.enumerated() where !line.isEmpty {
                guard let decoded = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)) else {
                    if i == lines.count - 1 || (i == lines.count - 2 && lines.last == "") { break }
                    throw EvaluationError.resumeMismatch(file: url.path, reason: "line \(i + 1) is not a valid record")
                }
                parsed.append(decoded)
                lineNumbers.append(i + 1)
                validLength += line.utf8.count + 1
            }
            lines.removeAll()
            guard let first = parsed.first, first.type == "header", let recorded = first.header else {
                throw EvaluationError.resumeMismatch(file: url.path, reason: "it does not start with a run header")
            }
            guard recorded.mujocoVersion == header.mujocoVersion else {
                throw EpisodeLogConflict.otherPhysics(file: url.path, recorded: recorded.mujocoVersion, current: header.mujocoVersion)
            }
            guard recorded == header else {
                throw EvaluationError.resumeMismatch(file: url.path, reason: "it records a different run (tasks, policies, checkpoint hashes, settings, seeds, episodes or shard differ)")
            }
            // Every episode must belong to the recorded plan and have possible values; a line that
            // repeats an episode exactly (a copy) is dropped with a note, a different result for
            // the same episode is refused.
            let plan = RecordedPlan(tasks: header.tasks, policies: header.policies, seeds: header.seeds,
                                    episodesPerSeed: header.episodesPerSeed, shard: header.shard.flatMap { try? Shard($0) })
            struct EpisodeKey: Hashable { var group: GroupKey; var id: EpisodeID }
            var seen: [EpisodeKey: (line: Int, episode: EpisodeResult)] = [:]
            for (line, number) in zip(parsed, lineNumbers).dropFirst() {
                if line.type == "episode", let e = line.episode, let p = line.policy {
                    if let problem = plan.problem(with: e, policy: p) {
                        throw EpisodeLogConflict.foreignEpisode(file: url.path, line: number, problem: problem)
                    }
                    let key = EpisodeKey(group: GroupKey(task: e.task, policy: p), id: e.id)
                    if let earlier = seen[key] {
                        guard earlier.episode == e else {
                            throw EpisodeLogConflict.differentResults(file: url.path, lines: [earlier.line, number], episode: e.episode,
                                                                      seed: e.seed, task: e.task, policy: p)
                        }
                        notes.append("\(url.path): line \(number) repeats line \(earlier.line) (episode \(e.episode) of seed \(e.seed) of \(e.task) × \(p)); counted once")
                        continue
                    }
                    seen[key] = (number, e)
                    recordedEpisodes.append((p, e))
                }
                if let t = line.timing, let p = line.policy, let task = line.task ?? line.episode?.task {
                    recordedTiming[GroupKey(task: task, policy: p), default: RolloutTiming()].add(t)
                }
            }
            handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(validLength))
            try handle.seekToEnd()
        } else {
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard fm.createFile(atPath: url.path, contents: nil) else {
                throw EvaluationError.resumeMismatch(file: url.path, reason: "cannot create the file")
            }
            handle = try FileHandle(forWritingTo: url)
            try append(Line(type: "header", header: header))
        }
    }

    deinit { try? handle.close() }

    /// - Parameter timing: time and steps spent on the group since its previous logged line.
    public func record(episode: EpisodeResult, policy: String, timing: RolloutTiming? = nil) throws {
        try append(Line(type: "episode", policy: policy, episode: episode, timing: timing))
    }

    public func record(timing: RolloutTiming, task: String, policy: String) throws {
        try append(Line(type: "timing", policy: policy, timing: timing, task: task))
    }

    private func append(_ line: Line) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(line)
        data.append(0x0A)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            // The system's reason (e.g. "No space left on device"), not Foundation's error dump.
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code
            throw EpisodeLogWriteError(file: url.path, reason: code.map { String(cString: strerror(Int32($0))) } ?? "the write failed")
        }
    }
}

extension RolloutTiming {
    /// This timing minus an earlier snapshot of the same run: what was spent in between.
    public func since(_ earlier: RolloutTiming) -> RolloutTiming {
        var t = RolloutTiming()
        t.total = total - earlier.total
        t.physics = physics - earlier.physics
        t.inference = inference - earlier.inference
        t.steps = steps - earlier.steps
        return t
    }

    /// Adds another run's seconds and steps.
    public mutating func add(_ other: RolloutTiming) {
        total += other.total
        physics += other.physics
        inference += other.inference
        steps += other.steps
    }
}

/// An episode could not be appended to the log (a full disk, a removed mount): the run stops;
/// the episodes logged before it are kept, and resuming the run continues from them.
public struct EpisodeLogWriteError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// The system's reason (`strerror`).
    public var reason: String
    public var description: String {
        "cannot append to the episode log \(file) (\(reason)): free some space, then resume the run to continue from the episodes logged so far"
    }
}
