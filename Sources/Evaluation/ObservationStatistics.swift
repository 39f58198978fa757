import Checkpoints
import Digests
import DiffusionPolicy
import Environments
import Foundation

/// Observation statistics given from outside a checkpoint, and the rule that a checkpoint which
/// was trained on normalized observations is never evaluated on raw ones.
public enum ObservationStatistics {
    /// EDP applies `--obs_norm` only in some domains (trainer.py:438-443,
    /// docs/edp-inference.md §6.1); on the others the flag has no effect. The domains are the
    /// task-id prefixes the robot descriptors name (`edpNormalizedDomains`; Adroit names every hand
    /// task, implemented or not).
    public static var edpNormalizedDomains: [String] {
        RobotCatalog.all.flatMap { $0.edpNormalizedDomains }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Whether an EDP checkpoint's variant asks for normalized observations on its task.
    public static func edpExpectsNormalization(_ checkpoint: Checkpoint, task: TaskSpec) -> Bool {
        guard checkpoint.configuration.family == .edp, checkpoint.variant["obs_norm"] == .bool(true) else { return false }
        let env: String
        if case .string(let name)? = checkpoint.variant["env"] { env = name } else { env = task.id }
        return edpNormalizedDomains.contains { env.hasPrefix($0) }
    }

    /// Throws `MissingObservationStatistics` when the checkpoint expects normalized observations
    /// and neither it nor the caller gives statistics.
    public static func requireStatistics(_ checkpoint: Checkpoint, task: TaskSpec, given: URL?) throws {
        guard given == nil, checkpoint.configuration.observationNormalization == nil,
              edpExpectsNormalization(checkpoint, task: task) else { return }
        throw MissingObservationStatistics(file: checkpoint.url.path, isPickle: checkpoint.url.pathExtension == "pkl")
    }

    /// How statistics are computed from a dataset (`--observation-normalization`).
    public enum DatasetRule: String, CaseIterable, Sendable {
        /// EDP's trainer: global scalar mean and std of the float32 observations (NumPy
        /// `obs.mean()`, `obs.std()`), scale std + 1e-6, clip ±10.
        case edp
        /// CORL / IQL `compute_mean_std`: per-dimension mean and std, scale std + 1e-3, no clip.
        case perDimension = "per-dimension"
    }

    /// Reads statistics given by the user: a JSON object `{"mean": m, "std": s}` where `m`, `s` are
    /// numbers (EDP's global scalars) or lists of O numbers (per-dimension), with optional
    /// `"epsilon"` (added to std) and `"clip"` (symmetric bound, or null); or a Stable-Baselines3
    /// `vecnormalize.pkl` (read with the restricted pickle reader).
    ///
    /// Defaults when the JSON omits them follow the code base of `family`: EDP adds 1e-6 to std and
    /// clips at ±10 (trainer.py / sampler.py); other families add 0 and do not clip.
    public static func load(_ url: URL, family: PolicyConfiguration.Family) throws -> ObservationNormalization {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw StatisticsFileError(file: url, "cannot read observation statistics: \(error.localizedDescription)")
        }
        let sha = SHA256Digest.hex(data)
        if data.first == 0x80 {
            guard var normalization = try Checkpoint.stableBaselinesNormalization(data, url: url) else {
                throw StatisticsFileError(file: url, "VecNormalize has norm_obs = false: it holds no observation statistics")
            }
            normalization.source += ", sha256 \(sha)"
            return normalization
        }
        func invalid(_ message: String) -> StatisticsFileError { StatisticsFileError(file: url, message) }
        let file: StatisticsFile
        do {
            file = try JSONDecoder().decode(StatisticsFile.self, from: data)
        } catch let error as DecodingError {
            throw invalid("observation statistics must be a JSON object {\"mean\": number or [numbers], \"std\": number or [numbers]} or a vecnormalize.pkl: \(StatisticsFile.explain(error))")
        }
        let mean = file.mean.values, std = file.std.values
        guard mean.count == std.count || mean.count == 1 || std.count == 1 else {
            throw invalid("\"mean\" has \(mean.count) values but \"std\" has \(std.count)")
        }
        let isEDP = family == .edp
        let epsilon = file.epsilon ?? (isEDP ? ObservationNormalization.edpStdEpsilon : 0)
        let clip: Double? = file.clipGiven ? file.clip : (isEDP ? ObservationNormalization.edpClip : nil)
        let rule = "scale = std + \(epsilon)" + (clip.map { ", clip ±\($0)" } ?? ", no clip")
        return ObservationNormalization.perDimension(mean: mean, std: std, epsilon: epsilon, clip: clip,
                                                     source: "\(url.lastPathComponent) (\(rule)), sha256 \(sha)")
    }
}

/// The `--observation-stats` JSON.
struct StatisticsFile: Decodable {
    /// A number or a list of numbers.
    struct Values: Decodable {
        var values: [Double]
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let one = try? c.decode(Double.self) {
                values = [one]
            } else {
                values = try c.decode([Double].self)
                guard !values.isEmpty else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "an empty list")
                }
            }
        }
    }

    var mean: Values
    var std: Values
    var epsilon: Double?
    /// The bound when given; `clipGiven` tells an explicit null (no clip) from an absent key.
    var clip: Double?
    var clipGiven: Bool

    enum CodingKeys: String, CodingKey { case mean, std, epsilon, clip }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode(Values.self, forKey: .mean)
        std = try c.decode(Values.self, forKey: .std)
        epsilon = try c.decodeIfPresent(Double.self, forKey: .epsilon)
        clipGiven = c.contains(.clip)
        clip = try c.decodeIfPresent(Double.self, forKey: .clip)
    }

    /// Field path and reason of a decoding error.
    static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "field \"\(key.stringValue)\" is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "field \"\(path)\": \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// An EDP checkpoint trained on normalized observations (`obs_norm = true`) evaluated without
/// statistics: it does not store the training dataset's mean and std. edp-eval's
/// `CommandLineWording` names the options that give them.
public struct MissingObservationStatistics: Error, CustomStringConvertible, Equatable {
    /// The checkpoint file.
    public var file: String
    /// Whether the checkpoint is an EDP pickle (the message names the container).
    public var isPickle: Bool

    /// What is missing, without the remedy.
    public var problem: String {
        "the EDP variant has obs_norm = true: the policy was trained on observations normalized with the " +
        "training dataset's global mean and std (clip ±10), which the \(isPickle ? "pickle" : "checkpoint file") does not store."
    }

    public var description: String {
        "\(file): \(problem) Give the training dataset (its statistics are computed as EDP's trainer does) or " +
        "a statistics file ({\"mean\": m, \"std\": s}: numpy obs.mean(), obs.std() over dataset[\"observations\"])"
    }
}
