import Foundation

/// Threads used by this module's policies (the name predates the module's own kernel; no BLAS
/// library is involved).
///
/// Design (exact batch and thread invariance): every Dense layer runs on the module's own packed
/// micro-kernel (`PackedLayer`), where each output element is one fixed FMA chain; the rows of a
/// call are split into contiguous chunks that run concurrently on `threadCount` threads
/// (`RowParallel`, DispatchQueue.concurrentPerform), so a row's result never depends on the
/// batch size, its position or the thread count. OpenBLAS is only used by the `SGEMMCeiling`
/// target, which sets its own thread count around each measurement.
public enum BLASThreading {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var workers = 1

    /// Sets the number of threads a policy call may use (values < 1 are treated as 1).
    /// Process-wide; the evaluation sets it to its `--threads`.
    public static func setThreadCount(_ count: Int) {
        lock.lock(); workers = max(1, count); lock.unlock()
    }

    /// The threads a policy call may use (1 until `setThreadCount` is called).
    public static var threadCount: Int {
        lock.lock(); defer { lock.unlock() }
        return workers
    }
}
