import Foundation
import Testing
import TestSupport

/// `--mujoco` and the default physics, driven through the built binary (docs/physics.md).
@Suite(.serialized) struct PhysicsCLITests {
    /// No `--mujoco` and no `EDP_EVAL_MUJOCO`: the physics of the task's source.
    static let unpinned = ["EDP_EVAL_MUJOCO": ""]

    static func report(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func physics(of report: [String: Any]) -> String? {
        (report["provenance"] as? [String: Any])?["mujoco_version"] as? String
    }

    @Test func defaultPhysicsIsTheTasksSource() throws {
        let folder = try temporaryFolder()
        for (task, expected) in [("hopper-medium-v2", "2.1.0"), ("kitchen-complete-v0", "2.3.7")] {
            let output = folder.appendingPathComponent("\(task).json")
            let result = try CLI.run(["evaluate", "--policy", "random", "--task", task, "--episodes", "1", "--output", output.path],
                                     environment: Self.unpinned)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("MuJoCo \(expected), edp-eval"), "\(result.stdout)")
            #expect(Self.physics(of: try Self.report(output)) == expected)
            let csv = try String(contentsOf: output.deletingPathExtension().appendingPathExtension("csv"), encoding: .utf8)
            let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            #expect(rows[0][2] == "mujoco" && rows.count == 2 && rows[1][2] == Substring(expected), "\(csv)")
        }
    }

    @Test func mujocoOptionAndEnvironmentChooseTheBuild() throws {
        let folder = try temporaryFolder()
        let explicit = folder.appendingPathComponent("explicit.json"), fromEnvironment = folder.appendingPathComponent("env.json")
        let a = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "2", "--mujoco", "2.3.7",
                             "--output", explicit.path], environment: Self.unpinned)
        let b = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "2", "--output", fromEnvironment.path],
                            environment: ["EDP_EVAL_MUJOCO": "2.1.0"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        #expect(Self.physics(of: try Self.report(explicit)) == "2.3.7")
        #expect(Self.physics(of: try Self.report(fromEnvironment)) == "2.1.0")
        // Same seeds, other physics: other returns.
        let returns = try [explicit, fromEnvironment].map { url -> [Double] in
            let tasks = try #require(try Self.report(url)["tasks"] as? [[String: Any]])
            return try #require(tasks.first?["episodes"] as? [[String: Any]]).compactMap { $0["return"] as? Double }
        }
        #expect(returns[0].count == 2 && returns[0] != returns[1])
    }

    @Test func benchNamesItsPhysics() throws {
        let bench = try CLI.run(["bench", "--policy", "random", "--transitions", "20", "--mujoco", "2.1.0"])
        #expect(bench.status == 0 && bench.stdout.contains("threads, MuJoCo 2.1.0"), "\(bench.stdout) \(bench.stderr)")
    }

    @Test func badPhysicsAndMixedSourcesAreUsageErrors() throws {
        let unknown = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "1", "--mujoco", "3.1"])
        #expect(unknown.status == 64 && unknown.stderr.contains("unknown MuJoCo physics '3.1': expected one of 2.1.0, 2.3.7"), "\(unknown.stderr)")
        let environment = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "1"],
                                      environment: ["EDP_EVAL_MUJOCO": "mujoco3"])
        #expect(environment.status == 64 && environment.stderr.contains("EDP_EVAL_MUJOCO"), "\(environment.stderr)")
        let mixed = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--task", "kitchen-complete-v0",
                                 "--episodes", "1"], environment: Self.unpinned)
        #expect(mixed.status == 64 && mixed.stderr.contains("kitchen-complete-v0: 2.3.7") && mixed.stderr.contains("--mujoco"), "\(mixed.stderr)")
        let twice = try CLI.run(["replay", "--task", "hopper-medium-v2", "--input", "/dev/null", "--mujoco", "2.1.0", "--mujoco", "2.3.7"])
        #expect(twice.status == 64 && twice.stderr.contains("one build"), "\(twice.stderr)")
    }

    /// `evaluate --mujoco 2.1.0 --mujoco 2.3.7`: one table per build, the comparison, both reports
    /// in the JSON; `merge` then refuses to mix the two builds' reports.
    @Test func sideBySideComparisonAndMergeRefusesMixedPhysics() throws {
        let folder = try temporaryFolder()
        let output = folder.appendingPathComponent("both.json")
        let result = try CLI.run(["evaluate", "--policy", "random", "--task", "walker2d-medium-v2", "--episodes", "4",
                                  "--mujoco", "2.1.0", "--mujoco", "2.3.7", "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("MuJoCo 2.1.0, edp-eval") && result.stdout.contains("MuJoCo 2.3.7, edp-eval"))
        #expect(result.stdout.contains("physics comparison (same seeds and episodes): MuJoCo 2.1.0 vs 2.3.7"))
        let json = try Self.report(output)
        #expect(json["physics"] as? [String] == ["2.1.0", "2.3.7"])
        let reports = try #require(json["reports"] as? [[String: Any]])
        #expect(reports.map(Self.physics) == ["2.1.0", "2.3.7"])
        let row = try #require((json["rows"] as? [[String: Any]])?.first)
        let first = try #require((row["return_first"] as? [String: Any])?["mean"] as? Double)
        let second = try #require((row["return_second"] as? [String: Any])?["mean"] as? Double)
        #expect(abs(try #require(row["return_difference"] as? Double) - (second - first)) < 1e-9)
        #expect(row["return_difference_in_standard_errors"] is Double)

        let perBuild = ["2.1.0", "2.3.7"].map { folder.appendingPathComponent("both-mujoco\($0).json").path }
        #expect(perBuild.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        let merged = try CLI.run(["merge"] + perBuild + ["--output", folder.appendingPathComponent("merged.json").path])
        #expect(merged.status != 0 && merged.stderr.contains("MuJoCo 2.3.7") && merged.stderr.contains("MuJoCo 2.1.0"), "\(merged.stderr)")
    }

    @Test func resumeRefusesAnotherPhysics() throws {
        let folder = try temporaryFolder()
        let output = folder.appendingPathComponent("run.json")
        let first = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "2", "--mujoco", "2.1.0",
                                 "--output", output.path])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try CLI.run(["evaluate", "--policy", "random", "--task", "hopper-medium-v2", "--episodes", "2", "--mujoco", "2.3.7",
                                   "--output", output.path, "--resume"])
        #expect(resumed.status != 0 && resumed.stderr.contains("it was run on MuJoCo 2.1.0 and this run uses MuJoCo 2.3.7"), "\(resumed.stderr)")
    }

    /// MuJoCo 2.1.0 renders through the GL backend it was loaded for (its GLEW build and GL's own
    /// entry points are put in the global scope first): a video per backend, each in its process.
    @Test(arguments: [("egl", "hopper-medium-v2"), ("osmesa", "antmaze-umaze-v2")])
    func recordsVideoOnMuJoCo210(gl: String, task: String) throws {
        let folder = try temporaryFolder()
        let result = try CLI.run(["record", "--policy", "random", "--task", task, "--episodes", "1", "--mujoco", "2.1.0",
                                  "--gl", gl, "--width", "64", "--height", "64", "--output", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("physics: MuJoCo 2.1.0") && result.stdout.contains("rendering with \(gl)"), "\(result.stdout)")
        let video = folder.appendingPathComponent("\(task)-seed0-ep0.mp4")
        let size = (try? FileManager.default.attributesOfItem(atPath: video.path)[.size] as? Int) ?? 0
        #expect(size > 1000, "\(video.path): \(size) bytes")
    }
}
