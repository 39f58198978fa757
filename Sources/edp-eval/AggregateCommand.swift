import ArgumentParser
import Evaluation
import Foundation

/// `edp-eval aggregate`: rliable-style aggregates over tasks, per method, from reports.
struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Mean, median, IQM and optimality gap over tasks per method, with stratified bootstrap intervals; P(X > Y); performance profiles.",
        discussion: """
        Each argument is METHOD=REPORT.json or REPORT.json (the method is then the file's base name); \
        several reports may name the same method. Every (task, checkpoint) row of a method's reports is \
        one run, scored by its mean normalized score; runs are resampled within each task (stratified \
        bootstrap, percentile intervals, as rliable does; Agarwal et al. 2021). A method with one run per \
        task is bootstrapped over its episodes instead, with a warning: that interval shows evaluation \
        noise, not the spread between training runs. P(X > Y) is given for every pair of methods, in \
        the order given. Optimality gap uses γ = 100 (a normalized score of 1).

        Examples:
          edp-eval aggregate EDP=seed0.json EDP=seed1.json EDP=seed2.json BC=bc.json --output agg.json
          edp-eval aggregate sweep.json --reps 2000 --format markdown
        """
    )

    @Argument(help: ArgumentHelp("Reports: METHOD=FILE or FILE.", valueName: "method=report"))
    var reports: [String]

    @Option(help: "Bootstrap replications (rliable's default: 50000).")
    var reps: Int = 50000

    @Option(help: "Seed of the bootstrap's random stream.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Layout of the table.", valueName: "text|markdown|latex|csv"))
    var format: ResultTableFormat = .text

    @Option(name: .shortAndLong, help: "Write the aggregates, profiles and P(X > Y) as JSON here.")
    var output: String?

    @Option(help: ArgumentHelp("Also draw the performance profiles (as `plot`) into this folder.", valueName: "dir"))
    var figures: String?

    func validate() throws {
        if reports.isEmpty { throw ValidationError("give at least one report") }
        let allowed = Limits.bootstrapRepetitions
        if !allowed.contains(reps) { throw ValidationError("--reps must be between \(allowed.lowerBound) and \(allowed.upperBound), got \(reps)") }
        if let output { try OutputPath.check(output) }
    }

    func run() throws {
        var methods: [(name: String, reports: [EvaluationReport], physics: [String])] = []
        for argument in reports {
            let (method, file) = ReportInput.methodAndFile(argument)
            let loaded = try ReportInput.loadWithPhysics(file)
            if let i = methods.firstIndex(where: { $0.name == method }) {
                methods[i].reports.append(loaded.report)
                methods[i].physics.append(loaded.physics)
            } else {
                methods.append((method, [loaded.report], [loaded.physics]))
            }
        }
        let aggregate = Aggregate(methods: methods, replications: reps, seed: seed)
        for warning in aggregate.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let grid = aggregate.grid()
        print(format.render(header: grid.header, rows: grid.rows))
        for i in aggregate.improvements {
            print("P(\(i.x) > \(i.y)) = \(Format.fixed(i.probability, 3)) [\(Format.fixed(i.ci95[0], 3)), \(Format.fixed(i.ci95[1], 3))] over \(i.tasks) tasks")
        }
        print("intervals: \(aggregate.intervalMethod); normalized scores × 100, optimality gap γ = 100")
        if let output { try OutputPath.write(try JSONText.encode(aggregate, pretty: true) + "\n", to: URL(fileURLWithPath: output)) }
        if let figures { try Gnuplot.render(Figures.profiles(aggregate), into: URL(fileURLWithPath: figures)) }
    }
}
