import Evaluation
import Foundation
import Rendering

/// The library's errors speak of values (resume, replace, an output, a checkpoint); the messages
/// edp-eval prints name the options that do those things. Every place that prints or wraps an
/// error of the library goes through `message(for:)`.
enum CommandLineWording {
    /// The text edp-eval prints for `error` (without the "Error: " prefix).
    static func message(for error: Error) -> String {
        switch error {
        case let error as ReportFilesError: return message(error)
        case let error as EpisodeLogConflict: return message(error)
        case let error as EpisodeLogWriteError:
            return "cannot append to the episode log \(error.file) (\(error.reason)): free some space, then rerun with --resume to continue from the episodes logged so far"
        case let error as OutputLockError:
            return "cannot create the lock file \(error.file) (\(error.reason)): the output's folder cannot be written; choose another --output"
        case let error as ClaimVerificationError: return message(error)
        case let error as MissingObservationStatistics:
            return "\(error.file): \(error.problem) Pass " +
                "--dataset FILE.hdf5 (the training dataset; its statistics are computed as EDP's trainer does) or " +
                "--observation-stats stats.json ({\"mean\": m, \"std\": s}: numpy obs.mean(), obs.std() over dataset[\"observations\"])"
        case let error as RenderingError: return message(error)
        default: return "\(error)"
        }
    }

    /// `error` itself when the library's text is what edp-eval prints, otherwise an error with
    /// edp-eval's text (same exit status: 1 unless it is classified as a usage error first).
    static func worded(_ error: Error) -> Error {
        let text = message(for: error)
        return text == "\(error)" ? error : CLIError.message(text)
    }

    /// Rendering's remedies name `--gl` (which sets the backend as MUJOCO_GL does) and the video
    /// options of `record`/`evaluate`.
    private static func message(_ error: RenderingError) -> String {
        let all = GLBackend.allCases.map(\.rawValue)
        switch error {
        case .noContext(let attempts, let forced):
            return RenderingError.attemptsText(attempts) + "\n" + (forced
                ? "The backend was forced by --gl or MUJOCO_GL; unset MUJOCO_GL or choose another (--gl \(all.joined(separator: "|")))."
                : "Install one of them (Scripts/bootstrap does), or force a backend with --gl \(all.joined(separator: "|")) or MUJOCO_GL.")
        case .unknownBackend(let value):
            return "unknown OpenGL backend '\(value)' (from --gl or MUJOCO_GL): use one of \(all.joined(separator: ", "))"
        case .ffmpegNotFound(let searched):
            return "the ffmpeg program is needed for MP4 video but was not found (searched \(searched.joined(separator: ", "))); install the Debian package ffmpeg, or use --png-frames/--contact-sheet with --no-video"
        default:
            return error.description
        }
    }

    private static func message(_ error: ReportFilesError) -> String {
        switch error {
        case .nothingToResume(let report, let log):
            return "--resume: \(report) exists but its episode log \(log) does not, so there is no run to continue; add --overwrite (instead of --resume) to replace the report"
        case .earlierRun(let file):
            return "\(file) already exists (an earlier run): add --resume to continue it or --overwrite to replace it"
        case .sharedName(let output):
            return "--output \(output): the JSON report's path must not end in .csv, .jsonl or .lock (those names are used for its episode table, log and lock); use e.g. report.json"
        }
    }

    private static func message(_ error: EpisodeLogConflict) -> String {
        switch error {
        case .otherPhysics(_, let recorded, _):
            return "cannot resume from \(error.file): \(error.problem); resume with --mujoco \(recorded), or start a new run"
        case .foreignEpisode, .differentResults:
            let remedy = { if case .foreignEpisode = error { return "remove that line" } else { return "remove the wrong one" } }()
            return "cannot resume from \(error.file): \(error.problem); \(remedy) or start over with --overwrite"
        }
    }

    private static func message(_ error: ClaimVerificationError) -> String {
        switch error {
        case .noRowsForMethod(let method, let file, let methods):
            return "--method '\(method)': \(file) has no rows for it; the table's methods are: \(methods.joined(separator: ", "))"
        case .noCheckableRow(let tasks):
            return "none of the table's rows has a --checkpoint for its task (the table's tasks: \(tasks.joined(separator: ", ")))"
        case .unknownProtocol(let count, let task, let table, let method):
            return "\(count) checkpoints for \(task), but it is not known whether \(table)'s '\(method)' reports RAT or OMS: add --protocol rat or --protocol oms"
        case .oneAgentTable(let task, let table):
            return "\(table) reports the episodes of one agent per row: give one --checkpoint for \(task) (not several runs or a series)"
        case .repeatedCheckpoint(let task, let path):
            return "--checkpoint \(path) is given for two runs of \(task); each checkpoint belongs to one training run"
        case .unknownTable, .noSuchCheckpoint, .noReferenceScores:
            return error.description
        }
    }
}
