/// The few per-environment edits robots make after compiling. Only a private copy made with
/// `copy()` may be edited (checked: a shared model is never written), and only by its owner, while
/// no data of it is being stepped on another thread.
extension MjModel {
    /// Gain parameters of each actuator (`actuator_gainprm`, nu × 10, row-major).
    public var actuatorGainParameters: [Double] { field("actuator_gainprm") }
    /// Bias parameters of each actuator (`actuator_biasprm`, nu × 10, row-major).
    public var actuatorBiasParameters: [Double] { field("actuator_biasprm") }

    /// Overwrites the first `values.count` (≤ 10) gain parameters of actuator `actuator`
    /// (`actuator_gainprm[actuator, :values.count]`).
    public func setActuatorGainParameters(_ actuator: Int, _ values: [Double]) {
        write(values, into: "actuator_gainprm", row: actuator, rows: nu, width: 10)
    }

    /// Overwrites the first `values.count` (≤ 10) bias parameters of actuator `actuator`
    /// (`actuator_biasprm[actuator, :values.count]`).
    public func setActuatorBiasParameters(_ actuator: Int, _ values: [Double]) {
        write(values, into: "actuator_biasprm", row: actuator, rows: nu, width: 10)
    }

    /// Overwrites a body's orientation relative to its parent (`body_quat[body]`, w x y z; not
    /// normalized). Takes effect at the next `forward`/`step`.
    public func setBodyQuaternion(_ body: Int, _ quaternion: [Double]) {
        precondition(quaternion.count == 4, "a quaternion has 4 values, got \(quaternion.count)")
        write(quaternion, into: "body_quat", row: body, rows: nbody, width: 4)
    }

    private func write(_ values: [Double], into name: String, row: Int, rows: Int, width: Int) {
        precondition(isPrivateCopy, "\(name) of \(source): only a model made by copy() may be edited")
        precondition(row >= 0 && row < rows, "\(name) row \(row) out of range 0..<\(rows)")
        precondition(values.count <= width, "\(name) rows have \(width) values, got \(values.count)")
        guard let entry = arrays[name], entry.elementSize == MemoryLayout<Double>.size,
              let base = entry.data?.assumingMemoryBound(to: Double.self) else {
            preconditionFailure("mjModel has no float64 array \(name)")
        }
        for (k, value) in values.enumerated() { base[row * width + k] = value }
    }
}
