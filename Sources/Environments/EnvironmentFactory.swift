import Foundation
import MuJoCo

/// Builds the environment for a registered task, compiling each model file once per process.
public enum EnvironmentFactory {
    /// The model file of each robot in `assets/models/`.
    public static let modelFiles: [String: String] = [
        "hopper": "hopper.xml", "walker2d": "walker2d.xml", "halfcheetah": "half_cheetah.xml",
    ]

    /// A fresh environment for `task`, its generator seeded with `seed` (call `reset()` next).
    public static func make(task: TaskSpec, seed: UInt64 = 0) throws -> MuJoCoEnvironment {
        switch task.robot {
        case "hopper":
            return try HopperEnvironment(task: task, model: model(for: task), frameSkip: HopperEnvironment.frameSkip, seed: seed)
        case "walker2d":
            return try Walker2dEnvironment(task: task, model: model(for: task), frameSkip: Walker2dEnvironment.frameSkip, seed: seed)
        case "halfcheetah":
            return try HalfCheetahEnvironment(task: task, model: model(for: task), frameSkip: HalfCheetahEnvironment.frameSkip, seed: seed)
        default:
            throw EnvironmentError.unsupportedRobot(task: task.id, robot: task.robot)
        }
    }

    /// The model file used for a task.
    public static func modelURL(for task: TaskSpec) throws -> URL {
        guard let file = modelFiles[task.robot] else {
            throw EnvironmentError.unsupportedRobot(task: task.id, robot: task.robot)
        }
        return ProjectResources.model(file)
    }

    private static let cache = ModelCache()

    /// The compiled model for a task (shared, read-only).
    public static func model(for task: TaskSpec) throws -> MjModel {
        try cache.model(at: modelURL(for: task))
    }
}

/// Errors building environments.
public enum EnvironmentError: Error, CustomStringConvertible, Equatable {
    case unsupportedRobot(task: String, robot: String)

    public var description: String {
        switch self {
        case .unsupportedRobot(let task, let robot):
            return "task \(task) uses robot '\(robot)', which this build has no environment for"
        }
    }
}

/// Compiled models keyed by file path; thread-safe.
final class ModelCache: @unchecked Sendable {
    private var models: [String: MjModel] = [:]
    private let lock = NSLock()

    func model(at url: URL) throws -> MjModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[url.path] { return model }
        let model = try MjModel(contentsOf: url)
        models[url.path] = model
        return model
    }
}
