import Foundation
import MuJoCo

/// Builds the environment for a registered task by asking its robot's descriptor
/// (`RobotCatalog`); the robot-specific knowledge lives in the descriptor types.
public enum EnvironmentFactory {
    /// A fresh environment for `task`, its generator seeded with `seed` (call `reset()` next).
    /// - Throws: `EnvironmentError.unsupportedRobot` for a robot no descriptor implements, or the
    ///   descriptor's model/data errors.
    public static func make(task: TaskSpec, seed: UInt64 = 0, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        try RobotCatalog.descriptor(for: task).makeEnvironment(task: task, seed: seed, physics: physics)
    }

    /// Every file the task's compiled model is built from, for provenance hashes (e.g. the MJCF
    /// file, plus the maze maps for tasks whose walls come from a map).
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] {
        try RobotCatalog.descriptor(for: task).modelSourceURLs(for: task)
    }

    /// The compiled model for a task (shared, read-only).
    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel {
        try RobotCatalog.descriptor(for: task).model(for: task, physics: physics)
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
