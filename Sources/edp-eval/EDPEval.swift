import ArgumentParser
import Evaluation

/// The `edp-eval` root command: it only configures; each subcommand lives in its own file.
@main
struct EDPEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edp-eval",
        abstract: "Evaluate diffusion policies (EDP, Diffusion-QL) on the D4RL MuJoCo tasks.",
        version: "edp-eval \(EDPEvalVersion.current) (MuJoCo \(EDPEvalVersion.mujoco))",
        subcommands: [EvaluateCommand.self, BenchCommand.self, VerifyCommand.self, MergeCommand.self, AggregateCommand.self, PlotCommand.self, ReportCommand.self, TasksCommand.self, ReplayCommand.self, InspectCommand.self, ExportCommand.self, RecordCommand.self, DatasetCommand.self]
    )
}
