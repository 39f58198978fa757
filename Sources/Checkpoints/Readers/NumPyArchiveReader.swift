import DiffusionPolicy
import Digests
import Foundation
import TensorArchives

/// `.npz` weights with EDP flax paths (`policy/params/...`, as EDP's converter and the fixtures
/// write them) or Diffusion-QL state_dict keys. Read with `NumPyArchive`. The configuration comes
/// from a sibling `variant.json` (EDP's flattened flags, as viskit writes it) when present;
/// otherwise it is inferred from the shapes with the code defaults (`Checkpoint` documents them).
/// EDP schedule arrays may sit in the npz as `diffusion/<name>`.
extension Checkpoint {
    /// `.npz` weights, see above.
    public enum NumPyArchiveReader: CheckpointReader {
        public static let format = Format.npz

        public static func matches(_ probe: CheckpointProbe) -> Bool {
            probe.zipMembers?.contains { $0.hasSuffix(".npy") } == true
        }

        public static func read(data: Data, url: URL) throws -> Checkpoint {
            var tensors: TensorDictionary
            do {
                tensors = try NumPyArchive.read(archiveData: data, file: url.path)
            } catch let error as TensorArchiveError where error.kind == .numpy {
                throw CheckpointError(.invalidTensor, file: url, "unreadable npz: \(error)")
            }
            let sha = SHA256Digest.hex(data)
            // A feed-forward npz carries its configuration as the UTF-8 bytes of a uint8 array.
            var declared: PolicyConfiguration?
            if let bytes = tensors.removeValue(forKey: MetadataKey.configuration) {
                guard bytes.shape.count == 1, bytes.values.allSatisfy({ $0 >= 0 && $0 <= 255 && $0 == $0.rounded() }) else {
                    throw CheckpointError(.invalidConfiguration, file: url, "member \(MetadataKey.configuration) must be a 1-D uint8 array of JSON text, found shape \(bytes.shape)")
                }
                do {
                    declared = try JSONDecoder().decode(PolicyConfiguration.self, from: Data(bytes.values.map { UInt8($0) }))
                } catch {
                    throw CheckpointError(.invalidConfiguration, file: url, "member \(MetadataKey.configuration) is not a valid configuration: \(error)")
                }
            }
            var hashes = [url.lastPathComponent: sha]
            var variant: [String: VariantValue] = [:]
            var provenance = [
                "source_format": Format.npz.rawValue,
                "source_name": url.lastPathComponent,
                "source_sha256": sha,
            ]
            let variantURL = url.deletingLastPathComponent().appendingPathComponent("variant.json")
            if let declared {
                try validate(declared, tensors, url: url)
                provenance["configuration"] = "npz member \(MetadataKey.configuration)"
                return Checkpoint(url: url, format: .npz, sha256: sha, fileHashes: hashes, configuration: declared,
                                  tensors: tensors, provenance: provenance)
            }
            if looksFeedForward(tensors) {
                throw feedForwardConfigurationMissing(url: url, container: "an npz member \(MetadataKey.configuration) (uint8 JSON bytes)")
            }
            if tensors.keys.contains(where: { $0.hasPrefix("policy/") }),
               FileManager.default.fileExists(atPath: variantURL.path) {
                let variantData = try readFile(variantURL)
                do {
                    variant = try parseVariant([UInt8](variantData))
                } catch {
                    throw CheckpointError(.invalidConfiguration, file: variantURL, "not a flat JSON object of flags: \(error)")
                }
                hashes[variantURL.lastPathComponent] = SHA256Digest.hex(variantData)
                provenance["variant_file"] = variantURL.lastPathComponent
            } else {
                provenance["configuration"] = "inferred from tensor shapes with code defaults"
            }
            // Fixture npz files hold EDP's schedule under diffusion/; keep only 1-D float arrays there.
            tensors = tensors.filter { !$0.key.hasPrefix("diffusion/") || $0.value.shape.count == 1 }
            let configuration = try inferredConfiguration(tensors, variant: variant, url: url)
            try validate(configuration, tensors, url: url)
            return Checkpoint(url: url, format: .npz, sha256: sha, fileHashes: hashes, configuration: configuration,
                              tensors: tensors, provenance: provenance, variant: variant)
        }
    }
}
