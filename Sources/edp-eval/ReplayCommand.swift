import ArgumentParser
import Environments
import Evaluation
import Foundation

/// `edp-eval replay`: run recorded actions from a recorded start state.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Start a task's environment from a given state and feed it given actions.",
        discussion: """
        Checks recorded trajectories (for example a dataset's) against the simulator. \
        Input JSON:  {"qpos": [...], "qvel": [...], "actions": [[...], ...]}   (goal-reaching tasks may add "goal": [x, y]; \
        "seed": S starts from a seeded reset instead, and with "qpos" and "qvel" too writes that state after it) \
        Output JSON: {"observations": [[...], ...], "rewards": [...], "terminated": [...], "truncated": [...]} \
        The initial observation comes first; the time limit and termination apply as in a rollout, so \
        the output stops at the step that ends the episode. Numbers read back to the identical double.

        Examples:
          edp-eval replay --task hopper-medium-v2 --input episode.json --output replayed.json
          edp-eval replay --task walker2d-expert-v2 --input episode.json          (prints to stdout)
        """
    )

    @Option(help: "D4RL task id, e.g. hopper-medium-v2.")
    var task: String

    @Option(help: "Replay input JSON file.")
    var input: String

    @Option(name: .shortAndLong, help: "Where to write the output JSON (default: standard output).")
    var output: String?

    @OptionGroup var physics: PhysicsOptions

    func validate() throws {
        _ = try physics.requested()
        if let output { try OutputPath.check(output) }
    }

    func run() throws {
        let spec = try TaskRegistry.standard().task(task)
        let inputURL = URL(fileURLWithPath: input)
        let replayInput: ReplayInput
        do {
            replayInput = try JSONDecoder().decode(ReplayInput.self, from: Data(contentsOf: inputURL))
        } catch {
            throw CLIError.badInput(file: input, reason: JSONText.explain(error))
        }
        let environment = try EnvironmentFactory.make(task: spec, physics: try physics.resolve(for: [spec]))
        let result: ReplayOutput
        do {
            result = try environment.replay(replayInput)
        } catch let error as ReplayError {
            throw CLIError.badInput(file: input, reason: error.description)
        }
        let text = try JSONText.encode(result)
        if let output {
            try OutputPath.write(text + "\n", to: URL(fileURLWithPath: output))
        } else {
            print(text)
        }
    }
}
