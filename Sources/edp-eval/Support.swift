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
