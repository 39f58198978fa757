import Foundation
import Testing
@testable import MuJoCo

/// A two-body model small enough to reason about.
private let ballXML = """
<mujoco model="ball">
  <option timestep="0.01"/>
  <worldbody>
    <geom name="floor" type="plane" size="5 5 .1"/>
    <body name="ball" pos="0 0 1">
      <freejoint name="free"/>
      <geom name="ball_geom" type="sphere" size=".1" mass="1"/>
    </body>
    <body name="arm" pos="1 0 1">
      <joint name="hinge" type="hinge" axis="0 1 0" range="-30 30" limited="true"/>
      <geom type="capsule" size=".05 .2"/>
    </body>
  </worldbody>
  <actuator><motor name="motor" joint="hinge" ctrlrange="-2 2" ctrllimited="true" gear="3"/></actuator>
</mujoco>
"""

@Suite struct MuJoCoLibraryTests {
    @Test func bothPinnedBuildsOpenInOneProcess() throws {
        #expect(try MuJoCoLibrary.version(.v2_1_0) == "2.1.0")
        #expect(try MuJoCoLibrary.versionNumber(.v2_1_0) == 210)
        #expect(try MuJoCoLibrary.libraryPath(.v2_1_0).hasSuffix("lib/mujoco210/libmujoco210.so"))
        #expect(try MuJoCoLibrary.version(.v2_3_7) == "2.3.7")
        #expect(try MuJoCoLibrary.versionNumber(.v2_3_7) == 237)
        #expect(try MuJoCoLibrary.libraryPath(.v2_3_7).hasSuffix("lib/libmujoco.so.2.3.7"))
    }

    @Test func physicsNamesParseAndUnknownOnesAreRefused() throws {
        #expect(try MuJoCoPhysics(userValue: "2.1.0") == .v2_1_0)
        #expect(try MuJoCoPhysics(userValue: "237") == .v2_3_7)
        #expect(try MuJoCoPhysics.fromEnvironment([:]) == nil)
        #expect(try MuJoCoPhysics.fromEnvironment(["EDP_EVAL_MUJOCO": "2.1.0"]) == .v2_1_0)
        #expect(throws: MuJoCoError.unknownPhysics(value: "3.1")) { try MuJoCoPhysics(userValue: "3.1") }
    }

    /// The same model, state and controls stepped by each build in the same process: each build
    /// is deterministic, and the two disagree (different physics, not a shared library).
    @Test func theTwoBuildsSimulateSideBySideAndDiffer() throws {
        func run(_ physics: MuJoCoPhysics) throws -> [Double] {
            let data = try MjData(model: try MjModel(xml: ballXML, physics: physics))
            data.qvel = [0.3, -0.2, 0, 0.5, 0.1, 0, 2]
            data.ctrl = [1.5]
            try data.step(count: 150)
            return data.qpos + data.qvel
        }
        let old = try run(.v2_1_0), new = try run(.v2_3_7)
        let oldAgain = try run(.v2_1_0), newAgain = try run(.v2_3_7)
        #expect(old == oldAgain && new == newAgain)
        #expect(old != new)
        #expect(zip(old, new).map { abs($0 - $1) }.max()! < 0.5)
    }
}

@Suite struct MjModelTests {
    @Test func loadsFromAStringWithSizesNamesAndOptions() throws {
        let model = try MjModel(xml: ballXML, physics: .v2_3_7)
        #expect(model.nq == 8 && model.nv == 7 && model.nu == 1 && model.nbody == 3 && model.ngeom == 3 && model.njnt == 2)
        #expect(model.timestep == 0.01)
        #expect(model.integrator == .euler)
        #expect(model.id(of: .body, named: "ball") == 1)
        #expect(model.id(of: .joint, named: "hinge") == 1)
        #expect(model.id(of: .actuator, named: "motor") == 0)
        #expect(model.id(of: .geom, named: "nope") == nil)
        #expect(model.name(of: .body, id: 2) == "arm")
        #expect(model.names(of: .geom) == ["floor", "ball_geom", nil])
        #expect(model.actuatorControlRange == [-2...2])
        #expect(model.actuatorGear == [3])
        #expect(model.qpos0 == [0, 0, 1, 1, 0, 0, 0, 0])
        let range = model.jointRange
        #expect(abs(range[2] + 30 * .pi / 180) < 1e-12 && abs(range[3] - 30 * .pi / 180) < 1e-12)
    }

    @Test func malformedXMLThrowsWithMuJoCosOwnMessage() {
        #expect {
            _ = try MjModel(xml: "<mujoco><worldbody><body><geom type='sphere'/></body>", name: "broken.xml", physics: .v2_3_7)
        } throws: { error in
            guard case MuJoCoError.modelCompilation(let source, let message) = error else { return false }
            return source == "broken.xml" && message.contains("XML parse error")
        }
        #expect {
            _ = try MjModel(xml: "<mujoco><worldbody><geom type='sphere' size='-1'/></worldbody></mujoco>", physics: .v2_3_7)
        } throws: { error in
            guard case MuJoCoError.modelCompilation(_, let message) = error else { return false }
            return !message.isEmpty
        }
    }

    @Test func missingFileThrowsNamingThePath() {
        #expect(throws: MuJoCoError.modelFileNotFound(path: "/nonexistent/robot.xml")) {
            _ = try MjModel(contentsOf: URL(fileURLWithPath: "/nonexistent/robot.xml"), physics: .v2_3_7)
        }
    }
}

@Suite struct MjDataTests {
    @Test func stepFallsUnderGravityAndResetRestoresQpos0() throws {
        let model = try MjModel(xml: ballXML, physics: .v2_3_7)
        let data = try MjData(model: model)
        #expect(data.qpos == model.qpos0 && data.time == 0)
        try data.step(count: 10)
        #expect(abs(data.time - 0.1) < 1e-12)
        #expect(data.qpos[2] < 1)            // the ball fell
        #expect(data.qvel[2] < 0)
        try data.reset()
        #expect(data.qpos == model.qpos0 && data.qvel == [Double](repeating: 0, count: 7) && data.time == 0)
    }

    @Test func stateAndControlRoundTripAndForwardUpdatesPositions() throws {
        let model = try MjModel(xml: ballXML, physics: .v2_3_7)
        let data = try MjData(model: model)
        data.qpos = [1, 2, 3, 1, 0, 0, 0, 0.25]
        data.qvel = [0.5, 0, 0, 0, 0, 0, -1]
        data.ctrl = [1.5]
        data.time = 4
        try data.forward()
        #expect(data.qpos == [1, 2, 3, 1, 0, 0, 0, 0.25])
        #expect(data.qvel == [0.5, 0, 0, 0, 0, 0, -1])
        #expect(data.ctrl == [1.5] && data.time == 4)
        #expect(data.bodyPosition(1) == SIMD3(1, 2, 3))
        #expect(data.act.isEmpty)
    }

    @Test func blowUpIsReportedAsTypedInstability() throws {
        let model = try MjModel(xml: ballXML, physics: .v2_3_7)
        let data = try MjData(model: model)
        #expect(data.instability == nil)
        var qvel = data.qvel
        qvel[0] = 1e12                        // beyond mjMAXVAL (1e10): mj_checkVel fires
        data.qvel = qvel
        try data.step()
        let instability = try #require(data.instability)
        #expect(instability.kind == .badQvel)
        #expect(instability.index == 0)
        data.clearWarnings()
        #expect(data.instability == nil)
    }

    @Test func warningsNeverWriteMuJoCoLogFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mj-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(folder.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let data = try MjData(model: try MjModel(xml: ballXML, physics: .v2_3_7))
        data.qpos = [0, 0, .nan, 1, 0, 0, 0, 0]
        try data.step()
        #expect(data.instability?.kind == .badQpos)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("MUJOCO_LOG.TXT").path))
    }

    /// An engine error (`mju_error`: here the memory of a model sized far too small runs out,
    /// `<size nstack>` in 2.1.0, `<size memory>` in 2.3.7) becomes a thrown error carrying
    /// MuJoCo's message, in both builds, and the process and the library go on working.
    @Test(arguments: MuJoCoPhysics.allCases)
    func mujocoErrorsAreTrappedAndThrownNotFatal(physics: MuJoCoPhysics) throws {
        let size = physics == .v2_1_0 ? "<size nstack=\"100\"/>" : "<size memory=\"100\"/>"
        let starved = ballXML.replacingOccurrences(of: "<option timestep=\"0.01\"/>", with: "<option timestep=\"0.01\"/>\(size)")
        #expect {
            let data = try MjData(model: try MjModel(xml: starved, physics: physics))
            try data.forward()
        } throws: { error in
            guard let error = error as? MuJoCoError else { return false }
            let text = error.description.lowercased()
            return text.contains("stack") || text.contains("memory")
        }
        let data = try MjData(model: try MjModel(xml: ballXML, physics: physics))
        try data.step()
        #expect(data.time > 0)
    }

    @Test func dataOnManyThreadsShareOneModel() async throws {
        let model = try MjModel(xml: ballXML, physics: .v2_3_7)
        let finalHeights = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let data = try MjData(model: model)
                    try data.step(count: 50)
                    return data.qpos[2]
                }
            }
            return try await group.reduce(into: [Double]()) { $0.append($1) }
        }
        #expect(Set(finalHeights).count == 1)
    }
}
