import Foundation
import Testing
import TestSupport

/// Exit statuses, messages, JSON numbers, honest verdicts, help and
/// the manual, default cameras (docs/commands.md "Conventions"). Helpers are `RunIntegrityRound2Tests`'s.
@Suite(.serialized) struct HonestOutputTests {
    static let random = RunIntegrityRound2Tests.random
    static func json(_ url: URL) throws -> [String: Any] { try RunIntegrityRound2Tests.json(url) }

    // MARK: case 9: numbers are numbers

    @Test func jsonStoresNumbersAsNumbers() throws {
        let inspect = try CLI.run(["inspect", "Tests/Fixtures/edp-hopper-42k/model_final.pkl", "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let provenance = try #require(json["provenance"] as? [String: Any])
        #expect(provenance["epoch"] as? Int == 11 && provenance["total_steps"] as? Int == 42000, "\(provenance)")
        #expect(provenance["source_sha256"] is String)
        let variant = try #require(json["variant_highlights"] as? [String: Any])
        #expect(variant["seed"] as? Int == 43 && variant["algo_cfg.dpm_t_end"] as? Double == 0.001 && variant["n_epochs"] as? Int == 12, "\(variant)")
        #expect(variant["obs_norm"] as? Bool == false && variant["env"] as? String == "hopper-medium-expert-v2")

        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("r.json")
        let r = try CLI.run(["evaluate"] + Self.random + ["--episodes", "1", "--output", report.path],
                            environment: ["SLURM_JOB_ID": "1043", "SLURM_ARRAY_JOB_ID": "1040", "SLURM_ARRAY_TASK_ID": "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let scheduler = try #require((try Self.json(report)["provenance"] as? [String: Any])?["scheduler"] as? [String: Any])
        #expect(scheduler["job_id"] as? Int == 1043 && scheduler["array_job_id"] as? Int == 1040, "\(scheduler)")
        // merge reads it back (and reports of earlier builds with string ids).
        #expect(try CLI.run(["merge", report.path]).status == 0)
    }

    // MARK: case 10: one exit-status rule

    @Test func commandLineMistakesExit64() throws {
        let v = try temporaryFolder().path
        let bundled = "assets/checkpoints/edp-hopper-reference.safetensors"
        let cases: [(arguments: [String], message: String)] = [
            (["evaluate", "--task", "nope", "--policy", "random"], "unknown task id 'nope'"),
            (["record", "--task", "nope", "--policy", "random", "--output", v], "unknown task id 'nope'"),
            (["replay", "--task", "nope", "--input", "x.json"], "unknown task id 'nope'"),
            (["bench", "--task", "nope", "--policy", "random"], "unknown task id 'nope'"),
            (["verify", "--table", "edp-table2", "--checkpoint", "nope=\(bundled)"], "unknown task id 'nope'"),
            (["dataset", "info", "--task", "nope", "--dataset", "Tests/Fixtures/d4rl-datasets/hopper-small.hdf5"], "unknown task id 'nope'"),
            (["tasks", "--robot", "nope"], "unknown robot 'nope'"),
            (["evaluate"] + Self.random + ["--shard", "0/2"], "invalid shard '0/2'"),
            (["evaluate", "--task", "hopper-medium-v2", "--dpm-t-end", "0"], "--dpm-t-end must be in (0, 1)"),
            (["record"] + Self.random + ["--output", v, "--width", "0"], "frame size 0×480"),
            (["record"] + Self.random + ["--output", v, "--camera", "nope", "--max-frames", "1"], "no camera named 'nope'"),
            (["evaluate"] + Self.random + ["--seed", "-1"], "The value '-1' is invalid for '--seed <seed>'"),
            (["record"] + Self.random + ["--output", v, "--seed", "-1"], "The value '-1' is invalid for '--seed <seed>'"),
        ]
        for c in cases {
            let r = try CLI.run(c.arguments)
            #expect(r.status == 64 && r.stderr.contains(c.message), "\(c.arguments): \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains("Missing value"))
        }
        // A file that fails is 1: a checkpoint that cannot be read.
        let broken = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", "README.md", "--episodes", "1"])
        #expect(broken.status == 1, "\(broken.stderr)")
    }

    // MARK: case 11: errors name the file and what to do, never Foundation's text

    @Test func systemErrorsAreNamedInPlainWords() throws {
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["evaluate"] + Self.random + ["--episodes", "1", "--output", "/proc/foo.json"], 64, "--output /proc/foo.json: cannot create files in /proc"),
            (["evaluate"] + Self.random + ["--episodes", "1", "--output", "/sys/x/y.json"], 64, "--output /sys/x/y.json: cannot create files in /sys"),
            (["bench", "--policy", "random", "--transitions", "5", "--output", "/proc/foo.json"], 64, "cannot create files in /proc"),
            (["inspect", "/dev/null"], 1, "/dev/null: cannot read it: not a regular file"),
        ]
        for c in cases {
            let r = try CLI.run(c.arguments)
            #expect(r.status == c.status && r.stderr.contains(c.message), "\(c.arguments): \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("You don’t have permission") && !r.stderr.contains("in use by cannot"))
        }
        let home = try CLI.run(["tasks"], environment: ["EDP_EVAL_HOME": "/nonexistent"])
        #expect(home.status == 1 && home.stderr.contains("/nonexistent/envs/tasks.json: no such file")
                && home.stderr.contains("EDP_EVAL_HOME=/nonexistent must be the folder holding envs/"), "\(home.stderr)")
        #expect(!home.stderr.contains("NSCocoaErrorDomain"))
    }

    /// A full disk, made with a 16 KiB tmpfs (needs root: `mount`), for the log and for a report.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")))
    func fullDiskIsNamedInPlainWords() throws {
        let mountPoint = try temporaryFolder()
        func system(_ path: String, _ args: [String]) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = args
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        guard try system("/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", mountPoint.path]) == 0 else { return }
        defer { _ = try? system("/bin/umount", [mountPoint.path]) }
        let log = try CLI.run(["evaluate"] + Self.random + ["--episodes", "200", "--output", mountPoint.appendingPathComponent("r.json").path])
        #expect(log.status == 1 && log.stderr.contains("cannot append to the episode log") && log.stderr.contains("No space left on device")
                && log.stderr.contains("--resume") && !log.stderr.contains("NSCocoaErrorDomain"), "\(log.stderr)")
        let report = try CLI.run(["bench", "--policy", "random", "--transitions", "5", "--output", mountPoint.appendingPathComponent("b.json").path])
        #expect(report.status == 1 && report.stderr.contains("b.json: cannot write the file: No space left on device"), "\(report.stderr)")
        #expect(!FileManager.default.fileExists(atPath: mountPoint.appendingPathComponent("b.json").path))
    }

    // MARK: case 12: replay seeds, --watch without a display, a checkpoint given twice

    @Test func replaySeedsWatchAndRepeatedCheckpoints() throws {
        let folder = try temporaryFolder()
        let input = folder.appendingPathComponent("episode.json")
        for seed in ["-1", "1.5", "18446744073709551616"] {
            try Data(#"{"seed": \#(seed), "actions": [[0, 0, 0]]}"#.utf8).write(to: input)
            let r = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", input.path])
            #expect(r.status == 1 && r.stderr.contains("field seed: expected an integer from 0 to 18446744073709551615, got \(seed)"),
                    "\(seed): \(r.stderr)")
        }
        let watch = try CLI.run(["record"] + Self.random + ["--output", folder.path, "--max-frames", "1", "--watch"],
                                environment: ["DISPLAY": "", "WAYLAND_DISPLAY": "", "MUJOCO_GL": ""])
        #expect(watch.status == 1 && watch.stderr.contains("--watch shows frames in a window, which needs a display")
                && !watch.stderr.contains("forced by --gl"), "\(watch.stderr)")

        let report = folder.appendingPathComponent("r.json")
        // A small feed-forward checkpoint (11 → 16 → 16 → 3): quick to evaluate.
        let bundled = "Tests/Fixtures/ff-checkpoints/ff-relu.npz"
        let twice = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", bundled, "--checkpoint", bundled,
                                 "--episodes", "1", "--output", report.path])
        #expect(twice.status == 0 && twice.stderr.contains("--checkpoint \(bundled) is \(bundled) again; it is used once"), "\(twice.stderr)")
        #expect(try #require(try Self.json(report)["tasks"] as? [Any]).count == 1)
    }

    // MARK: case 5: honest verdicts

    @Test func oneEpisodeIsInconclusiveNotAPointComparison() throws {
        let folder = try temporaryFolder()
        let table = folder.appendingPathComponent("claims.csv"), output = folder.appendingPathComponent("v.json")
        let checkpoint = "hopper-medium-v2=Tests/Fixtures/ff-checkpoints/ff-relu.npz"
        // The measured score of this checkpoint's first episode, as the claim: a point comparison
        // would call "x" NOT consistent and "x ± 0.1" consistent; both are inconclusive.
        let probe = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", "Tests/Fixtures/ff-checkpoints/ff-relu.npz",
                                 "--episodes", "1", "--output", folder.appendingPathComponent("e.json").path])
        #expect(probe.status == 0)
        let row = try #require((try Self.json(folder.appendingPathComponent("e.json"))["tasks"] as? [[String: Any]])?.first)
        let measured = try #require((row["normalized_score"] as? [String: Any])?["mean"] as? Double)
        for claim in [String(format: "%.1f", measured), String(format: "%.1f ± 0.1", measured)] {
            try Data("task,method,score\nhopper-medium-v2,FF,\(claim)\n".utf8).write(to: table)
            let r = try CLI.run(["verify", "--table", table.path, "--episodes", "1", "--checkpoint", checkpoint, "--output", output.path, "--overwrite"])
            #expect(r.status == 0 && r.stdout.contains("inconclusive") && !r.stdout.contains("consistent"), "\(claim): \(r.stdout)")
            #expect(r.stderr.contains("1 of 1 checked rows are inconclusive") && r.stderr.contains("--strict"), "\(r.stderr)")
            let verdict = try #require((try Self.json(output)["verdicts"] as? [[String: Any]])?.first)
            #expect(verdict["outcome"] as? String == "inconclusive" && verdict["consistent"] as? Bool == false)
            let strict = try CLI.run(["verify", "--table", table.path, "--episodes", "1", "--checkpoint", checkpoint, "--strict"])
            #expect(strict.status == 1 && strict.stderr.contains("exit status 1: --strict"), "\(strict.stderr)")
        }
        // Two episodes give an interval: a verdict again.
        try Data("task,method,score\nhopper-medium-v2,FF,90\n".utf8).write(to: table)
        let judged = try CLI.run(["verify", "--table", table.path, "--episodes", "2", "--checkpoint", checkpoint])
        #expect(judged.status == 1 && judged.stdout.contains("NOT consistent") && !judged.stdout.contains("inconclusive"), "\(judged.stdout)")
    }

    // MARK: case 8: help and the manual say what the tool does

    @Test func helpAndReadmeMatchTheTool() throws {
        // The manual: README.md and docs/*.md (the quoted facts moved from the README to docs/).
        let readme = try ManualPages.allText()
        // --checkpoint's help says what each command does with several.
        let bench = try CLI.run(["bench", "--help"]).stdout, record = try CLI.run(["record", "--help"]).stdout
        for help in [bench, record] {
            let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(flat.contains("bench: one checkpoint") && flat.contains("record: one video set per checkpoint")
                    && !flat.contains("(RAT/OMS are reported)"), "\(flat)")
        }
        let two = ["--checkpoint", "Tests/Fixtures/ff-checkpoints/ff-relu.npz", "--checkpoint", "Tests/Fixtures/ff-checkpoints/ff-elu-gaussian.safetensors"]
        let benchTwo = try CLI.run(["bench", "--task", "hopper-medium-v2", "--transitions", "4"] + two)
        #expect(benchTwo.status == 64 && benchTwo.stderr.contains("bench times one --checkpoint"), "\(benchTwo.stderr)")

        // The TQC example prints what the manual quotes (mean ± standard error).
        #expect(readme.contains("3751.8 ± 2.4") && readme.contains("3390.2 ± 204.7") && !readme.contains("568.4"))
        let tqc = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", "Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip", "--episodes", "5",
                               "--mujoco", "2.1.0"])
        #expect(tqc.status == 0 && tqc.stdout.contains("3751.8 ± 2.4") && tqc.stdout.contains("115.9 ± 0.1"), "\(tqc.stdout)")
        let tqc237 = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", "Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip", "--episodes", "5",
                                  "--mujoco", "2.3.7"])
        #expect(tqc237.status == 0 && tqc237.stdout.contains("3390.2 ± 204.7") && tqc237.stdout.contains("104.8 ± 6.3"), "\(tqc237.stdout)")

        // The registry bullet names every robot's ids, and its total is the tool's.
        let tasks = try CLI.run(["tasks"]).stdout
        #expect(tasks.contains("83 tasks") && readme.contains("83 in all") && readme.contains("pen-{human,cloned,expert,human-longhorizon}-v{0,1}"))
        #expect(try CLI.run(["tasks", "--robot", "pen"]).stdout.contains("8 tasks"))

        // --reset-every-transition is edp-bench's, not dataset check's.
        #expect(!(try CLI.run(["dataset", "check", "--help"]).stdout.contains("reset-every-transition")))
        for line in readme.split(separator: "\n") where line.contains("--reset-every-transition") {
            #expect(line.contains("edp-bench"), "\(line)")
        }

        // RAT/OMS's index: the JSON key counts from 0, the text from 1, and the manual says so.
        #expect(readme.contains("`oms_index` counts from 0") && readme.contains("k = `oms_index` + 1"))

        // inspect and evaluate agree about an obs_norm checkpoint, and name its format rightly.
        let obsNorm = "Tests/Fixtures/ff-checkpoints/edp-antmaze-obsnorm.safetensors"
        let inspect = try CLI.run(["inspect", obsNorm])
        #expect(inspect.stdout.contains("obs_norm = true: (obs − mean) / std") && !inspect.stdout.contains("obs / (1 + 1e-6)"), "\(inspect.stdout)")
        let refused = try CLI.run(["evaluate", "--task", "antmaze-umaze-v0", "--checkpoint", obsNorm, "--episodes", "1"])
        #expect(refused.status == 1 && refused.stderr.contains("which the checkpoint file does not store") && !refused.stderr.contains("pickle"))
    }

    // MARK: case 13: default cameras frame kitchen's arm and objects and pen's hand and goal

    /// The default view of `record` is the documented one (Kitchen/Pen
    /// `defaultCamera`, chosen by looking at contact sheets: see their doc comments), not D4RL's
    /// viewer: the first frame with `--camera default` equals the one with the explicit camera and
    /// differs from D4RL's view.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")),
          arguments: [("kitchen-complete-v0", "free:2.8,70,-25,-0.2,0.6,2.2", "free:4.5,-66,-65,-0.03841241123364699,0.582,2.187"),
                      ("pen-human-v1", "free:0.6,-90,-20,0.12,-0.15,0.25", "free:1.0,-45,-45,0.0086,-0.1747,0.2005")])
    func defaultCamerasFrameTheTask(task: String, view: String, d4rl: String) throws {
        let folder = try temporaryFolder()
        func firstFrame(_ camera: String, _ name: String) throws -> Data {
            let out = folder.appendingPathComponent(name)
            let r = try CLI.run(["record", "--task", task, "--policy", "random", "--max-frames", "1", "--width", "96", "--height", "96",
                                 "--no-video", "--png-frames", "--camera", camera, "--output", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            return try Data(contentsOf: out.appendingPathComponent("\(task)-seed0-ep0/frame-00000.png"))
        }
        let byDefault = try firstFrame("default", "default"), explicit = try firstFrame(view, "view"), viewer = try firstFrame(d4rl, "d4rl")
        #expect(byDefault == explicit && byDefault != viewer)
    }
}
