import Foundation
import Testing
import TestSupport

/// Run integrity (docs/run-integrity.md "One output rule"): each test drives the built `edp-eval` binary through one of the
/// issue's reproductions and checks the fixed behaviour (exit status, message, files written).
@Suite(.serialized) struct RunIntegrityTests {
    static let root = TestFixtures.repositoryRoot
    /// The trained Diffusion-QL pair (`Tests/Fixtures/dql/trained`); `dql/init` holds another critic
    /// of the same shapes, used as the "replaced critic".
    static let dqlPair = TestFixtures.destination("dql/trained")
    static let otherCritic = TestFixtures.destination("dql/init/critic_2000.pth")
    static let bundled = root.appendingPathComponent("assets/checkpoints/edp-hopper-reference.safetensors")

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Runs `edp-eval` (found next to the test bundle) or another program, from the repository root.
    static func run(_ arguments: [String], program: URL? = nil) throws -> Run {
        // A test run inside a Slurm job must not pick up the job's CPUs or ids.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM") }
            .merging(["EDP_EVAL_MUJOCO": "2.3.7"]) { _, pinned in pinned }
        let r = try ChildProcess.run(program ?? binary, arguments, environment: environment, in: root)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: r.seconds)
    }

    static let binary: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("edp-eval").path) && folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("edp-eval")
    }()

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-integrity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func sha256(_ url: URL) throws -> String {
        let r = try run([url.path], program: URL(fileURLWithPath: "/usr/bin/sha256sum"))
        return String(r.stdout.prefix(64))
    }

    // MARK: 1, 2, 8: sizes, threads and output paths are checked before any work

    /// Refused before any work: the usage error and nothing else (no report, no progress, no
    /// output file), however large the size asked for.
    @Test func hugeSizesAndBadOutputsAreUsageErrorsBeforeAnyWork() throws {
        let random = ["--task", "hopper-medium-v2", "--policy", "random"]
        let cases: [(arguments: [String], message: String)] = [
            (["evaluate"] + random + ["--episodes", "9223372036854775807", "--seeds", "2"], "more than 1000000 episodes"),
            (["evaluate"] + random + ["--episodes", "9223372036854775807"], "more than 1000000 episodes"),
            (["evaluate"] + random + ["--episodes", "100000000"], "more than 1000000 episodes"),
            (["evaluate"] + random + ["--episodes", "-1"], "--episodes must be ≥ 1"),
            (["bench", "--policy", "random", "--transitions", "100", "--threads", "3000000000"], "--threads must be between 1 and"),
            (["evaluate"] + random + ["--threads", "3000000000"], "--threads must be between 1 and"),
            (["evaluate"] + random + ["--threads", "100000"], "--threads must be between 1 and 4096"),
            (["evaluate"] + random + ["--environments", "9223372036854775807"], "--environments must be between 1 and"),
            (["evaluate"] + random + ["--environments", "10001"], "--environments must be between 1 and 10000"),
            (["bench", "--policy", "random", "--environments", "1000000"], "--environments must be between 1 and 10000"),
            (["bench", "--policy", "random", "--transitions", "100", "--environments", "200"], "more than --transitions 100"),
            (["record"] + random + ["--output", "v", "--episodes", "-1"], "--episodes must be ≥ 1"),
            (["record"] + random + ["--output", "v", "--episodes", "100000000"], "more than 1000000 episodes"),
        ]
        for c in cases {
            let r = try Self.run(c.arguments)
            #expect(r.status == 64 && r.stderr.contains(c.message), "\(c.arguments): \(r.status) \(r.stderr)")
            #expect(r.stdout.isEmpty && r.stderr.hasPrefix("Error: ") && !r.stderr.contains("progress: "), "\(c.arguments): \(r.stdout) \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("backtrace"))
        }
        let folder = try Self.folder()
        let file = folder.appendingPathComponent("plain-file")
        try Data().write(to: file)
        let outputs: [(path: String, message: String)] = [
            (folder.path, "is a folder"), ("", "is empty"), (folder.path + "/sub/", "ends in '/'"),
            (file.path + "/report.json", "is a file, not a folder"),
        ]
        for command in [["evaluate"] + random + ["--episodes", "1"], ["bench", "--policy", "random", "--transitions", "10"],
                        ["verify", "--table", "edp-table2"]] {
            for o in outputs {
                let r = try Self.run(command + ["--output", o.path])
                #expect(r.status == 64 && r.stderr.contains(o.message), "\(command[0]) --output '\(o.path)': \(r.status) \(r.stderr)")
                #expect(r.stdout.isEmpty && r.stderr.hasPrefix("Error: ") && !r.stderr.contains("NSCocoaErrorDomain"))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/sub"), "a refused --output created its folder")
    }

    @Test func threadsBeyondTheCoresAreCappedAndRecordedAsRun() throws {
        let folder = try Self.folder()
        let report = folder.appendingPathComponent("r.json")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let r = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1",
                              "--threads", "\(cores + 1)", "--output", report.path])
        #expect(r.status == 0, "\(r.stderr)")
        let provenance = try #require(try Self.json(report)["provenance"] as? [String: Any])
        #expect(provenance["threads"] as? Int == cores && r.stderr.contains("capped to the \(cores) cores"))
    }

    // MARK: 3: every file of a Diffusion-QL checkpoint is hashed and checked

    @Test func diffusionQLCriticIsHashedAndCheckedByResumeAndMerge() throws {
        let folder = try Self.folder()
        let pair = Self.dqlPair
        let actor = folder.appendingPathComponent("actor_2000.pth"), critic = folder.appendingPathComponent("critic_2000.pth")
        try FileManager.default.copyItem(at: pair.appendingPathComponent("actor_2000.pth"), to: actor)
        try FileManager.default.copyItem(at: pair.appendingPathComponent("critic_2000.pth"), to: critic)
        let first = folder.appendingPathComponent("first.json")
        let arguments = ["evaluate", "--task", "hopper-medium-v2", "--checkpoint", actor.path, "--episodes", "1"]
        let r = try Self.run(arguments + ["--output", first.path])
        #expect(r.status == 0, "\(r.stderr)")
        let firstProvenance = try #require(try Self.json(first)["provenance"] as? [String: Any])
        let files = try #require(firstProvenance["checkpoints"] as? [[String: Any]])
        let hashes = Set(files.compactMap { $0["sha256"] as? String })
        #expect(hashes == [try Self.sha256(actor), try Self.sha256(critic)])

        // Replace the critic: resuming the first run and merging with the first report are refused.
        try FileManager.default.removeItem(at: critic)
        try FileManager.default.copyItem(at: Self.otherCritic, to: critic)
        let resumed = try Self.run(arguments + ["--output", first.path, "--resume"])
        #expect(resumed.status != 0 && resumed.stderr.contains("records a different run"), "\(resumed.stderr)")
        let second = folder.appendingPathComponent("second.json")
        #expect(try Self.run(arguments + ["--seed", "1", "--output", second.path]).status == 0)
        let merged = try Self.run(["merge", first.path, second.path])
        #expect(merged.status != 0 && merged.stderr.contains("policies differ"), "\(merged.stderr)")
    }

    // MARK: 7: absurd Q-values end episodes as unstable, and a mostly unstable run exits 1

    @Test func absurdQValuesEndEpisodesAsUnstable() throws {
        let folder = try Self.folder()
        let broken = folder.appendingPathComponent("broken.safetensors")
        var bytes = try Data(contentsOf: Self.bundled)
        // safetensors: u64 header length, JSON header {name: {dtype, shape, data_offsets}}, data.
        let headerLength = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let entry = try #require(header["qf1/params/Dense_3/kernel"] as? [String: Any])
        let offsets = try #require(entry["data_offsets"] as? [Int])
        for (k, offset) in stride(from: 8 + headerLength + offsets[0], to: 8 + headerLength + offsets[1], by: 4).enumerated() {
            let value: Float = k % 2 == 0 ? 3e38 : -3e38
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.replaceSubrange(offset..<(offset + 4), with: $0) }
        }
        try bytes.write(to: broken)
        let report = folder.appendingPathComponent("r.json")
        let r = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", broken.path, "--episodes", "2",
                              "--output", report.path])
        #expect(r.status == 1 && r.stderr.contains("most episodes ended unstable"), "\(r.status) \(r.stderr)")
        let tasks = try #require(try Self.json(report)["tasks"] as? [[String: Any]])
        let episodes = try #require(tasks.first?["episodes"] as? [[String: Any]])
        #expect(episodes.count == 2 && episodes.allSatisfy { $0["end"] as? String == "unstable" })
        #expect(episodes.allSatisfy { ($0["detail"] as? String)?.contains("critic Q1 of candidate") == true })
    }

    // MARK: 9: one run per output; an existing log is never replaced silently

    @Test func outputIsLockedAndNeverOverwrittenSilently() throws {
        let folder = try Self.folder()
        let report = folder.appendingPathComponent("r.json")
        let arguments = ["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1", "--output", report.path]
        #expect(try Self.run(arguments).status == 0)
        let again = try Self.run(arguments)
        #expect(again.status == 64 && again.stderr.contains("already exists") && again.stderr.contains("--overwrite"))
        #expect(try Self.run(arguments + ["--overwrite"]).status == 0)
        #expect(try Self.run(arguments + ["--resume", "--overwrite"]).status == 64)

        // A live owner (another process holding the lock) is refused, named by the lock file's text.
        let lock = folder.appendingPathComponent("r.lock")
        try Data("PID 4242 on host elsewhere".utf8).write(to: lock)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [lock.path, "sleep", "20"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.5)
        let busy = try Self.run(arguments + ["--overwrite"])
        #expect(busy.status == 1 && busy.stderr.contains("in use by PID 4242 on host elsewhere"), "\(busy.stderr)")
        holder.terminate()
        holder.waitUntilExit()
        // The same file, no longer held (its owner died): a stale lock, taken over with a note.
        let stale = try Self.run(arguments + ["--overwrite"])
        #expect(stale.status == 0 && stale.stderr.contains("stale lock"), "\(stale.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lock.path), "the lock is removed when the run ends")
    }

    /// An unreadable report or table is named with a plain reason, not Foundation's error text.
    @Test func unreadableFilesAreNamedInPlainWords() throws {
        let folder = try Self.folder()
        let missing = folder.appendingPathComponent("missing.json").path
        let merge = try Self.run(["merge", missing])
        #expect(merge.status != 0 && merge.stderr.contains(missing) && merge.stderr.contains("no such file"), "\(merge.stderr)")
        let asFolder = try Self.run(["merge", folder.path])
        #expect(asFolder.status != 0 && asFolder.stderr.contains("is a folder, not a file"), "\(asFolder.stderr)")
        for r in [merge, asFolder] { #expect(!r.stderr.contains("operation could not be completed") && !r.stderr.contains("NSCocoaErrorDomain")) }
    }

    /// `--resume` with a report but no episode log has nothing to continue: refused, the report kept.
    @Test func resumeRefusesAReportWithoutItsLog() throws {
        let folder = try Self.folder()
        let report = folder.appendingPathComponent("r.json")
        try Data("{}".utf8).write(to: report)
        let r = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1",
                              "--output", report.path, "--resume"])
        #expect(r.status == 64 && r.stderr.contains("its episode log") && r.stderr.contains("--overwrite"), "\(r.status) \(r.stderr)")
        #expect(try String(contentsOf: report, encoding: .utf8) == "{}")
        // Neither file yet: --resume starts the run (a Slurm task's first attempt).
        try FileManager.default.removeItem(at: report)
        let fresh = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1",
                                  "--output", report.path, "--resume"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
    }

    // MARK: 10: default width: episodes finish in waves

    @Test func defaultWidthLetsEpisodesFinishThroughTheRun() throws {
        let folder = try Self.folder()
        let report = folder.appendingPathComponent("r.json")
        let r = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "40",
                              "--output", report.path])
        #expect(r.status == 0, "\(r.stderr)")
        let provenance = try #require(try Self.json(report)["provenance"] as? [String: Any])
        #expect(provenance["environments_in_flight"] as? Int == 20)
        let lines = try Self.episodeLines(folder.appendingPathComponent("r.jsonl"))
        #expect(lines.count == 40)
        // Environments step in lockstep, so the steps logged with the first finished episode (all
        // steps since the start) are (environments in flight) × (its length): 20 × length here,
        // 40 × length with every episode in flight. So at most 20 episodes had started when the
        // first one was logged: the rest start after episodes have finished.
        let first = try #require(lines.first)
        #expect(first.steps == 20 * first.length, "first episode: \(first.length) steps long, \(first.steps) steps logged with it")
    }

    @Test func defaultWidthIsSizedFromTheEpisodesAGroupRunsHere() throws {
        // The default 10-episode run: 5 in flight (⌈10/2⌉), so episodes finish progressively.
        let folder = try Self.folder()
        let small = folder.appendingPathComponent("small.json")
        let r = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--output", small.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try #require(try Self.json(small)["provenance"] as? [String: Any])["environments_in_flight"] as? Int == 5)
        // Shard 1/4 of 4 seeds × 10 episodes runs one seed, 10 episodes: 5 in flight, not ⌈40/2⌉ = 20.
        let shard = folder.appendingPathComponent("shard.json")
        let s = try Self.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--seeds", "4",
                              "--shard", "1/4", "--output", shard.path])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(try #require(try Self.json(shard)["provenance"] as? [String: Any])["environments_in_flight"] as? Int == 5)
        let first = try #require(try Self.episodeLines(folder.appendingPathComponent("shard.jsonl")).first)
        #expect(first.steps == 5 * first.length)
    }

    /// Episode lines of a `.jsonl` log in order: each episode's length and the steps logged with it.
    static func episodeLines(_ url: URL) throws -> [(length: Int, steps: Int)] {
        let log = try String(contentsOf: url, encoding: .utf8)
        return try log.split(separator: "\n").compactMap { line -> (length: Int, steps: Int)? in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard object["type"] as? String == "episode" else { return nil }
            let episode = try #require(object["episode"] as? [String: Any])
            let timing = try #require(object["timing"] as? [String: Any])
            return (try #require(episode["length"] as? Int), try #require(timing["steps"] as? Int))
        }
    }

    // MARK: 11 and 4: verify gates CI and checks series with the table's protocol

    @Test func verifyExitsOneWhenARowIsNotConsistent() throws {
        let folder = try Self.folder()
        let actor = Self.dqlPair.appendingPathComponent("actor_2000.pth").path
        let table = folder.appendingPathComponent("claims.csv")
        try Data("task,method,score\nhopper-medium-v2,DQL,1000\n".utf8).write(to: table)
        // Two episodes: an interval (one episode is inconclusive, RunIntegrityRound2Tests).
        let bad = try Self.run(["verify", "--table", table.path, "--episodes", "2", "--checkpoint", "hopper-medium-v2=\(actor)"])
        #expect(bad.status == 1 && bad.stdout.contains("NOT consistent") && bad.stderr.contains("1 of 1 checked rows are NOT consistent"))
        try Data("task,method,score\nhopper-medium-v2,DQL,0 ± 1000\n".utf8).write(to: table)
        let good = try Self.run(["verify", "--table", table.path, "--episodes", "2", "--checkpoint", "hopper-medium-v2=\(actor)"])
        #expect(good.status == 0 && good.stdout.contains("consistent"), "\(good.stderr)")
    }

    @Test func verifyNamesWhatIsWrong() throws {
        let method = try Self.run(["verify", "--table", "edp-table4", "--method", "EPD", "--checkpoint", "hopper-medium-v2=\(Self.bundled.path)"])
        // Usage errors (exit 64), as docs/run-integrity.md "Exit status" says.
        #expect(method.status == 64 && method.stderr.contains("--method 'EPD'") && method.stderr.contains("has no rows for it")
                && method.stderr.contains("Diffusion-QL, DQL (JAX), EDP"), "\(method.status) \(method.stderr)")
        let table = try Self.run(["verify", "--table", "edp-table9", "--checkpoint", "hopper-medium-v2=\(Self.bundled.path)"])
        #expect(table.status == 64 && table.stderr.contains("unknown table 'edp-table9'") && table.stderr.contains("edp-table4"), "\(table.status) \(table.stderr)")
        let folder = try Self.folder()
        let file = folder.appendingPathComponent("claims.csv")
        for (text, message) in [("task,EDP,EDP\nhopper-medium-v2,1,2\n", "column 'EDP' appears twice"),
                                ("task,EDP\nhopper-medium-v2,1\nhopper-medium-v2,2\n", "repeats line 2"),
                                ("task,method,score\nhopper-medium-v2,A,1\nhopper-medium-v2,A,2\n", "repeats line 2")] {
            try Data(text.utf8).write(to: file)
            let r = try Self.run(["verify", "--table", file.path, "--checkpoint", "hopper-medium-v2=\(Self.bundled.path)"])
            #expect(r.status == 1 && r.stderr.contains(message), "\(r.stderr)")
        }
        try Data("task,EDP\nhoper-medium-v2,1\nhopper-medium-v2,2\n".utf8).write(to: file)
        let unknown = try Self.run(["verify", "--table", file.path, "--checkpoint", "walker2d-medium-v2=\(Self.bundled.path)"])
        #expect(unknown.stderr.contains("names tasks edp-eval does not know") && unknown.stderr.contains("hoper-medium-v2"))
        // A series without a known protocol is refused before anything runs.
        let series = try Self.run(["verify", "--table", file.path, "--checkpoint", "hopper-medium-v2=\(Self.bundled.path)",
                                   "--checkpoint", "hopper-medium-v2=\(Self.bundled.path)"])
        #expect(series.status == 64 && series.stderr.contains("--protocol rat or --protocol oms"), "\(series.stderr)")
    }

    @Test func verifyScoresASeriesOfCheckpointsWithTheTablesProtocol() throws {
        let actor = Self.dqlPair.appendingPathComponent("actor_2000.pth").path
        let folder = try Self.folder()
        let output = folder.appendingPathComponent("v.json")
        let r = try Self.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "1",
                              "--checkpoint", "hopper-medium-v2=\(actor)", "--checkpoint", "hopper-medium-v2=\(actor)",
                              "--output", output.path, "--strict"])
        // One run against a table without ± over seeds: the prediction interval cannot be made
        // (inconclusive; exit 1 only with --strict).
        #expect(r.status == 1 && r.stdout.contains("OMS of 2 checkpoints") && r.stdout.contains("inconclusive"), "\(r.stdout) \(r.stderr)")
        let verdicts = try #require(try Self.json(output)["verdicts"] as? [[String: Any]])
        #expect(verdicts.count == 1 && (verdicts[0]["basis"] as? String)?.hasPrefix("OMS of 2 checkpoints") == true)
    }

    // MARK: 4, 5: record writes one video per checkpoint, at 1/dt (or --fps) frames per second

    static var canRecord: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe")
    }

    static func frameRate(_ video: URL) throws -> String {
        let r = try run(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", "-of", "csv=p=0", video.path],
                        program: URL(fileURLWithPath: "/usr/bin/ffprobe"))
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Gymnasium's dt per robot (frame_skip × timestep): hopper, walker2d 4 × 0.002 s; halfcheetah
    /// 5 × 0.01 s; D4RL's AntMaze ant 5 × 0.02 s.
    @Test(.enabled(if: canRecord), arguments: [("hopper-medium-v2", "125/1"), ("walker2d-medium-v2", "125/1"),
                                               ("halfcheetah-medium-v2", "20/1"), ("antmaze-umaze-v0", "10/1")])
    func videosRunAtOneOverDt(task: String, rate: String) throws {
        let folder = try Self.folder()
        // 128×128 (not smaller): at 64×64 ffmpeg happened to pick 125 fps even before the fix.
        let common = ["record", "--task", task, "--policy", "random", "--max-frames", "4", "--width", "128", "--height", "128"]
        let r = try Self.run(common + ["--output", folder.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.frameRate(folder.appendingPathComponent("\(task)-seed0-ep0.mp4")) == rate)
        let fps = folder.appendingPathComponent("fps")
        #expect(try Self.run(common + ["--output", fps.path, "--fps", "30"]).status == 0)
        #expect(try Self.frameRate(fps.appendingPathComponent("\(task)-seed0-ep0.mp4")) == "30/1")
    }

    @Test(.enabled(if: canRecord)) func recordWritesOneVideoPerCheckpoint() throws {
        let folder = try Self.folder()
        // Two checkpoints of a "run": the Diffusion-QL pair in two folders.
        var actors: [String] = []
        for run in ["a", "b"] {
            let sub = folder.appendingPathComponent(run)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            for name in ["actor_2000.pth", "critic_2000.pth"] {
                try FileManager.default.copyItem(at: Self.dqlPair.appendingPathComponent(name), to: sub.appendingPathComponent(name))
            }
            actors.append(sub.appendingPathComponent("actor_2000.pth").path)
        }
        let r = try Self.run(["record", "--task", "hopper-medium-v2", "--checkpoint", actors[0], "--checkpoint", actors[1],
                              "--max-frames", "3", "--width", "64", "--height", "64", "--out", folder.path])
        #expect(r.status == 0, "\(r.stderr)")
        for i in 1...2 {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("hopper-medium-v2-policy\(i)-seed0-ep0.mp4").path))
        }
    }

    // MARK: Polish

    @Test func versionOutputNamesAndSnakeCaseJSON() throws {
        let version = try Self.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("edp-eval 0.") && version.stdout.contains("MuJoCo 2.1.0 and 2.3.7"))
        let recordHelp = try Self.run(["record", "--help"])
        #expect(recordHelp.stdout.contains("-o, --output") && !recordHelp.stdout.contains("--out <"))
        // The discussion is one paragraph wrapped by the parser: no line break inside the sentence
        // (the hard-wrapped text started lines with "DIR/…" and "offscreen and writes" ended one).
        let discussion = recordHelp.stdout.components(separatedBy: "USAGE:")[0]
        let helpLines = discussion.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(!helpLines.contains { $0.hasPrefix("DIR/") || $0.hasSuffix("offscreen and writes") || $0.hasSuffix("one video per checkpoint:") },
                "\(recordHelp.stdout)")
        let inspect = try Self.run(["inspect", Self.bundled.path, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(json["observation_size"] as? Int == 11 && json["configuration"] == nil && json["observationSize"] == nil)

        let folder = try Self.folder()
        let report = folder.appendingPathComponent("r.json")
        let r = try Self.run(["evaluate", "--task", "hopper-medium-v2", "hopper-medium-v2", "--policy", "random", "--episodes", "1",
                              "-o", report.path])
        #expect(r.status == 0 && r.stderr.contains("--task hopper-medium-v2 is given more than once"), "\(r.stderr)")
        #expect(try #require(try Self.json(report)["tasks"] as? [Any]).count == 1)
        let header = try String(contentsOf: folder.appendingPathComponent("r.jsonl"), encoding: .utf8).split(separator: "\n")[0]
        #expect(header.contains("\"policy_hashes\"") && header.contains("\"episodes_per_seed\"") && !header.contains("policyHashes"))
    }

    @Test func benchUsesTheCheckpointsOwnTaskAndSettings() throws {
        let folder = try Self.folder()
        let output = folder.appendingPathComponent("b.json")
        let r = try Self.run(["bench", "--checkpoint", Self.bundled.path, "--transitions", "4", "--environments", "4", "-o", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Self.json(output)
        #expect(json["task"] as? String == "hopper-medium-expert-v2")
        let provenance = try #require(json["provenance"] as? [String: Any])
        let settings = try #require(provenance["policy"] as? [String: Any])
        // Numbers are stored as numbers (it was the string "50").
        #expect(settings["candidates"] is NSNumber && settings["candidates"] as? Int == 50 && settings["sampler"] as? String == "dpm")
    }

    /// A checkpoint that names no task (Diffusion-QL, hopper: 11 observations) is not silently
    /// timed on walker2d (17): bench asks for --task, and runs with it.
    @Test func benchAsksForTheTaskOfACheckpointThatNamesNone() throws {
        let actor = Self.dqlPair.appendingPathComponent("actor_2000.pth").path
        let r = try Self.run(["bench", "--checkpoint", actor, "--transitions", "4", "--environments", "4"])
        #expect(r.status != 0 && r.stderr.contains("no variant 'env'") && r.stderr.contains("pass --task"), "\(r.status) \(r.stderr)")
        let folder = try Self.folder()
        let output = folder.appendingPathComponent("b.json")
        let ok = try Self.run(["bench", "--checkpoint", actor, "--task", "hopper-medium-v2", "--transitions", "4",
                               "--environments", "4", "-o", output.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try Self.json(output)["task"] as? String == "hopper-medium-v2")
        // A checkpoint that cannot be loaded is reported, not replaced by the default task.
        let broken = folder.appendingPathComponent("broken.safetensors")
        try Data("not a checkpoint".utf8).write(to: broken)
        let bad = try Self.run(["bench", "--checkpoint", broken.path, "--transitions", "4", "--environments", "4"])
        #expect(bad.status != 0 && bad.stderr.contains("broken.safetensors") && !bad.stdout.contains("walker2d"), "\(bad.stderr)")
    }

    /// PNG frames are compressed (libpng): a 480×480 hopper frame was 692 KB with stored blocks.
    @Test(.enabled(if: canRecord)) func pngFramesAreCompressed() throws {
        let folder = try Self.folder()
        let r = try Self.run(["record", "--task", "hopper-medium-v2", "--policy", "random", "--max-frames", "3", "--no-video",
                              "--png-frames", "--output", folder.path])
        #expect(r.status == 0, "\(r.stderr)")
        let frames = folder.appendingPathComponent("hopper-medium-v2-seed0-ep0")
        let files = try FileManager.default.contentsOfDirectory(atPath: frames.path).filter { $0.hasSuffix(".png") }
        #expect(files.count == 3)
        for file in files {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: frames.appendingPathComponent(file).path)[.size] as? Int)
            #expect(size > 1000 && size <= 100_000, "\(file): \(size) bytes")
        }
    }
}
