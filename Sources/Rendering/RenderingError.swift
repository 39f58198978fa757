import Foundation

/// Failures of the outside world while rendering: GL, MuJoCo's renderer, ffmpeg, files.
public enum RenderingError: Error, CustomStringConvertible, Equatable {
    /// One backend that was tried and why it failed.
    public struct Attempt: Equatable, Sendable {
        public var backend: GLBackend
        public var reason: String
        public init(backend: GLBackend, reason: String) {
            self.backend = backend
            self.reason = reason
        }
    }

    /// No OpenGL context could be made.
    case noContext(attempts: [Attempt], forced: Bool)
    /// A backend name (from the caller or `MUJOCO_GL`) other than egl, osmesa, glfw.
    case unknownBackend(String)
    /// The process already renders through another backend (MuJoCo loads GL once per process).
    case backendConflict(requested: GLBackend, inUse: GLBackend)
    /// The context could not be made current on this thread.
    case makeCurrentFailed(backend: GLBackend)
    /// MuJoCo's renderer raised an error (message from MuJoCo).
    case renderer(operation: String, message: String)
    /// A named camera the model does not have.
    case unknownCamera(name: String, known: [String])
    /// A named body the model does not have (tracking camera).
    case unknownBody(name: String)
    /// Invalid options (odd size for H.264, zero size...).
    case invalidOption(String)
    /// The `ffmpeg` program was not found.
    case ffmpegNotFound(searched: [String])
    /// ffmpeg failed or exited early.
    case ffmpegFailed(file: String, status: Int32, message: String)
    /// A file or folder could not be written.
    case cannotWrite(path: String, reason: String)
    /// A PNG file is malformed or uses features the reader does not implement.
    case badPNG(path: String, reason: String)

    /// What was tried for `noContext` and why each backend failed, one line a backend, without
    /// the remedy (which the caller words: the CLI names its `--gl` option).
    public static func attemptsText(_ attempts: [Attempt]) -> String {
        var lines = ["cannot create an OpenGL context for rendering; tried \(attempts.map(\.backend.rawValue).joined(separator: ", ")):"]
        for a in attempts {
            lines.append("  - \(a.backend): \(a.reason). Provided by the Debian package(s) \(a.backend.debianPackages)")
        }
        return lines.joined(separator: "\n")
    }

    /// The problem and a remedy in words (no command-line options: edp-eval's `CommandLineWording`
    /// names them).
    public var description: String {
        switch self {
        case .noContext(let attempts, let forced):
            let all = GLBackend.allCases.map(\.rawValue).joined(separator: "|")
            return Self.attemptsText(attempts) + "\n" + (forced
                ? "The backend was forced (MUJOCO_GL or the caller's choice); unset MUJOCO_GL or choose another (\(all))."
                : "Install one of them (Scripts/bootstrap does), or force a backend (\(all)) with MUJOCO_GL.")
        case .unknownBackend(let value):
            return "unknown OpenGL backend '\(value)': use one of \(GLBackend.allCases.map(\.rawValue).joined(separator: ", "))"
        case .backendConflict(let requested, let inUse):
            return "this process already renders with \(inUse) (MuJoCo loads OpenGL functions once per process); cannot switch to \(requested) — run a separate process"
        case .makeCurrentFailed(let backend):
            return "cannot make the \(backend) OpenGL context current on this thread"
        case .renderer(let operation, let message):
            return "MuJoCo's renderer failed in \(operation): \(message)"
        case .unknownCamera(let name, let known):
            return "the model has no camera named '\(name)' (cameras: \(known.isEmpty ? "none" : known.joined(separator: ", ")); or use 'default' or 'free:DISTANCE,AZIMUTH,ELEVATION[,X,Y,Z]')"
        case .unknownBody(let name):
            return "the model has no body named '\(name)' to track"
        case .invalidOption(let text):
            return text
        case .ffmpegNotFound(let searched):
            return "the ffmpeg program is needed for MP4 video but was not found (searched \(searched.joined(separator: ", "))); install the Debian package ffmpeg, or write PNG frames or a contact sheet without video"
        case .ffmpegFailed(let file, let status, let message):
            return "ffmpeg failed writing \(file) (exit status \(status)): \(message)"
        case .cannotWrite(let path, let reason):
            return "cannot write to \(path): \(reason)"
        case .badPNG(let path, let reason):
            return "\(path): not a PNG this reader understands: \(reason)"
        }
    }
}
