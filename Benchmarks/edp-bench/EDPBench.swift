import ArgumentParser

/// Benchmarks that run a baseline and our code side by side in one run and print the ratio.
/// Build in release: `swift run -c release edp-bench <subcommand>`.
@main
struct EDPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edp-bench",
        abstract: "Side-by-side benchmarks of edp-eval against its baselines.",
        subcommands: [EnvironmentBenchmark.self, RenderingBenchmark.self, PolicyBenchmarkCommand.self, DatasetCheckBenchmark.self]
    )
}
