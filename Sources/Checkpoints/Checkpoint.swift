import DiffusionPolicy
import Foundation
import TensorArchives

/// A trained policy read from disk: its weights, the configuration that decides how it acts, and
/// where it came from.
///
/// Supported inputs (detected from the content, not only the extension; docs/edp-inference.md §5):
/// - `model_*.pkl`: EDP's cloudpickle of `{"agent", "variant", "epoch"}` (read with the
///   restricted `PickleReader`, nothing executed). A directory holding `model_final.pkl` loads it.
/// - `actor_<id>.pth` / `critic_<id>.pth`: a Diffusion-QL pair of torch zip `state_dict`s; either
///   file finds its sibling.
/// - `.safetensors`: the project's export format (`export(to:)`), configuration in its metadata;
///   feed-forward baselines in the same format (`Checkpoint+FeedForward.swift`).
/// - Stable-Baselines3 / SB3-contrib `.zip` agents (SAC, TQC, TD3, DDPG, PPO, A2C actors) with an
///   optional `vecnormalize.pkl` beside them (`Readers/StableBaselinesReader.swift`).
/// - `.npz` with flax `/` paths (EDP) or torch `.` keys (Diffusion-QL): configuration from a sibling
///   `variant.json` when present, otherwise inferred from the tensor shapes with the code defaults
///   (EDP: linear schedule, DDPM sampling, EAS with 50 candidates, K = length of `diffusion/betas`
///   or 100; Diffusion-QL: VP, T = length of `betas`, DDPM, EAS).
///
/// Every load validates the tensors against the configuration (all expected keys, exact shapes)
/// and rejects NaN or infinite values.
public struct Checkpoint: Sendable {
    public enum Format: String, Codable, Sendable {
        case edpPickle = "edp-pickle"
        case torchPair = "torch-pair"
        case safetensors
        case npz
        /// A Stable-Baselines3 / SB3-contrib `.zip` (RL Zoo format), see `StableBaselinesReader`.
        case stableBaselines = "sb3-zip"
    }

    /// A scalar from EDP's flattened `variant` (flags); the type lives at the top level.
    public typealias VariantValue = Checkpoints.VariantValue

    /// The file that was loaded (for a directory, the `model_final.pkl` inside it).
    public var url: URL
    public var format: Format
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String
    /// SHA-256 of every file used, by path relative to `url`'s folder (the file itself plus
    /// siblings such as the critic of a Diffusion-QL pair or a `variant.json`, or an SB3
    /// `<EnvId>/vecnormalize.pkl` in the zoo's layout).
    public var fileHashes: [String: String]
    public var configuration: PolicyConfiguration
    public var tensors: TensorDictionary
    /// Where the weights came from: source format, file names and hashes, EDP epoch, ...
    public var provenance: [String: String]
    /// EDP's full `variant` (empty for other sources unless carried in safetensors metadata).
    public var variant: [String: VariantValue]

    public init(url: URL, format: Format, sha256: String, fileHashes: [String: String],
                configuration: PolicyConfiguration, tensors: TensorDictionary,
                provenance: [String: String], variant: [String: VariantValue] = [:]) {
        self.url = url
        self.format = format
        self.sha256 = sha256
        self.fileHashes = fileHashes
        self.configuration = configuration
        self.tensors = tensors
        self.provenance = provenance
        self.variant = variant
    }

    /// Loads any supported checkpoint with the first of `CheckpointReaders.all` that recognizes its content.
    public static func load(_ url: URL) throws -> Checkpoint {
        var fileURL = url
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            fileURL = url.appendingPathComponent("model_final.pkl")
            guard FileManager.default.fileExists(atPath: fileURL.path) else {
                throw CheckpointError(.unreadable, file: url, "directory holds no model_final.pkl")
            }
        }
        let data = try readFile(fileURL)
        return try CheckpointReaders.reader(for: CheckpointProbe(data: data, url: fileURL)).read(data: data, url: fileURL)
    }

    /// Writes the weights and configuration as `.safetensors` (all F32), with metadata:
    /// `edp_eval.configuration` (the `PolicyConfiguration` as JSON), `edp_eval.family`,
    /// `edp_eval.source_name`, `edp_eval.source_sha256`, `edp_eval.source_format`,
    /// `edp_eval.source_files` (JSON name → SHA-256), `edp_eval.provenance` (JSON) and, when
    /// known, `edp_eval.variant` (JSON).
    public func export(to destination: URL) throws {
        let bytes: Data
        do {
            bytes = try SafeTensors.encode(tensors, metadata: exportMetadata())
        } catch let error as TensorArchiveError where error.kind == .safetensors {
            throw CheckpointError(.unwritable, file: destination, error.description)
        }
        do {
            try bytes.write(to: destination, options: .atomic)
        } catch {
            throw CheckpointError(.unwritable, file: destination, "cannot write: \(error.localizedDescription)")
        }
    }

    /// Metadata keys of exported files.
    public enum MetadataKey {
        public static let configuration = "edp_eval.configuration"
        public static let family = "edp_eval.family"
        public static let sourceName = "edp_eval.source_name"
        public static let sourceSHA256 = "edp_eval.source_sha256"
        public static let sourceFormat = "edp_eval.source_format"
        public static let sourceFiles = "edp_eval.source_files"
        public static let provenance = "edp_eval.provenance"
        public static let variant = "edp_eval.variant"
        public static let formatVersion = "edp_eval.format_version"
    }

    func exportMetadata() throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try encoder.encode(value), as: UTF8.self)
        }
        // A safetensors file that is re-exported keeps pointing at the original source.
        let sourceName = provenance["source_name"] ?? url.lastPathComponent
        let sourceSHA = provenance["source_sha256"] ?? sha256
        let sourceFormat = provenance["source_format"] ?? format.rawValue
        let sourceFiles = try provenance["source_files"] ?? json(fileHashes)
        var metadata: [String: String] = [
            MetadataKey.configuration: try json(configuration),
            MetadataKey.family: configuration.family.rawValue,
            MetadataKey.sourceName: sourceName,
            MetadataKey.sourceSHA256: sourceSHA,
            MetadataKey.sourceFormat: sourceFormat,
            MetadataKey.sourceFiles: sourceFiles,
            MetadataKey.provenance: try json(provenance),
            MetadataKey.formatVersion: "1",
        ]
        if !variant.isEmpty { metadata[MetadataKey.variant] = Self.variantJSON(variant) }
        return metadata
    }

    /// Serializes a variant as a flat JSON object with sorted keys, keeping floats recognisable as
    /// floats (`2.0`, not `2`) so that a round trip gives back the same `VariantValue`s.
    static func variantJSON(_ variant: [String: VariantValue]) -> String {
        let members = variant.keys.sorted().map { key -> String in
            let text: String
            switch variant[key]! {
            case .string(let s): text = SafeTensorsJSON.quote(s)
            case .int(let i): text = String(i)
            case .double(let d): text = d.isFinite ? "\(d)" : SafeTensorsJSON.quote("\(d)")
            case .bool(let b): text = b ? "true" : "false"
            case .null: text = "null"
            }
            return "\(SafeTensorsJSON.quote(key)):\(text)"
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// Parses a flat JSON object of flags (EDP's `variant.json`, or `edp_eval.variant` metadata).
    /// Numbers written with a fraction or exponent become `.double`, others `.int`; nested values
    /// are kept as their kind name.
    static func parseVariant(_ bytes: [UInt8]) throws -> [String: VariantValue] {
        guard case .object(let members) = try SafeTensorsJSON.parse(bytes) else {
            throw SafeTensorsJSON.ParseError(offset: 0, message: "variant is not a JSON object")
        }
        var variant: [String: VariantValue] = [:]
        for (key, value) in members {
            switch value {
            case .string(let s): variant[key] = .string(s)
            case .bool(let b): variant[key] = .bool(b)
            case .null: variant[key] = .null
            case .number(let text):
                if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let i = Int(text) {
                    variant[key] = .int(i)
                } else {
                    variant[key] = .double(Double(text) ?? .nan)
                }
            case .array: variant[key] = .string("<list>")
            case .object: variant[key] = .string("<dict>")
            }
        }
        return variant
    }

    /// Parameter counts per network: EDP `policy`, `qf1`, `qf2` (and `diffusion` buffers);
    /// Diffusion-QL `model` (the actor's noise net), `q1_model`, `q2_model` and `buffers` (schedule).
    public var parameterCounts: [(network: String, count: Int)] {
        var counts: [String: Int] = [:]
        for (key, tensor) in tensors {
            let network: String
            if let slash = key.firstIndex(of: "/") {
                network = String(key[..<slash])
            } else if let dot = key.firstIndex(of: ".") {
                network = String(key[..<dot])
            } else {
                network = "buffers"
            }
            counts[network, default: 0] += tensor.count
        }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    // MARK: - Shared helpers

    static func readFile(_ url: URL) throws -> Data {
        try archiveReading { try ArchiveFile.read(url) }
    }

    /// Runs `body`, turning a `TensorArchiveError` into the `CheckpointError` of the same kind,
    /// file and message.
    static func archiveReading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TensorArchiveError {
            throw CheckpointError(error)
        }
    }

    /// Format from the first bytes (the reader `CheckpointReaders` picks).
    static func detectFormat(_ data: Data, url: URL) throws -> Format {
        try CheckpointReaders.reader(for: CheckpointProbe(data: data, url: url)).format
    }

    /// SB3 `VecNormalize` statistics from a `vecnormalize.pkl` (`StableBaselinesReader`); nil when
    /// its `norm_obs` is false.
    public static func stableBaselinesNormalization(_ data: Data, url: URL) throws -> ObservationNormalization? {
        try StableBaselinesReader.stableBaselinesNormalization(data, url: url)
    }

    /// A short description of a value's kind for error messages.
    static func kind(_ value: PickleValue) -> String { PickleValue.kindDescription(value) }

    /// Throws unless every value is finite.
    static func requireFinite(_ tensors: TensorDictionary, url: URL) throws {
        for key in tensors.keys.sorted() {
            let values = tensors[key]!.values
            if let index = values.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError(.nonFinite, file: url, "tensor \(key) has a non-finite value (\(values[index])) at element \(index)")
            }
        }
    }
}
