import Foundation
import Testing
import TestSupport
@testable import edp_eval

/// Runs the built `edp-eval` binary (next to the test bundle) and captures its output.
struct CLI {
    static let binary: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("edp-eval").path) && folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("edp-eval")
    }()
    static let root = TestFixtures.repositoryRoot

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// - Parameter environment: variables added to (or, with an empty value, removed from) this process's environment.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM") }
        // The CLI tests' expected numbers come from MuJoCo 2.3.7 references unless a test asks for
        // another build (or, with an empty value, for the tasks' default physics).
        inherited["EDP_EVAL_MUJOCO"] = "2.3.7"
        for (key, value) in environment { inherited[key] = value.isEmpty ? nil : value }
        let r = try ChildProcess.run(binary, arguments, environment: inherited, in: root)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite(.serialized) struct CLITests {
    @Test func everySubcommandHasHelpWithExamples() throws {
        // The list of subcommands lives in one place: the root command's configuration.
        let subcommands = EDPEval.configuration.subcommands
        let commands = subcommands.compactMap { $0.configuration.commandName }
        #expect(!commands.isEmpty && commands.count == subcommands.count, "every subcommand is named: \(commands)")
        for command in commands {
            let result = try CLI.run([command, "--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.contains("Examples") || result.stdout.contains("Example"), "\(command) --help has examples")
        }
    }

    @Test func tasksListsTheRegistry() throws {
        let result = try CLI.run(["tasks"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("hopper-medium-v2") && result.stdout.contains("-20.272305") && result.stdout.contains("3234.3"))
        #expect(result.stdout.contains("antmaze-umaze-v2"))
        let json = try CLI.run(["tasks", "--robot", "walker2d", "--json"])
        let tasks = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(tasks.count == 18 && tasks.allSatisfy { ($0["robot"] as? String) == "walker2d" })   // 17 D4RL ids + Walker2d-v3
        let unknown = try CLI.run(["tasks", "--robot", "walker"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown robot 'walker'") && unknown.stderr.contains("walker2d"))
    }

    @Test func replayWritesTheDocumentedFormatAndRejectsBadInput() throws {
        let folder = try temporaryFolder()
        let input = folder.appendingPathComponent("in.json"), output = folder.appendingPathComponent("out.json")
        try Data(#"{"qpos": [0, 1.25, 0, 0, 0, 0], "qvel": [0, 0, 0, 0, 0, 0], "actions": [[0.1, 0.2, 0.3], [1, 1, 1]]}"#.utf8).write(to: input)
        let ok = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", input.path, "--output", output.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let out = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
        #expect((out["observations"] as! [[Double]]).count == 3 && (out["rewards"] as! [Double]).count == 2)
        #expect((out["terminated"] as! [Bool]) == [false, false] && (out["truncated"] as! [Bool]) == [false, false])

        try Data(#"{"qpos": [0, 1.25, 0, 0, 0, 0], "qvel": [0, 0, 0, 0, 0, 0], "actions": [[0.1, 0.2]]}"#.utf8).write(to: input)
        let wrongLength = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", input.path])
        #expect(wrongLength.status != 0 && wrongLength.stderr.contains(input.path) && wrongLength.stderr.contains("actions[0] must have 3 values, got 2"))
        try Data(#"{"qpos": [0, 1.25, 0, 0, 0, 0], "actions": []}"#.utf8).write(to: input)
        let missing = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", input.path])
        #expect(missing.status != 0 && missing.stderr.contains("missing field \"qvel\""))
        let unknown = try CLI.run(["replay", "--task", "hopper-medum-v2", "--input", input.path])
        #expect(unknown.status != 0 && unknown.stderr.contains("did you mean hopper-medium-v2"))
    }

    @Test func evaluateRandomPolicyWritesReportsAndResumes() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("report.json")
        let result = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "4",
                                  "--seeds", "2", "--output", report.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("hopper-medium-v2") && result.stdout.contains("MuJoCo 2.3.7"))
        #expect(result.stderr.isEmpty, "no progress output when stderr is not a terminal")
        for ext in ["json", "jsonl", "csv"] {
            #expect(FileManager.default.fileExists(atPath: report.deletingPathExtension().appendingPathExtension(ext).path))
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        let task = (json["tasks"] as! [[String: Any]])[0]
        #expect((task["episodes"] as! [Any]).count == 8)
        let resumed = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "4",
                                   "--seeds", "2", "--output", report.path, "--resume"])
        #expect(resumed.status == 0)
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as! [String: Any]
        let scoreA = task["normalized_score"] as! [String: Any]
        let scoreB = (again["tasks"] as! [[String: Any]])[0]["normalized_score"] as! [String: Any]
        #expect(scoreA["mean"] as? Double == scoreB["mean"] as? Double)
    }

    @Test func evaluateErrorsAreClearAndNonZero() throws {
        let folder = try temporaryFolder()
        let unknown = try CLI.run(["evaluate", "--task", "walker-medium-v2", "--policy", "random"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown task id 'walker-medium-v2'") && unknown.stderr.contains("walker2d-medium-v2"))
        let missing = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", "/nonexistent/model.pkl"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/model.pkl") && missing.stderr.contains("no such checkpoint"))
        let garbage = folder.appendingPathComponent("model_final.pkl")
        try Data("this is not a pickle".utf8).write(to: garbage)
        let malformed = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--checkpoint", garbage.path, "--episodes", "1"])
        #expect(malformed.status != 0 && malformed.stderr.contains(garbage.path))
        let shard = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--shard", "0/3"])
        #expect(shard.status != 0 && shard.stderr.contains("invalid shard '0/3'"))
        let both = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--checkpoint", garbage.path])
        #expect(both.status != 0 && both.stderr.contains("either --checkpoint or --policy"))
        let resume = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--resume"])
        #expect(resume.status != 0 && resume.stderr.contains("--resume needs --output"))
        // The report must not overwrite its own CSV or episode log.
        for name in ["r.csv", "r.jsonl"] {
            let clash = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "1",
                                     "--output", folder.appendingPathComponent(name).path])
            #expect(clash.status != 0 && clash.stderr.contains("must not end in .csv, .jsonl or .lock"), "\(name)")
        }
        let overflow = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--seed", "18446744073709551615", "--seeds", "2"])
        #expect(overflow.status != 0 && overflow.stderr.contains("the last seed would exceed"))
    }

    @Test func shardsAndMerge() throws {
        let folder = try temporaryFolder()
        var files: [String] = []
        for i in 1...2 {
            let file = folder.appendingPathComponent("shard\(i).json").path
            let r = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "walker2d-medium-v2", "--policy", "random",
                                 "--episodes", "2", "--seeds", "2", "--shard", "\(i)/2", "--output", file])
            #expect(r.status == 0, "\(r.stderr)")
            files.append(file)
        }
        let merged = folder.appendingPathComponent("merged.json")
        let m = try CLI.run(["merge"] + files + ["--output", merged.path])
        #expect(m.status == 0 && m.stdout.contains("walker2d-medium-v2"))
        let whole = folder.appendingPathComponent("whole.json")
        _ = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "walker2d-medium-v2", "--policy", "random",
                         "--episodes", "2", "--seeds", "2", "--output", whole.path])
        func means(_ url: URL) throws -> [Double] {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            return (json["tasks"] as! [[String: Any]]).map { ($0["normalized_score"] as! [String: Any])["mean"] as! Double }
        }
        #expect(try means(merged) == means(whole))
        // A missing shard is named and the merge refused, unless --allow-incomplete.
        let incomplete = try CLI.run(["merge", files[0]])
        #expect(incomplete.status == 1 && incomplete.stderr.contains("refusing to merge an incomplete sweep")
                && incomplete.stderr.contains("shard 2/2: no report given") && incomplete.stderr.contains("--allow-incomplete"), "\(incomplete.stderr)")
        let partial = folder.appendingPathComponent("partial.json")
        let allowed = try CLI.run(["merge", files[0], "--allow-incomplete", "--output", partial.path])
        #expect(allowed.status == 0 && allowed.stderr.contains("warning: merging an incomplete sweep"), "\(allowed.stderr)")
        let partialJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: partial)) as! [String: Any]
        #expect(((partialJSON["provenance"] as! [String: Any])["missing"] as? [Any])?.count == 2)
        let bad = folder.appendingPathComponent("bad.json")
        try Data("{}".utf8).write(to: bad)
        let badMerge = try CLI.run(["merge", bad.path])
        #expect(badMerge.status != 0 && badMerge.stderr.contains("bad.json") && badMerge.stderr.contains("not an edp-eval report"))
        // A report edited to an impossible plan is refused naming the file and the field (a
        // negative episodes_per_seed used to trap in merge).
        var edited = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: files[1]))) as? [String: Any])
        var editedProvenance = try #require(edited["provenance"] as? [String: Any])
        editedProvenance["episodes_per_seed"] = -2
        edited["provenance"] = editedProvenance
        let negative = folder.appendingPathComponent("negative.json")
        try JSONSerialization.data(withJSONObject: edited).write(to: negative)
        let negativeMerge = try CLI.run(["merge", files[0], negative.path])
        #expect(negativeMerge.status == 1 && negativeMerge.stderr.contains("negative.json")
                && negativeMerge.stderr.contains("provenance.episodes_per_seed is -2"), "\(negativeMerge.stderr)")
    }

    /// Under Slurm (its variables injected), the report records the job and --threads defaults to
    /// the CPUs per task; a malformed SLURM_CPUS_PER_TASK is a usage error naming the variable.
    @Test func slurmJobsAreRecordedAndSetTheThreads() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("shard-3.json")
        let slurm = ["SLURM_JOB_ID": "1043", "SLURM_ARRAY_JOB_ID": "1040", "SLURM_ARRAY_TASK_ID": "3",
                     "SLURMD_NODENAME": "node17", "SLURM_CPUS_PER_TASK": "1"]
        let r = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "2", "--seeds", "3",
                             "--shard", "3/3", "--output", report.path], environment: slurm)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let provenance = try #require(json["provenance"] as? [String: Any])
        #expect(provenance["threads"] as? Int == 1)
        let scheduler = try #require(provenance["scheduler"] as? [String: Any])
        #expect(scheduler["kind"] as? String == "slurm" && scheduler["job_id"] as? Int == 1043
                && scheduler["array_job_id"] as? Int == 1040 && scheduler["array_task_id"] as? Int == 3
                && scheduler["node"] as? String == "node17" && scheduler["cpus"] as? Int == 1)
        let explicit = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1",
                                    "--threads", "2", "--output", folder.appendingPathComponent("t.json").path], environment: slurm)
        let t = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("t.json"))) as? [String: Any])
        let tProvenance = try #require(t["provenance"] as? [String: Any])
        #expect(explicit.status == 0 && tProvenance["threads"] as? Int == 2, "--threads wins over Slurm's default")
        let plain = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1",
                                 "--output", folder.appendingPathComponent("p.json").path])
        let p = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("p.json"))) as? [String: Any])
        let pProvenance = try #require(p["provenance"] as? [String: Any])
        #expect(plain.status == 0 && pProvenance["scheduler"] == nil, "no scheduler outside Slurm")
        let bad = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1"],
                              environment: ["SLURM_JOB_ID": "5", "SLURM_CPUS_PER_TASK": "many"])
        #expect(bad.status == 64 && bad.stderr.contains("SLURM_CPUS_PER_TASK='many'") && bad.stderr.contains("positive integer"), "\(bad.stderr)")
    }

    @Test func verifyListsTablesAndRejectsBadOnes() throws {
        let list = try CLI.run(["verify", "--list"])
        #expect(list.status == 0 && list.stdout.contains("edp-table2") && list.stdout.contains("TD3+BC EDP"))
        let folder = try temporaryFolder()
        let table = folder.appendingPathComponent("claims.csv")
        try Data("name,EDP\nx,1\n".utf8).write(to: table)
        let bad = try CLI.run(["verify", "--table", table.path, "--checkpoint", "hopper-medium-v2=assets/checkpoints/edp-hopper-reference.safetensors"])
        #expect(bad.status != 0 && bad.stderr.contains("claims.csv:1") && bad.stderr.contains("first column must be 'task'"))
        let pair = try CLI.run(["verify", "--table", "edp-table2", "--checkpoint", "nonsense"])
        #expect(pair.status != 0 && pair.stderr.contains("TASK=PATH"))
        try Data("task,EDP\nhopper-medium-expert-v2,±\n".utf8).write(to: table)
        let plusMinus = try CLI.run(["verify", "--table", table.path, "--checkpoint", "hopper-medium-expert-v2=assets/checkpoints/edp-hopper-reference.safetensors"])
        #expect(plusMinus.status == 1 && plusMinus.stderr.contains("claims.csv:2") && plusMinus.stderr.contains("is not a score"))
    }

    /// Happy path: a claim checked against the bundled checkpoint, verdict printed and written.
    @Test func verifyEvaluatesTheClaimedRows() throws {
        let folder = try temporaryFolder()
        let table = folder.appendingPathComponent("claims.md"), output = folder.appendingPathComponent("verify.json")
        try Data("| task | method | score |\n|---|---|---|\n| hopper-medium-expert-v2 | EDP | 1000 ± 1 |\n| walker2d-medium-v2 | EDP | 50 |\n".utf8).write(to: table)
        let r = try CLI.run(["verify", "--table", table.path, "--episodes", "2",
                             "--checkpoint", "hopper-medium-expert-v2=assets/checkpoints/edp-hopper-reference.safetensors",
                             "--output", output.path])
        // A row that is NOT consistent makes verify exit 1 (after printing and writing everything).
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("NOT consistent") && r.stdout.contains("1 rows skipped"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
        let verdicts = json["verdicts"] as! [[String: Any]]
        #expect(verdicts.count == 1 && json["report"] != nil)
    }

    @Test func benchMeasuresPhysicsAndTheSGEMMCeiling() throws {
        let folder = try temporaryFolder()
        let output = folder.appendingPathComponent("b.json")
        let r = try CLI.run(["bench", "--policy", "random", "--transitions", "300", "--environments", "4", "--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as! [String: Any]
        #expect((json["sps"] as! [String: Any])["total"] as! Double > 0)
        #expect(json["sgemm_rate"] as! Double > 1e9)
        #expect(json["transitions"] as! Int >= 300)
        // The documented keys are always there (null without network FLOPs), with full provenance.
        #expect(json.keys.contains("flop_rate") && json["flop_rate"] is NSNull && json["roofline_ratio"] is NSNull)
        let provenance = json["provenance"] as! [String: Any]
        #expect(provenance["mujoco_version"] as? String == "2.3.7" && provenance["package"] != nil)
        #expect((provenance["model_files"] as! [[String: Any]]).count == 1)
        let unknown = try CLI.run(["bench", "--task", "walker2d-medium-expert", "--policy", "random"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown task id"))
        let missing = try CLI.run(["bench", "--checkpoint", "/nonexistent/ckpt.safetensors", "--transitions", "10"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent/ckpt.safetensors"))
    }

    @Test func recordRejectsBadOptions() throws {
        let folder = try temporaryFolder()
        let quality = try CLI.run(["record", "--task", "hopper-medium-v2", "--policy", "random", "--out", folder.path, "--quality", "ultra"])
        // An enum argument: the parser names the option and lists the choices (a usage error).
        #expect(quality.status == 64 && quality.stderr.contains("'ultra' is invalid for '--quality <quality>'")
                 && quality.stderr.contains("Please provide one of 'fast' and 'quality'"))
        let task = try CLI.run(["record", "--task", "hoper-medium-v2", "--policy", "random", "--out", folder.path])
        #expect(task.status != 0 && task.stderr.contains("unknown task id"))
        let odd = try CLI.run(["record", "--task", "hopper-medium-v2", "--policy", "random", "--out", folder.path, "--width", "101"])
        #expect(odd.status != 0 && odd.stderr.contains("101"))
    }

    @Test func inspectAndExportTheBundledCheckpoint() throws {
        let inspect = try CLI.run(["inspect", "assets/checkpoints/edp-hopper-reference.safetensors"])
        #expect(inspect.status == 0 && inspect.stdout.contains("K = 1000") && inspect.stdout.contains("hopper-medium-expert-v2"))
        let folder = try temporaryFolder()
        let out = folder.appendingPathComponent("copy.safetensors")
        let export = try CLI.run(["export", "assets/checkpoints/edp-hopper-reference.safetensors", "--output", out.path])
        #expect(export.status == 0)
        #expect(try Data(contentsOf: out).count > 1_000_000)
        let missing = try CLI.run(["inspect", "/nonexistent.pkl"])
        #expect(missing.status != 0 && missing.stderr.contains("/nonexistent.pkl"))
    }
}
