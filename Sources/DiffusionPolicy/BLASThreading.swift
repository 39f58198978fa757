import COpenBLAS

/// OpenBLAS's worker-thread count, which every network GEMM of this module uses.
///
/// Our GEMMs are small (rows = environments × candidates, widths ≤ 256); for them the fork/join
/// cost of extra threads can exceed the gain, and when the evaluation layer already runs one
/// policy per core, BLAS threads only oversubscribe. `PolicyBenchmark` measures both settings.
/// Choose deliberately: 1 thread per policy when environments run in parallel on all cores; all
/// cores for one large batched policy. The setting is process-wide (OpenBLAS global).
public enum BLASThreading {
    /// Sets OpenBLAS's thread count (`openblas_set_num_threads`); values < 1 are treated as 1.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The current thread count (`openblas_get_num_threads`).
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}
