/// Where a goal-reaching environment's goal is, for drawing it into videos (it is not part of
/// the simulated model). Position in m, world frame; `radius` in m is the success radius.
public struct GoalMarker: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var radius: Double

    public init(x: Double, y: Double, radius: Double) {
        self.x = x
        self.y = y
        self.radius = radius
    }
}
