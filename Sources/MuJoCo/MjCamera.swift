import CMuJoCoDoor

/// An abstract camera (`mjvCamera`): what a renderer looks from. Free cameras orbit `lookat`;
/// tracking cameras follow a body (MuJoCo moves `lookat`); fixed cameras are the model's own.
public struct MjCamera: Equatable, Sendable {
    public enum Kind: Int32, Sendable {
        case free = 0, tracking = 1, fixed = 2
    }
    public var kind: Kind
    /// The model camera of a `.fixed` camera.
    public var fixedCamera: Int
    /// The body a `.tracking` camera follows.
    public var trackedBody: Int
    /// Point looked at, m, world frame.
    public var lookat: SIMD3<Double>
    /// Distance from `lookat`, m.
    public var distance: Double
    /// Degrees.
    public var azimuth: Double
    /// Degrees.
    public var elevation: Double

    /// MuJoCo's default abstract camera (`mjv_defaultCamera`) of the given build: a free camera
    /// whose distance and look-at point MuJoCo fills in from the model at the next scene update.
    public static func mujocoDefault(_ physics: MuJoCoPhysics) throws -> MjCamera {
        var c = cmj_camera()
        try Backend.open(physics).api.default_camera(&c)
        return MjCamera(c)
    }

    init(_ c: cmj_camera) {
        kind = Kind(rawValue: c.type) ?? .free
        fixedCamera = Int(c.fixedcamid)
        trackedBody = Int(c.trackbodyid)
        lookat = SIMD3(c.lookat.0, c.lookat.1, c.lookat.2)
        distance = c.distance
        azimuth = c.azimuth
        elevation = c.elevation
    }

    var cValue: cmj_camera {
        var c = cmj_camera()
        c.type = kind.rawValue
        c.fixedcamid = Int32(fixedCamera)
        c.trackbodyid = Int32(trackedBody)
        c.lookat = (lookat.x, lookat.y, lookat.z)
        c.distance = distance
        c.azimuth = azimuth
        c.elevation = elevation
        return c
    }
}
