import ArgumentParser
import Environments
import Evaluation
import Foundation
import Rendering

/// `edp-eval evaluate`: roll out policies and report normalized scores, intervals and SPS.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a checkpoint (default: the bundled EDP hopper checkpoint) and report D4RL normalized scores with intervals and steps per second.",
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
        """
    )

    @Option(parsing: .upToNextOption, help: "D4RL task ids (default: the checkpoint's own task).")
    var task: [String] = []

    @OptionGroup var policy: PolicyOptions
    @OptionGroup var runOptions: RunOptions

    @Option(name: .shortAndLong, help: "Write the JSON report here (also <output>.jsonl with every episode as it finishes, and <output>.csv).")
    var output: String?

    @Flag(help: "Continue the run recorded in <output>.jsonl instead of starting over (starts a new run when there is none).")
    var resume = false

    @Flag(help: "Replace the report and episode log already at --output (without it, an existing log is refused).")
    var overwrite = false

    @Option(help: "Run only shard i of n of the sweep (tasks × checkpoints × seeds), e.g. 2/8.")
    var shard: String?

    @Option(help: ArgumentHelp("Record the first K episodes of each task (in seed, episode order) as MP4 while evaluating; same results as without.", valueName: "K"))
    var video: Int?

    @Option(name: .customLong("video-dir"), help: "Folder for --video files (default: videos/ beside --output, else ./videos).")
    var videoDirectory: String?

    @Option(help: ArgumentHelp("OpenGL backend for --video: egl, osmesa or glfw (default: MUJOCO_GL, else EGL then OSMesa).", valueName: "backend"))
    var gl: String?

    func validate() throws {
        if resume && output == nil { throw ValidationError("--resume needs --output (the run is read back from <output>.jsonl)") }
        if resume && overwrite { throw ValidationError("give either --resume or --overwrite, not both") }
        if let output {
            try ReportFiles.checkOutputPath(output)
            try ReportFiles.refuseExisting(output, resume: resume, overwrite: overwrite)
        }
        if let shard { _ = try Shard(shard) }
        if let video, video < 1 { throw ValidationError("--video takes the number of episodes to record (at least 1)") }
    }

    /// Per-task recorders for --video, created lazily when a task's rollouts start.
    /// With several policies, file names carry the policy's position (`<task>-policy2-seed0-ep0.mp4`).
    private func videoHooks(policyCount: Int) throws -> (observers: EvaluationRunner.ObserverFactory?,
                                                         finish: ((EpisodeResult) throws -> Void)?) {
        guard let video else { return (nil, nil) }
        let folder = videoDirectory.map { URL(fileURLWithPath: $0) }
            ?? (output.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("videos") }
                ?? URL(fileURLWithPath: "videos"))
        let options = RecordingOptions(render: RenderOptions(backend: try gl.map { try GLBackend(userValue: $0) }))
        let firstSeed = runOptions.seed, perSeed = UInt64(runOptions.episodes)
        let recorders = RecorderTable()
        // Groups (task, policy) run one after another, so the episodes finishing belong to the
        // recorder of the group that started last.
        let observers: EvaluationRunner.ObserverFactory = { task, policyIndex, _ in
            let recorder = try EpisodeVideoRecorder(task: task, directory: folder, options: options,
                                                    fileTag: policyCount > 1 ? "policy\(policyIndex + 1)" : nil, shouldRecord: { id in
                (id.seed - firstSeed) * perSeed + UInt64(id.episode) < UInt64(video)
            })
            recorders.current = recorder
            return recorder.observe
        }
        let finish: (EpisodeResult) throws -> Void = { result in
            guard let recorder = recorders.current, recorder.task.id == result.task else { return }
            let files = try recorder.finish(id: result.id, result: result)
            if let path = files.video?.path { print("video: \(path)") }
        }
        return (observers, finish)
    }

    private final class RecorderTable { var current: EpisodeVideoRecorder? }

    func run() throws {
        let registry = try TaskRegistry.standard()
        var tasks = try uniqueTasks(task, registry: registry)
        if tasks.isEmpty { tasks = [try policy.defaultTask(registry: registry)] } else { policy.warnAboutForeignTasks(tasks) }
        let sources = try policy.sources()
        let plan = EvaluationPlan(tasks: tasks, policies: sources, seeds: runOptions.seedList, episodesPerSeed: runOptions.episodes,
                                  width: runOptions.environments, threads: try runOptions.threadCount(),
                                  overrides: policy.overrides, shard: try shard.map { try Shard($0) })
        let outputURL = output.map { URL(fileURLWithPath: $0) }
        // One run per output at a time; released when this process ends, however it ends.
        let lock = try outputURL.map { url -> OutputLock in
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            return try OutputLock(url: ReportFiles.lock(for: url))
        }
        defer { lock?.release() }
        // Checked again under the lock: another run may have written the files since `validate`.
        if let output { try ReportFiles.refuseExisting(output, resume: resume, overwrite: overwrite) }
        if let stale = lock?.staleOwner { FileHandle.standardError.write(Data("note: took over a stale lock (\(stale), no longer running)\n".utf8)) }
        let progress = ProgressLine()
        let hooks = try videoHooks(policyCount: sources.count)
        let runner = EvaluationRunner(plan: plan, registry: registry)
        let report = try runner
            .run(logURL: outputURL.map(ReportFiles.log), resume: resume, progress: progress.update,
                 onEpisode: hooks.finish, observerFactory: hooks.observers)
        progress.finish()
        print(ReportText.render(report))
        if video != nil { print("video rendering and encoding: \(Format.fixed(runner.observerSeconds, 2)) s (not counted in SPS)") }
        if let outputURL { try ReportFiles.write(report, to: outputURL) }
        // A policy that cannot act on most episodes gives no score worth reporting as a success.
        let failing = report.tasks.filter { t in 2 * ((t.ends["unstable"] ?? 0) + (t.ends["error"] ?? 0)) > t.episodes.count }
        if !failing.isEmpty {
            throw CLIError.message("most episodes ended unstable or failed for " + failing.map { "\($0.task) with \(ReportText.shortPolicy($0.policy))" }.joined(separator: "; ")
                                   + " (reasons in the report's episodes[].detail); exit status 1")
        }
    }
}

/// The files of a report: JSON, CSV of episodes, JSON Lines log.
enum ReportFiles {
    static func log(for output: URL) -> URL { output.deletingPathExtension().appendingPathExtension("jsonl") }
    static func csv(for output: URL) -> URL { output.deletingPathExtension().appendingPathExtension("csv") }
    /// `<output>.lock`: held while a run writes these files (`OutputLock`).
    static func lock(for output: URL) -> URL { output.appendingPathExtension("lock") }

    /// An earlier run's files are never replaced silently: continue it or replace it explicitly.
    /// Without --resume or --overwrite, an existing log or report is refused; with --resume, a
    /// report without its log is refused (there is nothing to continue, and it would be replaced).
    static func refuseExisting(_ output: String, resume: Bool, overwrite: Bool) throws {
        if overwrite { return }
        let url = URL(fileURLWithPath: output)
        let exists = { (file: URL) in FileManager.default.fileExists(atPath: file.path) }
        if resume {
            if exists(url) && !exists(log(for: url)) {
                throw ValidationError("--resume: \(url.path) exists but its episode log \(log(for: url).path) does not, so there is no run to continue; add --overwrite (instead of --resume) to replace the report")
            }
            return
        }
        for file in [log(for: url), url] where exists(file) {
            throw ValidationError("\(file.path) already exists (an earlier run): add --resume to continue it or --overwrite to replace it")
        }
    }

    /// The JSON report must not share a name with its CSV or its episode log (writing one would
    /// destroy the other): `.csv` and `.jsonl` are refused for `--output`.
    static func checkOutputPath(_ output: String) throws {
        try OutputPath.check(output)
        let url = URL(fileURLWithPath: output)
        guard url.standardizedFileURL != log(for: url).standardizedFileURL,
              url.standardizedFileURL != csv(for: url).standardizedFileURL else {
            throw ValidationError("--output \(output): the JSON report's path must not end in .csv or .jsonl (those names are used for its episode table and log); use e.g. report.json")
        }
    }

    static func write(_ report: EvaluationReport, to output: URL) throws {
        try OutputPath.write(try JSONText.encode(report, pretty: true) + "\n", to: output)
        try OutputPath.write(report.episodesCSV(), to: csv(for: output))
    }
}

/// The human-readable summary of a report.
enum ReportText {
    static func render(_ report: EvaluationReport) -> String {
        var rows: [[String]] = []
        // Both columns are mean ± standard error ("—" with one episode, where it is undefined).
        func meanAndError(_ s: Summary) -> String { "\(Format.fixed(s.mean)) ± \(s.stderr.map { Format.fixed($0) } ?? "—")" }
        let goalTasks = report.tasks.contains { $0.successRate != nil }
        for t in report.tasks {
            let n = t.normalizedScore
            let ci = n.ci95.map { "[\(Format.fixed($0[0])), \(Format.fixed($0[1]))]" } ?? "-"
            var row = [t.task, shortPolicy(t.policy), "\(t.episodes.count)", meanAndError(t.return), meanAndError(n), ci]
            if goalTasks { row.append(t.successRate.map { "\(Format.fixed(100 * $0))%" } ?? "") }
            // The random policy's "inference" is drawing uniforms: no inference speed to show.
            row += ["\(Int(t.sps.total))", "\(Int(t.sps.physics))", t.policy == "random" ? "—" : "\(Int(t.sps.inference))"]
            rows.append(row)
        }
        var header = ["task", "policy", "episodes", "return (mean ± s.e.)", "normalized (mean ± s.e.)", "95% CI"]
        if goalTasks { header.append("success") }
        header += ["SPS", "physics SPS", "inference SPS"]
        let firstSPS = header.count - 3
        var text = Table(header: header, rows: rows,
                         rightAligned: Set([2, firstSPS, firstSPS + 1, firstSPS + 2] + (goalTasks ? [firstSPS - 1] : []))).render()
        for t in report.tasks where t.ends.keys.contains(where: { $0 == "unstable" || $0 == "error" }) {
            text += "\n\(t.task): \(t.ends["unstable"] ?? 0) unstable, \(t.ends["error"] ?? 0) failed episodes (see the report's episodes[].detail)"
        }
        if let series = report.series {
            for (task, s) in series.sorted(by: { $0.key < $1.key }) {
                text += "\n\(task): RAT (last \(s.window)) \(Format.fixed(s.rat)), OMS \(Format.fixed(s.oms)) (checkpoint #\(s.omsIndex + 1))"
            }
        }
        let p = report.provenance
        text += "\nMuJoCo \(p.mujocoVersion), edp-eval \(p.package), \(p.threads) threads, seeds \(p.seeds.map(String.init).joined(separator: ","))"
        if let first = report.tasks.first { text += "; policy: \(first.policySummary)" }
        return text
    }

    static func shortPolicy(_ label: String) -> String {
        label.count > 40 ? "…" + label.suffix(39) : label
    }
}
