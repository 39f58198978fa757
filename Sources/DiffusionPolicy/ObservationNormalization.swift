import Foundation

/// Observation normalization that belongs to a policy: every observation is mapped, in float64,
/// to `y = clip((x − mean) / scale, −clip, clip)` and then rounded to float32 for the network.
///
/// One shape covers the code bases the project evaluates:
/// - EDP `--obs_norm` (trainer.py:438-443, sampler.py:84-86): `mean`, `std` are global scalars
///   over every element of the dataset's float32 observation array; `scale = std + 1e-6`,
///   clip ±10 (`edp(mean:std:source:)`).
/// - CORL / IQL-style baselines: per-dimension mean, `scale = std + ε` (ε given by the user or the
///   checkpoint), no clip (`perDimension(...)`).
/// - Stable-Baselines3 `VecNormalize` (`vec_normalize.py` `_normalize_obs`):
///   `scale = sqrt(var + epsilon)`, clip ±`clip_obs` (`stableBaselines(...)`).
///
/// Stored inside `PolicyConfiguration` (so `.safetensors` exports carry it in their metadata).
/// `mean` and `scale` hold either one value (broadcast to every dimension) or one per dimension.
public struct ObservationNormalization: Codable, Equatable, Sendable {
    /// Subtracted from each observation element (1 value, or O values).
    public var mean: [Double]
    /// Divisor after the subtraction (1 value, or O values); strictly positive.
    public var scale: [Double]
    /// Symmetric clip bound of the result; nil = no clip.
    public var clip: Double?
    /// Where the values came from (file names, hashes, the rule), for provenance.
    public var source: String

    public init(mean: [Double], scale: [Double], clip: Double?, source: String) {
        self.mean = mean
        self.scale = scale
        self.clip = clip
        self.source = source
    }

    /// EDP's ε added to std (trainer.py:438-443, sampler.py:84-86; docs/edp-inference.md §6.1).
    public static let edpStdEpsilon = 1e-6
    /// EDP's clip bound when statistics come from the dataset (docs/edp-inference.md §6.1).
    public static let edpClip = 10.0

    /// EDP's rule (docs/edp-inference.md §6.1): scalar mean and std,
    /// scale std + 1e-6, clip ±10 when statistics come from the dataset.
    public static func edp(mean: Double, std: Double, clip: Double? = edpClip, source: String) -> ObservationNormalization {
        ObservationNormalization(mean: [mean], scale: [std + edpStdEpsilon], clip: clip, source: source)
    }

    /// What EDP's sampler applies when no statistics were used in training: mean 0, std 1, so
    /// `obs / (1 + 1e-6)`, no clip (sampler.py:84-86; docs/edp-inference.md §6).
    public static let edpSamplerDefault = edp(mean: 0, std: 1, clip: nil, source: "EDP sampler default (mean 0, std 1)")

    /// Per-dimension statistics with `scale = std + epsilon` (CORL `normalize_states`, IQL).
    public static func perDimension(mean: [Double], std: [Double], epsilon: Double, clip: Double?,
                                    source: String) -> ObservationNormalization {
        ObservationNormalization(mean: mean, scale: std.map { $0 + epsilon }, clip: clip, source: source)
    }

    /// Stable-Baselines3 `VecNormalize`: `(obs − mean) / sqrt(var + epsilon)`, clipped to ±`clipObs`.
    public static func stableBaselines(mean: [Double], variance: [Double], epsilon: Double, clipObs: Double,
                                       source: String) -> ObservationNormalization {
        ObservationNormalization(mean: mean, scale: variance.map { ($0 + epsilon).squareRoot() },
                                 clip: clipObs, source: source)
    }

    /// What is wrong for a policy with `observationSize` inputs, or nil when the values are usable.
    public func problem(observationSize: Int) -> String? {
        for (name, values) in [("mean", mean), ("scale", scale)] {
            guard values.count == 1 || values.count == observationSize else {
                return "observation normalization \(name) has \(values.count) values, expected 1 or \(observationSize)"
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                return "observation normalization \(name)[\(bad)] is \(values[bad]), not a finite number"
            }
        }
        if let bad = scale.firstIndex(where: { $0 <= 0 }) {
            return "observation normalization scale[\(bad)] is \(scale[bad]), must be > 0"
        }
        if let clip, !(clip > 0) || clip.isNaN {
            return "observation normalization clip \(clip) must be > 0"
        }
        return nil
    }

    /// Normalizes `count` observation rows of `width` elements into float32 `output`.
    public func apply(_ observations: UnsafeBufferPointer<Double>, rows: Int, width: Int,
                      into output: UnsafeMutableBufferPointer<Float>) {
        precondition(observations.count >= rows * width && output.count >= rows * width)
        let scalar = mean.count == 1 && scale.count == 1
        for r in 0..<rows {
            for j in 0..<width {
                let m = scalar ? mean[0] : mean[mean.count == 1 ? 0 : j]
                let s = scalar ? scale[0] : scale[scale.count == 1 ? 0 : j]
                var y = (observations[r * width + j] - m) / s
                if let clip { y = min(max(y, -clip), clip) }
                output[r * width + j] = Float(y)
            }
        }
    }

    /// A one-line description with the values (long vectors abbreviated), for reports.
    public var summary: String {
        func list(_ v: [Double]) -> String {
            let shown = v.prefix(4).map { String(format: "%.6g", $0) }.joined(separator: ", ")
            return v.count == 1 ? shown : "[\(shown)\(v.count > 4 ? ", … (\(v.count))" : "")]"
        }
        let clipped = clip.map { "clip ±\(String(format: "%g", $0))" } ?? "no clip"
        return "(obs − \(list(mean))) / \(list(scale)), \(clipped); from \(source)"
    }
}
