import CMuJoCoDoor

/// dm_control's stepping and reset calls (dm_control 1.0.14 `mujoco/engine.py`, `Physics`), for
/// environments that D4RL runs through dm_control.
extension MjData {
    /// Advances `count` time steps the way dm_control's `Physics.step()` does for an Euler model
    /// ("legacy step"): each step finishes with `mj_step2` the step whose `mj_step1` ran before,
    /// then calls `mj_step1` so positions and velocities are up to date. Bit for bit different from
    /// `step(count:)` after a few steps, so it must match the original when parity matters.
    /// The corresponding C functions are `mj_step2` and `mj_step1`.
    public func legacyStep(count: Int = 1) throws {
        if model.backend.api.step_legacy(model.handle, handle, Int32(count)) != 0 {
            throw engineError("mj_step2/mj_step1")
        }
    }

    /// `mj_forward` with parts of the physics switched off for this call only (dm_control's
    /// `with physics.model.disable('actuation'): physics.forward()`, which its `reset` runs). The
    /// shared model is not written. The corresponding C function is `mj_forward`.
    public func forward(disabling disabled: DisabledPhysics) throws {
        if model.backend.api.forward_disabled(model.handle, handle, disabled.rawValue) != 0 {
            throw engineError("mj_forward")
        }
    }

    /// Parts of the physics a single `forward(disabling:)` call can switch off (`mjtDisableBit`).
    public struct DisabledPhysics: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Actuator forces (`mjDSBL_ACTUATION`).
        public static let actuation = DisabledPhysics(rawValue: Int32(CMJ_DISABLE_ACTUATION))
    }
}
