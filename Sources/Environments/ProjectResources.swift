import Foundation

/// Locates the repository's data folders (`envs/`, `assets/`).
///
/// Order: the `EDP_EVAL_HOME` environment variable (a folder holding `envs/` and `assets/`);
/// then the folders above the running executable (`swift run`, `.build/…/edp-eval`); then the
/// source tree this module was compiled from.
public enum ProjectResources {
    /// The folder holding `envs/` and `assets/`.
    public static let root: URL = locateRoot()
    /// `envs/`: task registry and maze maps.
    public static var envs: URL { root.appendingPathComponent("envs") }
    /// `assets/`: MJCF models and the bundled reference checkpoint.
    public static var assets: URL { root.appendingPathComponent("assets") }
    /// `assets/models/<name>`.
    public static func model(_ name: String) -> URL { assets.appendingPathComponent("models").appendingPathComponent(name) }
    /// The bundled reference checkpoint, an EDP hopper policy (`assets/checkpoints/README.md`).
    public static var bundledCheckpoint: URL { assets.appendingPathComponent("checkpoints/edp-hopper-reference.safetensors") }

    private static func isRoot(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("envs/tasks.json").path)
    }

    private static func locateRoot() -> URL {
        if let home = ProcessInfo.processInfo.environment["EDP_EVAL_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.resolvingSymlinksInPath()) }
        candidates.append(URL(fileURLWithPath: #filePath))
        for start in candidates {
            var url = start.deletingLastPathComponent()
            while url.path != "/" {
                if isRoot(url) { return url }
                url.deleteLastPathComponent()
            }
        }
        // Fall back to the source tree; errors reading from it will name the missing file.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
