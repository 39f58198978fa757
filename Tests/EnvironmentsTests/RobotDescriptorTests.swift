import Foundation
import Testing
@testable import Environments
import MuJoCo

/// A one-slider robot defined here to exercise the `Robot` contract the way a robot with its own
/// step sequence does (noisy observations, a custom action mapping, reward from the observation).
/// Model: one slide joint along x, one motor with ctrlrange ±2, timestep 0.01 s, frame skip 3.
final class SliderTestRobot: GymReset, RobotDescriptor {
    static let xml = """
    <mujoco model="slider">
      <option timestep="0.01"/>
      <worldbody><body name="cart"><joint name="x" type="slide" axis="1 0 0"/>
        <geom type="box" size="0.1 0.1 0.1" mass="1"/></body></worldbody>
      <actuator><motor joint="x" ctrlrange="-2 2" ctrllimited="true"/></actuator>
    </mujoco>
    """
    static let robot = "slider-test"
    static func modelSourceURLs(for task: TaskSpec) throws -> [URL] { [] }
    static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel { try compiledModel(xml: xml, name: "slider.xml", physics: physics) }
    static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        try MuJoCoEnvironment(task: task, model: model(for: task, physics: physics), robot: SliderTestRobot(), seed: seed)
    }
    static let defaultCamera = CameraView.free(distance: 2, azimuth: -66, elevation: -65, lookat: SIMD3(0, 0, 0))

    /// Calls of each member, in order.
    var calls: [String] = []
    /// The last observation (its noise included), which the action mapping reads.
    var lastObservation: [Double] = []
    var stepsEvaluated = 0

    let observationSize = 2
    let substeps = Substeps(3)
    /// Observes first, then rewards the observed x (reward read from the observation).
    let stepOrder = StepOrder.observationFirst

    /// qpos, qvel plus U[−0.1, 0.1) noise each, drawn on every call.
    func observe(_ env: MuJoCoEnvironment, into observation: UnsafeMutableBufferPointer<Double>) {
        calls.append("observation")
        observation[0] = env.data.qpos(0) + env.random.uniform(-0.1, 0.1)
        observation[1] = env.data.qvel(0) + env.random.uniform(-0.1, 0.1)
        lastObservation = Array(observation)
    }
    func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double]) { ([env.random.uniform(-1, 1)], [0]) }
    /// A position-target style mapping: ctrl = clip(2a − observed x, −2, 2).
    func applyAction(_ env: MuJoCoEnvironment, _ action: [Double]) -> [Double] {
        calls.append("applyAction")
        let control = [min(max(2 * action[0] - lastObservation[0], -2), 2)]
        control.withUnsafeBufferPointer { env.data.setControl($0) }
        return control
    }
    func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                      observation: UnsafeBufferPointer<Double>) -> StepEvaluation {
        calls.append("evaluateStep")
        stepsEvaluated += 1
        return StepEvaluation(reward: observation[0], terminated: observation[0] > 10)
    }
    func isTerminal(_ env: MuJoCoEnvironment) -> Bool { lastObservation[0] > 10 }
    var episodeMetrics: [String: Double] { ["substeps": Double(stepsEvaluated * substeps.count)] }
}

private let sliderTask = TaskSpec(id: "slider-test-v0", robot: "slider-test", dataset: "test", version: "v0",
                                  maxEpisodeSteps: 5, referenceMinScore: 0, referenceMaxScore: 1)

@Suite struct RobotDescriptorTests {
    /// Every robot of the registry has exactly one descriptor, and the factory's environment is of
    /// that descriptor's type, with the descriptor's model.
    @Test func everyRegisteredRobotHasOneDescriptor() throws {
        let registry = try TaskRegistry.standard()
        let names = RobotCatalog.builtIn.map { $0.robot }   // robots a test registers (ToyRobotTests) have no registry entry
        #expect(Set(names).count == names.count)
        #expect(Set(registry.tasks.map(\.robot)) == Set(names))
        for robot in names {
            let task = try #require(registry.tasks.first { $0.robot == robot })
            let env = try EnvironmentFactory.make(task: task, physics: .v2_3_7)
            #expect(env.descriptor.robot == robot)
            let registered = try #require(RobotCatalog.descriptor(named: robot))
            #expect(ObjectIdentifier(env.descriptor) == ObjectIdentifier(registered))
            #expect(env.model.nq == (try env.descriptor.model(for: task, physics: .v2_3_7)).nq)
            #expect(env.observation().count == env.observationSize, "\(robot)")
        }
        #expect(RobotCatalog.descriptor(named: "no-such-robot") == nil)
    }

    /// Each robot's registry facts are one file, Tools/registry/<robot>.json, naming that robot.
    @Test func registryFactsAreOneFilePerDescriptor() throws {
        let folder = ProjectResources.root.appendingPathComponent("Tools/registry")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        var robots: [String] = []
        for file in files {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as? [String: Any]
            let robot = try #require(object?["robot"] as? String, "\(file)")
            #expect(file == "\(robot).json")
            robots.append(robot)
        }
        #expect(Set(robots) == Set(RobotCatalog.builtIn.map { $0.robot }))
    }

    /// The registry names the EDP paper's speed task (Section 5.1), and a registry without one is
    /// refused naming the file and the field.
    @Test func registryNamesTheSpeedProtocolTask() throws {
        #expect(try TaskRegistry.standard().edpSpeedProtocolTask().id == "walker2d-medium-expert-v2")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString).json")
        try Data(#"{"semantics_version": 1, "tasks": []}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: TaskRegistryError.self) { try TaskRegistry(contentsOf: url).edpSpeedProtocolTask() }
        #expect(error.map { "\($0)" }?.contains(url.path) == true)
        #expect(error.map { "\($0)" }?.contains("edp_speed_protocol_task") == true)
    }

    /// The locomotion observation sizes come from the model: nq − 1 + nv (11, 17, 17); antmaze nq + nv (29).
    @Test func observationSizesFollowTheModel() throws {
        let expected = ["hopper-medium-v2": 11, "walker2d-medium-v2": 17, "halfcheetah-medium-v2": 17, "antmaze-umaze-v0": 29]
        for (id, size) in expected {
            let env = try EnvironmentFactory.make(task: TaskRegistry.standard().task(id), physics: .v2_3_7)
            #expect(env.observationSize == size, "\(id)")
        }
    }

    /// A task whose robot no descriptor implements is refused with the robot's name.
    @Test func unknownRobotIsRefusedByName() {
        let task = TaskSpec(id: "x-v0", robot: "unicycle", dataset: "d", version: "v0", maxEpisodeSteps: 1,
                            referenceMinScore: 0, referenceMaxScore: 1)
        #expect(throws: EnvironmentError.unsupportedRobot(task: "x-v0", robot: "unicycle")) { try EnvironmentFactory.make(task: task, physics: .v2_3_7) }
    }

    /// The step calls applyAction, runs the substeps (3 × 0.01 s), then (observation first) observe
    /// → evaluateStep, observing exactly once per step (and once per reset); the action mapping
    /// reads the previous (noisy) observation.
    @Test func stepRunsTheHooksInOrderAndObservesOnce() throws {
        let env = try SliderTestRobot.makeEnvironment(task: sliderTask, seed: 4, physics: .v2_3_7)
        let slider = try #require(env.robot(as: SliderTestRobot.self))
        let first = try env.reset(seed: 4)
        #expect(slider.calls == ["observation"])
        slider.calls = []
        let result = try env.step([0.25])
        #expect(slider.calls == ["applyAction", "observation", "evaluateStep"])
        #expect(abs(env.data.time - 0.03) < 1e-12 && env.elapsedSteps == 1)   // 3 substeps of 0.01 s
        #expect(env.data.ctrl == [min(max(0.5 - first[0], -2), 2)])
        #expect(result.reward == result.observation[0] && result.observation == slider.lastObservation)
        for _ in 0..<4 { _ = try env.step([0]) }
        #expect(env.elapsedSteps == 5 && env.episodeMetrics == ["substeps": 15])
    }

    /// A seeded replay makes the full seeded reset; with a state it then writes the state and
    /// observes afresh, and the generator continues after the reset's draws.
    @Test func seededReplayResetsThenWritesTheState() throws {
        let a = try SliderTestRobot.makeEnvironment(task: sliderTask, seed: 0, physics: .v2_3_7)
        let seededOnly = try a.replay(ReplayInput(seed: 7, qpos: nil, qvel: nil, actions: [[0.1]]))
        let b = try SliderTestRobot.makeEnvironment(task: sliderTask, seed: 0, physics: .v2_3_7)
        #expect(seededOnly.observations[0] == (try b.reset(seed: 7)))
        #expect(seededOnly.observations[1] == (try b.step([0.1])).observation)

        let c = try SliderTestRobot.makeEnvironment(task: sliderTask, seed: 0, physics: .v2_3_7)
        let withState = try c.replay(ReplayInput(seed: 7, qpos: [0.5], qvel: [-1], actions: []))
        let d = try SliderTestRobot.makeEnvironment(task: sliderTask, seed: 0, physics: .v2_3_7)
        try d.reset(seed: 7)
        var random = d.random                  // the stream after the reset's draws
        let expected = [0.5 + random.uniform(-0.1, 0.1), -1 + random.uniform(-0.1, 0.1)]
        #expect(withState.observations == [expected])
        #expect(c.data.qpos == [0.5] && c.data.qvel == [-1])
    }

    /// Neither seed nor state, or half a state, is refused naming the missing field.
    @Test func replayWithoutAStartNamesTheMissingField() throws {
        let env = try SliderTestRobot.makeEnvironment(task: sliderTask, seed: 0, physics: .v2_3_7)
        #expect(throws: ReplayError.missingStart(field: "qpos")) { try env.replay(ReplayInput(qpos: nil, qvel: nil, actions: [])) }
        #expect(throws: ReplayError.missingStart(field: "qvel")) { try env.replay(ReplayInput(seed: 1, qpos: [0], qvel: nil, actions: [])) }
        let decoded = try JSONDecoder().decode(ReplayInput.self, from: Data(#"{"seed": 3, "actions": [[0]]}"#.utf8))
        #expect(decoded == ReplayInput(seed: 3, qpos: nil, qvel: nil, actions: [[0]]))
    }

    /// The default action mapping (D4RL's NormalizedBoxEnv) maps [−1, 1] onto each actuator's own
    /// range (two motors: ±2 and ±0.5), clips to it and writes the controls.
    @Test func defaultActionMappingScalesAndClipsToEachActuatorsRange() throws {
        let model = try MjModel(xml: SliderTestRobot.xml.replacingOccurrences(
            of: "</actuator>", with: #"<motor joint="x" ctrlrange="-0.5 0.5" ctrllimited="true"/></actuator>"#), physics: .v2_3_7)
        let env = try MuJoCoEnvironment(task: sliderTask, model: model, robot: SliderTestRobot())
        #expect(env.applyRegisteredMapping([5, 5]) == [2, 0.5] && env.data.ctrl == [2, 0.5])
        // −2 + 0.75·0.5·4 = −0.5; −0.5 + (−2)·0.5·1 = −1.5, clipped to −0.5; 0.5 → 1 and 0.25.
        #expect(env.applyRegisteredMapping([-0.25, -3]) == [-0.5, -0.5] && env.data.ctrl == [-0.5, -0.5])
        #expect(env.applyRegisteredMapping([0.5, 0.5]) == [1, 0.25])
    }
}
