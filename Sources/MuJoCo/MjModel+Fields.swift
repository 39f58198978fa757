import CMuJoCo

/// Read-only views of compiled model fields, for inspection and structural comparisons.
/// Each returns a copy in MuJoCo's index order; vector fields are flattened row-major.
extension MjModel {
    /// Body masses in kg (`body_mass`, nbody).
    public var bodyMass: [Double] { copy(pointer.pointee.body_mass, nbody) }
    /// Body positions relative to the parent frame in m (`body_pos`, nbody × 3).
    public var bodyPosition: [Double] { copy(pointer.pointee.body_pos, 3 * nbody) }
    /// Body inertias in the body frame, kg·m² (`body_inertia`, nbody × 3).
    public var bodyInertia: [Double] { copy(pointer.pointee.body_inertia, 3 * nbody) }
    /// Geom types as `mjtGeom` values (`geom_type`, ngeom).
    public var geomType: [Int] { copy(pointer.pointee.geom_type, ngeom).map(Int.init) }
    /// Geom positions in the body frame, m (`geom_pos`, ngeom × 3).
    public var geomPosition: [Double] { copy(pointer.pointee.geom_pos, 3 * ngeom) }
    /// Geom orientations in the body frame (`geom_quat`, ngeom × 4).
    public var geomQuaternion: [Double] { copy(pointer.pointee.geom_quat, 4 * ngeom) }
    /// Geom size parameters, m (`geom_size`, ngeom × 3).
    public var geomSize: [Double] { copy(pointer.pointee.geom_size, 3 * ngeom) }
    /// Geom friction (slide, spin, roll) (`geom_friction`, ngeom × 3).
    public var geomFriction: [Double] { copy(pointer.pointee.geom_friction, 3 * ngeom) }
    /// Geom contact type bits (`geom_contype`, ngeom).
    public var geomContype: [Int] { copy(pointer.pointee.geom_contype, ngeom).map(Int.init) }
    /// Geom contact affinity bits (`geom_conaffinity`, ngeom).
    public var geomConaffinity: [Int] { copy(pointer.pointee.geom_conaffinity, ngeom).map(Int.init) }
    /// Geom contact dimensionality (`geom_condim`, ngeom).
    public var geomCondim: [Int] { copy(pointer.pointee.geom_condim, ngeom).map(Int.init) }
    /// Geom solver reference (`geom_solref`, ngeom × 2).
    public var geomSolref: [Double] { copy(pointer.pointee.geom_solref, 2 * ngeom) }
    /// Geom solver impedance (`geom_solimp`, ngeom × 5).
    public var geomSolimp: [Double] { copy(pointer.pointee.geom_solimp, 5 * ngeom) }
    /// Geom contact margin, m (`geom_margin`, ngeom).
    public var geomMargin: [Double] { copy(pointer.pointee.geom_margin, ngeom) }
    /// Body each geom belongs to (`geom_bodyid`, ngeom).
    public var geomBody: [Int] { copy(pointer.pointee.geom_bodyid, ngeom).map(Int.init) }
    /// Joint types as `mjtJoint` values (`jnt_type`, njnt).
    public var jointType: [Int] { copy(pointer.pointee.jnt_type, njnt).map(Int.init) }
    /// Index of each joint's first coordinate in qpos (`jnt_qposadr`, njnt).
    public var jointQposAddress: [Int] { copy(pointer.pointee.jnt_qposadr, njnt).map(Int.init) }
    /// Joint limits, rad or m (`jnt_range`, njnt × 2).
    public var jointRange: [Double] { copy(pointer.pointee.jnt_range, 2 * njnt) }
    /// Whether each joint is limited (`jnt_limited`, njnt).
    public var jointLimited: [Bool] { copy(pointer.pointee.jnt_limited, njnt).map { $0 != 0 } }
    /// Joint axes in the body frame (`jnt_axis`, njnt × 3).
    public var jointAxis: [Double] { copy(pointer.pointee.jnt_axis, 3 * njnt) }
    /// DoF damping (`dof_damping`, nv).
    public var dofDamping: [Double] { copy(pointer.pointee.dof_damping, nv) }
    /// DoF armature inertia (`dof_armature`, nv).
    public var dofArmature: [Double] { copy(pointer.pointee.dof_armature, nv) }
    /// Actuated joint of each actuator (`actuator_trnid[:, 0]`, nu).
    public var actuatorJoint: [Int] { (0..<nu).map { Int(pointer.pointee.actuator_trnid[2 * $0]) } }
    /// Full gear vector of each actuator (`actuator_gear`, nu × 6).
    public var actuatorGearVector: [Double] { copy(pointer.pointee.actuator_gear, 6 * nu) }
    /// Whether each actuator's control is clamped to its range (`actuator_ctrllimited`, nu).
    public var actuatorControlLimited: [Bool] { copy(pointer.pointee.actuator_ctrllimited, nu).map { $0 != 0 } }
    /// Body orientations relative to the parent frame (`body_quat`, nbody × 4).
    public var bodyQuaternion: [Double] { copy(pointer.pointee.body_quat, 4 * nbody) }
    /// Body centres of mass in the body frame, m (`body_ipos`, nbody × 3).
    public var bodyInertialPosition: [Double] { copy(pointer.pointee.body_ipos, 3 * nbody) }
    /// Parent of each body (`body_parentid`, nbody; the world body is its own parent).
    public var bodyParent: [Int] { copy(pointer.pointee.body_parentid, nbody).map(Int.init) }
    /// Joint anchor positions in the body frame, m (`jnt_pos`, njnt × 3).
    public var jointPosition: [Double] { copy(pointer.pointee.jnt_pos, 3 * njnt) }
    /// Geom colours, RGBA in [0, 1] (`geom_rgba`, ngeom × 4).
    public var geomRGBA: [Float] { copy(pointer.pointee.geom_rgba, 4 * ngeom) }
    /// Centre of the model at `qpos0`, m, world frame (`stat.center`, computed by the compiler):
    /// where MuJoCo's free camera looks by default.
    public var statisticCenter: SIMD3<Double> {
        let center = pointer.pointee.stat.center
        return SIMD3(center.0, center.1, center.2)
    }
    /// Spatial extent of the model at `qpos0`, m (`stat.extent`, computed by the compiler): the
    /// scale of MuJoCo's default camera distance.
    public var statisticExtent: Double { pointer.pointee.stat.extent }
    /// Vertical field of view of the free camera, degrees (`vis.global.fovy`, MJCF
    /// `<visual><global fovy>`; MuJoCo's default 45).
    public var freeCameraFieldOfView: Double { Double(pointer.pointee.vis.global.fovy) }

    private func copy<T>(_ source: UnsafeMutablePointer<T>?, _ count: Int) -> [T] {
        guard let source, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: source, count: count))
    }
}
