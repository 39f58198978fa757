import COpenBLAS
import DiffusionPolicy
import Foundation
import Randomness
import SGEMMCeiling

/// Policy-inference benchmark (`swift run -c release edp-bench policy`, PolicyBenchmarkCommand):
/// 1. OpenBLAS sgemm on 2048³ float32 with the same thread count (the machine's attainable GEMM
///    rate, same run; `SGEMMCeiling`);
/// 2. the EDP noise network (paper architecture: O = 17, A = 6, 256-256-256 Mish, E = 16) at
///    batch 10×50 and 1×50 rows, as useful FLOP/s = 2·multiply-adds / time, and its ratio to (1);
/// 3. wall time of one full `dpmensemble` action (DPM-Solver 15 steps + EAS over 50 candidates)
///    at batch 1 and 10;
/// each for 1 and 2 threads (`BLASThreading.setThreadCount`: the policy's own row-parallel
/// threads; OpenBLAS runs the ceiling with the same count).
public func runPolicyBenchmark(threadCounts: [Int] = [1, 2]) {
    print("edp-bench policy: OpenBLAS \(String(cString: openblas_get_config()))")
    let o = 17, a = 6
    let policy: DiffusionPolicyModel
    do {
        policy = try DiffusionPolicyModel.randomEDP(observationSize: o, actionSize: a, seed: 7)
    } catch {
        print("cannot build the benchmark policy: \(error)")
        return
    }
    for threads in threadCounts {
        BLASThreading.setThreadCount(threads)
        print("--- threads: \(BLASThreading.threadCount) (policy row-parallel; OpenBLAS for the sgemm ceiling)")
        let gemmRate = SGEMMCeiling.measure(size: 2048, threads: threads)
        print(String(format: "sgemm 2048^3:                %8.2f GFLOP/s", gemmRate / 1e9))
        for batch in [10, 1] {
            let rows = batch * 50
            let rate = noiseNetworkRate(policy, rows: rows)
            print(String(format: "noise net %3d rows (%2dx50):   %8.2f GFLOP/s  = %5.1f%% of sgemm", rows, batch,
                         rate / 1e9, 100 * rate / gemmRate))
        }
        for batch in [1, 10] {
            let (seconds, flops) = actionTime(policy, batch: batch, observationSize: o)
            print(String(format: "dpmensemble act, batch %2d:   %8.3f ms  (%6.1f MFLOP, %6.2f GFLOP/s useful = %5.1f%% of sgemm)",
                         batch, seconds * 1e3, flops / 1e6, flops / seconds / 1e9, 100 * flops / seconds / gemmRate))
        }
    }
}

/// Best-of-N timing of `body` (seconds per call).
private func bestTime(minimumSeconds: Double = 0.5, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity, total = 0.0, runs = 0
    while total < minimumSeconds || runs < 3 {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = min(best, seconds)
        total += seconds
        runs += 1
    }
    return best
}

private func noiseNetworkRate(_ policy: DiffusionPolicyModel, rows: Int) -> Double {
    let network = policy.network
    var random = PolicyRandom(seed: 2)
    let observations = (0..<(rows * network.observationSize)).map { _ in random.nextNormal() }
    let actions = (0..<(rows * network.actionSize)).map { _ in random.nextNormal() }
    let times = [Float](repeating: 532.8, count: rows)
    var output = [Float](repeating: 0, count: rows * network.actionSize)
    let evaluator = NoiseNetworkEvaluator(network: network)
    let seconds = bestTime {
        evaluator.predict(observations: observations, actions: actions, times: times, into: &output)
    }
    return 2 * Double(rows) * Double(network.multiplyAddsPerRow) / seconds
}

private func actionTime(_ policy: DiffusionPolicyModel, batch: Int, observationSize: Int) -> (Double, Double) {
    var random = PolicyRandom(seed: 3)
    let observations = (0..<(batch * observationSize)).map { _ in random.nextNormal() }
    var actions = [Float](repeating: 0, count: batch * policy.actionSize)
    var generators = PolicyRandom.streams(seed: 4, count: batch)
    let seconds = bestTime {
        observations.withUnsafeBufferPointer { o in
            actions.withUnsafeMutableBufferPointer { a in
                policy.act(observations: o, batch: batch, generators: &generators, into: a)
            }
        }
    }
    return (seconds, policy.usefulFlops(batch: batch))
}
