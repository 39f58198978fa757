/// A decorative object drawn into the scene (not part of the simulation), e.g. a goal.
public struct SceneMarker: Equatable, Sendable {
    public enum Shape: Sendable { case sphere, cylinder }
    public var shape: Shape
    /// Centre, m, world frame.
    public var position: SIMD3<Double>
    /// Radius (m); for a cylinder also `halfHeight`.
    public var radius: Double
    public var halfHeight: Double
    /// Colour, components in 0...1.
    public var rgba: SIMD4<Float>
    public init(shape: Shape, position: SIMD3<Double>, radius: Double, halfHeight: Double = 0, rgba: SIMD4<Float>) {
        self.shape = shape
        self.position = position
        self.radius = radius
        self.halfHeight = halfHeight
        self.rgba = rgba
    }

    /// A goal region on the floor at (`x`, `y`) m: a translucent green disc of `radius` m (the
    /// success radius) and a green sphere of 0.3 m above its centre, visible from the top-down view.
    public static func goal(x: Double, y: Double, radius: Double) -> [SceneMarker] {
        [SceneMarker(shape: .cylinder, position: SIMD3(x, y, 0.02), radius: radius, halfHeight: 0.02, rgba: SIMD4(0.1, 0.9, 0.2, 0.6)),
         SceneMarker(shape: .sphere, position: SIMD3(x, y, 0.3), radius: 0.3, rgba: SIMD4(0.1, 0.9, 0.2, 1))]
    }
}
