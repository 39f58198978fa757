import Foundation

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
///   optional `vecnormalize.pkl` beside them (`Checkpoint+StableBaselines.swift`).
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
        /// A Stable-Baselines3 / SB3-contrib `.zip` (RL Zoo format), see `Checkpoint+StableBaselines.swift`.
        case stableBaselines = "sb3-zip"
    }

    /// A scalar from EDP's flattened `variant` (flags), kept for provenance.
    public enum VariantValue: Codable, Equatable, Sendable, CustomStringConvertible {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)
        case null

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else { self = .string(try c.decode(String.self)) }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .int(let i): try c.encode(i)
            case .double(let d): try c.encode(d)
            case .bool(let b): try c.encode(b)
            case .null: try c.encodeNil()
            }
        }

        public var description: String {
            switch self {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .bool(let b): return b ? "true" : "false"
            case .null: return "null"
            }
        }

        var doubleValue: Double? {
            switch self {
            case .int(let i): return Double(i)
            case .double(let d): return d
            default: return nil
            }
        }

        var intValue: Int? {
            switch self {
            case .int(let i): return i
            case .double(let d) where d == d.rounded() && abs(d) < 1e15: return Int(d)
            default: return nil
            }
        }

        var boolValue: Bool? {
            if case .bool(let b) = self { return b }
            return nil
        }

        var stringValue: String? {
            if case .string(let s) = self { return s }
            return nil
        }
    }

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

    /// Loads any supported checkpoint, dispatching on the file's content.
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
        switch try detectFormat(data, url: fileURL) {
        case .edpPickle: return try loadEDPPickle(data: data, url: fileURL)
        case .torchPair: return try loadTorchPair(data: data, url: fileURL)
        case .safetensors: return try loadSafeTensors(data: data, url: fileURL)
        case .npz: return try loadNumPyArchive(data: data, url: fileURL)
        case .stableBaselines: return try loadStableBaselines(data: data, url: fileURL)
        }
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
        } catch let error as SafeTensorsError {
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
        do {
            return try Data(contentsOf: url)
        } catch {
            var info = stat()
            let reason: String
            if stat(url.path, &info) != 0 {
                reason = String(cString: strerror(errno))
            } else if (info.st_mode & S_IFMT) != S_IFREG {
                reason = (info.st_mode & S_IFMT) == S_IFDIR ? "is a folder without a checkpoint" : "not a regular file (a device, pipe or socket)"
            } else {
                reason = access(url.path, R_OK) == 0 ? "the file cannot be read" : "permission denied"
            }
            throw CheckpointError(.unreadable, file: url, "cannot read it: \(reason); give a checkpoint file or folder")
        }
    }

    /// Format from the first bytes: pickle PROTO 2-5 (`80 0x`, `PickleOpcode.PROTO` then the
    /// version), zip (`PK\3\4`, the local file header signature of PKWARE's APPNOTE.TXT §4.3.7;
    /// torch when it holds `*/data.pkl`, npz when it holds `.npy` members), safetensors (8-byte
    /// length then `{`).
    static func detectFormat(_ data: Data, url: URL) throws -> Format {
        let head = [UInt8](data.prefix(16))
        if head.count >= 2, head[0] == PickleOpcode.PROTO.rawValue, (2...5).contains(head[1]) { return .edpPickle }
        if head.count >= 4, head.prefix(4).elementsEqual(ZipLayout.localSignatureBytes) {
            let names = try TorchArchive.entryNames(data, url: url)
            if names.contains(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }) { return .torchPair }
            if names.contains(where: { $0.hasSuffix(".npy") }) { return .npz }
            if isStableBaselinesArchive(names) { return .stableBaselines }
            throw CheckpointError(.unrecognizedFormat, file: url, "zip archive is neither a torch checkpoint (no data.pkl), an npz (no .npy members) nor a Stable-Baselines3 agent (no data and policy.pth members)")
        }
        if head.count >= 9, head[8] == UInt8(ascii: "{") {
            var length: UInt64 = 0
            for i in 0..<8 { length |= UInt64(head[i]) << (8 * UInt64(i)) }
            if length <= UInt64(data.count - 8) { return .safetensors }
            throw CheckpointError(.safetensors, file: url, "safetensors header claims \(length) bytes but the file has \(data.count - 8) after the length field")
        }
        if head.count >= 2, head[0] == PickleOpcode.PROTO.rawValue {
            throw CheckpointError(.unrecognizedFormat, file: url, "pickle protocol \(head[1]) is not supported (2-5)")
        }
        throw CheckpointError(.unrecognizedFormat, file: url, "not a pickle, torch zip, npz or safetensors file (first bytes \(head.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")))")
    }

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
