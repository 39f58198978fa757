import ArgumentParser
import Checkpoints
import Environments
import Evaluation
import Foundation
import Rendering
import RolloutVideo

/// `edp-eval record`: render a policy's rollouts to MP4 (and PNG frames / a contact sheet).
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Render a policy's rollouts to MP4 videos (and PNG frames or a contact sheet), offscreen.",
        discussion: """
        Runs the same rollouts as `evaluate` for the same seeds (episode e of seed S starts from the \
        same state with the same policy noise), renders every step offscreen and writes \
        DIR/<task>-seed<S>-ep<e>.mp4 (with several --checkpoint, one video per checkpoint: \
        DIR/<task>-policy<i>-seed<S>-ep<e>.mp4, i = position in the series). Rendering only reads the simulation: returns are identical \
        with and without video. No display or GPU is needed: EGL (Mesa surfaceless) is tried \
        first, then OSMesa; force one with --gl or MUJOCO_GL.

        Examples:
          edp-eval record --task hopper-medium-v2 --policy random --episodes 2 --output videos
          edp-eval record --task antmaze-umaze-v0 --checkpoint ant.safetensors --output v --overlay --contact-sheet
          edp-eval record --task walker2d-medium-v2 --policy random --output v --camera track --quality quality
        """
    )

    @Option(help: "D4RL task id, e.g. hopper-medium-v2 (default: the checkpoint's own task).")
    var task: String?
    @OptionGroup var policy: PolicyOptions
    @OptionGroup var physics: PhysicsOptions
    @Option(parsing: .unconditional, help: "Episodes to record (at most 1,000,000, as evaluate).")
    var episodes = 1
    @Option(parsing: .unconditional, help: "Seed S (as evaluate --seed): episodes 0..<N of seed S are recorded.")
    var seed: UInt64 = 0
    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder (created if needed).", valueName: "dir"))
    var output: String?
    /// The option's former name, still accepted.
    @Option(name: .customLong("out"), help: .hidden)
    var out: String?

    /// The output folder (`--output`, or its old name `--out`).
    var folder: String { output ?? out ?? "" }

    @Option(help: "Frame width in pixels (even for MP4).")
    var width = 480
    @Option(help: "Frame height in pixels (even for MP4).")
    var height = 480
    @Option(help: "fast (no shadows, reflections or multisampling) or quality (shadows, reflections, 4× multisampling).")
    var quality: RenderQuality = .fast
    @Option(help: ArgumentHelp("default (the robot's own view: a side view tracking the torso, or a top-down view of a maze), a model camera name (e.g. track), free:DIST,AZIMUTH,ELEVATION[,X,Y,Z] or track-body:BODY,DIST,AZIMUTH,ELEVATION.", valueName: "name"))
    var camera = "default"
    @Option(help: ArgumentHelp("OpenGL backend (default: MUJOCO_GL, else EGL then OSMesa).", valueName: "backend"))
    var gl: GLBackend?
    @Flag(help: "Print task, episode, step, time, return and normalized score so far on every frame, and end each video on the episode's totals.")
    var overlay = false
    @Option(help: "Video frame rate (default: 1/dt of the task, i.e. real time).")
    var fps: Double?
    @Flag(inversion: .prefixedNo, help: "Write the MP4 video (needs the ffmpeg program).")
    var video = true
    @Flag(name: .customLong("png-frames"), help: "Also write every frame as DIR/<task>-seed<S>-ep<e>/frame-NNNNN.png.")
    var pngFrames = false
    @Flag(name: .customLong("contact-sheet"), help: "Also write DIR/<task>-seed<S>-ep<e>-sheet.png, 12 frames across the episode.")
    var contactSheet = false
    @Option(name: .customLong("max-frames"), help: "Record only the first N frames of each episode (the rollout still runs to its end).")
    var maxFrames: Int?
    @Flag(help: "Replace videos, PNG frames and contact sheets of the same names already in the folder (without it, they are refused before anything runs).")
    var overwrite = false
    @Flag(help: "Also show the frames in a window as they are rendered (GLFW; needs a display and libglfw3).")
    var watch = false

    func validate() throws {
        _ = try physics.requested()
        guard (output == nil) != (out == nil) else {
            throw ValidationError(output == nil ? "--output DIR is required (the folder for the videos)" : "give --output once (--out is its old name)")
        }
        guard !folder.isEmpty else { throw ValidationError("--output is empty: give a folder, e.g. videos") }
        try RunLimits.checkEpisodes(episodes: episodes, seeds: 1)
        do {
            _ = try recordingOptions()
        } catch let error as RenderingError {
            throw ValidationError(CommandLineWording.message(for: error))
        }
    }

    func recordingOptions() throws -> RecordingOptions {
        let render = RenderOptions(width: width, height: height, quality: quality,
                                   camera: try CameraSelection(argument: camera), backend: gl, showWindow: watch)
        let options = RecordingOptions(render: render, video: video, pngFrames: pngFrames, contactSheet: contactSheet,
                                       overlay: overlay, framesPerSecond: fps, maxFrames: maxFrames)
        try options.validate()
        return options
    }

    func run() throws {
        try Renderer.prepareMuJoCo210(for: watch ? .glfw : gl)
        let registry = try TaskRegistry.standard()
        let checkpoints = CheckpointStore()   // each checkpoint read once (default task and policy)
        let spec = try task.map { try registry.task($0) } ?? policy.defaultTask(registry: registry, checkpoints: checkpoints)
        let sources = try policy.sources()
        guard !sources.isEmpty else { throw CLIError.message("no policy given") }
        // Several checkpoints (a series of one run): each gets its own videos, tagged with its
        // position in the series (`<task>-policy2-seed0-ep0.mp4`), as `evaluate --video` names them.
        let options = try recordingOptions()
        let tags = sources.indices.map { sources.count > 1 ? "policy\($0 + 1)" : nil }
        if !overwrite {
            for tag in tags {
                for e in 0..<episodes {
                    let stem = EpisodeVideoRecorder.stem(task: spec.id, fileTag: tag, id: EpisodeID(seed: seed, episode: e))
                    for file in EpisodeVideoRecorder.outputs(stem: stem, in: URL(fileURLWithPath: folder), options: options)
                    where FileManager.default.fileExists(atPath: file.path) {
                        throw ValidationError("--output: \(file.path) already exists; add --overwrite to replace it, or choose another folder")
                    }
                }
            }
        }
        let physics = try self.physics.resolve(for: [spec])
        print("physics: MuJoCo \(physics.rawValue)")
        for (index, source) in sources.enumerated() {
            let made = try PolicyFactory.make(source, task: spec, physics: physics, overrides: policy.overrides,
                                              checkpoints: checkpoints)
            let recorder: EpisodeVideoRecorder
            do {
                recorder = try EpisodeVideoRecorder(task: spec, physics: physics, directory: URL(fileURLWithPath: folder), options: options,
                                                    fileTag: tags[index])
            } catch RenderingError.noContext(let attempts, _) where watch {
                // --watch chose the window (GLFW) itself: the fix is a display or no --watch, not --gl.
                throw CLIError.message("--watch shows frames in a window, which needs a display (DISPLAY or WAYLAND_DISPLAY) and libglfw3: "
                    + attempts.map(\.reason).joined(separator: "; ") + ". Run without --watch to render offscreen (EGL or OSMesa).")
            }
            if index == 0 { print("rendering with \(recorder.backendDescription)") }
            if sources.count > 1 { print("policy \(index + 1) of \(sources.count): \(source.description)") }
            try recorder.record(policy: made.policy, seed: seed, episodes: episodes) { result, files in
                let written = [files.video, files.frames, files.contactSheet].compactMap { $0?.path }.joined(separator: ", ")
                print("\(result.task) seed \(result.seed) episode \(result.episode): return \(Format.fixed(result.return, 2)), "
                      + (result.normalizedScore.map { "normalized score \(Format.fixed($0, 2)), " } ?? "")
                      + "\(result.length) steps (\(result.end.rawValue)) -> \(written)")
            }
        }
    }
}
