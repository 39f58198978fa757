import CMuJoCoDoor

/// MuJoCo's own renderer (`mjv_`/`mjr_`) of the model's build: a scene and an offscreen GL
/// rendering context for frames of a fixed size. A GL context must be current on the calling
/// thread for every call, including the release at deinit (the Rendering module arranges this).
/// Keeps a private model copy, so the offscreen size is set without writing to a shared model.
package final class MjSceneRenderer {
    let model: MjModel
    private let renderer: OpaquePointer
    package let width: Int
    package let height: Int

    /// A decorative geom added after the scene update (e.g. a goal marker).
    package struct Marker {
        package enum Shape { case sphere, cylinder }
        package var shape: Shape
        /// MJCF size parameters, m.
        package var size: SIMD3<Double>
        /// m, world frame.
        package var position: SIMD3<Double>
        package var rgba: SIMD4<Float>
        package init(shape: Shape, size: SIMD3<Double>, position: SIMD3<Double>, rgba: SIMD4<Float>) {
            (self.shape, self.size, self.position, self.rgba) = (shape, size, position, rgba)
        }
    }

    /// - Parameters:
    ///   - quality: shadows, reflections, skybox, haze and 4x multisampling when true.
    /// - Throws: `MuJoCoError.engine` with MuJoCo's message (no framebuffer objects, GL errors).
    /// The corresponding C functions are `mjv_makeScene` and `mjr_makeContext`.
    package init(model: MjModel, width: Int, height: Int, quality: Bool, maxGeoms: Int) throws {
        var error = [CChar](repeating: 0, count: 1024)
        guard let made = model.backend.api.renderer_create(model.handle, Int32(width), Int32(height), quality ? 1 : 0,
                                                             Int32(maxGeoms), &error, Int32(error.count)) else {
            throw MuJoCoError.engine(operation: "mjr_makeContext", message: String(cString: error))
        }
        self.model = model
        self.renderer = made
        self.width = width
        self.height = height
    }

    deinit { model.backend.api.renderer_free(renderer) }

    /// Renders `data` from `camera` (updated: where a tracking camera looked) plus `markers` into
    /// `rgb` (width × height × 3 bytes, top row first).
    /// The corresponding C functions are `mjv_updateScene`, `mjr_render` and `mjr_readPixels`.
    package func render(_ data: MjData, camera: inout MjCamera, markers: [Marker], into rgb: UnsafeMutablePointer<UInt8>) throws {
        precondition(data.model.physics == model.physics, "data of MuJoCo \(data.model.physics.rawValue) on a \(model.physics.rawValue) renderer")
        let cMarkers = markers.map { m -> cmj_marker in
            var c = cmj_marker()
            c.type = Int32(m.shape == .sphere ? CMJ_GEOM_SPHERE : CMJ_GEOM_CYLINDER)
            c.size = (m.size.x, m.size.y, m.size.z)
            c.pos = (m.position.x, m.position.y, m.position.z)
            c.rgba = (m.rgba.x, m.rgba.y, m.rgba.z, m.rgba.w)
            return c
        }
        var c = camera.cValue
        var error = [CChar](repeating: 0, count: 1024)
        let status = cMarkers.withUnsafeBufferPointer { markers in
            model.backend.api.renderer_frame(renderer, data.handle, &c, markers.baseAddress, Int32(markers.count), rgb,
                                             &error, Int32(error.count))
        }
        if status != 0 { throw MuJoCoError.engine(operation: "mjr_render", message: String(cString: error)) }
        camera = MjCamera(c)
    }

    /// Draws a top-row-first RGB frame into the current window's buffer (window contexts).
    /// The corresponding C function is `mjr_drawPixels`.
    package func show(_ rgb: UnsafePointer<UInt8>) throws {
        if model.backend.api.renderer_show(renderer, rgb) != 0 {
            throw MuJoCoError.engine(operation: "mjr_drawPixels", message: model.backend.lastError)
        }
    }
}
