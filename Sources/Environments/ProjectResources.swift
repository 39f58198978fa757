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

    /// D4RL 1.1's kitchen and Adroit asset tree (`kitchen/…`, `hand_manipulation_suite/…`, paths as
    /// below `d4rl/` in the wheel), installed by `Scripts/bootstrap`: the `EDP_D4RL_ASSETS`
    /// environment variable, else `/usr/local/share/edp-eval/d4rl-1.1`.
    public static var d4rlAssets: URL {
        if let folder = ProcessInfo.processInfo.environment["EDP_D4RL_ASSETS"], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        return URL(fileURLWithPath: "/usr/local/share/edp-eval/d4rl-1.1")
    }

    /// A file of the D4RL asset tree, e.g. `hand_manipulation_suite/assets/DAPG_pen.xml`.
    /// - Throws: `ResourceError.d4rlAssetMissing` naming the path and how to install it.
    public static func d4rlAsset(_ relativePath: String) throws -> URL {
        let url = d4rlAssets.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ResourceError.d4rlAssetMissing(path: url.path)
        }
        return url
    }

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

/// Errors locating files the project needs at run time.
public enum ResourceError: Error, CustomStringConvertible, Equatable {
    /// A D4RL kitchen/Adroit asset file is not installed.
    case d4rlAssetMissing(path: String)

    public var description: String {
        switch self {
        case .d4rlAssetMissing(let path):
            return "D4RL asset \(path) not found: run Scripts/bootstrap to install D4RL 1.1's kitchen and Adroit "
                + "assets, or set EDP_D4RL_ASSETS to the folder holding kitchen/ and hand_manipulation_suite/"
        }
    }
}
