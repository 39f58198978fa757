import Environments
import Evaluation
import Foundation
import MuJoCo
import Rendering

/// Records rollouts of the `RolloutEngine` as they run: give `observe` to `RolloutEngine.run` as its
/// observer and call `finish` from `onEpisode`. Renders on the calling thread only and only reads
/// the simulation. Episodes not accepted by `shouldRecord` are skipped (e.g. `evaluate --video K`:
/// `{ $0.episode < K }`).
public final class EpisodeVideoRecorder {
    public let task: TaskSpec
    /// The MuJoCo build the recorded rollouts run on.
    public let physics: MuJoCoPhysics
    public let directory: URL
    public let options: RecordingOptions
    public let shouldRecord: (EpisodeID) -> Bool
    /// Inserted into file names after the task id when several policies share a folder.
    public let fileTag: String?
    private var renderer: Renderer?
    private var recordings: [EpisodeID: EpisodeRecording] = [:]

    /// Checks the options and that `directory` can be written, and makes the GL context now, so
    /// that a missing GL library or an unwritable folder fails before any rollout runs.
    public init(task: TaskSpec, physics: MuJoCoPhysics, directory: URL, options: RecordingOptions, fileTag: String? = nil,
         shouldRecord: @escaping (EpisodeID) -> Bool = { _ in true }) throws {
        try options.validate()
        try EpisodeRecording.prepare(directory: directory)
        self.task = task
        self.physics = physics
        self.directory = directory
        self.options = options
        self.shouldRecord = shouldRecord
        self.fileTag = fileTag
        renderer = try Renderer(model: EnvironmentFactory.model(for: task, physics: physics), robot: task.robot, options: options.render)
    }

    /// The GL backend and renderer in use, for logs.
    public var backendDescription: String {
        guard let renderer else { return "no renderer" }
        return "\(renderer.context.backend): \(renderer.context.description)"
    }

    /// The file name stem of an episode: `<task>-seed<S>-ep<e>`, or `<task>-<tag>-seed<S>-ep<e>`.
    public func stem(for id: EpisodeID) -> String { Self.stem(task: task.id, fileTag: fileTag, id: id) }

    /// `stem(for:)` of a recorder of `task` with `fileTag`.
    public static func stem(task: String, fileTag: String?, id: EpisodeID) -> String {
        "\(task)\(fileTag.map { "-\($0)" } ?? "")-seed\(id.seed)-ep\(id.episode)"
    }

    /// The files and folders a recording of `stem` with `options` writes in `directory`: the MP4,
    /// the PNG frames' folder and the contact sheet, as each is enabled.
    public static func outputs(stem: String, in directory: URL, options: RecordingOptions) -> [URL] {
        (options.video ? [directory.appendingPathComponent(stem + ".mp4")] : [])
            + (options.pngFrames ? [directory.appendingPathComponent(stem, isDirectory: true)] : [])
            + (options.contactSheet ? [directory.appendingPathComponent(stem + "-sheet.png")] : [])
    }

    /// Renders the environment's current state as frame `step` of episode `id`.
    public func observe(id: EpisodeID, step: Int, environment: MuJoCoEnvironment) throws {
        guard shouldRecord(id), let renderer else { return }
        if step == 0 { recordings[id] = nil }
        let recording: EpisodeRecording
        if let existing = recordings[id] {
            recording = existing
        } else {
            recording = try EpisodeRecording(directory: directory, stem: stem(for: id), options: options, stepSeconds: environment.dt)
            recordings[id] = recording
        }
        guard recording.wantsMoreFrames else { return }
        var markers: [SceneMarker] = []
        if let goal = environment.goalMarker {
            markers = SceneMarker.goal(goal)
        }
        let frame = try renderer.render(environment.data, markers: markers)
        let episodeReturn = environment.episodeReturn
        try recording.add(rendered: frame, step: step, overlayLines: [
            task.id, "seed \(id.seed) ep \(id.episode)",
            "step \(step)  t \(String(format: "%.2f", Double(step) * environment.dt))s",
            "return \(String(format: "%.1f", episodeReturn))"
                + (task.normalizedScore(return: episodeReturn).map { "  score \(String(format: "%.1f", $0))" } ?? ""),
        ] + environment.overlayLines)
    }

    /// Closes the episode's files (the overlay's last frame shows its return and normalized score).
    @discardableResult
    public func finish(id: EpisodeID, result: EpisodeResult) throws -> RecordedFiles {
        guard let recording = recordings.removeValue(forKey: id) else {
            return RecordedFiles(video: nil, frames: nil, contactSheet: nil, frameCount: 0)
        }
        var summary = [task.id, "seed \(id.seed) ep \(id.episode)", "steps \(result.length) (\(result.end.rawValue))",
                       "return \(String(format: "%.1f", result.return))"]
        if let score = result.normalizedScore { summary.append("score \(String(format: "%.1f", score))") }
        if let success = result.success { summary.append(success ? "goal reached" : "goal not reached") }
        for (name, value) in (result.metrics ?? [:]).sorted(by: { $0.key < $1.key }) {
            summary.append("\(name.replacingOccurrences(of: "_", with: " ")) \(value)")
        }
        return try recording.finish(summary: summary)
    }
}

extension EpisodeVideoRecorder {
    /// Runs episodes 0..<`episodes` of `seed` one at a time (one environment, one thread) with
    /// `policy`, rendering every step; the rollouts are those `evaluate` runs for the same seed.
    /// - Parameter onEpisode: called with each finished episode and the files written for it.
    public func record(policy: any RolloutPolicy, seed: UInt64, episodes: Int,
                       onEpisode: (EpisodeResult, RecordedFiles) throws -> Void) throws {
        let engine = RolloutEngine(task: task, physics: physics, policy: policy, width: 1, threads: 1)
        let ids = (0..<episodes).map { EpisodeID(seed: seed, episode: $0) }
        _ = try engine.run(episodes: ids, onEpisode: { result in
            try onEpisode(result, try finish(id: result.id, result: result))
        }, observer: observe)
    }
}
