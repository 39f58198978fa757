import Foundation

/// What to write for each recorded episode.
public struct RecordingOptions: Equatable, Sendable {
    public var render: RenderOptions
    /// Write `<stem>.mp4`.
    public var video: Bool
    /// Write every frame as `<stem>/frame-00000.png` ...
    public var pngFrames: Bool
    /// Write `<stem>-sheet.png`, a grid of 12 frames across the episode.
    public var contactSheet: Bool
    /// Print task, episode, step, time and the return and normalized score so far on frames (the
    /// caller draws these), and hold the last frame for half a second with the episode's totals.
    public var overlay: Bool
    /// Video frame rate; nil: 1/dt of the task (real time).
    public var framesPerSecond: Double?
    /// Record only the first N frames of each episode (the rollout itself still runs to its end).
    public var maxFrames: Int?

    public init(render: RenderOptions = RenderOptions(), video: Bool = true, pngFrames: Bool = false, contactSheet: Bool = false,
                overlay: Bool = false, framesPerSecond: Double? = nil, maxFrames: Int? = nil) {
        self.render = render
        self.video = video
        self.pngFrames = pngFrames
        self.contactSheet = contactSheet
        self.overlay = overlay
        self.framesPerSecond = framesPerSecond
        self.maxFrames = maxFrames
    }

    /// Checks sizes and rates before any rollout starts.
    /// - Throws: `RenderingError.invalidOption`.
    public func validate() throws {
        if video && (render.width % 2 != 0 || render.height % 2 != 0) {
            throw RenderingError.invalidOption("MP4 video (H.264, yuv420p) needs an even width and height, got \(render.width)×\(render.height)")
        }
        if let framesPerSecond, !(framesPerSecond > 0 && framesPerSecond <= 1000) {
            throw RenderingError.invalidOption("the frame rate must be in (0, 1000], got \(framesPerSecond)")
        }
        if let maxFrames, maxFrames < 1 { throw RenderingError.invalidOption("the number of frames must be at least 1") }
        if !video && !pngFrames && !contactSheet {
            throw RenderingError.invalidOption("nothing to write: enable the video, PNG frames or the contact sheet")
        }
    }
}

/// Files written for one episode.
public struct RecordedFiles: Equatable, Sendable {
    public var video: URL?
    public var frames: URL?
    public var contactSheet: URL?
    public var frameCount: Int
    public init(video: URL? = nil, frames: URL? = nil, contactSheet: URL? = nil, frameCount: Int = 0) {
        self.video = video
        self.frames = frames
        self.contactSheet = contactSheet
        self.frameCount = frameCount
    }
}

/// The outputs of one episode: MP4, PNG frames and a contact sheet, fed one frame at a time.
public final class EpisodeRecording {
    public let directory: URL
    /// File name without extension, e.g. `<task id>-seed0-ep3`.
    public let stem: String
    public let options: RecordingOptions
    private let video: VideoWriter?
    private let framesFolder: URL?
    private var sheet: ContactSheet?
    /// The latest frame without its overlay: the end card is drawn on it (not over the old text).
    private var lastFrame: Frame?
    private var frames = 0
    private let rate: (numerator: Int, denominator: Int)

    /// Creates the output files' folder and starts ffmpeg.
    /// - Parameters:
    ///   - stepSeconds: the task's dt (s); the video runs at 1/dt unless `options.framesPerSecond`.
    /// - Throws: `.cannotWrite` if the folder cannot be created or written, ffmpeg errors.
    public init(directory: URL, stem: String, options: RecordingOptions, stepSeconds: Double) throws {
        try options.validate()
        self.directory = directory
        self.stem = stem
        self.options = options
        try Self.prepare(directory: directory)
        if let fps = options.framesPerSecond {
            rate = VideoWriter.frameRate(perSecond: fps)
        } else {
            rate = VideoWriter.frameRate(forStep: stepSeconds)
        }
        video = options.video
            ? try VideoWriter(url: directory.appendingPathComponent(stem + ".mp4"), width: options.render.width,
                              height: options.render.height, framesPerSecond: rate)
            : nil
        if options.pngFrames {
            let folder = directory.appendingPathComponent(stem, isDirectory: true)
            try Self.prepare(directory: folder)
            framesFolder = folder
        } else {
            framesFolder = nil
        }
        sheet = options.contactSheet ? ContactSheet(frameWidth: options.render.width) : nil
    }

    /// Makes sure `directory` exists and a file can be created in it.
    /// - Throws: `RenderingError.cannotWrite` with the system's reason.
    public static func prepare(directory: URL) throws {
        // mkdir(2) component by component, so the message is the system's reason (e.g. "Not a
        // directory", "Permission denied") rather than Foundation's generic error 512 on Linux.
        var path = ""
        for component in directory.standardizedFileURL.path.split(separator: "/") {
            path += "/" + component
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                if !isFolder.boolValue { throw RenderingError.cannotWrite(path: directory.path, reason: "\(path) is a file, not a folder") }
                continue
            }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw RenderingError.cannotWrite(path: directory.path, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
        let probe = directory.appendingPathComponent(".edp-write-test-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: probe.path, contents: Data()) else {
            throw RenderingError.cannotWrite(path: directory.path, reason: "cannot create a file there: \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(at: probe)
    }

    /// Whether more frames are wanted (`maxFrames`).
    public var wantsMoreFrames: Bool { options.maxFrames.map { frames < $0 } ?? true }

    /// Adds the frame of environment step `step` (0 = the state after reset).
    /// - Parameter background: the same frame before any overlay was drawn on it (the end card
    ///   is drawn on it); nil when `frame` has no overlay.
    public func add(_ frame: Frame, step: Int, background: Frame? = nil) throws {
        guard wantsMoreFrames else { return }
        try video?.write(frame)
        if let framesFolder {
            try PNG.write(frame, to: framesFolder.appendingPathComponent(String(format: "frame-%05d.png", step)))
        }
        sheet?.add(frame, step: step)
        lastFrame = background ?? frame
        frames += 1
    }

    /// Adds the rendered frame of environment step `step` with `overlayLines` drawn on it when the
    /// recording's overlay is on; the end card is later drawn on the frame as rendered (without
    /// these lines), so no ghost of the step's text shows under the summary (docs/record.md "record", `--overlay`).
    public func add(rendered frame: Frame, step: Int, overlayLines: @autoclosure () -> [String]) throws {
        guard options.overlay else { return try add(frame, step: step) }
        var annotated = frame
        annotated.overlay(lines: overlayLines())
        try add(annotated, step: step, background: frame)
    }

    /// The end card: the last frame, without its per-step overlay, with `summary` on it.
    public func closingFrame(summary: [String]) -> Frame? {
        guard var last = lastFrame else { return nil }
        last.overlay(lines: summary)
        return last
    }

    /// Writes the closing frames and files.
    /// - Parameter summary: lines printed on the held last frame when the overlay is on (return, score).
    public func finish(summary: [String]) throws -> RecordedFiles {
        if options.overlay, !summary.isEmpty, let video, let last = closingFrame(summary: summary) {
            let hold = max(1, Int((Double(rate.numerator) / Double(rate.denominator) / 2).rounded()))
            for _ in 0..<hold { try video.write(last) }
        }
        try video?.finish()
        var sheetURL: URL?
        if let image = sheet?.render() {
            let url = directory.appendingPathComponent(stem + "-sheet.png")
            try PNG.write(image, to: url)
            sheetURL = url
        }
        return RecordedFiles(video: video?.url, frames: framesFolder, contactSheet: sheetURL, frameCount: frames)
    }
}
