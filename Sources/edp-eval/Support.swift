import ArgumentParser
import Evaluation
import Foundation

/// Errors the command-line tool reports, each naming the file and what was wrong.
enum CLIError: Error, CustomStringConvertible {
    case badInput(file: String, reason: String)
    case message(String)

    var description: String {
        switch self {
        case .badInput(let file, let reason): return "\(file): \(reason)"
        case .message(let text): return text
        }
    }
}

/// Runs `body`, turning an error of the library into a usage error (exit 64, with the usage
/// line): for checks of the command line that the library makes (`ReportFiles`, …).
func asUsageError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ValidationError {
        throw error
    } catch {
        throw ValidationError("\(error)")
    }
}

/// Files a command writes: checked before any work (a bad path is a usage error, exit 64, never
/// a run that fails at its end), written with plain error messages.
enum OutputPath {
    /// Refuses `""`, a path ending in `/`, an existing folder, an unwritable file, and a path
    /// whose first existing ancestor is a file or an unwritable folder (missing folders are
    /// created when writing).
    static func check(_ path: String, option: String = "--output") throws {
        let fm = FileManager.default
        guard !path.isEmpty else { throw ValidationError("\(option) is empty: give a file path, e.g. report.json") }
        guard !path.hasSuffix("/") else {
            throw ValidationError("\(option) \(path) ends in '/': give a file path, e.g. \(path)report.json")
        }
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else {
                throw ValidationError("\(option) \(path) is a folder: give a file path, e.g. \(path)/report.json")
            }
            guard fm.isWritableFile(atPath: path) else { throw ValidationError("\(option) \(path): the file exists and is not writable") }
            return
        }
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL
        while true {
            if fm.fileExists(atPath: ancestor.path, isDirectory: &isFolder) {
                guard isFolder.boolValue else {
                    throw ValidationError("\(option) \(path): \(ancestor.path) is a file, not a folder")
                }
                guard fm.isWritableFile(atPath: ancestor.path) else {
                    throw ValidationError("\(option) \(path): cannot write in the folder \(ancestor.path) (permission denied)")
                }
                return
            }
            let up = ancestor.deletingLastPathComponent()
            if up.path == ancestor.path { return }
            ancestor = up
        }
    }

    /// Writes `data` to `url` atomically, creating missing folders; errors name the file and the
    /// system's reason (not Foundation's error text).
    static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIError.badInput(file: url.path, reason: "cannot create the folder \(folder.path)")
        }
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            let reason = (error as NSError).userInfo[NSUnderlyingErrorKey].map { "\(($0 as? NSError)?.localizedDescription ?? "\($0)")" }
            throw CLIError.badInput(file: url.path, reason: "cannot write the file" + (reason.map { " (\($0))" } ?? ""))
        }
    }

    static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }
}

extension OutputPath {
    /// A JSON report's path (`--output` of `evaluate` and `merge`): a file path that can be
    /// written and is not the name its CSV or episode log take.
    static func checkReport(_ output: String) throws {
        try check(output)
        try asUsageError { try ReportFiles.checkName(output) }
    }

    /// Writes a report's JSON and its CSV of episodes (`ReportFiles`).
    static func write(_ report: EvaluationReport, to output: URL) throws {
        for file in try ReportFiles.contents(of: report, at: output) { try write(file.text, to: file.url) }
    }
}
