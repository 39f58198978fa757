import DiffusionPolicy
import Digests
import Foundation
import TensorArchives

/// Stable-Baselines3 / SB3-contrib agents saved by `BaseAlgorithm.save` (the RL Baselines3 Zoo's
/// `<Env>.zip`): a zip with `data` (JSON; values SB3 cannot write as JSON are base64 cloudpickles
/// under `:serialized:`, which are never decoded here: only the readable fields are used),
/// `policy.pth` (a `torch.save`d state_dict, read with `TorchArchive`), `_stable_baselines3_version`,
/// optimizer files (not read).
///
/// Actor layouts (SB3 1.x-2.x `policies.py` of each algorithm):
/// - SAC, TQC: `actor.latent_pi.{0,2,…}` Linear + activation, `actor.mu`, `actor.log_std`
///   (Linear heads) → `ff-gaussian`; the deterministic action (`predict(deterministic=True)`) is
///   tanh(mu), the mode of `SquashedDiagGaussianDistribution`. gSDE actors are refused.
/// - TD3, DDPG: `actor.mu.{0,2,…,2L}` Linear layers with activations between and a final Tanh →
///   `ff-deterministic`, action tanh(output).
/// - PPO, A2C (`ActorCriticPolicy`): `mlp_extractor.shared_net.*` (old `net_arch` with shared
///   layers), `mlp_extractor.policy_net.{0,2,…}`, `action_net`; the deterministic action is the
///   Gaussian mean clipped to the action space → `ff-deterministic` with `actionOutput = .clip`
///   (`log_std` is not needed).
/// Hidden activation: `policy_kwargs.activation_fn` when `data` shows it (e.g.
/// "<class 'torch.nn.modules.activation.ReLU'>"), else SB3's default (ReLU for the off-policy
/// algorithms, Tanh for `ActorCriticPolicy`). Actions are rescaled to the Box by SB3 as
/// low + (a + 1)(high − low)/2; only symmetric boxes (low = −high, one bound) are supported, which
/// maps to `maxAction` = high.
///
/// Observation normalization: a `vecnormalize.pkl` next to the zip, or in the zoo's layout in a
/// folder named after the zip's stem (`<EnvId>/vecnormalize.pkl` beside `<EnvId>.zip`), is
/// read with the restricted `PickleReader` (`stableBaselinesNormalization`).
extension Checkpoint {
    /// Stable-Baselines3 `.zip` agents, see above.
    public enum StableBaselinesReader: CheckpointReader {
        public static let format = Format.stableBaselines

        public static func matches(_ probe: CheckpointProbe) -> Bool {
            probe.zipMembers.map(isStableBaselinesArchive) == true
        }

        static func isStableBaselinesArchive(_ names: [String]) -> Bool {
            names.contains("data") && names.contains("policy.pth")
        }

        public static func read(data: Data, url: URL) throws -> Checkpoint {
            let (json, weights, version) = try readStableBaselinesMembers(data, url: url)
            func invalid(_ message: String) -> CheckpointError { CheckpointError(.invalidConfiguration, file: url, message) }
            let policyKwargs = json["policy_kwargs"] as? [String: Any] ?? [:]
            if (json["use_sde"] as? Bool) == true || (policyKwargs["use_sde"] as? Bool) == true {
                throw invalid("SB3 agent uses gSDE (use_sde = true), which is not supported")
            }
            let policyModule = (json["policy_class"] as? [String: Any])?["__module__"] as? String ?? "unknown"
            let observationShape = boxShape(json["observation_space"] as? [String: Any] ?? [:]) ?? []
            guard observationShape.count == 1, let observationSize = observationShape.first, observationSize > 0 else {
                throw invalid("SB3 data observation_space.shape \(observationShape) is not a flat Box (one positive dimension)")
            }
            let actionSpace = json["action_space"] as? [String: Any] ?? [:]
            let maxAction = try symmetricBound(actionSpace, url: url)
            let actor = try StableBaselinesActor(weights, policyModule: policyModule, url: url)
            let network = try stableBaselinesNetwork(weights, actor: actor, observationSize: observationSize,
                                                     actionShape: boxShape(actionSpace), url: url)
            let activation = try stableBaselinesActivation(policyKwargs["activation_fn"] as? String,
                                                           default: actor.defaultActivation, url: url)
            let sha = SHA256Digest.hex(data)
            var hashes = [url.lastPathComponent: sha]
            var provenance = [
                "source_format": Format.stableBaselines.rawValue, "source_name": url.lastPathComponent, "source_sha256": sha,
                "sb3_version": version, "sb3_policy_module": policyModule, "sb3_algorithm": actor.algorithm,
                "sb3_actor": (actor.layers + actor.heads).joined(separator: ", "),
            ]
            let normalization = try stableBaselinesNormalizationBesideZip(url, hashes: &hashes, provenance: &provenance)
            let configuration = PolicyConfiguration.feedForward(FeedForwardConfiguration(
                family: actor.family, observationSize: observationSize, actionSize: network.actionSize,
                hiddenSizes: network.hiddenSizes, activation: activation, maxAction: maxAction,
                actionOutput: actor.output, observationNormalization: normalization))
            try validate(configuration, network.tensors, url: url)
            return Checkpoint(url: url, format: .stableBaselines, sha256: sha, fileHashes: hashes,
                              configuration: configuration, tensors: network.tensors, provenance: provenance)
        }

        /// The archive's `data` JSON, the `policy.pth` state_dict and `_stable_baselines3_version`
        /// ("unknown" when absent).
        private static func readStableBaselinesMembers(_ data: Data, url: URL) throws
            -> (json: [String: Any], weights: TensorDictionary, version: String) {
            let members = try archiveReading { try TorchArchive.members(data, url: url) }
            func member(_ name: String) throws -> Data {
                guard let bytes = try archiveReading({ try members.data(name) }) else {
                    throw CheckpointError(.missingEntry, file: url, "SB3 archive has no \(name) member")
                }
                return bytes
            }
            let json: [String: Any]
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: try member("data")) as? [String: Any] else {
                    throw CheckpointError(.invalidConfiguration, file: url, "SB3 member data is not a JSON object")
                }
                json = parsed
            } catch let error as CheckpointError {
                throw error
            } catch {
                throw CheckpointError(.invalidConfiguration, file: url, "SB3 member data is not valid JSON: \(error.localizedDescription)")
            }
            let policyBytes = try member("policy.pth")
            let state = try archiveReading { try TorchArchive.readStateDict(policyBytes, url: url) }
            let weights = Dictionary(state.map { ($0.key, $0.tensor) }, uniquingKeysWith: { first, _ in first })
            let version = members.names.contains("_stable_baselines3_version")
                ? String(decoding: try member("_stable_baselines3_version"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                : "unknown"
            return (json, weights, version)
        }

        /// Which actor layout the weights hold (the layouts in this extension's doc comment).
        private struct StableBaselinesActor {
            /// Prefixes of the hidden Linear layers, in order.
            var layers: [String]
            /// Prefixes of the output Linear layers (two for a Gaussian: mean and log std).
            var heads: [String]
            var family: PolicyConfiguration.Family
            var output: PolicyConfiguration.ActionOutput
            /// SB3's default `activation_fn` for this policy class.
            var defaultActivation: String
            var algorithm: String

            init(_ weights: TensorDictionary, policyModule: String, url: URL) throws {
                // nn.Sequential(Linear, activation, Linear, …): the Linear layers sit at 0, 2, 4, ….
                func linearIndices(_ prefix: String) -> [String] {
                    Checkpoint.layerIndices(weights, step: 2) { "\(prefix).\($0).weight" }.map { "\(prefix).\($0)" }
                }
                if weights["actor.mu.weight"] != nil, weights["actor.log_std.weight"] != nil {
                    (layers, heads) = (linearIndices("actor.latent_pi"), ["actor.mu", "actor.log_std"])
                    (family, output, defaultActivation) = (.feedForwardGaussian, .tanh, "relu")
                    algorithm = policyModule.contains("tqc") ? "TQC" : "SAC"
                } else if weights["actor.mu.0.weight"] != nil {
                    let all = linearIndices("actor.mu")
                    (layers, heads) = (Array(all.dropLast()), Array(all.suffix(1)))
                    (family, output, defaultActivation, algorithm) = (.feedForwardDeterministic, .tanh, "relu", "TD3/DDPG")
                } else if weights["action_net.weight"] != nil {
                    layers = linearIndices("mlp_extractor.shared_net") + linearIndices("mlp_extractor.policy_net")
                    heads = ["action_net"]
                    (family, output, defaultActivation, algorithm) = (.feedForwardDeterministic, .clip, "tanh", "PPO/A2C")
                } else {
                    throw CheckpointError(.missingEntry, file: url, "SB3 policy.pth holds no known actor (actor.latent_pi/actor.mu for SAC/TQC, actor.mu.k for TD3/DDPG, mlp_extractor.policy_net/action_net for PPO/A2C)")
                }
                guard !layers.isEmpty else { throw CheckpointError(.missingEntry, file: url, "SB3 actor has no hidden layers") }
            }
        }

        /// The actor's torch Linear layers (out, in) as flax Dense layers (in, out) under
        /// `policy/params/Dense_i`, the heads side by side in the last one; `actionShape` is the
        /// action space's shape when `data` gives it.
        private static func stableBaselinesNetwork(_ weights: TensorDictionary, actor: StableBaselinesActor,
                                                   observationSize: Int, actionShape: [Int]?, url: URL) throws
            -> (tensors: TensorDictionary, hiddenSizes: [Int], actionSize: Int) {
            var tensors: TensorDictionary = [:]
            var width = observationSize
            var hidden: [Int] = []
            for (i, prefix) in actor.layers.enumerated() {
                let (kernel, bias) = try linearAsDense(weights, prefix, input: width, url: url)
                tensors["\(feedForwardPrefix)Dense_\(i)/kernel"] = kernel
                tensors["\(feedForwardPrefix)Dense_\(i)/bias"] = bias
                width = bias.count
                hidden.append(width)
            }
            var kernels: [Tensor] = [], biases: [Tensor] = []
            for head in actor.heads {
                let (kernel, bias) = try linearAsDense(weights, head, input: width, url: url)
                kernels.append(kernel)
                biases.append(bias)
            }
            let actionSize = biases[0].count
            guard actionShape == nil || actionShape! == [actionSize], biases.allSatisfy({ $0.count == actionSize }) else {
                throw CheckpointError(.invalidConfiguration, file: url, "SB3 actor outputs \(biases.map(\.count)) values but action_space.shape is \(actionShape ?? [])")
            }
            // Gaussian heads: [mu | log_std] side by side, the layout ff-gaussian expects.
            let outputs = kernels.count * actionSize
            var kernel = [Float](repeating: 0, count: width * outputs)
            for row in 0..<width {
                for (h, k) in kernels.enumerated() {
                    for j in 0..<actionSize { kernel[row * outputs + h * actionSize + j] = k.values[row * actionSize + j] }
                }
            }
            tensors["\(feedForwardPrefix)Dense_\(actor.layers.count)/kernel"] = Tensor(shape: [width, outputs], values: kernel)
            tensors["\(feedForwardPrefix)Dense_\(actor.layers.count)/bias"] = Tensor(shape: [outputs], values: biases.flatMap(\.values))
            return (tensors, hidden, actionSize)
        }

        /// The observation normalization of a `vecnormalize.pkl` found beside the zip (nil when there is
        /// none), with the file's hash and name added to `hashes` and `provenance`.
        private static func stableBaselinesNormalizationBesideZip(_ url: URL, hashes: inout [String: String],
                                                                  provenance: inout [String: String]) throws -> ObservationNormalization? {
            guard let statsURL = stableBaselinesNormalizationURL(for: url) else { return nil }
            let statsData = try readFile(statsURL)
            let normalization = try stableBaselinesNormalization(statsData, url: statsURL)
            let statsSHA = SHA256Digest.hex(statsData)
            // Keyed by its path relative to the zip's folder (`<EnvId>/vecnormalize.pkl` in the
            // zoo's layout), so the file's real path can be recorded.
            let statsName = statsURL.deletingLastPathComponent() == url.deletingLastPathComponent()
                ? statsURL.lastPathComponent : "\(statsURL.deletingLastPathComponent().lastPathComponent)/\(statsURL.lastPathComponent)"
            hashes[statsName] = statsSHA
            provenance["vecnormalize_file"] = statsName
            provenance["vecnormalize_sha256"] = statsSHA
            return normalization
        }

        /// A torch Linear `prefix.weight` (out, in), `prefix.bias` (out,) as a flax kernel (in, out) and bias.
        private static func linearAsDense(_ weights: TensorDictionary, _ prefix: String, input: Int, url: URL) throws -> (Tensor, Tensor) {
            guard let weight = weights["\(prefix).weight"], let bias = weights["\(prefix).bias"] else {
                throw CheckpointError(.missingEntry, file: url, "SB3 policy.pth lacks \(prefix).weight or \(prefix).bias")
            }
            guard weight.shape.count == 2, weight.shape[1] == input, bias.shape == [weight.shape[0]] else {
                throw CheckpointError(.invalidTensor, file: url, "SB3 layer \(prefix) has weight \(weight.shape) and bias \(bias.shape), expected (out, \(input)) and (out,)")
            }
            let out = weight.shape[0]
            var kernel = [Float](repeating: 0, count: input * out)
            for o in 0..<out { for i in 0..<input { kernel[i * out + o] = weight.values[o * input + i] } }
            return (Tensor(shape: [input, out], values: kernel), bias)
        }

        /// `activation_fn` as SB3 writes it into `data` ("<class 'torch.nn.modules.activation.ReLU'>").
        static func stableBaselinesActivation(_ text: String?, default fallback: String, url: URL) throws -> String {
            guard let text else { return fallback }
            let name = text.split(whereSeparator: { ".'<> ".contains($0) }).last.map(String.init) ?? text
            let known = ["ReLU": "relu", "Tanh": "tanh", "ELU": "elu", "Mish": "mish", "SiLU": "swish"]
            guard let activation = known[name] else {
                throw CheckpointError(.unrecognizedFormat, file: url, "SB3 activation_fn \(text) is not supported (ReLU, Tanh, ELU, Mish, SiLU)")
            }
            return activation
        }

        /// The shape of a serialized Box: `shape` (SB3 1.x, gym), else `_shape` (SB3 2.x, gymnasium
        /// keeps it in a private attribute; a JSON list, or its Python repr "(11,)"), else the number
        /// of values in `low` (a NumPy array repr). nil when none is readable.
        static func boxShape(_ space: [String: Any]) -> [Int]? {
            for key in ["shape", "_shape"] {
                if let list = space[key] as? [Int] { return list }
                if let text = space[key] as? String {
                    let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "()[] ")).split(separator: ",")
                        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    let values = parts.compactMap { Int($0) }
                    if values.count == parts.count, !values.isEmpty { return values }
                }
            }
            if let low = space["low"] as? String, !low.contains("...") {
                let parts = low.trimmingCharacters(in: CharacterSet(charactersIn: "[] \n")).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," })
                if !parts.isEmpty, parts.allSatisfy({ Double($0) != nil }) { return [parts.count] }
            }
            return nil
        }

        /// The bound m of a Box action space with low = −m and high = m in every dimension. SB3 2.x
        /// (gymnasium) may store only `low_repr`/`high_repr` (one number when all bounds are equal).
        static func symmetricBound(_ space: [String: Any], url: URL) throws -> Float {
            func numbers(_ key: String) throws -> [Double] {
                guard let text = space[key] as? String ?? space[key + "_repr"] as? String else {
                    throw CheckpointError(.invalidConfiguration, file: url, "SB3 data action_space has no readable \(key)")
                }
                let parts = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] \n")).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," })
                let values = parts.compactMap { Double($0) }
                guard values.count == parts.count, !values.isEmpty else {
                    throw CheckpointError(.invalidConfiguration, file: url, "SB3 data action_space.\(key) \(text.prefix(80)) is not a list of numbers")
                }
                return values
            }
            let low = try numbers("low"), high = try numbers("high")
            guard let m = high.first, m > 0, m.isFinite, high.allSatisfy({ $0 == m }), low.allSatisfy({ $0 == -m }) else {
                throw CheckpointError(.invalidConfiguration, file: url, "SB3 action space [\(low), \(high)] is not a symmetric box [−m, m]; only those are supported")
            }
            return Float(m)
        }

        /// `vecnormalize.pkl` beside the zip, or in the zoo's `<stem>/` folder beside it.
        static func stableBaselinesNormalizationURL(for url: URL) -> URL? {
            let folder = url.deletingLastPathComponent()
            let candidates = [folder.appendingPathComponent("vecnormalize.pkl"),
                              folder.appendingPathComponent(url.deletingPathExtension().lastPathComponent).appendingPathComponent("vecnormalize.pkl")]
            return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
        }

        /// SB3 `VecNormalize` statistics from its pickle (read, never executed): `obs_rms.mean`,
        /// `obs_rms.var` (float64 arrays), `epsilon`, `clip_obs`, `norm_obs`. nil when `norm_obs` is
        /// false (observations pass unchanged).
        public static func stableBaselinesNormalization(_ data: Data, url: URL) throws -> ObservationNormalization? {
            let root: PickleValue
            do {
                root = try PickleReader().read(data)
            } catch let error as PickleError {
                throw CheckpointError(.pickle, file: url, "unreadable VecNormalize pickle: \(error)", pickleError: error)
            }
            func missing(_ what: String) -> CheckpointError {
                CheckpointError(.missingEntry, file: url, "VecNormalize pickle has no \(what)")
            }
            guard let object = root.objectValue, object.className?.hasSuffix("VecNormalize") == true else {
                throw missing("VecNormalize object at the top (found \(kind(root)))")
            }
            if object.attribute("norm_obs")?.boolValue == false { return nil }
            guard let rms = object.attribute("obs_rms")?.objectValue else { throw missing("obs_rms (a RunningMeanStd)") }
            guard let meanArray = rms.attribute("mean")?.arrayValue else { throw missing("obs_rms.mean array") }
            guard let varArray = rms.attribute("var")?.arrayValue else { throw missing("obs_rms.var array") }
            guard let epsilon = object.attribute("epsilon")?.doubleValue else { throw missing("epsilon") }
            guard let clip = object.attribute("clip_obs")?.doubleValue else { throw missing("clip_obs") }
            let mean = try doubles(meanArray, what: "obs_rms.mean", url: url)
            let variance = try doubles(varArray, what: "obs_rms.var", url: url)
            guard mean.count == variance.count, !mean.isEmpty else {
                throw CheckpointError(.invalidTensor, file: url, "obs_rms.mean has \(mean.count) values but obs_rms.var \(variance.count)")
            }
            guard variance.allSatisfy({ $0 >= 0 && $0.isFinite }), mean.allSatisfy(\.isFinite), epsilon >= 0, clip > 0 else {
                throw CheckpointError(.nonFinite, file: url, "VecNormalize statistics must be finite with var ≥ 0, epsilon ≥ 0, clip_obs > 0")
            }
            return .stableBaselines(mean: mean, variance: variance, epsilon: epsilon, clipObs: clip,
                                    source: "\(url.lastPathComponent) (SB3 VecNormalize: sqrt(var + \(epsilon)), clip ±\(clip))")
        }

        /// A 1-D little-endian float64 or float32 numpy array as doubles.
        static func doubles(_ array: PickleArray, what: String, url: URL) throws -> [Double] {
            let order = array.dtype.first, kind = array.dtype.dropFirst()
            guard order == "<" || order == "=", kind == "f8" || kind == "f4", array.shape.count == 1 else {
                throw CheckpointError(.invalidTensor, file: url, "\(what) is a \(array.dtype) array of shape \(array.shape), expected 1-D little-endian float64")
            }
            let size = kind == "f8" ? 8 : 4
            guard array.data.count == array.shape[0] * size else {
                throw CheckpointError(.invalidTensor, file: url, "\(what) has \(array.data.count) bytes for \(array.shape[0]) elements")
            }
            return array.data.withUnsafeBytes { raw in
                (0..<array.shape[0]).map { i in
                    size == 8 ? Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
                        : Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
                }
            }
        }
    }
}
