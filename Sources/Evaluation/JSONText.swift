import Foundation

/// JSON text as edp-eval writes it (reports, logs' headers, `bench`, `verify`, `inspect --json`):
/// sorted keys, slashes unescaped.
public enum JSONText {
    /// Encodes with sorted keys; doubles are written in shortest round-trip form.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A one-line explanation of a decoding error naming the field path.
    public static func explain(_ error: Error) -> String {
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
