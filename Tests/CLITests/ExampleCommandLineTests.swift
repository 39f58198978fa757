import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import edp_eval

/// Every example command line in the subcommands' help (their "Examples:") and in the code blocks
/// of the manual (README.md and every docs/*.md page, `ManualPages`) runs, with its placeholder
/// files mapped to fixtures and its sizes made tiny (one episode, one seed, a few transitions or
/// frames). A help or manual example that the tool refuses fails here (docs/testing.md
/// "Examples are tests").
@Suite(.serialized) struct ExampleCommandLineTests {
    static let root = TestFixtures.repositoryRoot
    static func fixture(_ path: String) -> String { root.appendingPathComponent(path).path }

    /// Placeholder paths of the examples → fixtures of the same kind.
    static let files: [String: String] = [
        "run/model_1999.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "run/model_99.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "run/model_199.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "runs/hopper/model_final.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "run/model_final.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "model_final.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "actor_2000.pth": fixture("Tests/Fixtures/dql/trained/actor_2000.pth"),
        "results/run/actor_2000.pth": fixture("Tests/Fixtures/dql/trained/actor_2000.pth"),
        "ant.safetensors": fixture("Tests/Fixtures/ff-checkpoints/edp-antmaze-obsnorm.safetensors"),
        "rl-trained-agents/tqc/Hopper-v3_1/Hopper-v3.zip": fixture("Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip"),
        "~/.d4rl/datasets/hopper_medium-v2.hdf5": fixture("Tests/Fixtures/d4rl-datasets/hopper-small.hdf5"),
        "antmaze.hdf5": fixture("Tests/Fixtures/d4rl-datasets/antmaze-umaze-small.hdf5"),
        "Tests/Fixtures/edp-hopper-42k/model_final.pkl": fixture("Tests/Fixtures/edp-hopper-42k/model_final.pkl"),
        "Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip": fixture("Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip"),
        "Tests/Fixtures/d4rl-datasets/hopper-small.hdf5": fixture("Tests/Fixtures/d4rl-datasets/hopper-small.hdf5"),
        // verify's training runs (TASK@RUN=PATH): three different small hopper checkpoints.
        "s0/model_final.pkl": fixture("Tests/Fixtures/ff-checkpoints/ff-relu.npz"),
        "s1/model_final.pkl": fixture("Tests/Fixtures/ff-checkpoints/ff-elu-gaussian.safetensors"),
        "s2/model_final.pkl": fixture("Tests/Fixtures/sb3-td3-synthetic/hopper-td3.zip"),
        "tqc-Hopper-v3.zip": fixture("Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip"),
    ]
    /// The hopper fixtures stand in for walker2d checkpoints: their examples run on hopper.
    static let walkerTasks = ["walker2d-medium-expert-v2": "hopper-medium-expert-v2", "walker2d-medium-v2": "hopper-medium-v2"]

    /// Example lines (continuations joined, trailing "(comment)" dropped) of every subcommand's
    /// discussion.
    static func helpExamples() -> [String] {
        var commands: [ParsableCommand.Type] = [EDPEval.self], lines: [String] = []
        while let command = commands.popLast() {
            commands += command.configuration.subcommands
            lines += exampleLines(command.configuration.discussion)
        }
        return lines
    }

    static func exampleLines(_ text: String) -> [String] {
        var result: [String] = [], pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            guard !pending.isEmpty || line.hasPrefix("edp-eval ") || line == "edp-eval" else { continue }
            let continues = line.hasSuffix("\\")
            if continues { line.removeLast() }
            pending += (pending.isEmpty ? "" : " ") + line.trimmingCharacters(in: .whitespaces)
            if !continues {
                if let comment = pending.range(of: #"\s+\([^()]*\)$"#, options: .regularExpression) { pending.removeSubrange(comment) }
                result.append(pending.trimmingCharacters(in: .whitespaces))
                pending = ""
            }
        }
        return result
    }

    /// Code-block lines of one manual page that are runnable command lines: `edp-eval` and a
    /// subcommand (not a diagram's label), not the synopsis with [options], not the Slurm script's
    /// line with shell variables.
    static func codeBlockExamples(_ text: String) -> [String] {
        let subcommands = Set(EDPEval.configuration.subcommands.map { $0._commandName })
        var inBlock = false, lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inBlock.toggle(); continue }
            guard inBlock, line.hasPrefix("edp-eval "), !line.contains("["), !line.contains("$") else { continue }
            if subcommands.contains(String(line.dropFirst("edp-eval ".count).prefix { $0 != " " })) { lines.append(String(line)) }
        }
        return lines
    }

    /// The runnable examples of every manual page, with the page each comes from.
    static func manualExamples() throws -> [(page: String, line: String)] {
        try ManualPages.paths().flatMap { page in try codeBlockExamples(ManualPages.text(page)).map { (page, $0) } }
    }

    /// Splits on spaces, keeping "double quoted" words together.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false
        for c in line {
            if c == "\"" { quoted.toggle(); continue }
            if c == " " && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The example's arguments with fixtures for placeholders and tiny sizes.
    static func arguments(of line: String, folder: URL) -> [String] {
        var args = Array(words(line).dropFirst())
        let command = args.first ?? ""
        if let dots = args.firstIndex(of: "...") {
            args.remove(at: dots)
            if !args.contains("--checkpoint") && !args.contains("--task") { args.insert(contentsOf: ["--task", "hopper-medium-v2", "--policy", "random"], at: dots) }
        }
        var usesHopperFixture = false, edp = command == "bench" && !args.contains("--policy")
        args = args.map { word in
            if let file = files[word] {
                usesHopperFixture = usesHopperFixture || file.contains("hopper") || file.contains("dql")
                edp = edp || file.hasSuffix(".pkl")
                return file
            }
            if let eq = word.firstIndex(of: "="), files[String(word[word.index(after: eq)...])] != nil {
                // verify's TASK=PATH: it runs the checkpoint's own settings (no overrides), so a
                // small feed-forward hopper checkpoint keeps the example quick.
                usesHopperFixture = true
                let mapped = files[String(word[word.index(after: eq)...])]!
                let quick = mapped.hasSuffix(".pkl") || mapped.hasSuffix(".pth") ? fixture("Tests/Fixtures/ff-checkpoints/ff-relu.npz") : mapped
                return (walkerTasks[String(word[..<eq])] ?? String(word[..<eq])) + "=" + quick
            }
            return word
        }
        if usesHopperFixture { args = args.map { walkerTasks[$0] ?? $0 } }
        if command == "evaluate" && !args.contains("--checkpoint") && !args.contains("--policy") { edp = true }
        func set(_ option: String, _ value: String) {
            if let i = args.firstIndex(of: option), i + 1 < args.count { args[i + 1] = value } else { args += [option, value] }
        }
        switch command {
        case "evaluate", "verify", "record":
            if args.contains("--list") { break }
            set("--episodes", "1")
            if args.contains("--seeds") { set("--seeds", "1") }
            if args.contains("--video") { set("--video", "1") }
            if command == "record" { set("--max-frames", "2"); set("--width", "64"); set("--height", "64") }
            // (verify takes no inference overrides: it runs the checkpoint's own settings.)
            if edp && command != "verify" { set("--dpm-steps", "1"); if !args.contains("--candidates") { set("--candidates", "1") } }
        case "bench":
            set("--transitions", "8")
            if edp { set("--dpm-steps", "1") }
        default:
            break
        }
        if args.contains(fixture("Tests/Fixtures/ff-checkpoints/edp-antmaze-obsnorm.safetensors")) {
            args += ["--observation-stats", folder.appendingPathComponent("stats.json").path]
        }
        return args
    }

    /// Runs one example in a fresh folder holding the inputs examples name (episode.json,
    /// my_claims.md, shard-1.json, shard-2.json).
    static func run(_ line: String) throws -> (status: Int32, output: String, arguments: [String]) {
        let folder = try temporaryFolder()
        try Data(#"{"seed": 0, "actions": []}"#.utf8).write(to: folder.appendingPathComponent("episode.json"))
        try Data(#"{"mean": 0, "std": 1}"#.utf8).write(to: folder.appendingPathComponent("stats.json"))
        try Data("| task | method | score |\n|---|---|---|\n| hopper-medium-v2 | DQL | 50 |\n".utf8).write(to: folder.appendingPathComponent("my_claims.md"))
        var args = arguments(of: line, folder: folder)
        if ["aggregate", "plot", "report"].contains(args.first ?? "") { try prepareResults(in: folder) }
        if args.first == "merge" {
            for i in 1...2 {
                let shard = try execute(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1", "--seeds", "2",
                                         "--shard", "\(i)/2", "--output", "shard-\(i).json"], in: folder)
                #expect(shard.status == 0, "\(shard.output)")
            }
            args = args.flatMap { $0 == "shard-*.json" ? ["shard-1.json", "shard-2.json"] : [$0] }
        }
        let r = try execute(args, in: folder)
        try keepOutputs(of: line, arguments: args, result: r, folder: folder)
        return (r.status, r.output, args)
    }

    /// With `EDP_EVAL_KEEP_EXAMPLES=DIR`, each example's folder (its inputs and everything it wrote),
    /// its command line and its printed output are copied to `DIR/<hash of the line>/`, so two
    /// builds' outputs can be compared file by file (`Tools/compare_example_outputs.py`).
    static func keepOutputs(of line: String, arguments: [String], result: (status: Int32, output: String), folder: URL) throws {
        guard let keep = ProcessInfo.processInfo.environment["EDP_EVAL_KEEP_EXAMPLES"], !keep.isEmpty else { return }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, stable across processes
        for byte in line.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let target = URL(fileURLWithPath: keep).appendingPathComponent(String(format: "%016llx", hash))
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: folder, to: target)
        let record = "line: \(line)\nfolder: \(folder.path)\nroot: \(root.path)\nstatus: \(result.status)\narguments: \(arguments.joined(separator: " "))\n"
        try Data(record.utf8).write(to: target.appendingPathComponent("example-command.txt"))
        try Data(result.output.utf8).write(to: target.appendingPathComponent("example-output.txt"))
    }

    /// The result files the aggregate, plot and report examples name: small random-policy reports
    /// (one per training seed, a baseline, a sweep), a verify output and an aggregate output.
    static func prepareResults(in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("run"), withIntermediateDirectories: true)
        for (seed, name) in ["run/report.json", "seed0.json", "seed1.json", "seed2.json", "bc.json", "sweep.json"].enumerated() {
            let r = try execute(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "2", "--seed", "\(seed)",
                                 "--output", name], in: folder)
            #expect(r.status == 0, "\(r.output)")
        }
        let verify = try execute(["verify", "--table", "edp-table4", "--method", "EDP", "--checkpoint",
                                  "hopper-medium-v2=" + fixture("Tests/Fixtures/ff-checkpoints/ff-relu.npz"), "--episodes", "2",
                                  "--output", "verify.json"], in: folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("verify.json").path), "\(verify.output)")
        let aggregate = try execute(["aggregate", "EDP=seed0.json", "EDP=seed1.json", "BC=bc.json", "--output", "agg.json"], in: folder)
        #expect(aggregate.status == 0, "\(aggregate.output)")
    }

    static func execute(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        // The fixture datasets and checkpoints' expected behaviour were recorded on MuJoCo 2.3.7.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SLURM") }
            .merging(["EDP_EVAL_MUJOCO": "2.3.7"]) { _, pinned in pinned }
        let r = try ChildProcess.run(CLI.binary, arguments, environment: environment, in: folder, mergingOutput: true)
        return (r.status, r.stdout)
    }

    /// The example ran as written: exit 0, or `verify`'s exit 1 for a verdict it reached (the
    /// stand-in checkpoints are not the papers', so a claim may well be NOT consistent).
    static func ran(_ r: (status: Int32, output: String, arguments: [String])) -> Bool {
        r.status == 0 || (r.arguments.first == "verify" && r.status == 1 && r.output.contains("NOT consistent with the table (exit status 1)"))
    }

    @Test func helpExamplesRun() throws {
        let examples = Self.helpExamples()
        #expect(examples.count >= 30, "\(examples)")
        for line in examples {
            let r = try Self.run(line)
            #expect(Self.ran(r), "\(line)\n→ \(r.arguments.joined(separator: " "))\n\(r.output.suffix(600))")
        }
    }

    /// The manual's examples (README.md and docs/*.md) all run. Before the manual moved to docs/
    /// the README alone held 7; the pages hold at least those.
    @Test func manualExamplesRun() throws {
        let examples = try Self.manualExamples()
        #expect(examples.count >= 7, "\(examples)")
        for (page, line) in examples {
            let r = try Self.run(line)
            #expect(Self.ran(r), "\(page): \(line)\n→ \(r.arguments.joined(separator: " "))\n\(r.output.suffix(600))")
        }
    }
}
