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

    @Option(parsing: .upToNextOption, help: "Robots to measure (each on <robot>-medium-v2 where it exists, else its first registered task; pen: pen-human-v1).")
    var robots = ["hopper", "walker2d", "halfcheetah", "kitchen", "pen"]

    @Option(parsing: .upToNextOption, help: "MuJoCo builds to measure, each against a bare loop of the same library (default: 2.1.0 2.3.7; kitchen only on its source physics, 2.3.7).")
    var mujoco = ["2.1.0", "2.3.7"]

    func run() throws {
        let builds = try mujoco.map { try MuJoCoPhysics(userValue: $0) }
        print("\(steps) env steps × \(repetitions) repetitions, random actions U[-1, 1)")
        print("robot        MuJoCo   env steps/s   bare steps/s   overhead")
        for robot in robots {
            let task = try benchmarkTask(robot: robot)
            for physics in builds where robot != "kitchen" || physics == task.sourcePhysics {
                try measure(robot: robot, task: task, physics: physics)
            }
        }
    }

    private func measure(robot: String, task: TaskSpec, physics: MuJoCoPhysics) throws {
        do {
            let workload = try Workload(task: task, physics: physics, steps: robot == "kitchen" ? max(1, steps / 20) : steps)
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

/// The task measured for a robot: `<robot>-medium-v2` where it exists, else the robot's first
/// v1 task, else its first registered task (pen: `pen-human-v1`; kitchen: `kitchen-complete-v0`).
private func benchmarkTask(robot: String) throws -> TaskSpec {
    let registry = try TaskRegistry.standard()
    if let task = registry.tasks.first(where: { $0.id == "\(robot)-medium-v2" }) { return task }
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
    /// Kitchen: the controls the environment applies at each step and where its episodes end.
    var kitchenControls: (controls: [[Double]], resets: Set<Int>)?

    init(task: TaskSpec, physics: MuJoCoPhysics, steps: Int) throws {
        self.task = task
        self.physics = physics
        var random = NumPyRandom(seed: 99)
        let nu = try EnvironmentFactory.make(task: task, physics: physics).actionSize
        actions = (0..<steps).map { _ in (0..<nu).map { _ in random.uniform(-1, 1) } }
        kitchenControls = task.robot == "kitchen"
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
    /// frame-skip × mj_step, the same termination points.
    func runBare() throws {
        if task.robot == "kitchen" { return try runBareKitchen() }
        let env = try EnvironmentFactory.make(task: task, physics: physics)   // only for the start states and termination rule
        let bare = MjBareLoop(env.data)
        let nu = env.model.nu, frameSkip = env.frameSkip
        // Control = mid + clip(a, −1, 1)·halfRange of each actuator's range: clip(a, −1, 1) for the
        // locomotion robots (range [−1, 1]), D4RL's act_mid/act_rng mapping for the pen.
        let range = env.model.actuatorControlRange
        let mid = range.map { ($0.lowerBound + $0.upperBound) / 2 }
        let half = range.map { 0.5 * ($0.upperBound - $0.lowerBound) }
        let penBody = env.model.id(of: .body, named: "Object") ?? -1   // −1 for the other robots
        try env.reset(seed: seed)
        var t = 0
        for action in actions {
            let ctrl = bare.ctrl
            for i in 0..<nu { ctrl[i] = mid[i] + min(max(action[i], -1), 1) * half[i] }
            for _ in 0..<frameSkip { bare.step() }
            t += 1
            if bareDone(bare, t, penBody: penBody) {
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

    /// The environment's termination and time limit, read straight from mjData (pen: the `Object`
    /// body's height, D4RL's drop rule).
    private func bareDone(_ bare: MjBareLoop, _ t: Int, penBody: Int) -> Bool {
        let q = bare.qpos
        switch task.robot {
        case "hopper": return !(q[1] > 0.7 && abs(q[2]) < 0.2) || t >= 1000
        case "walker2d": return !(q[1] > 0.8 && q[1] < 2 && q[2] > -1 && q[2] < 1) || t >= 1000
        case "pen": return bare.xpos[3 * penBody + 2] < 0.075 || t >= 100
        default: return t >= 1000
        }
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
