import ArgumentParser
import DatasetCheck
import Datasets
import Dispatch
import Environments
import Foundation
import MuJoCo

/// `edp-eval dataset check` throughput against a bare set-state-and-step loop doing the same
/// physics (mj_resetData, qpos/qvel written, mj_forward, controls clipped, frame-skip × mj_step)
/// over the same transitions on the same number of threads, in one run; prints the ratio.
struct DatasetCheckBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset-check",
        abstract: "Transitions/s of `dataset check` vs a bare set-state-and-step loop (target ≥ 20,000/s on hopper, 2 threads)."
    )

    @Option(help: "D4RL file (default: the hopper test fixture).")
    var dataset = "Tests/Fixtures/d4rl-datasets/hopper-small.hdf5"

    @Option(help: "Task whose environment steps the transitions.")
    var task = "hopper-medium-v2"

    @Option(help: "Passes over the file per measurement.")
    var passes = 50

    @Option(help: "Threads for both loops.")
    var threads = 2

    @Option(help: "Interleaved repetitions (the median is reported).")
    var repetitions = 3

    @Flag(name: .customLong("reset-every-transition"), help: "Time the check's reset path (mj_resetData + mj_forward before every transition), the one D4RL's float32 states always take; by default the float64 fixture lets the check continue without resets inside episodes.")
    var resetEveryTransition = false

    @Option(help: "MuJoCo build of both loops: 2.1.0 or 2.3.7 (default: the task's source physics).")
    var mujoco: String?

    func run() throws {
        let spec = try TaskRegistry.standard().task(task)
        let physics = try mujoco.map { try MuJoCoPhysics(userValue: $0) } ?? spec.sourcePhysics
        let file = try D4RLDataset(url: URL(fileURLWithPath: dataset))
        let n = file.transitions
        let qpos = try file.read("infos/qpos", 0..<n), qvel = try file.read("infos/qvel", 0..<n)
        let actions = try file.read("actions", 0..<n)
        let environments = try (0..<threads).map { _ in try EnvironmentFactory.make(task: spec, physics: physics) }
        let nq = environments[0].initialQpos.count, nv = environments[0].initialQvel.count, nu = environments[0].actionSize

        func bare() {
            let slice = (n + threads - 1) / threads
            DispatchQueue.concurrentPerform(iterations: threads) { s in
                let env = environments[s]
                let bare = MjBareLoop(env.data), frameSkip = env.frameSkip
                for _ in 0..<passes {
                    for k in (s * slice)..<min(n, (s + 1) * slice) {
                        bare.resetData()
                        for i in 0..<nq { bare.qpos[i] = qpos[k * nq + i] }
                        for i in 0..<nv { bare.qvel[i] = qvel[k * nv + i] }
                        bare.forward()
                        for i in 0..<nu { bare.ctrl[i] = min(max(actions[k * nu + i], -1), 1) }
                        for _ in 0..<frameSkip { bare.step() }
                    }
                }
            }
        }
        func ours() throws {
            for _ in 0..<passes { _ = try ConsistencyCheck.run(file, task: spec, physics: physics, threads: threads, warmStart: !resetEveryTransition) }
        }
        var bareTimes: [Double] = [], ourTimes: [Double] = []
        for _ in 0..<repetitions {
            var start = Date()
            bare()
            bareTimes.append(Date().timeIntervalSince(start))
            start = Date()
            try ours()
            ourTimes.append(Date().timeIntervalSince(start))
        }
        let total = Double(n * passes)
        let bareRate = total / bareTimes.sorted()[repetitions / 2], ourRate = total / ourTimes.sorted()[repetitions / 2]
        print("MuJoCo \(physics.rawValue); \(task), \(n) transitions × \(passes) passes, \(threads) threads, median of \(repetitions); check path: \(resetEveryTransition ? "reset before every transition" : "warm start (no reset when the state matches)")")
        print("bare set-state-and-step loop: \(Int(bareRate)) transitions/s")
        print("edp-eval dataset check:       \(Int(ourRate)) transitions/s (reads the file, steps, compares, builds the report)")
        print("ratio ours / bare: \(String(format: "%.2f", ourRate / bareRate))")
    }
}
