/// Read-only views of compiled model fields, for inspection and structural comparisons.
/// Each returns a copy in MuJoCo's index order; vector fields are flattened row-major.
extension MjModel {
    /// Body masses in kg (`body_mass`, nbody).
    public var bodyMass: [Double] { field("body_mass") }
    /// Body positions relative to the parent frame in m (`body_pos`, nbody × 3).
    public var bodyPosition: [Double] { field("body_pos") }
    /// Body inertias in the body frame, kg·m² (`body_inertia`, nbody × 3).
    public var bodyInertia: [Double] { field("body_inertia") }
    /// Geom types as `mjtGeom` values (`geom_type`, ngeom).
    public var geomType: [Int] { field("geom_type", as: Int32.self).map(Int.init) }
    /// Geom positions in the body frame, m (`geom_pos`, ngeom × 3).
    public var geomPosition: [Double] { field("geom_pos") }
    /// Geom orientations in the body frame (`geom_quat`, ngeom × 4).
    public var geomQuaternion: [Double] { field("geom_quat") }
    /// Geom size parameters, m (`geom_size`, ngeom × 3).
    public var geomSize: [Double] { field("geom_size") }
    /// Geom friction (slide, spin, roll) (`geom_friction`, ngeom × 3).
    public var geomFriction: [Double] { field("geom_friction") }
    /// Geom contact type bits (`geom_contype`, ngeom).
    public var geomContype: [Int] { field("geom_contype", as: Int32.self).map(Int.init) }
    /// Geom contact affinity bits (`geom_conaffinity`, ngeom).
    public var geomConaffinity: [Int] { field("geom_conaffinity", as: Int32.self).map(Int.init) }
    /// Geom contact dimensionality (`geom_condim`, ngeom).
    public var geomCondim: [Int] { field("geom_condim", as: Int32.self).map(Int.init) }
    /// Geom solver reference (`geom_solref`, ngeom × 2).
    public var geomSolref: [Double] { field("geom_solref") }
    /// Geom solver impedance (`geom_solimp`, ngeom × 5).
    public var geomSolimp: [Double] { field("geom_solimp") }
    /// Geom contact margin, m (`geom_margin`, ngeom).
    public var geomMargin: [Double] { field("geom_margin") }
    /// Body each geom belongs to (`geom_bodyid`, ngeom).
    public var geomBody: [Int] { field("geom_bodyid", as: Int32.self).map(Int.init) }
    /// Joint types as `mjtJoint` values (`jnt_type`, njnt).
    public var jointType: [Int] { field("jnt_type", as: Int32.self).map(Int.init) }
    /// Index of each joint's first coordinate in qpos (`jnt_qposadr`, njnt).
    public var jointQposAddress: [Int] { field("jnt_qposadr", as: Int32.self).map(Int.init) }
    /// Joint limits, rad or m (`jnt_range`, njnt × 2).
    public var jointRange: [Double] { field("jnt_range") }
    /// Whether each joint is limited (`jnt_limited`, njnt).
    public var jointLimited: [Bool] { field("jnt_limited", as: UInt8.self).map { $0 != 0 } }
    /// Joint axes in the body frame (`jnt_axis`, njnt × 3).
    public var jointAxis: [Double] { field("jnt_axis") }
    /// DoF damping (`dof_damping`, nv).
    public var dofDamping: [Double] { field("dof_damping") }
    /// DoF armature inertia (`dof_armature`, nv).
    public var dofArmature: [Double] { field("dof_armature") }
    /// Actuated joint of each actuator (`actuator_trnid[:, 0]`, nu).
    public var actuatorJoint: [Int] {
        let ids = field("actuator_trnid", as: Int32.self)
        return (0..<nu).map { Int(ids[2 * $0]) }
    }
    /// Full gear vector of each actuator (`actuator_gear`, nu × 6).
    public var actuatorGearVector: [Double] { field("actuator_gear") }
    /// Whether each actuator's control is clamped to its range (`actuator_ctrllimited`, nu).
    public var actuatorControlLimited: [Bool] { field("actuator_ctrllimited", as: UInt8.self).map { $0 != 0 } }
    /// Body orientations relative to the parent frame (`body_quat`, nbody × 4).
    public var bodyQuaternion: [Double] { field("body_quat") }
    /// Body centres of mass in the body frame, m (`body_ipos`, nbody × 3).
    public var bodyInertialPosition: [Double] { field("body_ipos") }
    /// Parent of each body (`body_parentid`, nbody; the world body is its own parent).
    public var bodyParent: [Int] { field("body_parentid", as: Int32.self).map(Int.init) }
    /// Joint anchor positions in the body frame, m (`jnt_pos`, njnt × 3).
    public var jointPosition: [Double] { field("jnt_pos") }
    /// Geom colours, RGBA in [0, 1] (`geom_rgba`, ngeom × 4).
    public var geomRGBA: [Float] { field("geom_rgba") }
}
