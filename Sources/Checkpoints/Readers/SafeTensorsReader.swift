import DiffusionPolicy
import Digests
import Foundation
import TensorArchives

/// `.safetensors` files written by `Checkpoint.export(to:)` (or any F32 safetensors with EDP or
/// Diffusion-QL tensor names). The configuration comes from the `edp_eval.configuration`
/// metadata when present, otherwise it is inferred from the tensor names and shapes exactly as
/// for an `.npz` without `variant.json`.
extension Checkpoint {
    /// `.safetensors` exports, see above.
    public enum SafeTensorsReader: CheckpointReader {
        public static let format = Format.safetensors

        public static func matches(_ probe: CheckpointProbe) -> Bool {
            probe.zipMembers == nil && probe.head.count >= 9 && probe.head[8] == UInt8(ascii: "{")
                && headerLength(probe.head) <= UInt64(probe.data.count - 8)
        }

        /// The little-endian u64 at the start of a safetensors file: its JSON header's length.
        static func headerLength(_ head: [UInt8]) -> UInt64 {
            var length: UInt64 = 0
            for i in 0..<8 { length |= UInt64(head[i]) << (8 * UInt64(i)) }
            return length
        }

        public static func read(data: Data, url: URL) throws -> Checkpoint {
            let decoded: (tensors: TensorDictionary, metadata: [String: String])
            do {
                decoded = try SafeTensors.decode(data)
            } catch let error as TensorArchiveError where error.kind == .safetensors {
                throw CheckpointError(.safetensors, file: url, error.description)
            }
            let metadata = decoded.metadata
            let decoder = JSONDecoder()
            func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
                guard let text = metadata[key] else { return nil }
                do {
                    return try decoder.decode(T.self, from: Data(text.utf8))
                } catch {
                    throw CheckpointError(.invalidConfiguration, file: url, "metadata \(key) is not valid: \(error)")
                }
            }
            var variant: [String: VariantValue] = [:]
            if let text = metadata[MetadataKey.variant] {
                do {
                    variant = try parseVariant(Array(text.utf8))
                } catch {
                    throw CheckpointError(.invalidConfiguration, file: url, "metadata \(MetadataKey.variant) is not valid: \(error)")
                }
            }
            let configuration = try decode(PolicyConfiguration.self, MetadataKey.configuration)
                ?? inferredConfiguration(decoded.tensors, variant: variant, url: url)
            if let family = metadata[MetadataKey.family], family != configuration.family.rawValue {
                throw CheckpointError(.invalidConfiguration, file: url, "metadata family \(family) disagrees with the configuration's \(configuration.family.rawValue)")
            }
            try validate(configuration, decoded.tensors, url: url)
            let sha = SHA256Digest.hex(data)
            var provenance = try decode([String: String].self, MetadataKey.provenance) ?? [:]
            for (key, name) in [(MetadataKey.sourceName, "source_name"), (MetadataKey.sourceSHA256, "source_sha256"),
                                (MetadataKey.sourceFormat, "source_format"), (MetadataKey.sourceFiles, "source_files")] {
                if let value = metadata[key] { provenance[name] = value }
            }
            provenance["container_format"] = Format.safetensors.rawValue
            provenance["container_name"] = url.lastPathComponent
            provenance["container_sha256"] = sha
            return Checkpoint(url: url, format: .safetensors, sha256: sha, fileHashes: [url.lastPathComponent: sha],
                              configuration: configuration, tensors: decoded.tensors,
                              provenance: provenance, variant: variant)
        }
    }
}
