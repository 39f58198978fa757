import COpenBLAS
import Foundation

/// Threads used by this module's policies, and OpenBLAS's own thread count.
///
/// Design (exact batch and thread invariance): the policy networks never let OpenBLAS pick
/// kernels, partitions or threads. Every Dense layer runs on the module's own packed
/// micro-kernel (`PackedLayer`), where each output element is one fixed FMA chain; the rows of a
/// call are split into contiguous chunks that run concurrently on `threadCount` threads
/// (`RowParallel`, DispatchQueue.concurrentPerform), so a row's result never depends on the
/// batch size, its position or the thread count. OpenBLAS itself is kept single-threaded: it is
/// only used by the feed-forward baselines' helpers and `SGEMMCeiling` (which temporarily uses
/// `threadCount` OpenBLAS threads to measure the comparable ceiling).
public enum BLASThreading {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var workers = 1

    /// Sets the number of threads a policy call may use (values < 1 are treated as 1) and pins
    /// OpenBLAS to 1 thread. Process-wide; the evaluation sets it to its `--threads`.
    public static func setThreadCount(_ count: Int) {
        lock.lock(); workers = max(1, count); lock.unlock()
        openblas_set_num_threads(1)
    }

    /// The threads a policy call may use (1 until `setThreadCount` is called).
    public static var threadCount: Int {
        lock.lock(); defer { lock.unlock() }
        return workers
    }

    /// Runs `body` with OpenBLAS using `count` threads, then pins it back to 1 thread.
    public static func withOpenBLASThreads<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        openblas_set_num_threads(Int32(clamping: max(1, count)))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// OpenBLAS's current thread count (`openblas_get_num_threads`).
    public static var openBLASThreadCount: Int { Int(openblas_get_num_threads()) }
}
