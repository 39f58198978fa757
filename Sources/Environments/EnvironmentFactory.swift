import Foundation
import MuJoCo

/// Builds the environment for a registered task, compiling each model file once per process.
public enum EnvironmentFactory {
    /// The model file of each robot in `assets/models/`. For `antmaze` it is the ant alone: the
    /// walls come from the task's maze map (see `modelSourceURLs(for:)`).
    public static let modelFiles: [String: String] = [
        "hopper": "hopper.xml", "walker2d": "walker2d.xml", "halfcheetah": "half_cheetah.xml",
        "antmaze": "ant.xml",
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
        case "antmaze":
            let maze = try mazeMap(for: task)
            return try AntMazeEnvironment(task: task, model: mazeModel(for: maze), maze: maze, seed: seed)
        case "pen":
            return try PenEnvironment(task: task, seed: seed)
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

    /// Every file the task's compiled model is built from, for provenance hashes: the model file,
    /// plus `envs/mazes.json` for antmaze tasks (whose walls come from the map named `task.maze`).
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] {
        let model = try modelURL(for: task)
        return task.robot == "antmaze" ? [model, MazeMap.standardFile] : [model]
    }

    private static var cache: ModelCache { .shared }

    /// The compiled model for a task (shared, read-only). For antmaze tasks: the ant plus the
    /// walls of the task's maze.
    public static func model(for task: TaskSpec) throws -> MjModel {
        if task.robot == "antmaze" { return try mazeModel(for: mazeMap(for: task)) }
        return try cache.model(at: modelURL(for: task))
    }

    /// The maze map of an antmaze task (`task.maze` in `envs/mazes.json`).
    public static func mazeMap(for task: TaskSpec) throws -> MazeMap {
        guard let name = task.maze else { throw MazeError.noMaze(task: task.id) }
        return try MazeMap.named(name)
    }

    /// The compiled AntMaze model for `maze`: `assets/models/ant.xml` plus the maze's wall geoms
    /// (`AntMazeModel`), compiled once per distinct XML text (shared, read-only).
    public static func mazeModel(for maze: MazeMap) throws -> MjModel {
        let xml = try AntMazeModel.xml(for: maze)
        return try cache.model(key: xml) { try MjModel(xml: xml, name: "antmaze_\(maze.name).xml") }
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
    /// The process-wide cache.
    static let shared = ModelCache()

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

    /// The model cached under `key` (for models built from text, the text itself), built once.
    func model(key: String, build: () throws -> MjModel) throws -> MjModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[key] { return model }
        let model = try build()
        models[key] = model
        return model
    }
}
