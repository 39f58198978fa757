import CMuJoCo

extension mjvCamera {
    /// MuJoCo's default abstract camera (`mjv_defaultCamera`): a free camera whose distance,
    /// azimuth, elevation and look-at point MuJoCo fills in at the next scene update from the
    /// model's statistics. The Rendering module starts every camera from it, so that this MuJoCo
    /// call stays behind this module's door.
    package static func mujocoDefault() -> mjvCamera {
        var camera = mjvCamera()
        mjv_defaultCamera(&camera)
        return camera
    }
}
