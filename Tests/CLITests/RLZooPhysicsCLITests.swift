import Foundation
import Testing
import TestSupport

/// A public table verified with public checkpoints, end to end (docs/physics.md): RL-Zoo's
/// benchmark rows for Hopper-v3 against the zoo's own agents, 50 episodes each, on the physics the
/// table was made on (MuJoCo 2.1.0, the default for the task) and on 2.3.7.
@Suite(.serialized) struct RLZooPhysicsCLITests {
    static func verify(_ method: String, _ zip: String, _ extra: [String], environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(["verify", "--table", "rl-zoo-mujoco", "--method", method, "--checkpoint", "Hopper-v3=Tests/Fixtures/\(zip)/Hopper-v3.zip",
                     "--episodes", "50"] + extra, environment: environment)
    }

    @Test func tqcHopperIsConsistentOnThePapersPhysics() throws {
        // No --mujoco, no EDP_EVAL_MUJOCO: the task's source physics, the table's own.
        let result = try Self.verify("tqc", "sb3-tqc-hopper", [], environment: ["EDP_EVAL_MUJOCO": ""])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("Hopper-v3 / tqc: consistent: Welch t on episode returns") && result.stdout.contains("physics 2.1.0"),
                "\(result.stdout)")
        #expect(result.stdout.contains("table physics: 2.1.0"))
    }

    @Test func sacHopperIsConsistentOn210AndNotOn237() throws {
        let old = try Self.verify("sac", "sb3-sac-hopper", ["--mujoco", "2.1.0"])
        #expect(old.status == 0 && old.stdout.contains("Hopper-v3 / sac: consistent") && old.stdout.contains("physics 2.1.0"), "\(old.stdout)")
        let new = try Self.verify("sac", "sb3-sac-hopper", ["--mujoco", "2.3.7"])
        #expect(new.status == 1 && new.stdout.contains("Hopper-v3 / sac: NOT consistent") && new.stdout.contains("physics 2.3.7 (table: 2.1.0)"),
                "\(new.stdout) \(new.stderr)")
    }
}
