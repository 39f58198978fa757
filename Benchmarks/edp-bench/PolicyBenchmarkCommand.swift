import ArgumentParser

/// `edp-bench policy`: the policy-inference benchmark (`runPolicyBenchmark`).
struct PolicyBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "EDP noise network and dpmensemble action vs OpenBLAS sgemm 2048³, same run, 1 and 2 threads."
    )

    @Option(name: .customLong("threads"), parsing: .upToNextOption, help: "Thread counts to measure.")
    var threads: [Int] = [1, 2]

    func run() throws { runPolicyBenchmark(threadCounts: threads) }
}
