import Foundation

/// Files read and parsed once per process (e.g. `envs/mazes.json`, the ant's MJCF text), keyed
/// like `ModelCache` by path and the parsed type; thread-safe. A failed read is not remembered.
final class ParsedFileCache: @unchecked Sendable {
    /// The process-wide cache.
    static let shared = ParsedFileCache()

    private struct Key: Hashable {
        let path: String
        let type: ObjectIdentifier
    }
    private var values: [Key: Any] = [:]
    private let lock = NSLock()

    /// The value `parse` makes of the file at `url`, parsed on first use.
    func value<T>(at url: URL, parse: (URL) throws -> T) throws -> T {
        let key = Key(path: url.path, type: ObjectIdentifier(T.self))
        lock.lock()
        defer { lock.unlock() }
        if let value = values[key] as? T { return value }
        let value = try parse(url)
        values[key] = value
        return value
    }
}
