import ArgumentParser
import Evaluation
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
        throw ValidationError(CommandLineWording.message(for: error))
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
            try probe(URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL, for: path, option: option)
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
                try probe(ancestor, for: path, option: option)
                return
            }
            let up = ancestor.deletingLastPathComponent()
            if up.path == ancestor.path { return }
            ancestor = up
        }
    }

    /// Creates and removes a hidden file in `folder`: permission bits do not tell whether a file
    /// can be created there (`/proc`, `/sys`, a read-only mount), trying does.
    private static func probe(_ folder: URL, for path: String, option: String) throws {
        let probe = folder.appendingPathComponent(".edp-eval-probe-\(getpid())")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ValidationError("\(option) \(path): cannot create files in \(folder.path) (\(String(cString: strerror(errno)))); choose another path")
        }
        close(fd)
        unlink(probe.path)
    }

    /// Writes `data` to `url`: to a temporary name in the same folder (`.<name>.partial-<pid>`),
    /// flushed, then renamed, so the final name holds either the previous file or the complete new
    /// one, never a truncated file (an interrupted run, a full disk). Missing folders are created.
    /// Errors name the file and the system's reason (not Foundation's error text).
    static func write(_ data: Data, to url: URL) throws {
        try createFolder(of: url)
        let temporary = partialName(for: url)
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw cannotWrite(url, errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        if failure == 0 && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure == 0 && rename(temporary.path, url.path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary.path)
            throw cannotWrite(url, failure)
        }
    }

    /// The temporary name a file is written under before it is renamed to `url`: hidden, in the
    /// same folder (so the rename is atomic), with the same extension (`.r.partial-<pid>.json`).
    static func partialName(for url: URL) -> URL {
        let ext = url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(".\(stem).partial-\(getpid())" + (ext.isEmpty ? "" : "." + ext))
    }

    /// Renames the complete file `temporary` to `url` (same folder), naming both on failure.
    static func publish(_ temporary: URL, as url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw cannotWrite(url, code)
        }
    }

    /// Creates the folders above `url`, naming the first one that cannot be made and why.
    static func createFolder(of url: URL) throws {
        var path = ""
        for component in url.deletingLastPathComponent().standardizedFileURL.path.split(separator: "/") {
            path += "/" + component
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
                guard isFolder.boolValue else { throw CLIError.badInput(file: url.path, reason: "cannot write it: \(path) is a file, not a folder") }
                continue
            }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw CLIError.badInput(file: url.path, reason: "cannot create the folder \(path): \(String(cString: strerror(errno))); choose another --output")
            }
        }
    }

    private static func cannotWrite(_ url: URL, _ code: Int32) -> CLIError {
        let hint = code == ENOSPC ? "free some space or choose another --output" : "choose another --output"
        return CLIError.badInput(file: url.path, reason: "cannot write the file: \(String(cString: strerror(code))); \(hint) (an earlier file of that name, if any, is unchanged)")
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
