import ArgumentParser
import Evaluation

/// The `edp-eval` root command: it only configures; each subcommand lives in its own file.
@main
struct EDPEval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edp-eval",
        abstract: "Evaluate diffusion policies (EDP, Diffusion-QL) on the D4RL MuJoCo tasks.",
        discussion: """
        Exit status: 0 success; 1 the run or a file failed (unreadable or invalid input, output in use, \
        failed write, a failed verdict or check); 64 the command line is wrong (unknown option, bad value, \
        unknown task id, an output that exists without --overwrite or is an input). Every command that \
        writes refuses an existing output unless --overwrite, and writes to a temporary name renamed \
        when complete.
        """,
        version: "edp-eval \(EDPEvalVersion.current) (MuJoCo \(EDPEvalVersion.mujoco))",
        subcommands: [EvaluateCommand.self, BenchCommand.self, VerifyCommand.self, MergeCommand.self, AggregateCommand.self, PlotCommand.self, ReportCommand.self, TasksCommand.self, ReplayCommand.self, InspectCommand.self, ExportCommand.self, RecordCommand.self, DatasetCommand.self]
    )
}
