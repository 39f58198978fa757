import Foundation

/// The files of an evaluation report written at `output` (`evaluate --output report.json`): the
/// JSON report, the CSV of its episodes (`report.csv`), the JSON Lines episode log
/// (`report.jsonl`) and the lock held while a run writes them (`report.lock`). All four share the
/// output's stem (its path without the extension), so `--output coll/a` and `--output coll/a.json`
/// name the same files and the same lock.
public enum ReportFiles {
    public static func log(for output: URL) -> URL { output.deletingPathExtension().appendingPathExtension("jsonl") }
    public static func csv(for output: URL) -> URL { output.deletingPathExtension().appendingPathExtension("csv") }
    /// `<stem>.lock`: held while a run writes these files (`OutputLock`); one per stem, so every
    /// output path that shares the CSV and the log also shares the lock.
    public static func lock(for output: URL) -> URL { output.deletingPathExtension().appendingPathExtension("lock") }
    /// Every file of the set at `output` that a run writes: the report, its CSV and its log.
    public static func all(for output: URL) -> [URL] { [output, csv(for: output), log(for: output)] }

    /// An earlier run's files are never replaced silently: continue it or replace it explicitly.
    /// Without `resume` or `overwrite`, an existing log or report is refused; with `resume`, a
    /// report without its log is refused (there is nothing to continue, and it would be replaced).
    /// - Throws: `ReportFilesError.nothingToResume` or `.earlierRun`.
    public static func refuseExisting(_ output: URL, resume: Bool, overwrite: Bool) throws {
        if overwrite { return }
        let exists = { (file: URL) in FileManager.default.fileExists(atPath: file.path) }
        if resume {
            if exists(output) && !exists(log(for: output)) {
                throw ReportFilesError.nothingToResume(report: output.path, log: log(for: output).path)
            }
            return
        }
        for file in [log(for: output), output, csv(for: output)] where exists(file) {
            throw ReportFilesError.earlierRun(file: file.path)
        }
    }

    /// The JSON report must not share a name with its CSV, its episode log or its lock (writing one
    /// would destroy the other): a path ending in `.csv`, `.jsonl` or `.lock` is refused.
    /// - Parameter output: the path as the user gave it (named in the error).
    /// - Throws: `ReportFilesError.sharedName`.
    public static func checkName(_ output: String) throws {
        let url = URL(fileURLWithPath: output)
        guard url.standardizedFileURL != log(for: url).standardizedFileURL,
              url.standardizedFileURL != csv(for: url).standardizedFileURL,
              url.standardizedFileURL != lock(for: url).standardizedFileURL else {
            throw ReportFilesError.sharedName(output: output)
        }
    }

    /// The texts to write for `report` at `output`: the JSON report (pretty, sorted keys) and the
    /// CSV of its episodes, in that order.
    public static func contents(of report: EvaluationReport, at output: URL) throws -> [(url: URL, text: String)] {
        [(output, try JSONText.encode(report, pretty: true) + "\n"), (csv(for: output), report.episodesCSV())]
    }
}

/// Why a report's files cannot be written where asked (usage errors: the command line must change;
/// edp-eval's `CommandLineWording` names the flags that change it).
public enum ReportFilesError: Error, CustomStringConvertible, Equatable {
    /// Resuming with a report but no episode log: there is no run to continue.
    case nothingToResume(report: String, log: String)
    /// The log or report of an earlier run is there, and the run was asked neither to resume nor to replace it.
    case earlierRun(file: String)
    /// The JSON report's path is the one its CSV or log would take.
    case sharedName(output: String)

    public var description: String {
        switch self {
        case .nothingToResume(let report, let log):
            return "resuming: \(report) exists but its episode log \(log) does not, so there is no run to continue; replace the report instead"
        case .earlierRun(let file):
            return "\(file) already exists (an earlier run): resume it or replace it"
        case .sharedName(let output):
            return "\(output): the JSON report's path must not end in .csv, .jsonl or .lock (those names are used for its episode table, log and lock); use e.g. report.json"
        }
    }
}
