import CMuJoCoDoor
import Foundation

/// A compiled MuJoCo model (`mjModel`) of one build (`physics`), owned by this object and freed
/// with it.
///
/// Shared models are immutable: nothing writes to a model another object can see. An environment
/// that edits its model (a goal orientation, retuned actuators) works on its own `copy()`, whose
/// setters (`MjModel+Editing.swift`) refuse to run on a model that was not made by `copy()`. So a
/// model is `Sendable` and may be shared by many `MjData` instances on many threads.
public final class MjModel: @unchecked Sendable {
    let backend: Backend
    let handle: OpaquePointer

    /// The MuJoCo build that compiled this model and simulates it.
    public var physics: MuJoCoPhysics { backend.physics }
    /// Where the model came from (a file path or the name given to an XML string).
    public let source: String
    /// Whether this is a private copy made by `copy()`, the only kind of model that may be edited.
    public let isPrivateCopy: Bool

    /// Arrays by MuJoCo's field names: where they live, element size in bytes, element count.
    let arrays: [String: (data: UnsafeMutableRawPointer?, elementSize: Int, count: Int)]
    private let facts: cmj_model_facts

    /// Loads and compiles a model from an MJCF file with the given build.
    /// - Throws: `MuJoCoError.modelFileNotFound` or `.modelCompilation` with MuJoCo's message, or
    ///   `.libraryUnavailable` when the build cannot be opened.
    /// The corresponding C function is `mj_loadXML`.
    public convenience init(contentsOf url: URL, physics: MuJoCoPhysics) throws {
        let backend = try Backend.open(physics)
        let path = url.path
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MuJoCoError.modelFileNotFound(path: path)
        }
        var error = [CChar](repeating: 0, count: 1024)
        guard let model = backend.api.load_xml(path, &error, Int32(error.count)) else {
            throw MuJoCoError.modelCompilation(source: path, message: String(cString: error))
        }
        self.init(owning: model, backend: backend, source: path, isPrivateCopy: false)
    }

    /// Compiles a model from an MJCF string with the given build. `name` labels it in messages.
    /// The corresponding C functions are `mj_makeEmptyFileVFS` and `mj_loadXML`.
    public convenience init(xml: String, name: String = "model.xml", physics: MuJoCoPhysics) throws {
        let backend = try Backend.open(physics)
        var error = [CChar](repeating: 0, count: 1024)
        guard let model = backend.api.load_xml_string(xml, name, &error, Int32(error.count)) else {
            throw MuJoCoError.modelCompilation(source: name, message: String(cString: error))
        }
        self.init(owning: model, backend: backend, source: name, isPrivateCopy: false)
    }

    /// An independent copy of this model, which its owner may edit before and between uses (e.g.
    /// a goal written into a body) while others share the original. The corresponding C function
    /// is `mj_copyModel`.
    /// - Throws: `MuJoCoError.engine` if MuJoCo cannot allocate the copy.
    public func copy() throws -> MjModel {
        guard let copy = backend.api.copy_model(handle) else {
            throw MuJoCoError.engine(operation: "mj_copyModel", message: backend.lastError)
        }
        return MjModel(owning: copy, backend: backend, source: source, isPrivateCopy: true)
    }

    private init(owning handle: OpaquePointer, backend: Backend, source: String, isPrivateCopy: Bool) {
        self.handle = handle
        self.backend = backend
        self.source = source
        self.isPrivateCopy = isPrivateCopy
        var facts = cmj_model_facts()
        backend.api.model_facts(handle, &facts)
        self.facts = facts
        let sizes = Self.readSizes(handle, backend)
        (nq, nv, nu, na) = (sizes["nq"]!, sizes["nv"]!, sizes["nu"]!, sizes["na"]!)
        (nbody, ngeom, njnt, nsite, ncam) = (sizes["nbody"]!, sizes["ngeom"]!, sizes["njnt"]!, sizes["nsite"]!, sizes["ncam"]!)
        self.arrays = Self.readArrays(handle, backend)
    }

    deinit { backend.api.delete_model(handle) }

    private static func readSizes(_ handle: OpaquePointer, _ backend: Backend) -> [String: Int] {
        var sizes: [String: Int] = [:]
        var index: Int32 = 0, name: UnsafePointer<CChar>?, value = 0
        while backend.api.model_size(handle, index, &name, &value) != 0 {
            sizes[String(cString: name!)] = value
            index += 1
        }
        return sizes
    }

    private static func readArrays(_ handle: OpaquePointer, _ backend: Backend)
        -> [String: (data: UnsafeMutableRawPointer?, elementSize: Int, count: Int)] {
        var arrays: [String: (data: UnsafeMutableRawPointer?, elementSize: Int, count: Int)] = [:]
        var index: Int32 = 0, name: UnsafePointer<CChar>?, data: UnsafeMutableRawPointer?, elementSize: Int32 = 0, count = 0
        while backend.api.model_array(handle, index, &name, &data, &elementSize, &count) != 0 {
            arrays[String(cString: name!)] = (data, Int(elementSize), count)
            index += 1
        }
        return arrays
    }

    // MARK: Sizes

    /// Number of generalized coordinates (`nq`).
    public let nq: Int
    /// Number of degrees of freedom (`nv`).
    public let nv: Int
    /// Number of actuators (`nu`).
    public let nu: Int
    /// Number of activation states (`na`).
    public let na: Int
    /// Number of bodies, including the world body (`nbody`).
    public let nbody: Int
    /// Number of geoms (`ngeom`).
    public let ngeom: Int
    /// Number of joints (`njnt`).
    public let njnt: Int
    /// Number of sites (`nsite`).
    public let nsite: Int
    /// Number of cameras (`ncam`).
    public let ncam: Int

    // MARK: Options and defaults

    /// Simulation time step in seconds (`opt.timestep`).
    public var timestep: Double { facts.timestep }
    /// The integrator named in the model (`opt.integrator`).
    public var integrator: Integrator { Integrator(rawValue: Int(facts.integrator)) ?? .euler }
    /// Gravity in m/s² (`opt.gravity`).
    public var gravity: [Double] { [facts.gravity.0, facts.gravity.1, facts.gravity.2] }
    /// Centre of the model at `qpos0`, m, world frame (`stat.center`, computed by the compiler):
    /// where MuJoCo's free camera looks by default.
    public var statisticCenter: SIMD3<Double> { SIMD3(facts.center.0, facts.center.1, facts.center.2) }
    /// Spatial extent of the model at `qpos0`, m (`stat.extent`): the scale of MuJoCo's default
    /// camera distance.
    public var statisticExtent: Double { facts.extent }
    /// Vertical field of view of the free camera, degrees (`vis.global.fovy`, MJCF
    /// `<visual><global fovy>`; MuJoCo's default 45).
    public var freeCameraFieldOfView: Double { facts.fovy }

    /// The reference configuration (`qpos0`), the state `mj_resetData` restores.
    public var qpos0: [Double] { field("qpos0") }

    /// Control range of each actuator in actuator order (`actuator_ctrlrange`).
    public var actuatorControlRange: [ClosedRange<Double>] {
        let range: [Double] = field("actuator_ctrlrange")
        return (0..<nu).map { range[2 * $0]...range[2 * $0 + 1] }
    }
    /// Gear ratio (first component) of each actuator (`actuator_gear[:, 0]`).
    public var actuatorGear: [Double] {
        let gear: [Double] = field("actuator_gear")
        return (0..<nu).map { gear[6 * $0] }
    }

    // MARK: Names

    /// The index of the named object, or nil. The corresponding C function is `mj_name2id`.
    public func id(of type: ObjectType, named name: String) -> Int? {
        let id = backend.api.name_to_id(handle, type.cValue, name)
        return id < 0 ? nil : Int(id)
    }

    /// The name of an object, or nil if it has none. The corresponding C function is `mj_id2name`.
    public func name(of type: ObjectType, id: Int) -> String? {
        guard let cName = backend.api.id_to_name(handle, type.cValue, Int32(id)) else { return nil }
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
        case .camera: count = ncam
        case .site: count = nsite
        }
        return (0..<count).map { name(of: type, id: $0) }
    }

    /// Kinds of named objects this wrapper can look up (a subset of `mjtObj`).
    public enum ObjectType: Sendable {
        case body, joint, geom, actuator, camera, site

        var cValue: Int32 {
            switch self {
            case .body: return Int32(CMJ_OBJ_BODY)
            case .joint: return Int32(CMJ_OBJ_JOINT)
            case .geom: return Int32(CMJ_OBJ_GEOM)
            case .actuator: return Int32(CMJ_OBJ_ACTUATOR)
            case .camera: return Int32(CMJ_OBJ_CAMERA)
            case .site: return Int32(CMJ_OBJ_SITE)
            }
        }
    }

    /// Numerical integrators (`mjtIntegrator`).
    public enum Integrator: Int, Sendable {
        case euler = 0, rk4 = 1, implicit = 2, implicitFast = 3
    }

    /// Geom types (`mjtGeom`; the same values in every build, checked at compile time by the shims).
    public enum GeomType: Int, Sendable {
        case plane = 0, heightField = 1, sphere = 2, capsule = 3, ellipsoid = 4, cylinder = 5, box = 6, mesh = 7
    }

    // MARK: Reading arrays

    /// A copy of the array `name` (MuJoCo's field name), whose elements must be `T`-sized.
    func field<T>(_ name: String, as type: T.Type = T.self) -> [T] {
        guard let entry = arrays[name] else { preconditionFailure("mjModel has no array \(name)") }
        precondition(entry.elementSize == MemoryLayout<T>.size, "mjModel.\(name) has \(entry.elementSize)-byte elements, not \(T.self)")
        guard let data = entry.data, entry.count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: entry.count))
    }
}
