import CMuJoCo
import CMuJoCoShims
import Environments
import Foundation
import MuJoCo

/// Rendering cost/looks trade-off.
public enum RenderQuality: String, CaseIterable, Sendable {
    /// No shadows, reflections, skybox or haze, no multisampling: cheapest on a CPU rasterizer.
    case fast
    /// Shadows, reflections, skybox, haze and 4× multisampling.
    case quality
}

/// A free camera pose (MuJoCo `mjvCamera` of type free): looks at `lookat` (m, world frame) from
/// `distance` m away; `azimuth` (deg) turns about world z (90: looking along +y, so +x is to the
/// right); `elevation` (deg) is negative when looking down.
public struct CameraPose: Equatable, Sendable {
    public var lookat: SIMD3<Double>
    public var distance: Double
    public var azimuth: Double
    public var elevation: Double
    public init(lookat: SIMD3<Double>, distance: Double, azimuth: Double, elevation: Double) {
        self.lookat = lookat
        self.distance = distance
        self.azimuth = azimuth
        self.elevation = elevation
    }
}

/// Which camera renders the frames.
public enum CameraSelection: Equatable, Sendable {
    /// The robot's default view (`DefaultView.forRobot`: its descriptor's `defaultCamera`).
    case automatic
    /// A camera defined in the model's MJCF (e.g. `track`).
    case named(String)
    /// A free camera. With `lookat` nil, the model's centre (`stat.center`) is used.
    case free(distance: Double, azimuth: Double, elevation: Double, lookat: SIMD3<Double>?)
    /// A camera tracking a body (lookat follows the body's subtree centre of mass).
    case tracking(body: String, distance: Double, azimuth: Double, elevation: Double)
    /// Straight down over everything fixed to the world (e.g. maze walls), framed to fit its
    /// bounding box; computed from the model when the renderer is made.
    case topDownStaticWorld

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

    /// Parses `--camera`: `default`, `free:DISTANCE,AZIMUTH,ELEVATION[,X,Y,Z]`,
    /// `track-body:BODY,DISTANCE,AZIMUTH,ELEVATION`, or the name of a model camera.
    public init(argument: String) throws {
        if argument == "default" || argument == "auto" { self = .automatic; return }
        func numbers(_ text: Substring, count: Set<Int>) throws -> [Double] {
            let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard count.contains(values.count), values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                throw RenderingError.invalidOption("bad camera '\(argument)': expected \(count.sorted().map(String.init).joined(separator: " or ")) comma-separated numbers")
            }
            return values.map { $0! }
        }
        if argument.hasPrefix("free:") {
            let v = try numbers(argument.dropFirst(5), count: [3, 6])
            guard v[0] > 0 else { throw RenderingError.invalidOption("camera distance must be positive") }
            self = .free(distance: v[0], azimuth: v[1], elevation: v[2], lookat: v.count == 6 ? SIMD3(v[3], v[4], v[5]) : nil)
        } else if argument.hasPrefix("track-body:") {
            let parts = argument.dropFirst(11).split(separator: ",", maxSplits: 1)
            guard parts.count == 2 else { throw RenderingError.invalidOption("bad camera '\(argument)': expected track-body:BODY,DISTANCE,AZIMUTH,ELEVATION") }
            let v = try numbers(parts[1], count: [3])
            self = .tracking(body: String(parts[0]), distance: v[0], azimuth: v[1], elevation: v[2])
        } else {
            self = .named(argument)
        }
    }
}

/// The default view per robot (the `robot` field of `envs/tasks.json`).
public enum DefaultView {
    /// The robot's descriptor's `defaultCamera`; for no robot or one this build does not know, a
    /// free camera on −y looking 20° down at the model's centre from twice its extent.
    public static func forRobot(_ robot: String?) -> CameraSelection {
        guard let robot, let descriptor = RobotCatalog.descriptor(named: robot) else {
            return .free(distance: 0, azimuth: 90, elevation: -20, lookat: nil)
        }
        return CameraSelection(descriptor.defaultCamera)
    }
}

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

/// A decorative object drawn into the scene (not part of the simulation), e.g. a goal.
public struct SceneMarker: Equatable, Sendable {
    public enum Shape: Sendable { case sphere, cylinder }
    public var shape: Shape
    /// Centre, m, world frame.
    public var position: SIMD3<Double>
    /// Radius (m); for a cylinder also `halfHeight`.
    public var radius: Double
    public var halfHeight: Double
    /// Colour, components in 0...1.
    public var rgba: SIMD4<Float>
    public init(shape: Shape, position: SIMD3<Double>, radius: Double, halfHeight: Double = 0, rgba: SIMD4<Float>) {
        self.shape = shape
        self.position = position
        self.radius = radius
        self.halfHeight = halfHeight
        self.rgba = rgba
    }

    /// The markers of an environment's goal (`MuJoCoEnvironment.goalMarker`), as `goal(x:y:radius:)`.
    public static func goal(_ marker: GoalMarker) -> [SceneMarker] {
        goal(x: marker.x, y: marker.y, radius: marker.radius)
    }

    /// A goal region on the floor at (`x`, `y`) m: a translucent green disc of `radius` m (the
    /// success radius) and a green sphere of 0.3 m above its centre, visible from the top-down view.
    public static func goal(x: Double, y: Double, radius: Double) -> [SceneMarker] {
        [SceneMarker(shape: .cylinder, position: SIMD3(x, y, 0.02), radius: radius, halfHeight: 0.02, rgba: SIMD4(0.1, 0.9, 0.2, 0.6)),
         SceneMarker(shape: .sphere, position: SIMD3(x, y, 0.3), radius: 0.3, rgba: SIMD4(0.1, 0.9, 0.2, 1))]
    }
}

/// Renders simulation states of one model into RGB frames, offscreen.
///
/// Owns a GL context (made current only during a call), a MuJoCo scene and rendering context, and
/// a private copy of the model (its offscreen size is set to the frame size). Rendering reads the
/// `MjData` and never changes it. Use from one thread at a time.
public final class Renderer {
    public let options: RenderOptions
    /// The GL context in use (backend and renderer string).
    public let context: GLContext
    private let model: MjModel
    private let renderer: OpaquePointer
    private var camera = mjvCamera()
    private var window: Bool

    /// - Parameters:
    ///   - robot: the task's robot (`TaskSpec.robot`), whose descriptor gives the default view.
    /// - Throws: `RenderingError` (no GL, unknown camera, MuJoCo renderer error, bad size).
    public init(model: MjModel, robot: String?, options: RenderOptions) throws {
        guard options.width >= 1, options.height >= 1, options.width <= 8192, options.height <= 8192 else {
            throw RenderingError.invalidOption("frame size \(options.width)×\(options.height) must be between 1 and 8192 pixels")
        }
        self.options = options
        self.model = model
        self.window = options.showWindow
        let backend = options.showWindow ? GLBackend.glfw : options.backend
        if options.showWindow, let other = options.backend, other != .glfw {
            throw RenderingError.invalidOption("watching live needs the glfw backend, not \(other)")
        }
        self.context = try GLContext(backend: backend, width: options.width, height: options.height, visible: options.showWindow)
        let selection = options.camera == .automatic ? DefaultView.forRobot(robot) : options.camera
        self.camera = try Self.makeCamera(selection, model: model, aspect: Double(options.width) / Double(options.height))
        var error = [CChar](repeating: 0, count: 1024)
        let made = try context.withCurrent {
            cmj_renderer_create(model.pointer, Int32(options.width), Int32(options.height),
                                options.quality == .quality ? 1 : 0, 10_000, &error, Int32(error.count))
        }
        guard let made else { throw RenderingError.renderer(operation: "mjr_makeContext", message: String(cString: error)) }
        self.renderer = made
    }

    deinit {
        _ = try? context.withCurrent { cmj_renderer_free(renderer) }
    }

    /// The camera pose after the last frame (for tracking cameras, where it looked).
    public var cameraPose: CameraPose {
        CameraPose(lookat: SIMD3(camera.lookat.0, camera.lookat.1, camera.lookat.2), distance: camera.distance,
                   azimuth: camera.azimuth, elevation: camera.elevation)
    }

    /// Renders the state in `data` (as of its last `forward()`/`step()`) plus `markers`.
    /// - Returns: an RGB frame, rows top first.
    public func render(_ data: MjData, markers: [SceneMarker] = []) throws -> Frame {
        precondition(data.model.nq == model.nq && data.model.ngeom == model.ngeom, "data belongs to another model")
        var frame = Frame(width: options.width, height: options.height)
        let cMarkers = markers.map { m -> cmj_marker in
            var c = cmj_marker()
            c.type = Int32(m.shape == .sphere ? mjGEOM_SPHERE.rawValue : mjGEOM_CYLINDER.rawValue)
            c.size = (m.radius, m.shape == .sphere ? m.radius : m.halfHeight, m.radius)
            c.pos = (m.position.x, m.position.y, m.position.z)
            c.rgba = (m.rgba.x, m.rgba.y, m.rgba.z, m.rgba.w)
            return c
        }
        let status = try context.withCurrent { () -> Int32 in
            let status = frame.pixels.withUnsafeMutableBufferPointer { rgb in
                cMarkers.withUnsafeBufferPointer { markers in
                    cmj_renderer_frame(renderer, data.pointer, &camera, markers.baseAddress, Int32(markers.count), rgb.baseAddress)
                }
            }
            if status == 0 && window {
                _ = frame.pixels.withUnsafeBufferPointer { cmj_renderer_show(renderer, $0.baseAddress) }
                if context.present() { window = false }
            }
            return status
        }
        if status != 0 { throw RenderingError.renderer(operation: "mjr_render", message: String(cString: cmj_last_error())) }
        return frame
    }

    /// The mjvCamera for a selection.
    static func makeCamera(_ selection: CameraSelection, model: MjModel, aspect: Double) throws -> mjvCamera {
        var camera = mjvCamera()
        mjv_defaultCamera(&camera)
        let m = model.pointer
        switch selection {
        case .automatic:
            preconditionFailure("resolved before")
        case .named(let name):
            guard let id = model.id(of: .camera, named: name) else {
                throw RenderingError.unknownCamera(name: name, known: model.names(of: .camera).compactMap { $0 })
            }
            camera.type = Int32(mjCAMERA_FIXED.rawValue)
            camera.fixedcamid = Int32(id)
        case .tracking(let body, let distance, let azimuth, let elevation):
            guard let id = model.id(of: .body, named: body) else { throw RenderingError.unknownBody(name: body) }
            camera.type = Int32(mjCAMERA_TRACKING.rawValue)
            camera.trackbodyid = Int32(id)
            camera.distance = distance
            camera.azimuth = azimuth
            camera.elevation = elevation
        case .free(let distance, let azimuth, let elevation, let lookat):
            camera.type = Int32(mjCAMERA_FREE.rawValue)
            camera.azimuth = azimuth
            camera.elevation = elevation
            let centre = lookat ?? SIMD3(m.pointee.stat.center.0, m.pointee.stat.center.1, m.pointee.stat.center.2)
            camera.lookat = (centre.x, centre.y, centre.z)
            camera.distance = distance > 0 ? distance : 2 * m.pointee.stat.extent
        case .topDownStaticWorld:
            // Fit the bounding box of the world body's geoms, looking straight down, +x to the right.
            camera.type = Int32(mjCAMERA_FREE.rawValue)
            camera.azimuth = 90
            camera.elevation = -90
            let fovy = Double(m.pointee.vis.global.fovy) * .pi / 180
            let box = staticWorldBox(model)
            let half = (box.max - box.min) / 2
            let tanHalf = tan(fovy / 2)
            let fit = max(half.y / tanHalf, half.x / (tanHalf * aspect)) * 1.04
            camera.lookat = ((box.min.x + box.max.x) / 2, (box.min.y + box.max.y) / 2, 0)
            camera.distance = fit + box.max.z
        }
        return camera
    }

    /// Bounding box (m) of the geoms attached to the world body that are not planes (axis-aligned
    /// extents `pos ± size`, which is exact for the maze's unrotated wall boxes). Falls back to the
    /// model's `stat.center ± stat.extent` when there are none.
    static func staticWorldBox(_ model: MjModel) -> (min: SIMD3<Double>, max: SIMD3<Double>) {
        let m = model.pointer.pointee
        var low = SIMD3<Double>(repeating: .infinity), high = SIMD3<Double>(repeating: -.infinity)
        for g in 0..<Int(m.ngeom) where m.geom_bodyid[g] == 0 && m.geom_type[g] != Int32(mjGEOM_PLANE.rawValue) {
            let p = SIMD3(m.geom_pos[3 * g], m.geom_pos[3 * g + 1], m.geom_pos[3 * g + 2])
            let s = SIMD3(m.geom_size[3 * g], m.geom_size[3 * g + 1], m.geom_size[3 * g + 2])
            low = pointwiseMin(low, p - s)
            high = pointwiseMax(high, p + s)
        }
        if low.x > high.x {
            let c = SIMD3(m.stat.center.0, m.stat.center.1, m.stat.center.2)
            return (c - m.stat.extent, c + m.stat.extent)
        }
        return (low, high)
    }
}

/// An RGB image, 3 bytes per pixel, rows top first (the order of image files and video).
public struct Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` bytes: row 0 is the top row.
    public var pixels: [UInt8]

    /// A black frame.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "an RGB frame of \(width)×\(height) needs \(width * height * 3) bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y` (0 = top).
    public subscript(x: Int, y: Int) -> SIMD3<UInt8> {
        get {
            let i = (y * width + x) * 3
            return SIMD3(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.x
            pixels[i + 1] = newValue.y
            pixels[i + 2] = newValue.z
        }
    }
}
