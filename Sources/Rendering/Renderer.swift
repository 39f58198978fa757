import CMuJoCoRenderShims
import Foundation
import MuJoCo

/// Which camera renders the frames.
public enum CameraSelection: Equatable, Sendable {
    /// The default view the renderer is made with (e.g. the robot's), else `fallback`.
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

    /// The view for no given default: a free camera on −y looking 20° down at the model's centre
    /// from twice its extent.
    public static let fallback = CameraSelection.free(distance: 0, azimuth: 90, elevation: -20, lookat: nil)

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
    private var renderer: MjSceneRenderer?
    private var camera: MjCamera
    private var window: Bool

    /// - Parameters:
    ///   - defaultCamera: the view used when `options.camera` is `.automatic` (e.g. the robot's;
    ///     RolloutVideo maps a descriptor's camera into it); nil: `CameraSelection.fallback`.
    /// - Throws: `RenderingError` (no GL, unknown camera, MuJoCo renderer error, bad size).
    public init(model: MjModel, defaultCamera: CameraSelection?, options: RenderOptions) throws {
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
        try Self.checkGLEW(physics: model.physics, backend: context.backend)
        let automatic = defaultCamera.flatMap { $0 == .automatic ? nil : $0 } ?? .fallback
        let selection = options.camera == .automatic ? automatic : options.camera
        self.camera = try Self.makeCamera(selection, model: model, aspect: Double(options.width) / Double(options.height))
        do {
            self.renderer = try context.withCurrent {
                try MjSceneRenderer(model: model, width: options.width, height: options.height,
                                    quality: options.quality == .quality, maxGeoms: 10_000)
            }
        } catch let MuJoCoError.engine(operation, message) {
            throw RenderingError.renderer(operation: operation, message: message)
        }
    }

    deinit {
        // MuJoCo frees its GL objects in the context they were made in.
        _ = try? context.withCurrent { renderer = nil }
    }

    /// Prepares MuJoCo 2.1.0 for rendering through `backend` (nil: `MUJOCO_GL`, else EGL): call
    /// before the run loads its first model, since 2.1.0 reaches GL through the GLEW build loaded
    /// with it (`GLEWBuild`), which fixes the backend it can render with in this process.
    public static func prepareMuJoCo210(for backend: GLBackend?) throws {
        guard let backend = try backend ?? GLBackend.fromEnvironment() else { return }
        MuJoCoLibrary.chooseGLEW(glewBuild(for: backend))
    }

    static func glewBuild(for backend: GLBackend) -> GLEWBuild {
        switch backend {
        case .egl: return .egl
        case .osmesa: return .osmesa
        case .glfw: return .glx
        }
    }

    static func checkGLEW(physics: MuJoCoPhysics, backend: GLBackend) throws {
        guard physics == .v2_1_0, let glew = MuJoCoLibrary.glewBuildFor210 else { return }
        if glew != glewBuild(for: backend) {
            throw RenderingError.invalidOption("MuJoCo 2.1.0 was loaded with GLEW for \(glew.rawValue), so it cannot render through \(backend) in this process; set MUJOCO_GL=\(backend == .glfw ? "glfw" : backend.rawValue) before the run starts")
        }
    }

    /// The camera pose after the last frame (for tracking cameras, where it looked).
    public var cameraPose: CameraPose {
        CameraPose(lookat: camera.lookat, distance: camera.distance, azimuth: camera.azimuth, elevation: camera.elevation)
    }

    /// Renders the state in `data` (as of its last `forward()`/`step()`) plus `markers`.
    /// - Returns: an RGB frame, rows top first.
    public func render(_ data: MjData, markers: [SceneMarker] = []) throws -> Frame {
        precondition(data.model.nq == model.nq && data.model.ngeom == model.ngeom, "data belongs to another model")
        var frame = Frame(width: options.width, height: options.height)
        let sceneMarkers = markers.map { m in
            MjSceneRenderer.Marker(shape: m.shape == .sphere ? .sphere : .cylinder,
                                   size: SIMD3(m.radius, m.shape == .sphere ? m.radius : m.halfHeight, m.radius),
                                   position: m.position, rgba: m.rgba)
        }
        guard let renderer else { preconditionFailure("renderer released") }
        do {
            try context.withCurrent {
                try frame.pixels.withUnsafeMutableBufferPointer { rgb in
                    try renderer.render(data, camera: &camera, markers: sceneMarkers, into: rgb.baseAddress!)
                }
                if window {
                    try frame.pixels.withUnsafeBufferPointer { try renderer.show($0.baseAddress!) }
                    if context.present() { window = false }
                }
            }
        } catch let MuJoCoError.engine(operation, message) {
            throw RenderingError.renderer(operation: operation, message: message)
        }
        return frame
    }

    /// The abstract camera for a selection.
    static func makeCamera(_ selection: CameraSelection, model: MjModel, aspect: Double) throws -> MjCamera {
        var camera = try MjCamera.mujocoDefault(model.physics)
        switch selection {
        case .automatic:
            preconditionFailure("resolved before")
        case .named(let name):
            guard let id = model.id(of: .camera, named: name) else {
                throw RenderingError.unknownCamera(name: name, known: model.names(of: .camera).compactMap { $0 })
            }
            camera.kind = .fixed
            camera.fixedCamera = id
        case .tracking(let body, let distance, let azimuth, let elevation):
            guard let id = model.id(of: .body, named: body) else { throw RenderingError.unknownBody(name: body) }
            camera.kind = .tracking
            camera.trackedBody = id
            camera.distance = distance
            camera.azimuth = azimuth
            camera.elevation = elevation
        case .free(let distance, let azimuth, let elevation, let lookat):
            camera.kind = .free
            camera.azimuth = azimuth
            camera.elevation = elevation
            camera.lookat = lookat ?? model.statisticCenter
            camera.distance = distance > 0 ? distance : 2 * model.statisticExtent
        case .topDownStaticWorld:
            // Fit the bounding box of the world body's geoms, looking straight down, +x to the right.
            camera.kind = .free
            camera.azimuth = 90
            camera.elevation = -90
            let fovy = model.freeCameraFieldOfView * .pi / 180
            let box = staticWorldBox(model)
            let half = (box.max - box.min) / 2
            let tanHalf = tan(fovy / 2)
            let fit = max(half.y / tanHalf, half.x / (tanHalf * aspect)) * 1.04
            camera.lookat = SIMD3((box.min.x + box.max.x) / 2, (box.min.y + box.max.y) / 2, 0)
            camera.distance = fit + box.max.z
        }
        return camera
    }

    /// Bounding box (m) of the geoms attached to the world body that are not planes (axis-aligned
    /// extents `pos ± size`, which is exact for the maze's unrotated wall boxes). Falls back to the
    /// model's `stat.center ± stat.extent` when there are none.
    static func staticWorldBox(_ model: MjModel) -> (min: SIMD3<Double>, max: SIMD3<Double>) {
        let body = model.geomBody, type = model.geomType, position = model.geomPosition, size = model.geomSize
        var low = SIMD3<Double>(repeating: .infinity), high = SIMD3<Double>(repeating: -.infinity)
        for g in 0..<model.ngeom where body[g] == 0 && type[g] != MjModel.GeomType.plane.rawValue {
            let p = SIMD3(position[3 * g], position[3 * g + 1], position[3 * g + 2])
            let s = SIMD3(size[3 * g], size[3 * g + 1], size[3 * g + 2])
            low = pointwiseMin(low, p - s)
            high = pointwiseMax(high, p + s)
        }
        if low.x > high.x {
            let c = model.statisticCenter
            return (c - model.statisticExtent, c + model.statisticExtent)
        }
        return (low, high)
    }
}
