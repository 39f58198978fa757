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

    @Flag(help: "Replace the output file if it exists (without it, an existing file is refused).")
    var overwrite = false

    func validate() throws {
        _ = try physics.requested()
        if let output {
            try OutputPath.check(output)
            try OutputPath.refuseExisting([output], overwrite: overwrite)
            try OutputPath.refuseInputs([output], inputs: [("--input", input)])
        }
    }

    func run() throws {
        let lock = try output.map { try OutputPath.lock($0, overwrite: overwrite) }
        defer { lock?.release() }
        let spec = try TaskRegistry.standard().task(task)
        let inputURL = URL(fileURLWithPath: input)
        let replayInput: ReplayInput
        let data: Data
        do { data = try Data(contentsOf: inputURL) } catch {
            throw CLIError.badInput(file: input, reason: ReadProblem.describe(input))
        }
        // The decoder reports a seed it cannot represent (−1, 1.5, 2^64) as malformed JSON at the
        // top level: name the field and the range instead.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let seed = object["seed"], !(seed is NSNull) {
            let text = "\(seed)"
            guard seed is NSNumber, UInt64(text) != nil else {
                throw CLIError.badInput(file: input, reason: "field seed: expected an integer from 0 to \(UInt64.max), got \(text)")
            }
        }
        do {
            replayInput = try JSONDecoder().decode(ReplayInput.self, from: data)
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
