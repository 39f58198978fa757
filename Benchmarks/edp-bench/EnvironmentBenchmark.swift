import ArgumentParser
import Dispatch
import Environments
import MuJoCo
import Foundation
import Randomness

/// Environment overhead: `MuJoCoEnvironment.step` against a bare `mj_step` loop doing the same
/// physics (same model, same actions, same episode resets), interleaved in one run. The kitchen
/// (40 heavy substeps per step) runs 1/20 of `--steps`.
struct EnvironmentBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environments",
        abstract: "Env steps/s with random actions vs a bare C-level mj_step loop (target overhead ≤ 10%)."
    )

    @Option(help: "Environment steps per measurement.")
    var steps = 20_000

    @Option(help: "Interleaved repetitions (the median is reported).")
    var repetitions = 5

    @Option(parsing: .upToNextOption, help: "Robots to measure, each on its descriptor's benchmark task (default: every robot that names one).")
    var robots = RobotCatalog.all.filter { $0.environmentBenchmarkTask != nil }.map { $0.robot }

    @Option(parsing: .upToNextOption, help: "MuJoCo builds to measure, each against a bare loop of the same library (default: 2.1.0 2.3.7; kitchen only on its source physics, 2.3.7).")
    var mujoco = ["2.1.0", "2.3.7"]

    func run() throws {
        let builds = try mujoco.map { try MuJoCoPhysics(userValue: $0) }
        print("\(steps) env steps × \(repetitions) repetitions, random actions U[-1, 1)")
        print("robot        MuJoCo   env steps/s   bare steps/s   overhead")
        for robot in robots {
            let task = try benchmarkTask(robot: robot)
            let legacy = Workload.stepsLikeDMControl(task)
            for physics in builds where !legacy || physics == task.sourcePhysics {
                try measure(robot: robot, task: task, physics: physics, legacy: legacy)
            }
        }
    }

    /// `legacy`: a robot on dm_control's legacy step (the kitchen: 40 heavy substeps per step) runs
    /// 1/20 of `--steps`.
    private func measure(robot: String, task: TaskSpec, physics: MuJoCoPhysics, legacy: Bool) throws {
        do {
            let workload = try Workload(task: task, physics: physics, steps: legacy ? max(1, steps / 20) : steps)
            var envTimes: [Double] = [], bareTimes: [Double] = []
            for _ in 0..<repetitions {
                envTimes.append(try time { try workload.runEnvironment() })
                bareTimes.append(try time { try workload.runBare() })
            }
            let env = Double(workload.actions.count) / median(envTimes), bare = Double(workload.actions.count) / median(bareTimes)
            let overhead = 100 * (bare / env - 1)
            print("\(robot.padding(toLength: 11, withPad: " ", startingAt: 0))  \(physics.rawValue)  \(format(env, 11))  \(format(bare, 13))   \(format(overhead, 6, decimals: 1))%")
        } catch let error as MuJoCoError {
            print("\(robot.padding(toLength: 11, withPad: " ", startingAt: 0))  \(physics.rawValue)  not measured: \(error)")
        }
    }
}

/// The task measured for a robot: its descriptor's `environmentBenchmarkTask`, else (a robot left
/// out of the default list, e.g. antmaze) its first v1 task, else its first registered task.
private func benchmarkTask(robot: String) throws -> TaskSpec {
    let registry = try TaskRegistry.standard()
    if let id = RobotCatalog.descriptor(named: robot)?.environmentBenchmarkTask { return try registry.task(id) }
    if let task = registry.tasks.first(where: { $0.robot == robot && $0.version == "v1" })
        ?? registry.tasks.first(where: { $0.robot == robot }) { return task }
    throw ValidationError("no registered task uses robot '\(robot)'")
}

/// A fixed sequence of random actions and the episode boundaries the environment produces.
private struct Workload {
    let task: TaskSpec
    let physics: MuJoCoPhysics
    let actions: [[Double]]
    let seed: UInt64 = 1
    /// Robots on dm_control's legacy step (the kitchen): the controls the environment applies at
    /// each step and where its episodes end.
    var kitchenControls: (controls: [[Double]], resets: Set<Int>)?

    /// Whether the task's robot steps with dm_control's legacy step (`Substeps.Scheme.dmControlLegacy`).
    static func stepsLikeDMControl(_ task: TaskSpec) -> Bool {
        (try? EnvironmentFactory.make(task: task, physics: task.sourcePhysics))?.robot.substeps.scheme == .dmControlLegacy
    }

    init(task: TaskSpec, physics: MuJoCoPhysics, steps: Int) throws {
        self.task = task
        self.physics = physics
        var random = NumPyRandom(seed: 99)
        let nu = try EnvironmentFactory.make(task: task, physics: physics).actionSize
        actions = (0..<steps).map { _ in (0..<nu).map { _ in random.uniform(-1, 1) } }
        kitchenControls = Self.stepsLikeDMControl(task)
            ? try Self.recordedControls(task: task, physics: physics, actions: actions, seed: seed) : nil
    }

    /// The environment API: reset(seed), step, reset() after each episode.
    func runEnvironment() throws {
        let env = try EnvironmentFactory.make(task: task, physics: physics)
        try env.reset(seed: seed)
        for action in actions {
            if try env.step(action).isDone { try env.reset() }
        }
    }

    /// The same physics with the library's own entry points called directly (`MjBareLoop`):
    /// identical start states (drawn the same way), controls written straight into mjData,
    /// frame-skip × mj_step, the same termination points (the robot's own rule, `Robot.isTerminal`,
    /// read on the shared mjData, and the task's time limit).
    func runBare() throws {
        if kitchenControls != nil { return try runBareKitchen() }
        let env = try EnvironmentFactory.make(task: task, physics: physics)   // only for the start states and termination rule
        let bare = MjBareLoop(env.data)
        let nu = env.model.nu, frameSkip = env.frameSkip
        // Control = mid + clip(a, −1, 1)·halfRange of each actuator's range: clip(a, −1, 1) for the
        // locomotion robots (range [−1, 1]), D4RL's act_mid/act_rng mapping for the pen.
        let range = env.model.actuatorControlRange
        let mid = range.map { ($0.lowerBound + $0.upperBound) / 2 }
        let half = range.map { 0.5 * ($0.upperBound - $0.lowerBound) }
        try env.reset(seed: seed)
        var t = 0
        for action in actions {
            let ctrl = bare.ctrl
            for i in 0..<nu { ctrl[i] = mid[i] + min(max(action[i], -1), 1) * half[i] }
            for _ in 0..<frameSkip { bare.step() }
            t += 1
            if env.robot.isTerminal(env) || t >= task.maxEpisodeSteps {
                try env.reset()      // same reset noise stream as the environment run
                t = 0
            }
        }
    }

    /// The kitchen's substeps with direct C calls (docs/environments.md §12.5): the controls the
    /// environment applied at each step (recorded once, `recordedControls`) written into ctrl, then
    /// 40 × (`mj_step2`, `mj_step1`), and the environment's own reset where its episodes ended:
    /// the same physics, state for state. What it leaves out is what the environment adds: the
    /// 60 noise draws and the observation per step, the position targets and the reward.
    func runBareKitchen() throws {
        let env = try EnvironmentFactory.make(task: task, physics: physics)
        let bare = MjBareLoop(env.data)
        let nu = env.model.nu, frameSkip = env.frameSkip
        guard let (controls, resets) = kitchenControls else { preconditionFailure("kitchen workload without recorded controls") }
        try env.reset(seed: seed)
        for (t, control) in controls.enumerated() {
            let ctrl = bare.ctrl
            for i in 0..<nu { ctrl[i] = control[i] }
            for _ in 0..<frameSkip {
                bare.step2()
                bare.step1()
            }
            if resets.contains(t) { try env.reset() }
        }
    }

    /// The controls the environment writes at each step of `actions` and the steps after which its
    /// episodes end (computed once per workload, outside the timed runs).
    private static func recordedControls(task: TaskSpec, physics: MuJoCoPhysics, actions: [[Double]], seed: UInt64) throws
        -> (controls: [[Double]], resets: Set<Int>) {
        let env = try EnvironmentFactory.make(task: task, physics: physics)
        try env.reset(seed: seed)
        var controls: [[Double]] = [], resets = Set<Int>()
        for (t, action) in actions.enumerated() {
            let done = try env.step(action).isDone
            controls.append(env.data.ctrl)
            if done {
                resets.insert(t)
                try env.reset()
            }
        }
        return (controls, resets)
    }
}

private func time(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

private func format(_ value: Double, _ width: Int, decimals: Int = 0) -> String {
    let scale = pow(10.0, Double(decimals))
    let text = decimals == 0 ? String(Int(value.rounded())) : String((value * scale).rounded() / scale)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
