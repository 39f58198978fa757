import CMuJoCo
import CMuJoCoShims
import Foundation

/// A compiled MuJoCo model (`mjModel`), owned by this object and freed with it.
///
/// The model is immutable after loading: this wrapper only reads it (the renderer works on its own
/// copy). So it is `Sendable` and may be shared by many `MjData` instances on many threads.
public final class MjModel: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<mjModel>

    /// Where the model came from (a file path or the name given to an XML string).
    public let source: String

    /// Loads and compiles a model from an MJCF (or MJB-free XML) file.
    /// - Throws: `MuJoCoError.modelFileNotFound` or `.modelCompilation` with MuJoCo's message.
    /// The corresponding C function is `mj_loadXML`.
    public convenience init(contentsOf url: URL) throws {
        _ = MuJoCoLibrary.handlersInstalled
        let path = url.path
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MuJoCoError.modelFileNotFound(path: path)
        }
        var error = [CChar](repeating: 0, count: 1024)
        guard let model = mj_loadXML(path, nil, &error, Int32(error.count)) else {
            throw MuJoCoError.modelCompilation(source: path, message: String(cString: error))
        }
        self.init(owning: model, source: path)
    }

    /// Compiles a model from an MJCF string. `name` labels the model in messages.
    /// The corresponding C functions are `mj_makeEmptyFileVFS` and `mj_loadXML`.
    public convenience init(xml: String, name: String = "model.xml") throws {
        _ = MuJoCoLibrary.handlersInstalled
        var error = [CChar](repeating: 0, count: 1024)
        guard let model = cmj_load_xml_string(xml, name, &error, Int32(error.count)) else {
            throw MuJoCoError.modelCompilation(source: name, message: String(cString: error))
        }
        self.init(owning: model, source: name)
    }

    /// An independent copy of this model (for an environment that edits its own model, e.g. a
    /// goal written into a body, while others share the original). The corresponding C function
    /// is `mj_copyModel`.
    /// - Throws: `MuJoCoError.engine` if MuJoCo cannot allocate the copy.
    public func copy() throws -> MjModel {
        guard let copy = cmj_copy_model(pointer) else {
            throw MuJoCoError.engine(operation: "mj_copyModel", message: String(cString: cmj_last_error()))
        }
        return MjModel(owning: copy, source: source)
    }

    private init(owning pointer: UnsafeMutablePointer<mjModel>, source: String) {
        self.pointer = pointer
        self.source = source
    }

    deinit { mj_deleteModel(pointer) }

    // MARK: Sizes

    /// Number of generalized coordinates (`nq`).
    public var nq: Int { Int(pointer.pointee.nq) }
    /// Number of degrees of freedom (`nv`).
    public var nv: Int { Int(pointer.pointee.nv) }
    /// Number of actuators (`nu`).
    public var nu: Int { Int(pointer.pointee.nu) }
    /// Number of activation states (`na`).
    public var na: Int { Int(pointer.pointee.na) }
    /// Number of bodies, including the world body (`nbody`).
    public var nbody: Int { Int(pointer.pointee.nbody) }
    /// Number of geoms (`ngeom`).
    public var ngeom: Int { Int(pointer.pointee.ngeom) }
    /// Number of joints (`njnt`).
    public var njnt: Int { Int(pointer.pointee.njnt) }
    /// Number of sites (`nsite`).
    public var nsite: Int { Int(pointer.pointee.nsite) }

    // MARK: Options and defaults

    /// Simulation time step in seconds (`opt.timestep`).
    public var timestep: Double { pointer.pointee.opt.timestep }
    /// The integrator named in the model (`opt.integrator`).
    public var integrator: Integrator { Integrator(rawValue: Int(pointer.pointee.opt.integrator)) ?? .euler }
    /// Gravity in m/s² (`opt.gravity`).
    public var gravity: [Double] { Array(UnsafeBufferPointer(start: withUnsafePointer(to: pointer.pointee.opt.gravity) { $0.withMemoryRebound(to: Double.self, capacity: 3) { $0 } }, count: 3)) }

    /// The reference configuration (`qpos0`), the state `mj_resetData` restores.
    public var qpos0: [Double] { Array(UnsafeBufferPointer(start: pointer.pointee.qpos0, count: nq)) }

    /// Control range of each actuator in actuator order (`actuator_ctrlrange`).
    public var actuatorControlRange: [ClosedRange<Double>] {
        (0..<nu).map { pointer.pointee.actuator_ctrlrange[2 * $0]...pointer.pointee.actuator_ctrlrange[2 * $0 + 1] }
    }
    /// Gear ratio (first component) of each actuator (`actuator_gear[:, 0]`).
    public var actuatorGear: [Double] { (0..<nu).map { pointer.pointee.actuator_gear[6 * $0] } }

    // MARK: Names

    /// The index of the named object, or nil. The corresponding C function is `mj_name2id`.
    public func id(of type: ObjectType, named name: String) -> Int? {
        let id = mj_name2id(pointer, Int32(type.cValue.rawValue), name)
        return id < 0 ? nil : Int(id)
    }

    /// The name of an object, or nil if it has none. The corresponding C function is `mj_id2name`.
    public func name(of type: ObjectType, id: Int) -> String? {
        guard let cName = mj_id2name(pointer, Int32(type.cValue.rawValue), Int32(id)) else { return nil }
        let name = String(cString: cName)
        return name.isEmpty ? nil : name
    }

    /// Names of all objects of a type, in index order (nil for unnamed ones).
    public func names(of type: ObjectType) -> [String?] {
        let count: Int
        switch type {
        case .body: count = nbody
        case .joint: count = njnt
        case .geom: count = ngeom
        case .actuator: count = nu
        case .camera: count = Int(pointer.pointee.ncam)
        case .site: count = nsite
        }
        return (0..<count).map { name(of: type, id: $0) }
    }

    /// Kinds of named objects this wrapper can look up (a subset of `mjtObj`).
    public enum ObjectType: Sendable {
        case body, joint, geom, actuator, camera, site

        var cValue: mjtObj {
            switch self {
            case .body: return mjOBJ_BODY
            case .joint: return mjOBJ_JOINT
            case .geom: return mjOBJ_GEOM
            case .actuator: return mjOBJ_ACTUATOR
            case .camera: return mjOBJ_CAMERA
            case .site: return mjOBJ_SITE
            }
        }
    }

    /// Numerical integrators (`mjtIntegrator`).
    public enum Integrator: Int, Sendable {
        case euler = 0, rk4 = 1, implicit = 2, implicitFast = 3
    }
}
