import ArgumentParser
import Environments
import Evaluation
import Foundation
import Rendering

/// The exit-status rule (docs/run-integrity.md, "Exit status"): 0 success; 64 the command line is
/// wrong (an unknown option, a bad value, an unknown task id, an output that exists or is an
/// input), with the usage line; 1 the run or a file failed (a checkpoint or report that cannot be
/// read, an output in use, a failed write, a verdict that fails).
enum ExitStatus {
    /// Errors found while running that are still about the command line: reported as usage
    /// errors (exit 64). Everything else keeps its own status (1 unless it is an `ExitCode`), with
    /// the library's remedies worded as edp-eval's flags (`CommandLineWording`).
    static func classify(_ error: Error) -> Error {
        switch error {
        case let error as TaskRegistryError:
            if case .unknownTask = error { return ValidationError(error.description) }
        case let error as EvaluationError:
            if case .invalidShard = error { return ValidationError(error.description) }
        case let error as RenderingError:
            switch error {
            case .invalidOption, .unknownCamera: return ValidationError(CommandLineWording.message(for: error))
            default: break
            }
        default:
            break
        }
        return CommandLineWording.worded(error)
    }

    /// The names from the root to `command` (e.g. ["dataset", "check"]).
    static func subcommandPath(of command: ParsableCommand.Type) -> [String] {
        func search(_ node: ParsableCommand.Type, _ path: [String]) -> [String]? {
            if node == command { return path }
            for child in node.configuration.subcommands {
                if let found = search(child, path + [child.configuration.commandName ?? "\(child)"]) { return found }
            }
            return nil
        }
        return search(EDPEval.self, []) ?? []
    }
}

extension EDPEval {
    /// Parses, runs, and reports an error with the status `ExitStatus` gives it.
    static func main() async {
        var parsed: ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            if var command = parsed as? AsyncParsableCommand {
                try await command.run()
            } else {
                try parsed.run()
            }
        } catch {
            let classified = ExitStatus.classify(error)
            guard let usage = classified as? ValidationError else { exit(withError: classified) }
            // A usage error found while running: the message and the subcommand's help pointer.
            let path = (["edp-eval"] + ExitStatus.subcommandPath(of: type(of: parsed))).joined(separator: " ")
            FileHandle.standardError.write(Data("Error: \(usage.message)\n  See '\(path) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
    }
}
