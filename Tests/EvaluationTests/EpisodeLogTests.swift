import Foundation
import Testing
@testable import Evaluation

/// `EpisodeLog` (the `.jsonl` that `evaluate --resume` continues) read back in process: resume,
/// a partial last line, repeated lines, and the logs it refuses.
@Suite struct EpisodeLogTests {
    static let header = EpisodeLog.Header(tasks: ["hopper-medium-v2"], policies: ["random"], policyHashes: [""],
                                          policySettings: ["{}"], seeds: [0, 1], episodesPerSeed: 2, shard: nil,
                                          taskSemanticsVersion: 1, mujocoVersion: "2.1.0")

    static func episode(seed: UInt64, _ index: Int, return value: Double) -> EpisodeResult {
        EpisodeResult(task: "hopper-medium-v2", seed: seed, episode: index, return: value, length: 10, normalizedScore: nil, end: .truncated)
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("episode-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A log with the header and two episodes of seed 0 (the log is closed on return).
    static func writeLog(at url: URL) throws {
        let log = try EpisodeLog(url: url, header: header, resume: false)
        var timing = RolloutTiming()
        timing.total = 1.5
        timing.steps = 10
        try log.record(episode: episode(seed: 0, 0, return: 12.5), policy: "random", timing: timing)
        try log.record(episode: episode(seed: 0, 1, return: -3.25), policy: "random")
    }

    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func resumeReadsBackEpisodesAndTimingAndAppends() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.jsonl")
        try Self.writeLog(at: url)
        do {
            let log = try EpisodeLog(url: url, header: Self.header, resume: true)
            #expect(log.recordedEpisodes.map(\.result) == [Self.episode(seed: 0, 0, return: 12.5), Self.episode(seed: 0, 1, return: -3.25)])
            #expect(log.recordedEpisodes.allSatisfy { $0.policy == "random" })
            let timing = try #require(log.recordedTiming[GroupKey(task: "hopper-medium-v2", policy: "random")])
            #expect(timing.total == 1.5 && timing.steps == 10)
            #expect(log.notes.isEmpty)
            try log.record(episode: Self.episode(seed: 1, 0, return: 7), policy: "random")
        }
        let again = try EpisodeLog(url: url, header: Self.header, resume: true)
        #expect(again.recordedEpisodes.map(\.result.id) == [EpisodeID(seed: 0, episode: 0), EpisodeID(seed: 0, episode: 1), EpisodeID(seed: 1, episode: 0)])
        #expect(try Self.lines(url).count == 4, "one header and three episodes, nothing written twice")
    }

    @Test func withoutResumeTheLogStartsOver() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.jsonl")
        try Self.writeLog(at: url)
        let log = try EpisodeLog(url: url, header: Self.header, resume: false)
        #expect(log.recordedEpisodes.isEmpty)
        #expect(try Self.lines(url).count == 1 && Self.lines(url)[0].contains("\"type\":\"header\""))
    }

    /// A run killed mid-write leaves a partial last line: it is dropped (and cut from the file, so
    /// the next line starts on a line of its own); a bad line before the last is refused.
    @Test func truncatedLastLineIsDroppedAndCut() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.jsonl")
        try Self.writeLog(at: url)
        let complete = try Data(contentsOf: url)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"type\":\"episode\",\"policy\":\"ran".utf8))
        try handle.close()
        do {
            let log = try EpisodeLog(url: url, header: Self.header, resume: true)
            #expect(log.recordedEpisodes.count == 2)
            #expect(try Data(contentsOf: url) == complete, "the partial line is cut from the file")
            try log.record(episode: Self.episode(seed: 1, 1, return: 2), policy: "random")
        }
        #expect(try EpisodeLog(url: url, header: Self.header, resume: true).recordedEpisodes.count == 3)

        // The same bytes followed by a complete line: no longer the last line, so refused.
        try (complete + Data("{\"type\":\"episode\",\"policy\":\"ran\n".utf8) + complete.suffix(from: complete.firstIndex(of: 0x0A)! + 1)).write(to: url)
        #expect(throws: EvaluationError.resumeMismatch(file: url.path, reason: "line 4 is not a valid record")) {
            _ = try EpisodeLog(url: url, header: Self.header, resume: true)
        }
    }

    /// A line repeating an episode exactly (a copied line) counts once, with a note; a different
    /// result for the same episode is refused naming both lines.
    @Test func duplicateLinesCountOnceAndConflictingOnesAreRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.jsonl")
        try Self.writeLog(at: url)
        let lines = try Self.lines(url)
        try (lines + [lines[2]]).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        let log = try EpisodeLog(url: url, header: Self.header, resume: true)
        #expect(log.recordedEpisodes.count == 2)
        #expect(log.notes == ["\(url.path): line 4 repeats line 3 (episode 1 of seed 0 of hopper-medium-v2 × random); counted once"])

        let changed = lines[2].replacingOccurrences(of: "-3.25", with: "-3.5")
        #expect(changed != lines[2])
        try (lines + [changed]).joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EpisodeLogConflict.differentResults(file: url.path, lines: [3, 4], episode: 1, seed: 0,
                                                            task: "hopper-medium-v2", policy: "random")) {
            _ = try EpisodeLog(url: url, header: Self.header, resume: true)
        }
    }

    @Test func logsOfAnotherRunAreRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.jsonl")
        try Self.writeLog(at: url)
        var otherBuild = Self.header
        otherBuild.mujocoVersion = "2.3.7"
        #expect(throws: EpisodeLogConflict.otherPhysics(file: url.path, recorded: "2.1.0", current: "2.3.7")) {
            _ = try EpisodeLog(url: url, header: otherBuild, resume: true)
        }
        var otherSeeds = Self.header
        otherSeeds.seeds = [0, 2]
        #expect(throws: EvaluationError.resumeMismatch(file: url.path, reason: "it records a different run (tasks, policies, checkpoint hashes, settings, seeds, episodes or shard differ)")) {
            _ = try EpisodeLog(url: url, header: otherSeeds, resume: true)
        }
        // An episode outside the recorded plan (episode 5 of 2 per seed).
        let lines = try Self.lines(url)
        let outside = lines[2].replacingOccurrences(of: "\"episode\":1,", with: "\"episode\":5,")
        #expect(outside != lines[2])
        try [lines[0], lines[1], outside].joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: EpisodeLogConflict.foreignEpisode(file: url.path, line: 3, problem: "episode 5 of seed 0 is outside the recorded plan (episodes 0-1 per seed)")) {
            _ = try EpisodeLog(url: url, header: Self.header, resume: true)
        }
        try Data("{\"type\":\"episode\"}\n".utf8).write(to: url)
        #expect(throws: EvaluationError.resumeMismatch(file: url.path, reason: "it does not start with a run header")) {
            _ = try EpisodeLog(url: url, header: Self.header, resume: true)
        }
    }

    /// The library's messages name what to do, not the command line's flags (edp-eval adds those).
    @Test func conflictMessagesSpeakOfValues() {
        let conflict = EpisodeLogConflict.otherPhysics(file: "/r.jsonl", recorded: "2.1.0", current: "2.3.7")
        #expect(conflict.description == "cannot resume from /r.jsonl: it was run on MuJoCo 2.1.0 and this run uses MuJoCo 2.3.7; resume on MuJoCo 2.1.0, or start a new run")
        #expect(!conflict.description.contains("--"))
    }
}
