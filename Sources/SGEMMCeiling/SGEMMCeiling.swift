import COpenBLAS
import Dispatch

/// The machine's practical float32 FLOP ceiling: OpenBLAS `cblas_sgemm` on large square matrices
/// with `threads` OpenBLAS threads (callers pass the threads their policy uses). `edp-eval bench`
/// and `edp-bench` divide a policy's useful FLOP rate by it (`roofline_ratio`).
public enum SGEMMCeiling {
    /// FLOP/s (2·n³ per call) of the best of several `n × n × n` sgemm calls, repeated for at least
    /// `minimumSeconds`. Inputs are deterministic pseudo-random values in [−1, 1).
    public static func measure(size n: Int = 2048, minimumSeconds: Double = 1.0, threads: Int) -> Double {
        OpenBLASThreads.with(threads) { run(size: n, minimumSeconds: minimumSeconds) }
    }

    private static func run(size n: Int, minimumSeconds: Double) -> Double {
        var state: UInt32 = 12345
        func next() -> Float {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24) * 2 - 1
        }
        let a = (0..<(n * n)).map { _ in next() }
        let b = (0..<(n * n)).map { _ in next() }
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        var spent = 0.0
        var runs = 0
        while spent < minimumSeconds || runs < 2 {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                                    pa.baseAddress, Int32(n), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, seconds)
            spent += seconds
            runs += 1
        }
        return 2 * Double(n) * Double(n) * Double(n) / best
    }
}
