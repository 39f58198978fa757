import MuJoCo

/// The one table of robots this build implements. Adding a robot: write its `RobotDescriptor`
/// type and list it here (docs/architecture.md "A new environment").
public enum RobotCatalog {
    /// Every robot, in the order `envs/tasks.json` lists their tasks.
    public static var all: [any RobotDescriptor.Type] {
        [HopperEnvironment.self, Walker2dEnvironment.self, HalfCheetahEnvironment.self, AntMazeEnvironment.self,
         KitchenEnvironment.self, PenEnvironment.self]
    }

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
