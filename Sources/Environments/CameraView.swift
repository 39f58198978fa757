/// A camera a robot asks videos to use by default (`RobotDescriptor.defaultCamera`). Angles in
/// degrees, distances in m, world frame; the meaning of each parameter is MuJoCo's `mjvCamera`:
/// `azimuth` turns about world z (90: looking along +y), `elevation` is negative looking down.
public enum CameraView: Equatable, Sendable {
    /// A camera defined in the model's MJCF, by name.
    case named(String)
    /// A free camera looking at `lookat` (nil: the model's `stat.center`) from `distance` (0: twice
    /// the model's `stat.extent`).
    case free(distance: Double, azimuth: Double, elevation: Double, lookat: SIMD3<Double>?)
    /// A camera following a body (its lookat is the body's subtree centre of mass).
    case tracking(body: String, distance: Double, azimuth: Double, elevation: Double)
    /// Straight down over everything fixed to the world (e.g. maze walls), framed to fit it,
    /// computed from the model when the renderer is made.
    case topDownStaticWorld
}
