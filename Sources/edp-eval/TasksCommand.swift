import ArgumentParser
import Environments
import Evaluation

/// `edp-eval tasks`: the task registry as a table.
struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List the registered tasks (D4RL's and gym's -v3 ids) with their time limits and reference scores.",
        discussion: """
        Examples:
          edp-eval tasks
          edp-eval tasks --robot hopper
          edp-eval tasks --json
        """
    )

    @Option(help: ArgumentHelp("Only tasks of this robot (\(RobotCatalog.all.map { $0.robot }.joined(separator: ", "))).", valueName: "robot"))
    var robot: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let registry = try TaskRegistry.standard()
        let robots = registry.tasks.map(\.robot).uniqued()
        if let robot, !robots.contains(robot) {
            throw ValidationError("unknown robot '\(robot)': expected one of \(robots.joined(separator: ", "))")
        }
        let tasks = registry.tasks.filter { robot == nil || $0.robot == robot }
        if json {
            print(try JSONText.encode(tasks))
            return
        }
        let rows = tasks.map { [$0.id, $0.robot, String($0.maxEpisodeSteps),
                                formatScore($0.referenceMinScore), formatScore($0.referenceMaxScore)] }
        print(Table(header: ["task", "robot", "time limit", "ref min", "ref max"], rows: rows,
                    rightAligned: [2, 3, 4]).render())
        print("\(tasks.count) tasks (environment semantics version \(registry.semanticsVersion))")
        if tasks.contains(where: { !$0.hasReferenceScores }) {
            print("—: no D4RL reference scores (gym's -v3 ids: raw actions, returns only, no normalized score)")
        }
    }

    private func formatScore(_ value: Double?) -> String { value.map { "\($0)" } ?? "—" }
}
