import DiffusionPolicy
import Digests
import Foundation
import TensorArchives

/// Diffusion-QL checkpoints (docs/edp-inference.md §5.2): `actor_<id>.pth` and `critic_<id>.pth` (or `actor.pth` /
/// `critic.pth`) written by `Diffusion_QL.save_model`. Either file locates its sibling in the same
/// folder. Keys stay as in the state_dicts (`betas`, `model.mid_layer.0.weight`, `q1_model.0.weight`, ...).
extension Checkpoint {
    /// Diffusion-QL `actor_<id>.pth` / `critic_<id>.pth`, see above.
    public enum TorchPairReader: CheckpointReader {
        public static let format = Format.torchPair

        public static func matches(_ probe: CheckpointProbe) -> Bool {
            probe.zipMembers?.contains { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") } == true
        }

        /// The actor and critic files of the pair `url` belongs to.
        static func torchPairURLs(_ url: URL) throws -> (actor: URL, critic: URL) {
            let name = url.lastPathComponent
            let folder = url.deletingLastPathComponent()
            let actor: URL, critic: URL
            if name.hasPrefix("actor") {
                actor = url
                critic = folder.appendingPathComponent("critic" + name.dropFirst("actor".count))
            } else if name.hasPrefix("critic") {
                critic = url
                actor = folder.appendingPathComponent("actor" + name.dropFirst("critic".count))
            } else {
                throw CheckpointError(.unrecognizedFormat, file: url, "a Diffusion-QL checkpoint must be named actor_<id>.pth or critic_<id>.pth to find its pair")
            }
            for sibling in [actor, critic] where !FileManager.default.fileExists(atPath: sibling.path) {
                throw CheckpointError(.unreadable, file: sibling, "missing sibling of \(name): the pair needs both actor and critic files")
            }
            return (actor, critic)
        }

        public static func read(data: Data, url: URL) throws -> Checkpoint {
            let (actorURL, criticURL) = try torchPairURLs(url)
            let actorData = actorURL == url ? data : try readFile(actorURL)
            let criticData = criticURL == url ? data : try readFile(criticURL)
            var tensors: TensorDictionary = [:]
            for (file, bytes, expectsActor) in [(actorURL, actorData, true), (criticURL, criticData, false)] {
                let pairs = try archiveReading { try TorchArchive.readStateDict(bytes, url: file) }
                let hasActorKeys = pairs.contains { $0.key.hasPrefix("model.") }
                let hasCriticKeys = pairs.contains { $0.key.hasPrefix("q1_model.") }
                guard expectsActor ? hasActorKeys : hasCriticKeys else {
                    throw CheckpointError(.missingEntry, file: file, expectsActor
                                          ? "actor state_dict has no model.* keys" : "critic state_dict has no q1_model.* keys")
                }
                for (key, tensor) in pairs {
                    guard tensors[key] == nil else {
                        throw CheckpointError(.invalidTensor, file: file, "tensor \(key) appears in both actor and critic")
                    }
                    tensors[key] = tensor
                }
            }
            let configuration = try diffusionQLConfiguration(tensors, url: actorURL)
            try validate(configuration, tensors, url: actorURL)
            let actorSHA = SHA256Digest.hex(actorData)
            let criticSHA = SHA256Digest.hex(criticData)
            let hashes = [actorURL.lastPathComponent: actorSHA, criticURL.lastPathComponent: criticSHA]
            let provenance = [
                "source_format": Format.torchPair.rawValue,
                "source_name": url.lastPathComponent,
                "source_sha256": url == actorURL ? actorSHA : criticSHA,
                "actor_file": actorURL.lastPathComponent,
                "critic_file": criticURL.lastPathComponent,
                "actor_sha256": actorSHA,
                "critic_sha256": criticSHA,
            ]
            return Checkpoint(url: url, format: .torchPair, sha256: url == actorURL ? actorSHA : criticSHA,
                              fileHashes: hashes, configuration: configuration, tensors: tensors,
                              provenance: provenance)
        }
    }
}
