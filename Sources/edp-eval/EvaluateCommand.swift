import ArgumentParser
import Checkpoints
import Environments
import Evaluation
import Foundation
import MuJoCo
import Rendering
import RolloutVideo

/// `edp-eval evaluate`: roll out policies and report normalized scores, intervals and SPS.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a checkpoint (default: the bundled EDP checkpoint) and report D4RL normalized scores with intervals and steps per second.",
        discussion: """
        Runs E episodes for each of K seeds, many environments in parallel with one batched policy \
        call per step. Episode e of seed s always starts from the same state and uses the same \
        policy noise, whatever --threads and --environments are. Episodes are appended to \
        <output>.jsonl as they finish; --resume continues an interrupted run from it.

        Examples:
          edp-eval evaluate                                   (bundled checkpoint on its task)
          edp-eval evaluate --task hopper-medium-v2 --policy random --episodes 100
          edp-eval evaluate --checkpoint run/model_1999.pkl --task walker2d-medium-expert-v2 \\
                            --episodes 10 --seeds 5 --candidates 10 --output report.json
          edp-eval evaluate --checkpoint actor_2000.pth --task hopper-medium-v2
          edp-eval evaluate --checkpoint run/model_99.pkl --checkpoint run/model_199.pkl ... (RAT and OMS)
          edp-eval evaluate --task antmaze-umaze-v0 --checkpoint ant.safetensors --episodes 100
          edp-eval evaluate ... --shard 3/8 --output shard3.json      (then: edp-eval merge shard*.json)
          edp-eval evaluate --task hopper-medium-v2 --policy random --video 2 --output out/report.json
          edp-eval evaluate --task hopper-medium-v2 --policy random --mujoco 2.1.0 --mujoco 2.3.7   (physics side by side)
        """
    )

    @Option(parsing: .upToNextOption, help: "D4RL task ids (default: the checkpoint's own task).")
    var task: [String] = []

    @OptionGroup var policy: PolicyOptions
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var physics: PhysicsOptions

    @Option(name: .shortAndLong, help: "Write the JSON report here (also <output>.jsonl with every episode as it finishes, and <output>.csv).")
    var output: String?

    @Flag(help: "Continue the run recorded in <output>.jsonl instead of starting over (starts a new run when there is none).")
    var resume = false

    @Flag(help: "Replace the earlier run at --output: its report, CSV and episode log are removed before the first episode (without it, existing files are refused).")
    var overwrite = false

    @Option(help: "Run only shard i of n of the sweep (tasks × checkpoints × seeds), e.g. 2/8.")
    var shard: String?

    @Option(help: ArgumentHelp("Record the first K episodes of each task (in seed, episode order) as MP4 while evaluating; same results as without.", valueName: "K"))
    var video: Int?

    @Option(name: .customLong("video-dir"), help: "Folder for --video files (default: videos/ beside --output, else ./videos).")
    var videoDirectory: String?

    @Option(help: ArgumentHelp("OpenGL backend for --video (default: MUJOCO_GL, else EGL then OSMesa).", valueName: "backend"))
    var gl: GLBackend?

    func validate() throws {
        if resume && output == nil { throw ValidationError("--resume needs --output (the run is read back from <output>.jsonl)") }
        if resume && overwrite { throw ValidationError("give either --resume or --overwrite, not both") }
        if let output {
            try OutputPath.checkReport(output)
            try refuseExistingFiles(output)
        }
        if let shard { _ = try asUsageError { try Shard(shard) } }
        if let video, video < 1 { throw ValidationError("--video takes the number of episodes to record (at least 1)") }
    }

    /// The recorders of `--video`, nil without it.
    private func videos(policyCount: Int, physics: MuJoCoPhysics) -> EvaluationVideos? {
        guard let video else { return nil }
        let folder = videoDirectory.map { URL(fileURLWithPath: $0) }
            ?? (output.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("videos") }
                ?? URL(fileURLWithPath: "videos"))
        return EvaluationVideos(directory: folder, options: RecordingOptions(render: RenderOptions(backend: gl)), count: video,
                                firstSeed: runOptions.seed, episodesPerSeed: runOptions.episodes, policyCount: policyCount,
                                physics: physics)
    }

    /// An earlier run's report or log at `output` is refused (usage error) unless `--resume` or `--overwrite`.
    private func refuseExistingFiles(_ output: String) throws {
        try asUsageError { try ReportFiles.refuseExisting(URL(fileURLWithPath: output), resume: resume, overwrite: overwrite) }
    }

    func run() throws {
        if video != nil { try Renderer.prepareMuJoCo210(for: gl) }
        let registry = try TaskRegistry.standard()
        var tasks = try uniqueTasks(task, registry: registry)
        // Each checkpoint is read and hashed once for the whole run (default task, warnings, every task's policy).
        let checkpoints = CheckpointStore()
        if tasks.isEmpty {
            tasks = [try policy.defaultTask(registry: registry, checkpoints: checkpoints)]
        } else {
            policy.warnAboutForeignTasks(tasks, checkpoints: checkpoints)
        }
        let sources = try policy.sources()
        let builds = try physics.resolveAll(for: tasks)
        let plan = EvaluationPlan(tasks: tasks, policies: sources, seeds: runOptions.seedList, episodesPerSeed: runOptions.episodes,
                                  width: runOptions.environments, threads: try runOptions.threadCount(),
                                  overrides: policy.overrides, shard: try shard.map { try Shard($0) },
                                  physics: builds[0], checkpoints: checkpoints)
        if builds.count > 1 { return try compare(plan, on: builds, registry: registry) }
        let outputURL = output.map { URL(fileURLWithPath: $0) }
        // One run per output stem at a time; released when this process ends, however it ends.
        let lock = try outputURL.map { url -> OutputLock in
            try OutputPath.createFolder(of: url)
            return try OutputLock(url: ReportFiles.lock(for: url))
        }
        defer { lock?.release() }
        // Checked again under the lock: another run may have written the files since `validate`.
        if let output { try refuseExistingFiles(output) }
        // --overwrite: the previous run's report, CSV and log go before the first episode, so an
        // interrupted run never leaves the old report beside the new log.
        if overwrite, let outputURL {
            for file in ReportFiles.all(for: outputURL) where FileManager.default.fileExists(atPath: file.path) {
                guard unlink(file.path) == 0 else {
                    throw CLIError.badInput(file: file.path, reason: "cannot remove the previous run's file (\(String(cString: strerror(errno)))); --overwrite needs it gone")
                }
            }
        }
        if let stale = lock?.staleOwner { FileHandle.standardError.write(Data("note: took over a stale lock (\(stale), no longer running)\n".utf8)) }
        let progress = ProgressLine()
        let videos = videos(policyCount: sources.count, physics: plan.physics)
        let runner = EvaluationRunner(plan: plan, registry: registry)
        let report = try runner
            .run(logURL: outputURL.map(ReportFiles.log), resume: resume, progress: progress.update,
                 onEpisode: videos.map { videos in { result in
                     if let path = try videos.finish(result)?.video?.path { print("video: \(path)") }
                 } },
                 observerFactory: videos.map { videos in { task, policyIndex, _ in try videos.observer(task: task, policyIndex: policyIndex) } })
        progress.finish()
        for note in runner.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
        print(ReportText.render(report))
        if video != nil { print("video rendering and encoding: \(Format.fixed(runner.observerSeconds, 2)) s (not counted in SPS)") }
        if let outputURL { try OutputPath.write(report, to: outputURL) }
        let failing = report.mostlyFailedTasks
        if !failing.isEmpty {
            throw CLIError.message("most episodes ended unstable or failed for " + failing.map { "\($0.task) with \(ReportText.shortPolicy($0.policy))" }.joined(separator: "; ")
                                   + " (reasons in the report's episodes[].detail); exit status 1")
        }
    }
}
