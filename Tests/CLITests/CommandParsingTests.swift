import ArgumentParser
@testable import edp_eval
import Evaluation
import Foundation
import Rendering
import Testing

/// Parse-only tests of the subcommands (no binary run, no rollout): option groups, enum
/// arguments and cross-option checks, as swift-argument-parser tests its own commands
/// (`try Command.parse([...])`, `parseAsRoot`). The binary-run tests are in `CLITests`.
@Suite struct CommandParsingTests {
    /// The message the tool would print for a parse or validation error.
    private func message<C: ParsableCommand>(_ command: C.Type, _ arguments: [String]) -> String? {
        do {
            _ = try command.parse(arguments)
            return nil
        } catch {
            return command.message(for: error)
        }
    }

    @Test func evaluateReadsItsOptionGroups() throws {
        let command = try EvaluateCommand.parse(["--task", "hopper-medium-v2", "walker2d-medium-v2", "--policy", "random",
                                                 "--episodes", "3", "--seed", "5", "--seeds", "2", "--threads", "2",
                                                 "--environments", "4", "--sampler", "ddim", "--candidates", "7", "--video", "1",
                                                 "--gl", "EGL"])
        #expect(command.task == ["hopper-medium-v2", "walker2d-medium-v2"])
        #expect(command.policy.policy == .random && command.policy.checkpoints.isEmpty)
        #expect(command.runOptions.episodes == 3 && command.runOptions.seedList == [5, 6])
        #expect(command.runOptions.threads == 2 && command.runOptions.environments == 4)
        #expect(command.policy.overrides.sampler == .ddim && command.policy.overrides.candidates == 7)
        #expect(command.video == 1 && command.gl == .egl, "--gl is read case-insensitively, as MUJOCO_GL")
        let defaults = try EvaluateCommand.parse([])
        #expect(defaults.policy.policy == nil && defaults.runOptions.episodes == 10 && defaults.runOptions.seedList == [0])
        #expect(defaults.runOptions.environments == nil && defaults.gl == nil)
    }

    @Test func enumArgumentsListTheirChoices() throws {
        #expect(BuiltInPolicy.allValueStrings == ["random"])
        #expect(RenderQuality.allValueStrings == ["fast", "quality"])
        #expect(GLBackend.allValueStrings == ["egl", "osmesa", "glfw"])
        let policy = try #require(message(EvaluateCommand.self, ["--policy", "uniform"]))
        #expect(policy.contains("'uniform' is invalid for '--policy <name>'") && policy.contains("Please provide one of 'random'"), "\(policy)")
        let quality = try #require(message(RecordCommand.self, ["--policy", "random", "--output", "v", "--quality", "ultra"]))
        #expect(quality.contains("Please provide one of 'fast' and 'quality'"), "\(quality)")
        let gl = try #require(message(RecordCommand.self, ["--policy", "random", "--output", "v", "--gl", "vulkan"]))
        #expect(gl.contains("Please provide one of 'egl', 'osmesa' or 'glfw'"), "\(gl)")
        let benchPolicy = try #require(message(BenchCommand.self, ["--policy", "uniform"]))
        #expect(benchPolicy.contains("Please provide one of 'random'"), "\(benchPolicy)")
    }

    @Test func recordReadsRenderingOptions() throws {
        let command = try RecordCommand.parse(["--task", "hopper-medium-v2", "--policy", "random", "--output", "v",
                                               "--quality", "quality", "--gl", "osmesa", "--width", "96", "--height", "64",
                                               "--episodes", "2", "--seed", "3", "--camera", "track", "--no-video", "--png-frames"])
        #expect(command.folder == "v" && command.episodes == 2 && command.seed == 3)
        let options = try command.recordingOptions()
        #expect(options.render.quality == .quality && options.render.backend == .osmesa)
        #expect(options.render.width == 96 && options.render.height == 64 && !options.video && options.pngFrames)
        let old = try RecordCommand.parse(["--policy", "random", "--out", "w"])
        #expect(old.folder == "w" && old.quality == .fast && old.gl == nil, "--out is --output's old name")
        #expect(message(RecordCommand.self, ["--policy", "random"])?.contains("--output DIR is required") == true)
        #expect(message(RecordCommand.self, ["--policy", "random", "--output", "v", "--out", "w"])?.contains("give --output once") == true)
    }

    @Test func benchSharesThePolicyAndParallelOptions() throws {
        let command = try BenchCommand.parse(["--policy", "random", "--transitions", "300", "--environments", "4", "--threads", "1",
                                              "--selection", "single", "--dpm-steps", "10"])
        #expect(command.policy.policy == .random && command.transitions == 300)
        #expect(command.environments == 4 && command.parallel.threads == 1)
        #expect(command.policy.overrides.selection == .single && command.policy.overrides.dpmSteps == 10)
        #expect(try BenchCommand.parse([]).environments == 50, "default: 50 environments in flight")
        #expect(try BenchCommand.parse(["--transitions", "20"]).environments == 20, "at most one environment per transition")
        let two = message(BenchCommand.self, ["--checkpoint", "a.pkl", "--checkpoint", "b.pkl"])
        #expect(two?.contains("bench times one --checkpoint, got 2") == true, "\(two ?? "parsed")")
        let both = message(BenchCommand.self, ["--checkpoint", "a.pkl", "--policy", "random"])
        #expect(both?.contains("give either --checkpoint or --policy, not both") == true, "\(both ?? "parsed")")
        let wide = message(BenchCommand.self, ["--transitions", "100", "--environments", "200"])
        #expect(wide?.contains("more than --transitions 100") == true, "\(wide ?? "parsed")")
        let none = message(BenchCommand.self, ["--transitions", "0"])
        #expect(none?.contains("--transitions must be positive, got 0") == true, "\(none ?? "parsed")")
        let candidates = message(BenchCommand.self, ["--candidates", "0"])
        #expect(candidates?.contains("--candidates must be between 1 and") == true, "\(candidates ?? "parsed")")
    }

    @Test func verifyReadsCheckpointPairsAndProtocol() throws {
        let command = try VerifyCommand.parse(["--table", "edp-table2", "--method", "TD3+BC EDP", "--protocol", "oms",
                                               "--checkpoint", "hopper-medium-v2=runs/a.pkl", "--checkpoint", "hopper-medium-v2=runs/b.pkl",
                                               "--episodes", "2", "--seeds", "3"])
        #expect(command.table == "edp-table2" && command.method == "TD3+BC EDP" && command.seriesProtocol == .oms)
        #expect(command.checkpoints == ["hopper-medium-v2=runs/a.pkl", "hopper-medium-v2=runs/b.pkl"])
        #expect(command.runOptions.episodes == 2 && command.runOptions.seedList == [0, 1, 2])
        #expect(try VerifyCommand.parse(["--list"]).list)
        #expect(message(VerifyCommand.self, [])?.contains("--table is required (or --list)") == true)
        #expect(message(VerifyCommand.self, ["--table", "t.csv", "--checkpoint", "runs/a.pkl"])?.contains("--checkpoint takes TASK=PATH") == true)
    }

    @Test func rootDispatchesToEachSubcommand() throws {
        #expect(try EDPEval.parseAsRoot(["evaluate", "--policy", "random", "--task", "hopper-medium-v2"]) is EvaluateCommand)
        #expect(try EDPEval.parseAsRoot(["bench", "--policy", "random"]) is BenchCommand)
        #expect(try EDPEval.parseAsRoot(["record", "--policy", "random", "--output", "v"]) is RecordCommand)
        #expect(try EDPEval.parseAsRoot(["verify", "--list"]) is VerifyCommand)
        #expect(try EDPEval.parseAsRoot(["merge", "a.json"]) is MergeCommand)
        #expect(throws: (any Error).self) { try EDPEval.parseAsRoot(["evaluat"]) }
    }
}
