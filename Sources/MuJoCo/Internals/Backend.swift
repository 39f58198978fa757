import CMuJoCo210Shims
import CMuJoCo237Shims
import CMuJoCoDoor
import Foundation

/// One opened MuJoCo build: its shim's table of functions (`cmj_backend`, CMuJoCoDoor.h). Opened
/// once per process and build, on first use, and never closed.
struct Backend: @unchecked Sendable {
    let physics: MuJoCoPhysics
    let table: UnsafePointer<cmj_backend>

    @inline(__always) var api: cmj_backend { table.pointee }

    /// The message of the last MuJoCo error on this thread.
    var lastError: String { String(cString: api.last_error()) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var opened: [MuJoCoPhysics: Backend] = [:]

    /// The backend of `physics`, opening its library on first use.
    /// - Throws: `MuJoCoError.libraryUnavailable` naming the file and the fix.
    static func open(_ physics: MuJoCoPhysics) throws -> Backend {
        lock.lock()
        defer { lock.unlock() }
        if let backend = opened[physics] { return backend }
        let files = LibraryFiles(physics)
        guard FileManager.default.fileExists(atPath: files.library) else {
            throw MuJoCoError.libraryUnavailable(physics: physics.rawValue, path: files.library,
                                                 reason: "the file does not exist (Scripts/bootstrap installs it)")
        }
        var error = [CChar](repeating: 0, count: 1024)
        if let glew = files.glew, cmj_load_global(glew, &error, Int32(error.count)) == 0 {
            throw MuJoCoError.libraryUnavailable(physics: physics.rawValue, path: glew, reason: String(cString: error))
        }
        let table: UnsafePointer<cmj_backend>?
        switch physics {
        case .v2_1_0: table = cmj210_open(files.library, &error, Int32(error.count))
        case .v2_3_7: table = cmj237_open(files.library, &error, Int32(error.count))
        }
        guard let table else {
            throw MuJoCoError.libraryUnavailable(physics: physics.rawValue, path: files.library, reason: String(cString: error))
        }
        let backend = Backend(physics: physics, table: table)
        opened[physics] = backend
        if files.glew != nil { loadedGLEW = LibraryFiles.glewBuild }
        return backend
    }

    /// The GLEW build loaded for MuJoCo 2.1.0, once that build has been opened.
    nonisolated(unsafe) private(set) static var loadedGLEW: GLEWBuild?
}

/// The GLEW builds shipped with MuJoCo 2.1.0. Its library leaves GLEW's symbols undefined, and they
/// must be in the process's global scope before it loads (mujoco-py loads one the same way), so a
/// process that uses 2.1.0 renders through the GL backend of the GLEW it loaded.
public enum GLEWBuild: String, Sendable {
    /// `libglewegl.so`: entry points from EGL (MUJOCO_GL=egl, the default).
    case egl
    /// `libglewosmesa.so`: entry points from OSMesa (MUJOCO_GL=osmesa).
    case osmesa
    /// `libglew.so`: entry points from GLX (MUJOCO_GL=glfw, a window).
    case glx

    var file: String {
        switch self {
        case .egl: return "libglewegl.so"
        case .osmesa: return "libglewosmesa.so"
        case .glx: return "libglew.so"
        }
    }
}

/// Where Scripts/bootstrap installs each build (`EDP_EVAL_MUJOCO_PREFIX`, default /usr/local).
struct LibraryFiles {
    let library: String
    let glew: String?

    static var prefix: String {
        let value = ProcessInfo.processInfo.environment["EDP_EVAL_MUJOCO_PREFIX"] ?? ""
        return value.isEmpty ? "/usr/local" : value
    }

    /// The GLEW build chosen before 2.1.0 was opened (`MuJoCoLibrary.chooseGLEW`), if any.
    nonisolated(unsafe) static var chosenGLEW: GLEWBuild?

    /// The GLEW build for MuJoCo 2.1.0: the one chosen for the run's GL backend, else from
    /// `MUJOCO_GL` (egl, osmesa, glfw; EGL otherwise).
    static var glewBuild: GLEWBuild {
        if let chosenGLEW { return chosenGLEW }
        switch ProcessInfo.processInfo.environment["MUJOCO_GL"]?.lowercased() {
        case "osmesa": return .osmesa
        case "glfw": return .glx
        default: return .egl
        }
    }

    init(_ physics: MuJoCoPhysics) {
        switch physics {
        case .v2_1_0:
            library = "\(Self.prefix)/lib/mujoco210/libmujoco210.so"
            glew = "\(Self.prefix)/lib/mujoco210/\(Self.glewBuild.file)"
        case .v2_3_7:
            library = "\(Self.prefix)/lib/libmujoco.so.2.3.7"
            glew = nil
        }
    }
}
