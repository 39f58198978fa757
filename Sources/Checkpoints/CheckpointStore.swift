import Foundation

/// The checkpoints of one run, each read once: the first request for a path reads, validates
/// and hashes the file (`Checkpoint.load`); every later request for the same path returns that
/// same value, so the default task, the foreign-task warnings, every task's policy and the
/// report's provenance all see one read of the file. A failed read is not remembered (a later
/// request reads again and reports the same error).
public final class CheckpointStore: @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: Checkpoint] = [:]

    public init() {}

    /// The checkpoint at `url` (a file or a folder holding `model_final.pkl`), keyed by `url.path`.
    public func checkpoint(at url: URL) throws -> Checkpoint {
        lock.lock()
        let known = loaded[url.path]
        lock.unlock()
        if let known { return known }
        let checkpoint = try Checkpoint.load(url)
        lock.lock()
        defer { lock.unlock() }
        if let first = loaded[url.path] { return first }
        loaded[url.path] = checkpoint
        return checkpoint
    }
}
