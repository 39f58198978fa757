import Foundation
import Testing
import TestSupport

/// The Franka kitchen end to end through the `edp-eval` binary: tasks, evaluate (random policy and
/// a checkpoint of the kitchen's widths, 60 → 9), record, verify --list (docs/environments.md §12).
/// One 280-step episode each, to stay fast.
@Suite(.serialized) struct KitchenCLITests {
    @Test func tasksListsTheKitchen() throws {
        let json = try CLI.run(["tasks", "--robot", "kitchen", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let tasks = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(tasks.compactMap { $0["id"] as? String } == ["kitchen-complete-v0", "kitchen-partial-v0", "kitchen-mixed-v0"])
        #expect(tasks.allSatisfy { ($0["max_episode_steps"] as? Int) == 280 && ($0["ref_max_score"] as? Double) == 4 })
    }

    @Test func evaluateReportsTasksCompletedAndTheCompletionRate() throws {
        let folder = try temporaryFolder()
        let output = folder.appendingPathComponent("report.json")
        let r = try CLI.run(["evaluate", "--task", "kitchen-mixed-v0", "--policy", "random", "--episodes", "1",
                             "--seed", "0", "--threads", "2", "--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("tasks completed (mean)") && r.stdout.contains("completion rate (mean)"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
        let task = (report["tasks"] as! [[String: Any]])[0]
        let episode = (task["episodes"] as! [[String: Any]])[0]
        #expect(episode["length"] as? Int == 280 && episode["end"] as? String == "truncated")
        let metrics = try #require(episode["metrics"] as? [String: Double])
        #expect(metrics["tasks_completed"] == 0 && metrics["completion_rate"] == 0)
        let summary = try #require(task["metrics"] as? [String: [String: Any]])
        #expect(summary["completion_rate"]?["mean"] as? Double == 0)
        let csv = try String(contentsOf: folder.appendingPathComponent("report.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("task,policy,mujoco,seed,episode,return,length,normalized_score,end,success,time_to_goal,goal_x,goal_y,completion_rate,tasks_completed\n"))
        let files = (report["provenance"] as! [String: Any])["model_files"] as! [[String: Any]]
        #expect((files.first?["path"] as? String)?.hasSuffix("franka_kitchen_jntpos_act_ab.xml") == true)
    }

    /// A feed-forward checkpoint of the kitchen's widths (60 observations, 9 actions) runs; one of
    /// the hopper's widths is refused with a message naming both sizes.
    @Test func evaluateRunsACheckpointOfTheKitchensWidths() throws {
        let folder = try temporaryFolder()
        let checkpoint = folder.appendingPathComponent("kitchen-ff.safetensors")
        try Self.feedForwardSafeTensors(observation: 60, hidden: 8, action: 9).write(to: checkpoint)
        let output = folder.appendingPathComponent("ff.json")
        let r = try CLI.run(["evaluate", "--task", "kitchen-partial-v0", "--checkpoint", checkpoint.path, "--episodes", "1",
                             "--threads", "2", "--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
        let episode = ((report["tasks"] as! [[String: Any]])[0]["episodes"] as! [[String: Any]])[0]
        #expect(episode["length"] as? Int == 280)
        let hopper = try TestFixtures.url("ff-checkpoints/ff-relu.npz")
        let wrong = try CLI.run(["evaluate", "--task", "kitchen-partial-v0", "--checkpoint", hopper.path, "--episodes", "1",
                                 "--output", folder.appendingPathComponent("wrong.json").path])
        #expect(wrong.status != 0 && wrong.stderr.contains("60"), "\(wrong.stderr)")
    }

    /// `record` renders the kitchen from D4RL's camera at 1/dt = 12.5 frames per second.
    @Test(.enabled(if: RunIntegrityTests.canRecord)) func recordWritesAKitchenVideo() throws {
        let folder = try temporaryFolder()
        let r = try CLI.run(["record", "--task", "kitchen-complete-v0", "--policy", "random", "--max-frames", "4",
                             "--width", "128", "--height", "128", "--overlay", "--output", folder.path])
        #expect(r.status == 0, "\(r.stderr)")
        let video = folder.appendingPathComponent("kitchen-complete-v0-seed0-ep0.mp4")
        #expect(try RunIntegrityTests.frameRate(video) == "25/2")
    }

    /// Every kitchen row of the shipped EDP tables is checkable (pen rows come with the pen).
    @Test func verifyListsKitchenRowsAsCheckable() throws {
        let r = try CLI.run(["verify", "--list"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("kitchen-"), "no kitchen task is listed as not checkable")
        #expect(r.stdout.contains("tasks: 15, all checkable"))
    }

    /// A safetensors file in the project's feed-forward format (docs/checkpoints.md "Feed-forward baselines"):
    /// observation → hidden (relu) → action, small deterministic weights.
    static func feedForwardSafeTensors(observation: Int, hidden: Int, action: Int) throws -> Data {
        let shapes: [(String, [Int])] = [("policy/params/Dense_0/kernel", [observation, hidden]), ("policy/params/Dense_0/bias", [hidden]),
                                         ("policy/params/Dense_1/kernel", [hidden, action]), ("policy/params/Dense_1/bias", [action])]
        var header: [String: Any] = [:]
        var body = Data()
        for (name, shape) in shapes {
            let count = shape.reduce(1, *)
            let start = body.count
            for i in 0..<count { withUnsafeBytes(of: Float(Double((i * 37) % 11) / 55 - 0.1).bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [start, body.count]]
        }
        let configuration: [String: Any] = ["family": "ff-deterministic", "observationSize": observation, "actionSize": action,
                                            "policyHiddenSizes": [hidden]]
        let configurationText = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        header["__metadata__"] = ["edp_eval.configuration": configurationText]
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        return file + json + body
    }
}
