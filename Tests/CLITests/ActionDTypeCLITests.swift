import Foundation
import Testing
import TestSupport

/// `edp-eval` end to end with the action's dtype (docs/environments.md §1.3) and gym's `-v3` ids:
/// `replay` with `"action_dtype"` against episodes NumPy computed in each dtype
/// (Tests/Fixtures/action-dtype, made on MuJoCo 2.3.7; tolerance 0), and `evaluate` on a task
/// without reference scores.
@Suite(.serialized) struct ActionDTypeCLITests {
    struct Episode: Decodable {
        let task: String
        let action_dtype: String
        let qpos: [Double]
        let qvel: [Double]
        let actions: [[Double]]
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
    }

    struct Output: Decodable, Equatable {
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
    }

    static func episodes() throws -> [Episode] {
        struct File: Decodable { let episodes: [Episode] }
        return try JSONDecoder().decode(File.self, from: TestFixtures.data("action-dtype/hopper.json")).episodes
    }

    /// Replays an episode through the binary; `dtype` nil leaves `action_dtype` out of the input.
    static func replay(_ episode: Episode, dtype: String?) throws -> Output {
        let folder = try temporaryFolder()
        let input = folder.appendingPathComponent("in.json")
        var object: [String: Any] = ["qpos": episode.qpos, "qvel": episode.qvel, "actions": episode.actions]
        if let dtype { object["action_dtype"] = dtype }
        try JSONSerialization.data(withJSONObject: object).write(to: input)
        let run = try CLI.run(["replay", "--mujoco", "2.3.7", "--task", episode.task, "--input", input.path])
        try #require(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode(Output.self, from: Data(run.stdout.utf8))
    }

    /// Each episode replays bit for bit in its own dtype; the float32 and float64 episodes of one
    /// task (the same actions) differ in their rewards; without `action_dtype` a replay is float64.
    @Test func replayStepsTheActionsInTheirDTypeBitForBit() throws {
        let episodes = try Self.episodes()
        #expect(episodes.count == 4)
        for episode in episodes {
            let output = try Self.replay(episode, dtype: episode.action_dtype)
            let expected = Output(observations: episode.observations, rewards: episode.rewards,
                                  terminated: episode.terminated, truncated: episode.truncated)
            #expect(output == expected, "\(episode.task) \(episode.action_dtype)")
            if episode.action_dtype == "float64" { #expect(try Self.replay(episode, dtype: nil) == expected) }
        }
        for task in ["hopper-medium-v2", "Hopper-v3"] {
            let pair = episodes.filter { $0.task == task }
            try #require(pair.map(\.action_dtype) == ["float32", "float64"])
            #expect(pair[0].rewards.count == pair[1].rewards.count && pair[0].terminated.last == true)
            #expect(zip(pair[0].rewards, pair[1].rewards).allSatisfy { $0 != $1 }, "\(task): every step's reward differs")
            // The float32 actions stepped as float64 do not give the float32 episode.
            #expect(try Self.replay(pair[0], dtype: "float64").rewards != pair[0].rewards)
        }
    }

    @Test func replayRejectsAnUnknownDType() throws {
        let folder = try temporaryFolder()
        let input = folder.appendingPathComponent("in.json")
        try Data(#"{"seed": 1, "actions": [[0, 0, 0]], "action_dtype": "float16"}"#.utf8).write(to: input)
        let run = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", input.path])
        #expect(run.status != 0 && run.stderr.contains(input.path) && run.stderr.contains("action_dtype"), "\(run.stderr)")
        #expect(run.stderr.contains("float32") && run.stderr.contains("float64"), "names the accepted values: \(run.stderr)")
    }

    /// gym's Hopper-v3 evaluates and reports returns; it has no D4RL reference scores, so no
    /// normalized score anywhere (table "n/a", no JSON key, empty CSV field).
    @Test func evaluateOnAGymV3TaskReportsReturnsWithoutANormalizedScore() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("report.json")
        let run = try CLI.run(["evaluate", "--task", "Hopper-v3", "--policy", "random", "--episodes", "2", "--output", report.path])
        #expect(run.status == 0, "\(run.stderr)")
        let row = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("Hopper-v3") })
        #expect(row.contains("n/a") && run.stdout.contains("Hopper-v3: no D4RL reference scores"), "\(run.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        let task = try #require((json["tasks"] as? [[String: Any]])?.first)
        #expect(task["normalized_score"] == nil && task["return"] != nil)
        let episodes = try #require(task["episodes"] as? [[String: Any]])
        #expect(episodes.count == 2 && episodes.allSatisfy { $0["normalized_score"] == nil && $0["return"] is Double })
        let csv = try String(contentsOf: report.deletingPathExtension().appendingPathExtension("csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = Dictionary(uniqueKeysWithValues: lines[0].enumerated().map { ($1, $0) })
        let csvRow = try #require(lines.dropFirst().first)
        let (ret, score) = (try #require(column["return"]), try #require(column["normalized_score"]))
        #expect(csvRow[0] == "Hopper-v3" && Double(csvRow[ret]) != nil && csvRow[score].isEmpty, "\(csv)")
    }

    /// A table of normalized scores cannot be checked on a task without reference scores: refused
    /// before anything is evaluated, naming the table, the task and why.
    @Test func verifyRefusesANormalizedClaimOnAGymV3Task() throws {
        let folder = try temporaryFolder()
        let table = folder.appendingPathComponent("claims.csv")
        try Data("task,EDP\nHopper-v3,80\n".utf8).write(to: table)
        let run = try CLI.run(["verify", "--table", table.path, "--episodes", "1",
                               "--checkpoint", "Hopper-v3=assets/checkpoints/edp-hopper-reference.safetensors"])
        #expect(run.status != 0 && run.stderr.contains("claims.csv") && run.stderr.contains("Hopper-v3 has no D4RL reference scores"),
                "\(run.stderr)")
    }
}
