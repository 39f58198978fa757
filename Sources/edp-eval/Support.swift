import ArgumentParser
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

/// JSON helpers shared by the subcommands.
enum JSONText {
    /// Encodes with sorted keys; doubles are written in shortest round-trip form.
    static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A one-line explanation of a decoding error naming the field path.
    static func explain(_ error: Error) -> String {
        guard let error = error as? DecodingError else {
            return (error as NSError).localizedDescription
        }
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "top level" : String(p.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \"\(key.stringValue)\"" + (parent == "top level" ? "" : " in \(parent)")
        case .typeMismatch(let type, let context):
            return "field \(path(context)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "field \(path(context)): expected \(type), found null"
        case .dataCorrupted(let context):
            return "malformed JSON at \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A plain-text table with aligned columns.
struct Table {
    var header: [String]
    var rows: [[String]]
    var rightAligned: Set<Int> = []

    func render() -> String {
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
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
