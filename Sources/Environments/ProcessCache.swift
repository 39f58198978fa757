import Foundation

/// Values made once per process and shared, keyed by `Key`; thread-safe. A value whose making
/// throws is not remembered (the next request tries again and reports the same error).
final class ProcessCache<Key: Hashable, Value>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = NSLock()

    /// The value cached under `key`, made by `make` on first use.
    func value(for key: Key, make: () throws -> Value) throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let value = values[key] { return value }
        let value = try make()
        values[key] = value
        return value
    }
}

/// Files read and parsed once per process (`envs/mazes.json`, the ant's MJCF text), keyed by path
/// and the parsed type.
enum ParsedFileCache {
    private struct Key: Hashable {
        let path: String
        let type: ObjectIdentifier
    }
    private static let shared = ProcessCache<Key, Any>()

    /// The value `parse` makes of the file at `url`, parsed on first use.
    static func value<T>(at url: URL, parse: (URL) throws -> T) throws -> T {
        // The key holds T, so the cached value is a T.
        try shared.value(for: Key(path: url.path, type: ObjectIdentifier(T.self))) { try parse(url) } as! T
    }
}
