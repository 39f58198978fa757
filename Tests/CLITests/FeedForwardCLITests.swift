import Foundation
import Testing

/// End to end through the binary: feed-forward checkpoints (project format and Stable-Baselines3
/// zips) in inspect, export, evaluate, bench and verify; EDP obs_norm refused without statistics.
@Suite(.serialized) struct FeedForwardCLITests {
    @Test func sb3TQCZipAsDownloadedEvaluatesOnHopper() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("report.json")
        let r = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", "Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip",
                             "--episodes", "2", "--output", report.path])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = try Data(contentsOf: report)
        let json = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        let task = try #require((json["tasks"] as? [[String: Any]])?.first)
        #expect((task["episodes"] as? [Any])?.count == 2)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("ff-gaussian") && text.contains("ad04cf1b354adb8810cd2a98f45f3c5179bd5c6d9fa83a1a7b8c1157094417e3"))
    }

    /// `record` reaches feed-forward checkpoints like any other (an SB3 zip as downloaded and the
    /// project's own `.npz`): one MP4 per checkpoint, decodable by ffprobe.
    @Test(.enabled(if: RunIntegrityTests.canRecord)) func recordRendersFeedForwardCheckpoints() throws {
        let folder = try temporaryFolder()
        let r = try CLI.run(["record", "--task", "hopper-medium-v2",
                             "--checkpoint", "Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip",
                             "--checkpoint", "Tests/Fixtures/ff-checkpoints/ff-relu.npz",
                             "--max-frames", "3", "--width", "64", "--height", "64", "--output", folder.path])
        #expect(r.status == 0, "\(r.stderr)")
        for i in 1...2 {
            let video = folder.appendingPathComponent("hopper-medium-v2-policy\(i)-seed0-ep0.mp4")
            #expect(FileManager.default.fileExists(atPath: video.path), "\(video.lastPathComponent) missing: \(r.stderr)")
            if FileManager.default.fileExists(atPath: video.path) {
                #expect(try RunIntegrityTests.frameRate(video) == "125/1")
            }
        }
    }

    @Test func inspectDescribesFeedForwardCheckpointsTruthfully() throws {
        let r = try CLI.run(["inspect", "Tests/Fixtures/sb3-ppo-hopper/Hopper-v3.zip"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ff-deterministic") && r.stdout.contains("hidden 256-256, ReLU"))
        #expect(r.stdout.contains("clip(output, ±1.0)") && r.stdout.contains("vecnormalize.pkl"))
        #expect(!r.stdout.contains("diffusion") && !r.stdout.contains("critics") && !r.stdout.contains("Mish"))
        let elu = try CLI.run(["inspect", "Tests/Fixtures/ff-checkpoints/ff-elu-gaussian.safetensors", "--json"])
        #expect(elu.status == 0, "\(elu.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(elu.stdout.utf8)) as? [String: Any])
        #expect(json["policy_activation"] as? String == "elu" && json["action_output"] as? String == "tanh")
        #expect(json["family"] as? String == "ff-gaussian" && json["observation_size"] != nil)
        // Diffusion and critic fields are absent, under the names an EDP checkpoint would use.
        #expect(json["diffusion_steps"] == nil && json["critic_hidden_sizes"] == nil && json["sampler"] == nil)
        #expect((json["observation_normalization"] as? [String: Any])?["clip"] as? Double == 5)
    }

    @Test func exportThenEvaluateBenchAndVerifyAFeedForwardCheckpoint() throws {
        let folder = try temporaryFolder()
        let exported = folder.appendingPathComponent("td3.safetensors")
        let e = try CLI.run(["export", "Tests/Fixtures/sb3-td3-synthetic/hopper-td3.zip", "--output", exported.path])
        #expect(e.status == 0, "\(e.stderr)")
        let inspect = try CLI.run(["inspect", exported.path])
        #expect(inspect.stdout.contains("ff-deterministic") && inspect.stdout.contains("source_format = sb3-zip"))
        let evaluate = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", exported.path, "--episodes", "1"])
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let bench = try CLI.run(["bench", "--task", "hopper-medium-v2", "--checkpoint", exported.path, "--transitions", "200", "--environments", "2"])
        #expect(bench.status == 0, "\(bench.stderr)")
        let table = folder.appendingPathComponent("claims.md")
        try Data("| task | method | score |\n|---|---|---|\n| hopper-medium-v2 | TD3 | 50 |\n".utf8).write(to: table)
        let verify = try CLI.run(["verify", "--table", table.path, "--episodes", "2",
                                  "--checkpoint", "hopper-medium-v2=Tests/Fixtures/ff-checkpoints/ff-relu.npz"])
        // An untrained 16-16 network scores ~1 on hopper: the claim of 50 is NOT consistent (exit 1).
        #expect(verify.status == 1, "\(verify.stderr)")
        #expect(verify.stdout.contains("hopper-medium-v2") && verify.stdout.contains("NOT consistent"))
        #expect(verify.stderr.contains("1 of 1 checked rows are NOT consistent"))
    }

    @Test func edpWithObsNormNeedsStatistics() throws {
        let checkpoint = "Tests/Fixtures/ff-checkpoints/edp-antmaze-obsnorm.safetensors"
        let refused = try CLI.run(["evaluate", "--task", "antmaze-umaze-v0", "--checkpoint", checkpoint, "--episodes", "1"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains(checkpoint) && refused.stderr.contains("obs_norm") && refused.stderr.contains("--observation-stats"))
        let folder = try temporaryFolder()
        let stats = folder.appendingPathComponent("stats.json")
        try Data(#"{"mean": 2.5, "std": 4.0}"#.utf8).write(to: stats)
        let report = folder.appendingPathComponent("r.json")
        let ok = try CLI.run(["evaluate", "--task", "antmaze-umaze-v0", "--checkpoint", checkpoint, "--episodes", "1",
                              "--observation-stats", stats.path, "--output", report.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let text = String(decoding: try Data(contentsOf: report), as: UTF8.self)
        #expect(text.contains("stats.json") && text.contains("4.000001"))
        // Statistics computed from the training dataset as EDP's trainer does; values and SHA-256 in the report.
        // A fresh report path: evaluate refuses to replace an earlier run's report without --overwrite.
        let datasetReport = folder.appendingPathComponent("from-dataset.json")
        let fromDataset = try CLI.run(["evaluate", "--task", "antmaze-umaze-v0", "--checkpoint", checkpoint, "--episodes", "1",
                                       "--dataset", "Tests/Fixtures/d4rl-datasets/antmaze-umaze-small.hdf5", "--output", datasetReport.path])
        #expect(fromDataset.status == 0, "\(fromDataset.stderr)")
        let withDataset = String(decoding: try Data(contentsOf: datasetReport), as: UTF8.self)
        #expect(withDataset.contains("antmaze-umaze-small.hdf5 (EDP rule") && withDataset.contains("sha256 "))
        try Data(#"{"mean": [1, 2], "std": 1}"#.utf8).write(to: stats)
        let wrongWidth = try CLI.run(["evaluate", "--task", "antmaze-umaze-v0", "--checkpoint", checkpoint, "--episodes", "1",
                                      "--observation-stats", stats.path])
        #expect(wrongWidth.status == 1 && wrongWidth.stderr.contains(stats.path) && wrongWidth.stderr.contains("expected 1 or 29"))
        // verify (and bench) take the same statistics flags: the refusal's advice can be followed there too.
        let table = folder.appendingPathComponent("antmaze-claims.md")
        try Data("| task | method | score |\n|---|---|---|\n| antmaze-umaze-v0 | EDP | 0 |\n".utf8).write(to: table)
        let verifyArguments = ["verify", "--table", table.path, "--episodes", "1", "--checkpoint", "antmaze-umaze-v0=\(checkpoint)"]
        let verifyRefused = try CLI.run(verifyArguments)
        #expect(verifyRefused.status == 1 && verifyRefused.stderr.contains("obs_norm") && verifyRefused.stderr.contains("--dataset"))
        try Data(#"{"mean": 2.5, "std": 4.0}"#.utf8).write(to: stats)
        let verified = try CLI.run(verifyArguments + ["--observation-stats", stats.path])
        #expect(!verified.stderr.contains("obs_norm"), "\(verified.stderr)")
        // One episode: no interval, so the row is inconclusive (exit 0 without --strict).
        #expect(verified.stdout.contains("antmaze-umaze-v0") && verified.stdout.contains("inconclusive")
                && !verified.stdout.contains("NOT consistent"), "\(verified.stdout)")
        #expect(verified.status == 0, "\(verified.stderr)")
        let benched = try CLI.run(["bench", "--task", "antmaze-umaze-v0", "--checkpoint", checkpoint, "--transitions", "20",
                                   "--environments", "1", "--dataset", "Tests/Fixtures/d4rl-datasets/antmaze-umaze-small.hdf5"])
        #expect(benched.status == 0, "\(benched.stderr)")
        // EDP's global scalars fit any width: a dataset of another task is refused by its width all the same.
        let wrongDataset = try CLI.run(["evaluate", "--task", "antmaze-umaze-v0", "--checkpoint", checkpoint, "--episodes", "1",
                                        "--dataset", "Tests/Fixtures/d4rl-datasets/hopper-small.hdf5",
                                        "--output", folder.appendingPathComponent("wrong-dataset.json").path])
        #expect(wrongDataset.status == 1, "\(wrongDataset.stderr)")
        #expect(wrongDataset.stderr.contains("hopper-small.hdf5") && wrongDataset.stderr.contains("width 11, but the policy expects 29"))
    }
}
