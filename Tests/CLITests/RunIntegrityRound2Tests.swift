import Foundation
import Testing
import TestSupport

/// Run integrity, second round (docs/run-integrity.md "Exit status"): each test drives the built `edp-eval` binary through
/// one of the cases and checks the fixed behaviour.
@Suite(.serialized) struct RunIntegrityRound2Tests {
    static let random = ["--task", "hopper-medium-v2", "--policy", "random"]
    /// hopper-medium-v2's D4RL reference scores (envs/tasks.json), for normalized scores.
    static let hopperMin = -20.272305, hopperMax = 3234.3

    static func normalized(_ r: Double) -> Double { 100 * (r - hopperMin) / (hopperMax - hopperMin) }

    /// Starts `edp-eval` in the background (output discarded).
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = CLI.root
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM") }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits (at most `seconds`) until `condition` holds.
    static func wait(seconds: Double = 60, until condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    static func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func episodes(_ report: [String: Any]) throws -> [[String: Any]] {
        let tasks = try #require(report["tasks"] as? [[String: Any]])
        return try tasks.flatMap { try #require($0["episodes"] as? [[String: Any]]) }
    }

    // MARK: case 1: --overwrite removes the previous set before the first episode

    @Test func interruptedOverwriteLeavesNoOldReport() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("r.json")
        let csv = folder.appendingPathComponent("r.csv"), log = folder.appendingPathComponent("r.jsonl")
        #expect(try CLI.run(["evaluate"] + Self.random + ["--episodes", "1", "--output", report.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: report.path) && FileManager.default.fileExists(atPath: csv.path))
        // A long run with --overwrite, killed once it has logged an episode.
        let run = try Self.start(["evaluate"] + Self.random + ["--episodes", "100000", "--environments", "1", "--output", report.path, "--overwrite"])
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) }; run.waitUntilExit() }
        #expect(Self.wait { let l = Self.lines(log); return l.count >= 2 && l[0].contains("\"episodes_per_seed\":100000") },
                "the run logged no episode")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        // The old report and CSV are gone: nothing can show the previous run's table as this one's.
        #expect(!FileManager.default.fileExists(atPath: report.path) && !FileManager.default.fileExists(atPath: csv.path))
        let merge = try CLI.run(["merge", report.path])
        #expect(merge.status == 1 && merge.stderr.contains("no such file"), "\(merge.stderr)")
        // The log is the new run's.
        let header = try #require(Self.lines(log).first)
        #expect(header.contains("\"episodes_per_seed\":100000"))
    }

    // MARK: case 2: the lock covers the stem, so `a` and `a.json` exclude each other

    @Test func outputsSharingFilesShareTheLock() throws {
        let folder = try temporaryFolder().appendingPathComponent("coll")
        let bare = folder.appendingPathComponent("a"), withExtension = folder.appendingPathComponent("a.json")
        let run = try Self.start(["evaluate"] + Self.random + ["--episodes", "100000", "--environments", "1", "--output", bare.path])
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) }; run.waitUntilExit() }
        let log = folder.appendingPathComponent("a.jsonl")
        #expect(Self.wait { Self.lines(log).count >= 2 }, "the first run logged no episode")
        let second = try CLI.run(["evaluate"] + Self.random + ["--episodes", "1", "--output", withExtension.path, "--overwrite"])
        #expect(second.status == 1 && second.stderr.contains("a.lock") && second.stderr.contains("in use by PID \(run.processIdentifier)"),
                "\(second.status) \(second.stderr)")
        #expect(run.isRunning, "the first run goes on")
        // The first run's log was not touched by the second.
        #expect(Self.lines(log).first?.contains("\"episodes_per_seed\":100000") == true)
        // Every command that writes takes the same stem lock: a bench or merge onto coll/a.json is refused too.
        let report = try temporaryFolder().appendingPathComponent("r.json")
        #expect(try CLI.run(["evaluate"] + Self.random + ["--episodes", "1", "--output", report.path]).status == 0)
        for command in [["bench", "--policy", "random", "--transitions", "4", "--output", withExtension.path, "--overwrite"],
                        ["merge", report.path, "--output", withExtension.path, "--overwrite"]] {
            let r = try CLI.run(command)
            #expect(r.status == 1 && r.stderr.contains("a.lock") && r.stderr.contains("in use by PID \(run.processIdentifier)"), "\(command[0]): \(r.stderr)")
        }
        // The report may not take the lock's name.
        let lockName = try CLI.run(["evaluate"] + Self.random + ["--episodes", "1", "--output", folder.appendingPathComponent("b.lock").path])
        #expect(lockName.status == 64 && lockName.stderr.contains(".lock"), "\(lockName.stderr)")
    }

    // MARK: case 6: no truncated files under final names; no silent overwrite; inputs are never outputs

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")))
    func interruptedRecordLeavesNoTruncatedVideo() throws {
        let folder = try temporaryFolder()
        // halfcheetah never terminates: 1,000 frames, several seconds of rendering and encoding.
        let run = try Self.start(["record", "--task", "halfcheetah-medium-v2", "--policy", "random", "--width", "64", "--height", "64",
                                  "--output", folder.path])
        defer { if run.isRunning { kill(run.processIdentifier, SIGKILL) }; run.waitUntilExit() }
        let partial = { (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.first { $0.contains(".partial-") } }
        #expect(Self.wait { partial().map { name in
            ((try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size]) as? Int ?? 0) > 0
        } ?? false }, "no partial video appeared")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("halfcheetah-medium-v2-seed0-ep0.mp4").path))
        // A complete recording appears under its name; recording again is refused without --overwrite.
        let args = ["record"] + Self.random + ["--max-frames", "3", "--width", "64", "--height", "64", "--contact-sheet", "--output", folder.path]
        #expect(try CLI.run(args).status == 0)
        let video = folder.appendingPathComponent("hopper-medium-v2-seed0-ep0.mp4")
        #expect(FileManager.default.fileExists(atPath: video.path))
        let again = try CLI.run(args)
        #expect(again.status == 64 && again.stderr.contains("hopper-medium-v2-seed0-ep0.mp4 already exists") && again.stderr.contains("--overwrite"),
                "\(again.stderr)")
        #expect(try CLI.run(args + ["--overwrite"]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!names.contains { $0.contains(".partial-") && $0.hasPrefix(".hopper") }, "\(names)")
    }

    @Test func everyWritingCommandRefusesAnExistingOutputAndItsInputs() throws {
        let folder = try temporaryFolder()
        let existing = folder.appendingPathComponent("existing.json")
        try Data("keep".utf8).write(to: existing)
        let dataset = "Tests/Fixtures/d4rl-datasets/hopper-small.hdf5"
        let bundled = "assets/checkpoints/edp-hopper-reference.safetensors"
        let episode = folder.appendingPathComponent("episode.json")
        try Data(#"{"seed": 0, "actions": [[0, 0, 0]]}"#.utf8).write(to: episode)
        let commands: [[String]] = [
            ["bench", "--policy", "random", "--transitions", "10", "--output", existing.path],
            ["verify", "--table", "edp-table2", "--output", existing.path],
            ["dataset", "check", "--task", "hopper-medium-v2", "--dataset", dataset, "--limit", "10", "--output", existing.path],
            ["export", bundled, "--output", existing.path],
            ["replay", "--task", "hopper-medium-v2", "--input", episode.path, "--output", existing.path],
            ["evaluate"] + Self.random + ["--episodes", "1", "--output", existing.path],
        ]
        for command in commands {
            let r = try CLI.run(command)
            #expect(r.status == 64 && r.stderr.contains("existing.json") && r.stderr.contains("already exists") && r.stderr.contains("--overwrite"),
                    "\(command[0]): \(r.status) \(r.stderr)")
            #expect(try String(contentsOf: existing, encoding: .utf8) == "keep")
        }
        // With --overwrite they replace it (bench and replay here: quick).
        #expect(try CLI.run(commands[0] + ["--overwrite"]).status == 0)
        #expect(try Self.json(existing)["sps"] != nil)

        // An output that is one of the command's inputs is refused, even with --overwrite.
        let report = folder.appendingPathComponent("r.json")
        #expect(try CLI.run(["evaluate"] + Self.random + ["--episodes", "1", "--output", report.path]).status == 0)
        let before = try Data(contentsOf: report)
        let link = folder.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: report)
        for output in [report.path, link.path] {
            let merge = try CLI.run(["merge", report.path, "--output", output, "--overwrite"])
            #expect(merge.status == 64 && merge.stderr.contains("is the input"), "\(merge.stderr)")
        }
        #expect(try Data(contentsOf: report) == before)
        let copy = folder.appendingPathComponent("copy.hdf5")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent(dataset), to: copy)
        let check = try CLI.run(["dataset", "check", "--task", "hopper-medium-v2", "--dataset", copy.path, "--output", copy.path, "--overwrite"])
        #expect(check.status == 64 && check.stderr.contains("is the input --dataset"), "\(check.stderr)")
        let replay = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", episode.path, "--output", episode.path, "--overwrite"])
        #expect(replay.status == 64 && replay.stderr.contains("is the input --input"), "\(replay.stderr)")
        let exportCopy = folder.appendingPathComponent("model.safetensors")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent(bundled), to: exportCopy)
        let export = try CLI.run(["export", exportCopy.path, "--output", exportCopy.path, "--overwrite"])
        #expect(export.status == 64 && export.stderr.contains("is the input checkpoint"), "\(export.stderr)")
        // Export writes under a temporary name and renames: the final file reads back, no partial left.
        let exported = folder.appendingPathComponent("out.safetensors")
        #expect(try CLI.run(["export", bundled, "--output", exported.path]).status == 0)
        #expect(try CLI.run(["inspect", exported.path]).status == 0)
        #expect(try !FileManager.default.contentsOfDirectory(atPath: folder.path).contains { $0.contains(".partial-") })
    }

    // MARK: case 3: resume trusts nothing it can recompute

    @Test func resumeDropsRepeatedLinesAndRecomputesNormalizedScores() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("r.json"), log = folder.appendingPathComponent("r.jsonl")
        let args = ["evaluate"] + Self.random + ["--episodes", "6", "--output", report.path]
        #expect(try CLI.run(args).status == 0)
        var lines = Self.lines(log)
        let episodeLine = try #require(lines.firstIndex { $0.contains("\"type\":\"episode\"") })
        // A repeated episode line: counted once, with a note naming both lines.
        lines.insert(lines[episodeLine], at: episodeLine + 1)
        // A return edited by hand (+100): the normalized score follows the return, not the stored one.
        var edited = try #require(try JSONSerialization.jsonObject(with: Data(lines[episodeLine + 2].utf8)) as? [String: Any])
        var episode = try #require(edited["episode"] as? [String: Any])
        let oldReturn = try #require(episode["return"] as? Double)
        episode["return"] = oldReturn + 100
        edited["episode"] = episode
        lines[episodeLine + 2] = String(decoding: try JSONSerialization.data(withJSONObject: edited, options: [.sortedKeys]), as: UTF8.self)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: log)
        let resumed = try CLI.run(args + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("line \(episodeLine + 2) repeats line \(episodeLine + 1)") && resumed.stderr.contains("counted once"),
                "\(resumed.stderr)")
        let episodes = try Self.episodes(try Self.json(report))
        #expect(episodes.count == 6)
        for e in episodes {
            let r = try #require(e["return"] as? Double), n = try #require(e["normalized_score"] as? Double)
            #expect(abs(n - Self.normalized(r)) < 1e-9, "normalized \(n) for return \(r)")
        }
        // (JSONSerialization may shorten the edited number: 1e-6 is far below the +100 edit.)
        #expect(episodes.contains { abs(($0["return"] as? Double ?? 0) - (oldReturn + 100)) < 1e-6 })

        // An episode outside the recorded plan (seed 7; episode 6 of 6) is refused, naming file and line.
        for (key, value) in [("seed", 7), ("episode", 6)] {
            var outside = try #require(try JSONSerialization.jsonObject(with: Data(lines[episodeLine].utf8)) as? [String: Any])
            var e = try #require(outside["episode"] as? [String: Any])
            e[key] = value
            outside["episode"] = e
            let text = String(decoding: try JSONSerialization.data(withJSONObject: outside, options: [.sortedKeys]), as: UTF8.self)
            try Data((Array(lines.prefix(1)) + [text]).joined(separator: "\n").appending("\n").utf8).write(to: log)
            let r = try CLI.run(args + ["--resume"])
            #expect(r.status == 1 && r.stderr.contains("r.jsonl") && r.stderr.contains("line 2")
                    && (r.stderr.contains("outside the recorded plan") || r.stderr.contains("not in the recorded plan")),
                    "\(key): \(r.status) \(r.stderr)")
        }
    }

    // MARK: case 4: merge trusts nothing it can recompute and refuses different sweeps

    @Test func mergeRefusesEpisodesOutsideThePlanAndDifferentSweeps() throws {
        let folder = try temporaryFolder()
        let a = folder.appendingPathComponent("a.json")
        #expect(try CLI.run(["evaluate"] + Self.random + ["--episodes", "3", "--output", a.path]).status == 0)
        let original = try Self.json(a)
        func variant(_ name: String, _ edit: (inout [String: Any]) throws -> Void) throws -> URL {
            var object = original
            try edit(&object)
            let url = folder.appendingPathComponent(name)
            try JSONSerialization.data(withJSONObject: object).write(to: url)
            return url
        }
        func editEpisode(_ object: inout [String: Any], _ body: (inout [String: Any]) -> Void) throws {
            var tasks = try #require(object["tasks"] as? [[String: Any]])
            var episodes = try #require(tasks[0]["episodes"] as? [[String: Any]])
            body(&episodes[0])
            tasks[0]["episodes"] = episodes
            object["tasks"] = tasks
        }
        // A stored normalized score of 1e308 is recomputed from the return: a finite, honest mean.
        let absurd = try variant("absurd.json") { try editEpisode(&$0) { $0["normalized_score"] = 1e308 } }
        let merged = folder.appendingPathComponent("m.json")
        let m = try CLI.run(["merge", absurd.path, "--output", merged.path])
        #expect(m.status == 0, "\(m.stderr)")
        let episodes = try Self.episodes(try Self.json(merged))
        let mean = episodes.map { Self.normalized($0["return"] as! Double) }.reduce(0, +) / Double(episodes.count)
        let row = try #require((try Self.json(merged)["tasks"] as? [[String: Any]])?.first)
        let score = try #require(row["normalized_score"] as? [String: Any])
        #expect(abs((score["mean"] as? Double ?? .nan) - mean) < 1e-9, "\(score)")

        let cases: [(URL, String)] = [
            (try variant("return.json") { try editEpisode(&$0) { $0["return"] = 1e308 } }, "expected a finite number"),
            (try variant("seed.json") { try editEpisode(&$0) { $0["seed"] = 9 } }, "seed 9 is not in the recorded plan"),
            (try variant("episode.json") { try editEpisode(&$0) { $0["episode"] = 3 } }, "outside the recorded plan"),
            (try variant("task.json") { object in
                var tasks = try #require(object["tasks"] as? [[String: Any]])
                var extra = tasks[0]
                extra["task"] = "walker2d-medium-v2"
                extra["episodes"] = (extra["episodes"] as? [[String: Any]] ?? []).map { var e = $0; e["task"] = "walker2d-medium-v2"; return e }
                tasks.append(extra)
                object["tasks"] = tasks
            }, "task walker2d-medium-v2 is not in the recorded plan"),
        ]
        for (file, message) in cases {
            let r = try CLI.run(["merge", file.path])
            #expect(r.status == 1 && r.stderr.contains(file.lastPathComponent) && r.stderr.contains(message), "\(file.lastPathComponent): \(r.stderr)")
        }
        // Reports of different sweeps (other seeds; other tasks) are refused.
        let b = folder.appendingPathComponent("b.json")
        #expect(try CLI.run(["evaluate"] + Self.random + ["--episodes", "3", "--seed", "5", "--output", b.path]).status == 0)
        let c = folder.appendingPathComponent("c.json")
        #expect(try CLI.run(["evaluate", "--task", "walker2d-medium-v2", "--policy", "random", "--episodes", "3", "--output", c.path]).status == 0)
        for other in [b, c] {
            let r = try CLI.run(["merge", a.path, other.path])
            #expect(r.status == 1 && r.stderr.contains("records a different sweep"), "\(r.stderr)")
        }
    }

    // MARK: case 7: dataset check judges at the file's precision

    @Test func datasetCheckToleratesFloat32RoundingButNotTampering() throws {
        let folder = try temporaryFolder()
        let fixtures = "Tests/Fixtures/d4rl-datasets/"
        let output = folder.appendingPathComponent("check.json")
        let base = ["dataset", "check", "--task", "hopper-medium-v2", "--output", output.path, "--overwrite"]
        // hopper-small with float32 states (as D4RL stores them): 781 next observations differ by
        // float32 rounding (at most 9.5e-7), none beyond 16 ulps of the transition's largest value.
        let clean = try CLI.run(base + ["--dataset", fixtures + "hopper-small-float32.hdf5"])
        #expect(clean.status == 0 && clean.stdout.contains("800 of 800 transitions checked, 0 beyond the tolerance"), "\(clean.status) \(clean.stdout)")
        var report = try Self.json(output)
        #expect(report["mismatch_count"] as? Int == 0 && (report["mismatches"] as? [Any])?.isEmpty == true)
        #expect(report["transitions"] as? Int == 800 && report["checked"] as? Int == 800)
        let maxDiff = try #require(report["max_abs_diff"] as? Double)
        #expect(maxDiff > 0 && maxDiff < 1e-6, "rounding differences are there, below 1e-6: \(maxDiff)")
        let tolerance = try #require(report["tolerance"] as? [String: Any])
        #expect(tolerance["ulps"] as? Int == 16 && tolerance["precision"] as? String == "float32", "\(tolerance)")
        let fields = try #require(report["fields"] as? [String: [String: Any]])
        #expect((fields["next_observations"]?["differing"] as? Int ?? 0) > 700 && fields["next_observations"]?["beyond_tolerance"] as? Int == 0)

        // The tampered copy still fails, with exactly its five edits.
        let tampered = try CLI.run(base + ["--dataset", fixtures + "hopper-small-tampered.hdf5"])
        #expect(tampered.status == 1, "\(tampered.stdout)")
        report = try Self.json(output)
        #expect(report["mismatch_count"] as? Int == 5)
        let listed = try #require(report["mismatches"] as? [[String: Any]])
        #expect(listed.count == 5 && listed.allSatisfy { ($0["max_abs_diff"] as? Double ?? 0) > ($0["tolerance"] as? Double ?? 1) })

        // --tolerance overrides the rule: 0 makes the float32 rounding count.
        let strict = try CLI.run(base + ["--dataset", fixtures + "hopper-small-float32.hdf5", "--tolerance", "0"])
        #expect(strict.status == 1 && strict.stdout.contains("beyond the tolerance"), "\(strict.stdout)")
        #expect(try Self.json(output)["mismatch_count"] as? Int ?? 0 > 700)
        let bad = try CLI.run(base + ["--dataset", fixtures + "hopper-small-float32.hdf5", "--tolerance", "-1"])
        #expect(bad.status == 64 && bad.stderr.contains("--tolerance must be a finite number ≥ 0"), "\(bad.stderr)")
    }
}
