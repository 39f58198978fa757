import MuJoCo

/// How one environment step advances the simulation: `count` MuJoCo time steps of one scheme.
public struct Substeps: Sendable, Equatable {
    /// The stepping calls.
    public enum Scheme: Sendable, Equatable {
        /// `count` × `mj_step` (gym's and mjrl's `do_simulation`).
        case mujoco
        /// dm_control's legacy step: `mj_step2` then `mj_step1` per time step (`MjData.legacyStep`).
        case dmControlLegacy
    }

    /// MuJoCo time steps per environment step (the frame skip).
    public let count: Int
    public let scheme: Scheme

    public init(_ count: Int, _ scheme: Scheme = .mujoco) {
        self.count = count
        self.scheme = scheme
    }

    /// Runs the substeps on `data`.
    public func run(_ data: MjData) throws {
        switch scheme {
        case .mujoco: try data.step(count: count)
        case .dmControlLegacy: try data.legacyStep(count: count)
        }
    }
}

/// The physics resets the robots' reset sequences are made of.
public enum PhysicsReset {
    /// `mj_resetData` (gym's and mjrl's `sim.reset()`).
    public static func mujoco(_ data: MjData) throws {
        try data.reset()
    }

    /// dm_control's `Physics.reset()`: `mj_resetData`, then `mj_forward` with actuation disabled.
    public static func dmControl(_ data: MjData) throws {
        try data.reset()
        try data.forward(disabling: .actuation)
    }
}

/// Gym's reset (`MujocoEnv.reset` → `reset_model` → `set_state`): `mj_resetData`, the start state
/// the robot draws, written into qpos/qvel, `mj_forward`.
public protocol GymReset: Robot {
    /// Draws reset noise and returns the start state (qpos noise first, then qvel; docs/environments.md §2.2).
    func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double])
}

extension GymReset {
    public func resetSimulation(_ env: MuJoCoEnvironment) throws {
        try PhysicsReset.mujoco(env.data)
        let start = sampleInitialState(env)
        try env.writeState(qpos: start.qpos, qvel: start.qvel)
    }
}
