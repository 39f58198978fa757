import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes an H.264 MP4 by piping raw RGB frames into the `ffmpeg` program.
///
/// The command is `ffmpeg -f rawvideo -pix_fmt rgb24 -s WxH -framerate R -i - -r R -c:v libx264
/// -pix_fmt yuv420p -preset veryfast -crf 20 -movflags +faststart FILE` (yuv420p so every player
/// can show it; it needs even width and height). ffmpeg's messages go to a temporary file, so a
/// full stderr pipe can never stall it; they are reported if it fails.
public final class VideoWriter {
    public let url: URL
    /// Where ffmpeg writes until `finish` renames the file to `url`.
    private let partial: URL
    public let width: Int
    public let height: Int
    /// Frames per second as written to the stream (`num/den`).
    public let frameRate: (numerator: Int, denominator: Int)
    public private(set) var framesWritten = 0
    private let process: Process
    private let input: FileHandle
    private let log: URL
    private var finished = false

    /// Frame rate for a time step `dt` (s): 1/dt as a fraction with denominator 1000, reduced
    /// (dt 0.008 → 125/1, dt 0.05 → 20/1, dt 0.1 → 10/1; a dt with no exact thousandths rounds).
    public static func frameRate(forStep dt: Double) -> (numerator: Int, denominator: Int) {
        precondition(dt > 0 && dt.isFinite)
        return reduced(Int((1000 / dt).rounded()), 1000)
    }

    /// Frame rate for `--fps` (frames per second): reduced thousandths (30 → 30/1, 29.97 → 2997/100).
    public static func frameRate(perSecond fps: Double) -> (numerator: Int, denominator: Int) {
        precondition(fps > 0 && fps.isFinite)
        return reduced(Int((fps * 1000).rounded()), 1000)
    }

    private static func reduced(_ n: Int, _ d: Int) -> (numerator: Int, denominator: Int) {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let g = gcd(n, d)
        return (n / g, d / g)
    }

    /// The ffmpeg program: `EDP_FFMPEG` if set, else the first `ffmpeg` on `PATH`.
    public static func ffmpegPath() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["EDP_FFMPEG"], !path.isEmpty { return path }
        let folders = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/ffmpeg") {
            return folder + "/ffmpeg"
        }
        throw RenderingError.ffmpegNotFound(searched: folders)
    }

    /// Starts ffmpeg writing a hidden temporary file beside `url` (`.<stem>.partial-<pid>.mp4`),
    /// renamed to `url` by `finish` once ffmpeg has closed it: an interrupted or failed recording
    /// never leaves a truncated video under the final name (an earlier one there stays until then).
    /// - Parameters:
    ///   - framesPerSecond: e.g. `VideoWriter.frameRate(forStep: environment.dt)`.
    /// - Throws: `.invalidOption` for odd sizes, `.ffmpegNotFound`, `.cannotWrite`.
    public init(url: URL, width: Int, height: Int, framesPerSecond: (numerator: Int, denominator: Int)) throws {
        guard width % 2 == 0, height % 2 == 0, width >= 2, height >= 2 else {
            throw RenderingError.invalidOption("H.264 video (yuv420p) needs an even width and height, got \(width)×\(height)")
        }
        guard framesPerSecond.numerator > 0, framesPerSecond.denominator > 0 else {
            throw RenderingError.invalidOption("the frame rate must be positive")
        }
        self.url = url
        partial = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid()).\(url.pathExtension.isEmpty ? "mp4" : url.pathExtension)")
        self.width = width
        self.height = height
        self.frameRate = framesPerSecond
        let executable = try Self.ffmpegPath()
        // A dead ffmpeg must make write() fail with EPIPE, not kill this process with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        log = FileManager.default.temporaryDirectory.appendingPathComponent("edp-ffmpeg-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil), let logHandle = FileHandle(forWritingAtPath: log.path) else {
            throw RenderingError.cannotWrite(path: log.path, reason: "cannot create ffmpeg's log file")
        }
        let pipe = Pipe()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-hide_banner", "-loglevel", "error", "-y",
                             "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)",
                             "-framerate", "\(framesPerSecond.numerator)/\(framesPerSecond.denominator)", "-i", "-",
                             // The output rate is stated too: left to itself, ffmpeg may pick
                             // another stream rate (120 instead of 125 fps was seen).
                             "-an", "-r", "\(framesPerSecond.numerator)/\(framesPerSecond.denominator)", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-crf", "20",
                             "-movflags", "+faststart", partial.path]
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = logHandle
        do {
            try process.run()
        } catch {
            throw RenderingError.ffmpegNotFound(searched: [executable + " (\((error as NSError).localizedDescription))"])
        }
        try? logHandle.close()
        input = pipe.fileHandleForWriting
    }

    deinit {
        if !finished {
            try? input.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
        unlink(partial.path)
    }

    /// Appends one frame (must match the writer's size).
    /// - Throws: `.ffmpegFailed` if ffmpeg stopped reading.
    public func write(_ frame: Frame) throws {
        precondition(frame.width == width && frame.height == height, "frame is \(frame.width)×\(frame.height), video is \(width)×\(height)")
        let ok = frame.pixels.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(input.fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
        guard ok else {
            try? input.close()
            process.waitUntilExit()
            finished = true
            throw RenderingError.ffmpegFailed(file: url.path, status: process.terminationStatus, message: logText())
        }
        framesWritten += 1
    }

    /// Closes the pipe and waits for ffmpeg to finish the file.
    /// - Throws: `.ffmpegFailed` with ffmpeg's messages if it exited with an error.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        try? input.close()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: log) }
        guard process.terminationStatus == 0 else {
            throw RenderingError.ffmpegFailed(file: url.path, status: process.terminationStatus, message: logText())
        }
        guard rename(partial.path, url.path) == 0 else {
            throw RenderingError.cannotWrite(path: url.path, reason: "cannot rename the finished video \(partial.lastPathComponent) to it: \(String(cString: strerror(errno)))")
        }
    }

    private func logText() -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "no message" : String(text.suffix(2000))
    }
}
