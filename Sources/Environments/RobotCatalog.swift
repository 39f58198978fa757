import Foundation
import MuJoCo

/// The one table of robots this build implements. Adding a robot: write its `Robot` and
/// `RobotDescriptor` type in a folder of its own, list it in `builtIn`, and add its registry file
/// `Tools/registry/<robot>.json` (docs/architecture.md "A new environment"). Code outside this
/// build (e.g. a test target) adds its robots with `register`.
public enum RobotCatalog {
    /// The robots of this build, in the order `envs/tasks.json` lists their tasks.
    public static let builtIn: [any RobotDescriptor.Type] = [
        Hopper.self, Walker2d.self, HalfCheetah.self, AntMaze.self, Kitchen.self, Pen.self,
    ]

    /// Every robot: `builtIn`, then the registered ones in registration order.
    public static var all: [any RobotDescriptor.Type] { builtIn + registered.value }

    /// Adds a robot defined outside this module (its `robot` must be new); later lookups find it.
    /// - Returns: false when a robot of that name is already known (nothing is added).
    @discardableResult
    public static func register(_ descriptor: any RobotDescriptor.Type) -> Bool {
        registered.update { robots in
            guard !(builtIn + robots).contains(where: { $0.robot == descriptor.robot }) else { return false }
            robots.append(descriptor)
            return true
        }
    }

    private static let registered = LockedRobots()

    /// The descriptor whose `robot` is `name`, or nil.
    public static func descriptor(named name: String) -> (any RobotDescriptor.Type)? {
        all.first { $0.robot == name }
    }

    /// The descriptor implementing `task`'s robot.
    /// - Throws: `EnvironmentError.unsupportedRobot` when no registered type implements it.
    public static func descriptor(for task: TaskSpec) throws -> any RobotDescriptor.Type {
        guard let descriptor = descriptor(named: task.robot) else {
            throw EnvironmentError.unsupportedRobot(task: task.id, robot: task.robot)
        }
        return descriptor
    }
}

extension TaskSpec {
    /// The MuJoCo build the task's source ran on (its robot's `sourcePhysics`): the default
    /// physics of a run of this task that names none.
    public var sourcePhysics: MuJoCoPhysics {
        RobotCatalog.descriptor(named: robot)?.sourcePhysics ?? .v2_1_0
    }
}

/// The robots added with `RobotCatalog.register`, behind a lock.
private final class LockedRobots: @unchecked Sendable {
    private var robots: [any RobotDescriptor.Type] = []
    private let lock = NSLock()

    var value: [any RobotDescriptor.Type] {
        lock.lock()
        defer { lock.unlock() }
        return robots
    }

    func update<T>(_ body: (inout [any RobotDescriptor.Type]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&robots)
    }
}
