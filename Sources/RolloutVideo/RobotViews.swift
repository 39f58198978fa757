import Environments
import MuJoCo
import Rendering

// Where a robot's video facts (its descriptor's camera, its environment's goal marker) meet
// Rendering, which knows cameras and markers but no robots.

extension CameraSelection {
    /// The selection for a descriptor's camera.
    public init(_ view: CameraView) {
        switch view {
        case .named(let name): self = .named(name)
        case .free(let distance, let azimuth, let elevation, let lookat):
            self = .free(distance: distance, azimuth: azimuth, elevation: elevation, lookat: lookat)
        case .tracking(let body, let distance, let azimuth, let elevation):
            self = .tracking(body: body, distance: distance, azimuth: azimuth, elevation: elevation)
        case .topDownStaticWorld: self = .topDownStaticWorld
        }
    }
}

/// The default view per robot (the `robot` field of `envs/tasks.json`).
public enum DefaultView {
    /// The robot's descriptor's `defaultCamera`; for no robot or one this build does not know,
    /// `CameraSelection.fallback`.
    public static func forRobot(_ robot: String?) -> CameraSelection {
        guard let robot, let descriptor = RobotCatalog.descriptor(named: robot) else { return .fallback }
        return CameraSelection(descriptor.defaultCamera)
    }
}

extension Renderer {
    /// A renderer whose automatic view is `robot`'s default camera (`DefaultView.forRobot`).
    public convenience init(model: MjModel, robot: String?, options: RenderOptions) throws {
        try self.init(model: model, defaultCamera: DefaultView.forRobot(robot), options: options)
    }
}

extension SceneMarker {
    /// The markers of an environment's goal (`MuJoCoEnvironment.goalMarker`), as `goal(x:y:radius:)`.
    public static func goal(_ marker: GoalMarker) -> [SceneMarker] {
        goal(x: marker.x, y: marker.y, radius: marker.radius)
    }
}
