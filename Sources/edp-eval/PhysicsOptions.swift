import ArgumentParser
import Environments
import MuJoCo

/// `--mujoco`: which official MuJoCo build simulates the run (docs/physics.md).
struct PhysicsOptions: ParsableArguments {
    @Option(name: .customLong("mujoco"), help: ArgumentHelp(
        "MuJoCo build that simulates the run: 2.1.0 (the papers' physics, as mujoco-py ran D4RL and gym) or 2.3.7 (default: $\(MuJoCoPhysics.environmentVariable), else the physics of the task's source: 2.1.0 for D4RL's locomotion, AntMaze and pen tasks and gym's, 2.3.7 for kitchen, which D4RL runs through dm_control).",
        valueName: "version"))
    var mujoco: [String] = []

    /// The builds named by `--mujoco` (in order, without repeats), else by `EDP_EVAL_MUJOCO`;
    /// empty when neither is given.
    func requestedAll() throws -> [MuJoCoPhysics] {
        do {
            if mujoco.isEmpty { return try MuJoCoPhysics.fromEnvironment().map { [$0] } ?? [] }
            var builds: [MuJoCoPhysics] = []
            for value in mujoco {
                let build = try MuJoCoPhysics(userValue: value)
                if !builds.contains(build) { builds.append(build) }
            }
            return builds
        } catch let error as MuJoCoError {
            throw ValidationError(mujoco.isEmpty ? "\(error) (from \(MuJoCoPhysics.environmentVariable))" : "--mujoco: \(error)")
        }
    }

    /// The one build named by `--mujoco` or `EDP_EVAL_MUJOCO`, nil when neither is given.
    /// - Throws: a usage error for several builds (only `evaluate` runs on several).
    func requested() throws -> MuJoCoPhysics? {
        let builds = try requestedAll()
        guard builds.count <= 1 else {
            throw ValidationError("--mujoco given \(builds.count) times: this command runs on one build (evaluate compares several)")
        }
        return builds.first
    }

    /// The builds of an `evaluate` run: those requested, else the tasks' common source physics.
    func resolveAll(for tasks: [TaskSpec]) throws -> [MuJoCoPhysics] {
        let builds = try requestedAll()
        return builds.isEmpty ? [try resolve(for: tasks)] : builds
    }

    /// The build for a run of `tasks`: the requested one, else the tasks' common source physics.
    /// - Throws: a usage error when the tasks' sources ran on different builds and none was asked for.
    func resolve(for tasks: [TaskSpec]) throws -> MuJoCoPhysics {
        if let physics = try requested() { return physics }
        let sources = Set(tasks.map(\.sourcePhysics))
        guard sources.count <= 1 else {
            let listed = tasks.map { "\($0.id): \($0.sourcePhysics.rawValue)" }.joined(separator: ", ")
            throw ValidationError("these tasks' sources ran on different MuJoCo builds (\(listed)); choose one with --mujoco, or run them separately")
        }
        return sources.first ?? .v2_1_0
    }
}
