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
