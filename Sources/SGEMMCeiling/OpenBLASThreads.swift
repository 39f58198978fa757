import COpenBLAS

/// OpenBLAS's own thread count. Kept at 1 outside `SGEMMCeiling.measure` (nothing else in the
/// project calls OpenBLAS).
public enum OpenBLASThreads {
    /// Runs `body` with OpenBLAS using `count` threads (values < 1 are treated as 1), then pins it
    /// back to 1 thread.
    public static func with<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        openblas_set_num_threads(Int32(clamping: max(1, count)))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// OpenBLAS's current thread count (`openblas_get_num_threads`).
    public static var current: Int { Int(openblas_get_num_threads()) }
}
