import CMuJoCo

/// The few per-environment edits robots make after compiling (only on a private copy made with
/// `copy()`; a shared model is never edited), and the actuator arrays they touch.
extension MjModel {
    /// Gain parameters of each actuator (`actuator_gainprm`, nu × 10, row-major).
    public var actuatorGainParameters: [Double] { Array(UnsafeBufferPointer(start: pointer.pointee.actuator_gainprm, count: 10 * nu)) }
    /// Bias parameters of each actuator (`actuator_biasprm`, nu × 10, row-major).
    public var actuatorBiasParameters: [Double] { Array(UnsafeBufferPointer(start: pointer.pointee.actuator_biasprm, count: 10 * nu)) }

    /// Overwrites the first `values.count` (≤ 10) gain parameters of actuator `actuator`
    /// (`actuator_gainprm[actuator, :values.count]`). Only for a model no other thread uses.
    public func setActuatorGainParameters(_ actuator: Int, _ values: [Double]) {
        write(values, into: pointer.pointee.actuator_gainprm, row: actuator, rows: nu, width: 10, field: "actuator_gainprm")
    }

    /// Overwrites the first `values.count` (≤ 10) bias parameters of actuator `actuator`
    /// (`actuator_biasprm[actuator, :values.count]`). Only for a model no other thread uses.
    public func setActuatorBiasParameters(_ actuator: Int, _ values: [Double]) {
        write(values, into: pointer.pointee.actuator_biasprm, row: actuator, rows: nu, width: 10, field: "actuator_biasprm")
    }

    /// Overwrites a body's orientation relative to its parent (`body_quat[body]`, w x y z; not
    /// normalized). Takes effect at the next `forward`/`step`. Only for a model no other thread uses.
    public func setBodyQuaternion(_ body: Int, _ quaternion: [Double]) {
        precondition(quaternion.count == 4, "a quaternion has 4 values, got \(quaternion.count)")
        write(quaternion, into: pointer.pointee.body_quat, row: body, rows: nbody, width: 4, field: "body_quat")
    }

    private func write(_ values: [Double], into field: UnsafeMutablePointer<Double>, row: Int, rows: Int, width: Int,
                       field name: String) {
        precondition(row >= 0 && row < rows, "\(name) row \(row) out of range 0..<\(rows)")
        precondition(values.count <= width, "\(name) rows have \(width) values, got \(values.count)")
        for (k, value) in values.enumerated() { field[row * width + k] = value }
    }
}
