import CMuJoCoRenderShims
import Foundation

/// A way of getting an OpenGL context, named as users know them from `MUJOCO_GL` (dm_control,
/// Gymnasium): `egl`, `osmesa`, `glfw`.
public enum GLBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    /// EGL on Mesa's surfaceless platform (no display, no GPU: llvmpipe), else an EGL device
    /// (NVIDIA; `MUJOCO_EGL_DEVICE_ID` picks one), else the default EGL display.
    case egl
    /// Mesa's off-screen software renderer.
    case osmesa
    /// A GLFW window on an X11/Wayland display; only when asked for (to watch live).
    case glfw

    public var description: String { rawValue }

    /// The order tried when no backend is forced. GLFW is never chosen automatically: it needs a
    /// display and opens a window.
    public static let automaticOrder: [GLBackend] = [.egl, .osmesa]

    /// Parses a user's value (`--gl`, `MUJOCO_GL`), case-insensitively.
    /// - Throws: `RenderingError.unknownBackend` for anything else.
    public init(userValue: String) throws {
        guard let backend = GLBackend(rawValue: userValue.lowercased()) else {
            throw RenderingError.unknownBackend(userValue)
        }
        self = backend
    }

    /// The Debian packages that provide this backend (named in error messages).
    public var debianPackages: String {
        switch self {
        case .egl: return "libegl1 and libgl1-mesa-dri (Mesa's EGL and its llvmpipe software driver)"
        case .osmesa: return "libosmesa6"
        case .glfw: return "libglfw3 (and a running X11 or Wayland display)"
        }
    }

    var cValue: Int32 {
        switch self {
        case .egl: return Int32(CMJ_GL_EGL)
        case .osmesa: return Int32(CMJ_GL_OSMESA)
        case .glfw: return Int32(CMJ_GL_GLFW)
        }
    }

    /// Whether the backend's library loads (no context is created). Creating a context is the real
    /// test; this is for skipping tests and for quick diagnostics.
    public var libraryLoads: (ok: Bool, reason: String) {
        var error = [CChar](repeating: 0, count: 512)
        let ok = cmj_gl_library_loadable(cValue, &error, Int32(error.count)) == 1
        return (ok, String(cString: error))
    }

    /// The backend asked for by `MUJOCO_GL`, or nil if unset or empty.
    /// - Throws: `RenderingError.unknownBackend` for an unknown value.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GLBackend? {
        guard let value = environment["MUJOCO_GL"], !value.isEmpty else { return nil }
        return try GLBackend(userValue: value)
    }
}

/// An OpenGL context made current only while a renderer uses it (so it can move between threads
/// between frames). Creating one loads the GL library with `dlopen`; nothing is linked.
///
/// MuJoCo loads GL function pointers once per process, at the first `mjr_makeContext`, through the
/// `*GetProcAddress` of the library it finds first. So a process renders through one backend: the
/// first context that succeeds fixes it, later automatic requests get the same backend, and a
/// request for another backend throws `RenderingError.backendConflict`.
public final class GLContext {
    /// The backend this context came from.
    public let backend: GLBackend
    /// Platform, GL version and renderer, e.g. "EGL 1.5 surfaceless; GL 4.5 ...; llvmpipe ...".
    public let description: String
    let pointer: OpaquePointer

    /// The backend the process renders with, once a context has been made (see the type's notes).
    public static var processBackend: GLBackend? {
        lock.lock()
        defer { lock.unlock() }
        return chosen
    }
    private static let lock = NSLock()
    private static var chosen: GLBackend?

    /// Makes a context, trying `backend` if given, else `MUJOCO_GL`, else EGL then OSMesa.
    /// - Parameters:
    ///   - width, height: pixels; size the OSMesa buffer and the GLFW window.
    ///   - visible: GLFW only: show the window (live viewing).
    /// - Throws: `RenderingError.noContext` listing every backend tried, why it failed and which
    ///   Debian package provides it; `.backendConflict`; `.unknownBackend` for a bad `MUJOCO_GL`.
    public init(backend requested: GLBackend? = nil, width: Int, height: Int, visible: Bool = false) throws {
        let forced = try requested ?? GLBackend.fromEnvironment()
        Self.lock.lock()
        defer { Self.lock.unlock() }
        let candidates: [GLBackend]
        if let inUse = Self.chosen {
            if let forced, forced != inUse { throw RenderingError.backendConflict(requested: forced, inUse: inUse) }
            candidates = [inUse]
        } else {
            candidates = forced.map { [$0] } ?? GLBackend.automaticOrder
        }
        var attempts: [RenderingError.Attempt] = []
        for backend in candidates {
            var error = [CChar](repeating: 0, count: 1024)
            if let context = cmj_gl_create(backend.cValue, Int32(width), Int32(height), visible ? 1 : 0, &error, Int32(error.count)) {
                if Self.chosen == nil {
                    _ = cmj_gl_make_global(context)
                    Self.chosen = backend
                }
                self.backend = backend
                self.pointer = context
                self.description = String(cString: cmj_gl_description(context))
                cmj_gl_release_current(context)
                return
            }
            attempts.append(.init(backend: backend, reason: String(cString: error)))
        }
        throw RenderingError.noContext(attempts: attempts, forced: forced != nil)
    }

    deinit { cmj_gl_destroy(pointer) }

    /// Runs `body` with the context current on the calling thread, then releases it.
    func withCurrent<T>(_ body: () throws -> T) throws -> T {
        guard cmj_gl_make_current(pointer) == 1 else { throw RenderingError.makeCurrentFailed(backend: backend) }
        defer { cmj_gl_release_current(pointer) }
        return try body()
    }

    /// GLFW: swaps buffers, polls events; true if the user closed the window.
    func present() -> Bool { cmj_gl_present(pointer) == 1 }
}
