import CMuJoCoDoor

/// The engine's own entry points with nothing around them (no error trap, no Swift), for the
/// benchmarks' bare C loops that measure what the environments add. Not for products: an error
/// inside ends the process.
package struct MjBareLoop {
    private let api: cmj_backend
    private let model: OpaquePointer
    private let data: OpaquePointer
    /// `qpos`, `qvel` and `ctrl` of the data, for loops that write controls and read state.
    package let qpos: UnsafeMutablePointer<Double>
    package let qvel: UnsafeMutablePointer<Double>
    package let ctrl: UnsafeMutablePointer<Double>
    /// Body positions (`xpos`, nbody × 3).
    package let xpos: UnsafeMutablePointer<Double>

    package init(_ data: MjData) {
        api = data.model.backend.api
        model = data.model.handle
        self.data = data.handle
        var arrays = cmj_data_arrays()
        api.data_arrays(model, self.data, &arrays)
        (qpos, qvel, ctrl, xpos) = (arrays.qpos!, arrays.qvel!, arrays.ctrl!, arrays.xpos!)
    }

    /// `mj_step`.
    @inline(__always) package func step() { api.raw_step(model, data) }
    /// `mj_step1`.
    @inline(__always) package func step1() { api.raw_step1(model, data) }
    /// `mj_step2`.
    @inline(__always) package func step2() { api.raw_step2(model, data) }
    /// `mj_forward`.
    @inline(__always) package func forward() { api.raw_forward(model, data) }
    /// `mj_resetData`.
    @inline(__always) package func resetData() { api.raw_reset_data(model, data) }
}
