import Testing
@testable import MuJoCo

/// A pendulum with a motor, Euler integrator (for which mj_step = mj_step1 + mj_step2).
private let pendulum = """
<mujoco><option timestep="0.005" integrator="Euler"/>
  <worldbody><body pos="0 0 1"><joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
    <geom type="capsule" fromto="0 0 0 0.5 0 0" size="0.05" mass="1"/></body></worldbody>
  <actuator><motor joint="hinge" ctrlrange="-1 1" ctrllimited="true"/></actuator>
</mujoco>
"""

@Suite struct StepHalvesAndCopyTests {
    /// step1 then step2 reproduces step bit for bit (Euler; tolerance 0) over 50 steps with a control.
    @Test func stepHalvesEqualAStep() throws {
        let model = try MjModel(xml: pendulum, physics: .v2_3_7)
        let whole = try MjData(model: model), halves = try MjData(model: model)
        for data in [whole, halves] { data.qpos = [0.3]; data.ctrl = [0.7] }
        for _ in 0..<50 {
            try whole.step()
            try halves.step1()
            try halves.step2()
        }
        #expect(whole.qpos == halves.qpos && whole.qvel == halves.qvel && whole.time == halves.time)
        #expect(whole.time > 0.2)
    }

    /// A copy has the same arrays, gives the same trajectory, and owns its memory (it works after
    /// the original is freed).
    @Test func copyIsAnIndependentEqualModel() throws {
        var original: MjModel? = try MjModel(xml: pendulum, name: "pendulum.xml", physics: .v2_3_7)
        let copy = try #require(try original?.copy())
        #expect(copy.source == "pendulum.xml" && copy.nq == 1 && copy.bodyMass == original?.bodyMass)
        var reference: [Double] = []
        do {
            let a = try MjData(model: try #require(original))
            a.qpos = [0.3]
            try a.step(count: 20)
            reference = a.qpos
        }
        original = nil
        let b = try MjData(model: copy)
        b.qpos = [0.3]
        try b.step(count: 20)
        #expect(b.qpos == reference && reference != [0.3])
    }
}
