import Testing
@testable import MuJoCo

/// A pendulum with a motor, Euler integrator.
private let motorPendulum = """
<mujoco><option timestep="0.005" integrator="Euler"/>
  <worldbody><body pos="0 0 1"><joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
    <geom type="capsule" fromto="0 0 0 0.5 0 0" size="0.05" mass="1"/></body></worldbody>
  <actuator><motor joint="hinge" ctrlrange="-1 1" ctrllimited="true"/></actuator>
</mujoco>
"""

/// dm_control's calls (`legacyStep`, `forward(disabling:)`) and the compiled-array listing.
@Suite struct LegacyStepTests {
    /// `legacyStep(count: n)` is n × (mj_step2, mj_step1), bit for bit (tolerance 0), after a forward.
    @Test func legacyStepIsStep2ThenStep1() throws {
        let model = try MjModel(xml: motorPendulum, physics: .v2_3_7)
        let legacy = try MjData(model: model), halves = try MjData(model: model)
        for data in [legacy, halves] {
            data.qpos = [0.3]
            try data.forward()
            data.ctrl = [0.7]
        }
        try legacy.legacyStep(count: 40)
        for _ in 0..<40 {
            try halves.step2()
            try halves.step1()
        }
        #expect(legacy.qpos == halves.qpos && legacy.qvel == halves.qvel && legacy.time == halves.time)
        #expect(legacy.time > 0.19)
    }

    /// With actuation disabled for one forward, the control has no effect on the accelerations
    /// (as with ctrl = 0), and the next plain forward uses it again: the model is not changed.
    @Test func forwardWithoutActuationIgnoresTheControls() throws {
        let model = try MjModel(xml: motorPendulum, physics: .v2_3_7)
        let data = try MjData(model: model)
        data.qpos = [0.3]
        data.ctrl = [0]
        try data.forward()
        let passive = data.qacc
        data.ctrl = [1]
        try data.forward(disabling: .actuation)
        #expect(data.qacc == passive)
        try data.forward()
        #expect(data.qacc != passive)
    }

    /// Every array of mjModel by its mjxmacro name, with MuJoCo's element count and size.
    @Test func compiledArraysAndSizesUseMuJoCosNames() throws {
        let model = try MjModel(xml: motorPendulum, physics: .v2_3_7)
        let arrays = Dictionary(uniqueKeysWithValues: model.compiledArrays.map { ($0.name, $0) })
        #expect(arrays.count > 250)
        let qpos0 = try #require(arrays["qpos0"])
        #expect(qpos0.count == 1 && qpos0.elementSize == 8 && qpos0.bytes.count == 8)
        let mass = try #require(arrays["body_mass"])
        #expect(mass.count == 2 && mass.bytes.count == 16)
        let sizes = Dictionary(uniqueKeysWithValues: model.compiledSizes.map { ($0.name, $0.value) })
        #expect(sizes["nq"] == 1 && sizes["nu"] == 1 && sizes["nbody"] == 2 && sizes.count > 60)
    }
}
