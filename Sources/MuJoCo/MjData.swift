import CMuJoCo
import CMuJoCoShims

/// The simulation state and scratch memory of one simulation (`mjData`), owned by this object.
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
    package let pointer: UnsafeMutablePointer<mjData>

    /// Allocates data for `model` and resets it to `qpos0`.
    /// The corresponding C function is `mj_makeData`.
    public init(model: MjModel) throws {
        _ = MuJoCoLibrary.handlersInstalled
        guard let data = cmj_make_data(model.pointer) else {
            throw MuJoCoError.engine(operation: "mj_makeData", message: String(cString: cmj_last_error()))
        }
        self.model = model
        self.pointer = data
    }

    deinit { mj_deleteData(pointer) }

    // MARK: Simulation

    /// Advances the simulation by `count` time steps of `model.timestep`.
    /// The corresponding C function is `mj_step`.
    public func step(count: Int = 1) throws {
        if cmj_step(model.pointer, pointer, Int32(count)) != 0 { throw engineError("mj_step") }
    }

    /// The first half of a step: position- and velocity-dependent computations (sensors, energy)
    /// for the current state, before controls are applied. The corresponding C function is
    /// `mj_step1`; `step1()` then `step2()` equals `step()` for the Euler and implicit integrators.
    public func step1() throws {
        if cmj_step1(model.pointer, pointer) != 0 { throw engineError("mj_step1") }
    }

    /// The second half of a step: forces, acceleration and integration (advances `time` by one
    /// `model.timestep`). The corresponding C function is `mj_step2`.
    public func step2() throws {
        if cmj_step2(model.pointer, pointer) != 0 { throw engineError("mj_step2") }
    }

    /// Computes all derived quantities for the current state without advancing time.
    /// The corresponding C function is `mj_forward`.
    public func forward() throws {
        if cmj_forward(model.pointer, pointer) != 0 { throw engineError("mj_forward") }
    }

    /// Resets state, controls, time and warnings to the model defaults (qpos = qpos0, qvel = 0).
    /// The corresponding C function is `mj_resetData`.
    public func reset() throws {
        if cmj_reset_data(model.pointer, pointer) != 0 { throw engineError("mj_resetData") }
    }

    private func engineError(_ operation: String) -> MuJoCoError {
        .engine(operation: operation, message: String(cString: cmj_last_error()))
    }

    // MARK: State

    /// Simulation time in seconds (`time`).
    public var time: Double {
        get { pointer.pointee.time }
        set { pointer.pointee.time = newValue }
    }

    /// Generalized positions, length `model.nq` (`qpos`).
    public var qpos: [Double] {
        get { Array(UnsafeBufferPointer(start: pointer.pointee.qpos, count: model.nq)) }
        set { write(newValue, to: pointer.pointee.qpos, count: model.nq, field: "qpos") }
    }

    /// Generalized velocities, length `model.nv` (`qvel`).
    public var qvel: [Double] {
        get { Array(UnsafeBufferPointer(start: pointer.pointee.qvel, count: model.nv)) }
        set { write(newValue, to: pointer.pointee.qvel, count: model.nv, field: "qvel") }
    }

    /// Actuator activations, length `model.na` (`act`).
    public var act: [Double] {
        get { Array(UnsafeBufferPointer(start: pointer.pointee.act, count: model.na)) }
        set { write(newValue, to: pointer.pointee.act, count: model.na, field: "act") }
    }

    /// Actuator controls, length `model.nu` (`ctrl`). MuJoCo clamps them to `ctrlrange` when
    /// an actuator is `ctrllimited`.
    public var ctrl: [Double] {
        get { Array(UnsafeBufferPointer(start: pointer.pointee.ctrl, count: model.nu)) }
        set { write(newValue, to: pointer.pointee.ctrl, count: model.nu, field: "ctrl") }
    }

    /// Generalized accelerations, length `model.nv` (`qacc`), valid after `forward()` or `step()`.
    public var qacc: [Double] { Array(UnsafeBufferPointer(start: pointer.pointee.qacc, count: model.nv)) }

    /// Cartesian position (m, world frame) of a body's frame (`xpos`), valid after `forward()`.
    public func bodyPosition(_ body: Int) -> SIMD3<Double> {
        precondition(body >= 0 && body < model.nbody, "body index \(body) out of range 0..<\(model.nbody)")
        let p = pointer.pointee.xpos + 3 * body
        return SIMD3(p[0], p[1], p[2])
    }

    /// Reads one element of `qpos` without copying the array (hot paths).
    @inline(__always) public func qpos(_ i: Int) -> Double { pointer.pointee.qpos[i] }
    /// Reads one element of `qvel` without copying the array (hot paths).
    @inline(__always) public func qvel(_ i: Int) -> Double { pointer.pointee.qvel[i] }

    /// Writes the controls from a buffer without allocating (hot paths).
    public func setControl(_ values: UnsafeBufferPointer<Double>) {
        precondition(values.count == model.nu, "ctrl needs \(model.nu) values, got \(values.count)")
        pointer.pointee.ctrl.update(from: values.baseAddress!, count: values.count)
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
        guard hasInstability else { return nil }
        let checks: [(mjtWarning, MjInstability.Kind)] = [
            (mjWARN_BADQPOS, .badQpos), (mjWARN_BADQVEL, .badQvel), (mjWARN_BADQACC, .badQacc),
        ]
        return withUnsafePointer(to: &pointer.pointee.warning) { tuple in
            tuple.withMemoryRebound(to: mjWarningStat.self, capacity: Int(mjNWARNING.rawValue)) { stats in
                for (warning, kind) in checks where stats[Int(warning.rawValue)].number > 0 {
                    return MjInstability(kind: kind, index: Int(stats[Int(warning.rawValue)].lastinfo), time: time)
                }
                return nil
            }
        }
    }

    /// Whether any bad-qpos/qvel/qacc warning has fired: the cheap check `instability` makes
    /// before it builds a value (it runs after every step).
    @inline(__always) var hasInstability: Bool {
        withUnsafePointer(to: &pointer.pointee.warning) { tuple in
            tuple.withMemoryRebound(to: mjWarningStat.self, capacity: Int(mjNWARNING.rawValue)) { stats in
                stats[Int(mjWARN_BADQPOS.rawValue)].number
                    | stats[Int(mjWARN_BADQVEL.rawValue)].number
                    | stats[Int(mjWARN_BADQACC.rawValue)].number != 0
            }
        }
    }

    /// Clears MuJoCo's warning counters (tests; `reset()` clears them for the product).
    func clearWarnings() {
        withUnsafeMutablePointer(to: &pointer.pointee.warning) { tuple in
            tuple.withMemoryRebound(to: mjWarningStat.self, capacity: Int(mjNWARNING.rawValue)) { stats in
                for i in 0..<Int(mjNWARNING.rawValue) { stats[i] = mjWarningStat() }
            }
        }
    }
}

/// `MjData` is not `Sendable` (see the type's notes on threads).
@available(*, unavailable)
extension MjData: Sendable {}

extension MjData {
    /// Cartesian position (m, world frame) of a site (`site_xpos`), valid after `forward()` or
    /// `step()` (a step leaves the positions of the state before its last integration).
    public func sitePosition(_ site: Int) -> SIMD3<Double> {
        precondition(site >= 0 && site < model.nsite, "site index \(site) out of range 0..<\(model.nsite)")
        let p = pointer.pointee.site_xpos + 3 * site
        return SIMD3(p[0], p[1], p[2])
    }
}
