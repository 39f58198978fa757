import Foundation
import Testing
import TestSupport

/// `edp-eval` end to end on the Adroit pen (docs/environments.md §13): replay of a D4RL fixture
/// episode, evaluate, record. Each runs in a few seconds on a debug build.
@Suite(.serialized) struct PenCLITests {
    /// Pen episodes of `d4rl-kitchen-pen/trajectories.json.gz` as JSON objects.
    static func fixtureEpisodes() throws -> [[String: Any]] {
        let data = try TestFixtures.gunzippedData("d4rl-kitchen-pen/trajectories.json.gz")
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let episodes = try #require(object["episodes"] as? [[String: Any]])
        return episodes.filter { ($0["task"] as? String)?.hasPrefix("pen-") == true }
    }

    /// `replay` with `{"seed", "actions"}` reproduces D4RL's own episode bit for bit (the
    /// dropped-pen episode: goal from the seed, −5 and termination), and with a state override
    /// gives D4RL's observation 0 exactly.
    @Test func replayReproducesAD4RLEpisodeFromItsSeed() throws {
        let episodes = try Self.fixtureEpisodes()
        let dropped = try #require(episodes.first { ($0["terminated"] as? [Bool])?.last == true })
        let folder = try temporaryFolder()
        let input = folder.appendingPathComponent("in.json"), output = folder.appendingPathComponent("out.json")
        let task = try #require(dropped["task"] as? String)
        try JSONSerialization.data(withJSONObject: ["seed": dropped["seed"]!, "actions": dropped["actions"]!]).write(to: input)
        let run = try CLI.run(["replay", "--task", task, "--input", input.path, "--output", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        #expect(out["observations"] as? [[Double]] == dropped["observations"] as? [[Double]])
        #expect(out["rewards"] as? [Double] == dropped["rewards"] as? [Double])
        #expect(out["terminated"] as? [Bool] == dropped["terminated"] as? [Bool])
        #expect(out["truncated"] as? [Bool] == dropped["truncated"] as? [Bool])

        let overridden = try #require(episodes.first { $0["state"] is [String: Any] })
        let state = try #require(overridden["state"] as? [String: Any])
        try JSONSerialization.data(withJSONObject: ["seed": overridden["seed"]!, "qpos": state["qpos"]!,
                                                    "qvel": state["qvel"]!, "actions": [[Double]]()]).write(to: input)
        let start = try CLI.run(["replay", "--task", try #require(overridden["task"] as? String), "--input", input.path])
        #expect(start.status == 0, "\(start.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(start.stdout.utf8)) as? [String: Any])
        #expect((first["observations"] as? [[Double]])?.first == (overridden["observations"] as? [[Double]])?.first)

        try Data(#"{"actions": []}"#.utf8).write(to: input)
        let missing = try CLI.run(["replay", "--task", task, "--input", input.path])
        #expect(missing.status != 0 && missing.stderr.contains(input.path) && missing.stderr.contains("\"seed\""))
    }

    /// `evaluate --policy random` on pen: episodes end by the drop or at the 100-step limit, and
    /// scores are normalized with D4RL's pen reference scores.
    @Test func evaluateRunsPenEpisodes() throws {
        let report = try temporaryFolder().appendingPathComponent("report.json")
        let run = try CLI.run(["evaluate", "--task", "pen-cloned-v1", "--policy", "random", "--episodes", "3",
                               "--seeds", "1", "--output", report.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("pen-cloned-v1"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let task = try #require((json["tasks"] as? [[String: Any]])?.first)
        let episodes = try #require(task["episodes"] as? [[String: Any]])
        #expect(episodes.count == 3)
        for episode in episodes {
            let length = try #require(episode["length"] as? Int), end = episode["end"] as? String
            let episodeReturn = try #require(episode["return"] as? Double)
            #expect(length >= 1 && length <= 100)
            #expect(end == (length == 100 ? "truncated" : "terminated"), "length \(length), end \(end ?? "nil")")
            let normalized = try #require(episode["normalized_score"] as? Double)
            #expect(abs(normalized - 100 * (episodeReturn - 96.262799) / (3076.8331017826877 - 96.262799)) < 1e-9)
        }
    }

    /// A feed-forward checkpoint of the pen's widths (45 → 16 → 24) evaluates on pen; the same
    /// network on a 17-wide task is refused with both widths named.
    @Test func evaluateTakesACheckpointOfThePensWidths() throws {
        let folder = try temporaryFolder()
        let checkpoint = folder.appendingPathComponent("ff-pen.safetensors")
        try Self.feedForwardCheckpoint(widths: [45, 16, 24]).write(to: checkpoint)
        let report = folder.appendingPathComponent("report.json")
        let run = try CLI.run(["evaluate", "--task", "pen-human-v1", "--checkpoint", checkpoint.path, "--episodes", "2",
                               "--output", report.path])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let episodes = try #require((json["tasks"] as? [[String: Any]])?.first?["episodes"] as? [[String: Any]])
        #expect(episodes.count == 2 && episodes.allSatisfy { ($0["end"] as? String) != "error" })
        let wrong = try CLI.run(["evaluate", "--task", "walker2d-medium-v2", "--checkpoint", checkpoint.path, "--episodes", "1"])
        #expect(wrong.status != 0 && wrong.stderr.contains("observations of 45") && wrong.stderr.contains("observations of 17"))
    }

    /// A `ff-deterministic` checkpoint in the project's `.safetensors` layout (docs/checkpoints.md "Feed-forward
    /// baselines"): ReLU MLP with the given layer widths, weights 0.05·sin(k), biases 0.
    static func feedForwardCheckpoint(widths: [Int]) throws -> Data {
        var header: [String: Any] = [:]
        var body = Data()
        func append(_ name: String, _ shape: [Int], _ values: [Float]) {
            let start = body.count
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [start, body.count]]
        }
        for layer in 0..<widths.count - 1 {
            let (input, output) = (widths[layer], widths[layer + 1])
            append("policy/params/Dense_\(layer)/kernel", [input, output], (0..<input * output).map { Float(0.05 * sin(Double($0))) })
            append("policy/params/Dense_\(layer)/bias", [output], [Float](repeating: 0, count: output))
        }
        let configuration: [String: Any] = ["family": "ff-deterministic", "observationSize": widths[0],
                                            "actionSize": widths[widths.count - 1],
                                            "policyHiddenSizes": Array(widths.dropFirst().dropLast())]
        let configurationText = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        header["__metadata__"] = ["edp_eval.configuration": configurationText]
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while headerData.count % 8 != 0 { headerData.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { file.append(contentsOf: $0) }
        return file + headerData + body
    }

    /// `record` renders pen episodes at 1/dt = 100 frames per second (frame skip 5 × 0.002 s).
    @Test(.enabled(if: RunIntegrityTests.canRecord)) func recordWritesAPenVideo() throws {
        let folder = try temporaryFolder()
        let run = try CLI.run(["record", "--task", "pen-human-v1", "--policy", "random", "--max-frames", "4",
                               "--width", "128", "--height", "128", "--output", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        let video = folder.appendingPathComponent("pen-human-v1-seed0-ep0.mp4")
        #expect(FileManager.default.fileExists(atPath: video.path))
        #expect(try RunIntegrityTests.frameRate(video) == "100/1")
    }
}
