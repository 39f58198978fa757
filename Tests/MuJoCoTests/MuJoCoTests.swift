import CMuJoCo
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
    @Test func linkedVersionIsThePinnedOfficialBuild() {
        #expect(MuJoCoLibrary.version == "2.3.7")
        #expect(MuJoCoLibrary.versionNumber == 237)
        #expect(MuJoCoLibrary.headerVersionNumber == MuJoCoLibrary.versionNumber)
    }
}

@Suite struct MjModelTests {
    @Test func loadsFromAStringWithSizesNamesAndOptions() throws {
        let model = try MjModel(xml: ballXML)
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
            _ = try MjModel(xml: "<mujoco><worldbody><body><geom type='sphere'/></body>", name: "broken.xml")
        } throws: { error in
            guard case MuJoCoError.modelCompilation(let source, let message) = error else { return false }
            return source == "broken.xml" && message.contains("XML parse error")
        }
        #expect {
            _ = try MjModel(xml: "<mujoco><worldbody><geom type='sphere' size='-1'/></worldbody></mujoco>")
        } throws: { error in
            guard case MuJoCoError.modelCompilation(_, let message) = error else { return false }
            return !message.isEmpty
        }
    }

    @Test func missingFileThrowsNamingThePath() {
        #expect(throws: MuJoCoError.modelFileNotFound(path: "/nonexistent/robot.xml")) {
            _ = try MjModel(contentsOf: URL(fileURLWithPath: "/nonexistent/robot.xml"))
        }
    }
}

@Suite struct MjDataTests {
    @Test func stepFallsUnderGravityAndResetRestoresQpos0() throws {
        let model = try MjModel(xml: ballXML)
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
        let model = try MjModel(xml: ballXML)
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
        let model = try MjModel(xml: ballXML)
        let data = try MjData(model: model)
        #expect(data.instability == nil && !data.hasInstability)
        var qvel = data.qvel
        qvel[0] = 1e12                        // beyond mjMAXVAL (1e10): mj_checkVel fires
        data.qvel = qvel
        try data.step()
        let instability = try #require(data.instability)
        #expect(instability.kind == .badQvel)
        #expect(instability.index == 0)
        #expect(data.hasInstability)
        data.clearWarnings()
        #expect(data.instability == nil)
    }

    @Test func warningsNeverWriteMuJoCoLogFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mj-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(folder.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let data = try MjData(model: try MjModel(xml: ballXML))
        data.qpos = [0, 0, .nan, 1, 0, 0, 0, 0]
        try data.step()
        #expect(data.instability?.kind == .badQpos)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("MUJOCO_LOG.TXT").path))
    }

    @Test func mujocoErrorsAreTrappedAndThrownNotFatal() throws {
        #expect {
            try withMuJoCoErrorTrap("test call", context: nil) { _ in mju_error_i("deliberate failure %d", 42) }
        } throws: { error in
            error as? MuJoCoError == .engine(operation: "test call", message: "deliberate failure 42")
        }
        // The process (and MuJoCo) keep working after a trapped error.
        let data = try MjData(model: try MjModel(xml: ballXML))
        try data.step()
        #expect(data.time > 0)
    }

    @Test func dataOnManyThreadsShareOneModel() async throws {
        let model = try MjModel(xml: ballXML)
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
