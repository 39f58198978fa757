/// What to render: size, looks, camera, GL backend.
public struct RenderOptions: Equatable, Sendable {
    /// Frame size in pixels.
    public var width: Int
    public var height: Int
    public var quality: RenderQuality
    /// `.automatic` uses the robot's default view.
    public var camera: CameraSelection
    /// nil: `MUJOCO_GL`, else automatic (EGL, then OSMesa).
    public var backend: GLBackend?
    /// Show frames in a GLFW window as they are rendered (needs a display and libglfw3).
    public var showWindow: Bool

    public init(width: Int = 480, height: Int = 480, quality: RenderQuality = .fast, camera: CameraSelection = .automatic,
                backend: GLBackend? = nil, showWindow: Bool = false) {
        self.width = width
        self.height = height
        self.quality = quality
        self.camera = camera
        self.backend = backend
        self.showWindow = showWindow
    }
}
