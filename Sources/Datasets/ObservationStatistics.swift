import Foundation

/// Observation statistics computed from a dataset the way the training code bases compute them,
/// with NumPy's float32 arithmetic reproduced (the arrays are float32 in D4RL files):
///
/// - EDP's trainer (`--obs_norm`, trainer.py:438-443): `obs.mean()`, `obs.std()` over every element.
///   NumPy reduces a contiguous float32 array with float32 pairwise summation (blocks of 8
///   accumulators up to 128 elements, halves rounded to multiples of 8 above;
///   numpy/core/src/umath/loops_utils.h.src `pairwise_sum`), divides in float32, and for `std`
///   sums the float32 squares of `x − mean` the same way (`_methods.py` `_var`).
/// - CORL / IQL `compute_mean_std` (`states.mean(0)`, `states.std(0) + eps`): a reduction over the
///   slow axis, which NumPy performs as a sequential float32 sum per column.
///
/// The file is streamed in row chunks; nothing holds more than a chunk of the observations.
public enum DatasetObservationStatistics {
    /// EDP's global scalar mean and std (float32, as NumPy returns them).
    public static func global(_ dataset: D4RLDataset, key: String = "observations") throws -> (mean: Float, std: Float) {
        // Both factors are bounded when the file is opened (D4RLDataset.maxTransitions, maxWidth).
        let (n, overflow) = dataset.transitions.multipliedReportingOverflow(by: dataset.observationSize)
        guard !overflow else { throw DatasetError(file: dataset.url, key: key, "is too large: \(dataset.transitions) × \(dataset.observationSize) values") }
        guard n > 0 else { throw DatasetError(file: dataset.url, key: key, "is empty: no statistics can be computed") }
        let reader = FlatReader(dataset: dataset, key: key, width: dataset.observationSize)
        let sum = try pairwiseSum(n, offset: 0, reader: reader, transform: { $0 })
        let mean = sum / Float(n)
        let squares = try pairwiseSum(n, offset: 0, reader: reader, transform: { let d = $0 - mean; return d * d })
        return (mean, (squares / Float(n)).squareRoot())
    }

    /// Per-dimension mean and (population) std, float32 sequential sums as NumPy's axis-0 reduction.
    public static func perDimension(_ dataset: D4RLDataset, key: String = "observations") throws -> (mean: [Float], std: [Float]) {
        let width = dataset.observationSize, rows = dataset.transitions
        guard rows > 0 else { throw DatasetError(file: dataset.url, key: key, "is empty: no statistics can be computed") }
        var sums = [Float](repeating: 0, count: width)
        try forEachChunk(dataset, key) { values, count in
            for r in 0..<count { for j in 0..<width { sums[j] += Float(values[r * width + j]) } }
        }
        let mean = sums.map { $0 / Float(rows) }
        var squares = [Float](repeating: 0, count: width)
        try forEachChunk(dataset, key) { values, count in
            for r in 0..<count {
                for j in 0..<width {
                    let d = Float(values[r * width + j]) - mean[j]
                    squares[j] += d * d
                }
            }
        }
        return (mean, squares.map { ($0 / Float(rows)).squareRoot() })
    }

    private static func forEachChunk(_ dataset: D4RLDataset, _ key: String, _ body: ([Double], Int) -> Void) throws {
        for start in stride(from: 0, to: dataset.transitions, by: D4RLDataset.chunkRows) {
            let range = start..<min(dataset.transitions, start + D4RLDataset.chunkRows)
            body(try dataset.read(key, range), range.count)
        }
    }

    /// Elements [offset, offset + count) of the flattened array, loaded a chunk of rows at a time.
    final class FlatReader {
        let dataset: D4RLDataset
        let key: String
        let width: Int
        private var first = 0
        private var values: [Float] = []

        init(dataset: D4RLDataset, key: String, width: Int) {
            self.dataset = dataset
            self.key = key
            self.width = width
        }

        func elements(_ offset: Int, _ count: Int) throws -> ArraySlice<Float> {
            if offset < first || offset + count > first + values.count {
                let row = offset / width
                let lastRow = min(dataset.transitions, max(row + D4RLDataset.chunkRows, (offset + count + width - 1) / width))
                values = try dataset.read(key, row..<lastRow).map { Float($0) }
                first = row * width
            }
            return values[(offset - first)..<(offset - first + count)]
        }
    }

    /// NumPy's `pairwise_sum` for float32 (PW_BLOCKSIZE 128, 8 accumulators).
    static func pairwiseSum(_ n: Int, offset: Int, reader: FlatReader, transform: (Float) -> Float) throws -> Float {
        if n < 8 {
            var sum: Float = 0
            for x in try reader.elements(offset, n) { sum += transform(x) }
            return sum
        }
        if n <= 128 {
            let a = Array(try reader.elements(offset, n)).map(transform)
            var r = Array(a[0..<8])
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[i + j] }
                i += 8
            }
            var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                sum += a[i]
                i += 1
            }
            return sum
        }
        var half = n / 2
        half -= half % 8
        return try pairwiseSum(half, offset: offset, reader: reader, transform: transform)
            + pairwiseSum(n - half, offset: offset + half, reader: reader, transform: transform)
    }
}
