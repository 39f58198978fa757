import CMuJoCoDoor

/// The simulation state and scratch memory of one simulation (`mjData`), owned by this object and
/// simulated by its model's build.
///
/// An `MjData` keeps its `MjModel` alive. Engine errors (`mju_error`) become
/// `MuJoCoError.engine`; numerical blow-ups that MuJoCo recovers from by resetting are reported by
/// `instability`.
///
/// Threads: an `MjData` is mutable C memory with no lock, so it is not `Sendable` (declared
/// unavailable below, so no conformance can be added elsewhere); one thread uses it at a time,
/// while its `MjModel` may be shared. Parallel code hands each one to a single worker:
/// `RolloutEngine` and `ConsistencyCheck` step their environments inside
/// `DispatchQueue.concurrentPerform`, where each environment (and the `MjData` it owns) belongs to
/// exactly one iteration, and touch them from the calling thread only before and after that call.
public final class MjData {
    /// The model this data belongs to.
    public let model: MjModel
    let handle: OpaquePointer
    /// Where the state arrays live (fixed for the data's lifetime).
    private let arrays: cmj_data_arrays
    /// The build's functions, read field by field on each call (no copy of the table per step).
    private let table: UnsafePointer<cmj_backend>

    /// Allocates data for `model` and resets it to `qpos0`.
    /// The corresponding C function is `mj_makeData`.
    public init(model: MjModel) throws {
        guard let data = model.backend.api.make_data(model.handle) else {
            throw MuJoCoError.engine(operation: "mj_makeData", message: model.backend.lastError)
        }
        self.model = model
        self.handle = data
        self.table = model.backend.table
        var arrays = cmj_data_arrays()
        model.backend.api.data_arrays(model.handle, data, &arrays)
        self.arrays = arrays
    }

    deinit { table.pointee.delete_data(handle) }

    // MARK: Simulation

    /// Advances the simulation by `count` time steps of `model.timestep`.
    /// The corresponding C function is `mj_step`.
    public func step(count: Int = 1) throws {
        if table.pointee.step(model.handle, handle, Int32(count)) != 0 { throw engineError("mj_step") }
    }

    /// The first half of a step: position- and velocity-dependent computations (sensors, energy)
    /// for the current state, before controls are applied. `step1()` then `step2()` equals
    /// `step()` for the Euler and implicit integrators. The corresponding C function is `mj_step1`.
    func step1() throws {
        if table.pointee.step1(model.handle, handle) != 0 { throw engineError("mj_step1") }
    }

    /// The second half of a step: forces, acceleration and integration (advances `time` by one
    /// `model.timestep`). The corresponding C function is `mj_step2`.
    func step2() throws {
        if table.pointee.step2(model.handle, handle) != 0 { throw engineError("mj_step2") }
    }

    /// Computes all derived quantities for the current state without advancing time.
    /// The corresponding C function is `mj_forward`.
    public func forward() throws {
        if table.pointee.forward(model.handle, handle) != 0 { throw engineError("mj_forward") }
    }

    /// Resets state, controls, time and warnings to the model defaults (qpos = qpos0, qvel = 0).
    /// The corresponding C function is `mj_resetData`.
    public func reset() throws {
        if table.pointee.reset_data(model.handle, handle) != 0 { throw engineError("mj_resetData") }
    }

    func engineError(_ operation: String) -> MuJoCoError {
        .engine(operation: operation, message: model.backend.lastError)
    }

    // MARK: State

    /// Simulation time in seconds (`time`).
    public var time: Double {
        get { arrays.time!.pointee }
        set { arrays.time!.pointee = newValue }
    }

    /// Generalized positions, length `model.nq` (`qpos`).
    public var qpos: [Double] {
        get { read(arrays.qpos, model.nq) }
        set { write(newValue, to: arrays.qpos, count: model.nq, field: "qpos") }
    }

    /// Generalized velocities, length `model.nv` (`qvel`).
    public var qvel: [Double] {
        get { read(arrays.qvel, model.nv) }
        set { write(newValue, to: arrays.qvel, count: model.nv, field: "qvel") }
    }

    /// Actuator activations, length `model.na` (`act`).
    public var act: [Double] {
        get { read(arrays.act, model.na) }
        set { write(newValue, to: arrays.act, count: model.na, field: "act") }
    }

    /// Actuator controls, length `model.nu` (`ctrl`). MuJoCo clamps them to `ctrlrange` when
    /// an actuator is `ctrllimited`.
    public var ctrl: [Double] {
        get { read(arrays.ctrl, model.nu) }
        set { write(newValue, to: arrays.ctrl, count: model.nu, field: "ctrl") }
    }

    /// Generalized accelerations, length `model.nv` (`qacc`), valid after `forward()` or `step()`.
    public var qacc: [Double] { read(arrays.qacc, model.nv) }

    /// Cartesian position (m, world frame) of a body's frame (`xpos`), valid after `forward()`.
    public func bodyPosition(_ body: Int) -> SIMD3<Double> {
        precondition(body >= 0 && body < model.nbody, "body index \(body) out of range 0..<\(model.nbody)")
        let p = arrays.xpos! + 3 * body
        return SIMD3(p[0], p[1], p[2])
    }

    /// Cartesian position (m, world frame) of a site (`site_xpos`), valid after `forward()` or
    /// `step()` (a step leaves the positions of the state before its last integration).
    public func sitePosition(_ site: Int) -> SIMD3<Double> {
        precondition(site >= 0 && site < model.nsite, "site index \(site) out of range 0..<\(model.nsite)")
        let p = arrays.site_xpos! + 3 * site
        return SIMD3(p[0], p[1], p[2])
    }

    /// Reads one element of `qpos` without copying the array (hot paths).
    @inline(__always) public func qpos(_ i: Int) -> Double { arrays.qpos.unsafelyUnwrapped[i] }
    /// Reads one element of `qvel` without copying the array (hot paths).
    @inline(__always) public func qvel(_ i: Int) -> Double { arrays.qvel.unsafelyUnwrapped[i] }

    /// Writes the controls from a buffer without allocating (hot paths).
    public func setControl(_ values: UnsafeBufferPointer<Double>) {
        precondition(values.count == model.nu, "ctrl needs \(model.nu) values, got \(values.count)")
        guard values.count > 0 else { return }
        arrays.ctrl!.update(from: values.baseAddress!, count: values.count)
    }

    private func read(_ source: UnsafeMutablePointer<Double>?, _ count: Int) -> [Double] {
        guard let source, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: source, count: count))
    }

    private func write(_ values: [Double], to destination: UnsafeMutablePointer<Double>?, count: Int, field: String) {
        precondition(values.count == count, "\(field) needs \(count) values, got \(values.count)")
        guard count > 0, let destination else { return }
        values.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: count) }
    }

    // MARK: Warnings

    /// The first numerical instability MuJoCo detected since the last `reset()` or
    /// `clearWarnings()`, or nil. MuJoCo resets the state itself when one occurs, so the state
    /// after it does not continue the trajectory.
    public var instability: MjInstability? {
        var index: Int32 = 0
        let kind: MjInstability.Kind
        switch Int(table.pointee.instability(handle, &index)) {
        case Int(CMJ_INSTABILITY_QPOS): kind = .badQpos
        case Int(CMJ_INSTABILITY_QVEL): kind = .badQvel
        case Int(CMJ_INSTABILITY_QACC): kind = .badQacc
        default: return nil
        }
        return MjInstability(kind: kind, index: Int(index), time: time)
    }

    /// Clears MuJoCo's warning counters (`reset()` clears them too).
    func clearWarnings() { table.pointee.clear_warnings(handle) }
}

/// `MjData` is not `Sendable` (see the type's notes on threads).
@available(*, unavailable)
extension MjData: Sendable {}
