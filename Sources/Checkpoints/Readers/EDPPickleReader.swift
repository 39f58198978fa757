import DiffusionPolicy
import Digests
import Foundation
import TensorArchives

/// EDP `model_*.pkl` (docs/edp-inference.md §5.1): a cloudpickle of `{"agent": DiffusionQL, "variant": dict, "epoch": int}`.
///
/// Structure found in the real files (sail-sg/edp b019648, jax 0.4.20, flax 0.7.5):
/// - `agent` is `NEWOBJ(diffusion.dql.DiffusionQL)` + BUILD with its `__dict__`: `config`
///   (ml_collections ConfigDict), `policy`/`qf`/`vf`/`policy_dist` (flax modules), `observation_dim`,
///   `action_dim`, `max_action`, `diffusion` (`diffusion.diffusion.GaussianDiffusion`, whose
///   `__dict__` holds the schedule as JAX arrays), `_total_steps`, `_train_states`, `_tgt_params`,
///   `_model_keys`.
/// - `_train_states` is a dict `policy | policy_dist | qf1 | qf2 | vf` → `NEWOBJ(flax.training.
///   train_state.TrainState)` + BUILD `{step, apply_fn: None, params, tx, opt_state}`. `tx` holds optax
///   closures pickled by value (cloudpickle `_make_function` + code objects), `opt_state` optax
///   namedtuples (`ScaleByAdamState`, `EmptyState`).
/// - `params` is a plain dict (flax 0.7.5 no longer uses FrozenDict by default) `{"params": {...}}`;
///   every leaf is `jax._src.array._reconstruct_array(numpy.core.multiarray._reconstruct,
///   (ndarray, (0,), b'b'), (1, shape, dtype('f4') with '<', False, raw bytes), {'weak_type': False})`.
///
/// The tensors produced: `<policy|qf1|qf2>/` + the flax path joined by '/', e.g.
/// `policy/params/base_net/Dense_0/kernel` (the keys of EDP's own `params.npz` export), plus
/// `diffusion/<name>` for every float32 array of the GaussianDiffusion (`betas`, `alphas_cumprod`,
/// `posterior_mean_coef1`, ...).
extension Checkpoint {
    /// EDP `model_*.pkl`, see above.
    public enum EDPPickleReader: CheckpointReader {
        public static let format = Format.edpPickle

        public static func matches(_ probe: CheckpointProbe) -> Bool {
            probe.isSupportedPickle
        }

        static let edpNetworks = ["policy", "qf1", "qf2"]

        public static func read(data: Data, url: URL) throws -> Checkpoint {
            let root: PickleValue
            do {
                root = try PickleReader().read(data)
            } catch let error as PickleError {
                throw CheckpointError(.pickle, file: url, "unreadable pickle: \(error)", pickleError: error)
            }
            let contents = try edpContents(root, url: url)
            let sha = SHA256Digest.hex(data)
            var provenance = [
                "source_format": Format.edpPickle.rawValue,
                "source_name": url.lastPathComponent,
                "source_sha256": sha,
                "agent_class": contents.agentClass,
            ]
            if let epoch = contents.epoch { provenance["epoch"] = String(epoch) }
            if let steps = contents.totalSteps { provenance["total_steps"] = String(steps) }
            let configuration = try edpConfiguration(contents.tensors, variant: contents.variant,
                                                     maxAction: contents.maxAction, url: url)
            if let o = contents.observationDim, o != configuration.observationSize {
                throw CheckpointError(.invalidConfiguration, file: url, "agent.observation_dim is \(o) but the weights imply \(configuration.observationSize)")
            }
            if let a = contents.actionDim, a != configuration.actionSize {
                throw CheckpointError(.invalidConfiguration, file: url, "agent.action_dim is \(a) but the weights imply \(configuration.actionSize)")
            }
            try validate(configuration, contents.tensors, url: url)
            return Checkpoint(url: url, format: .edpPickle, sha256: sha, fileHashes: [url.lastPathComponent: sha],
                              configuration: configuration, tensors: contents.tensors,
                              provenance: provenance, variant: contents.variant)
        }

        struct EDPContents {
            var tensors: TensorDictionary
            var variant: [String: VariantValue]
            var epoch: Int?
            var totalSteps: Int?
            var observationDim: Int?
            var actionDim: Int?
            var maxAction: Float
            var agentClass: String
        }

        /// Walks the unpickled value tree to the parameters, schedule and variant.
        static func edpContents(_ root: PickleValue, url: URL) throws -> EDPContents {
            func missing(_ what: String) -> CheckpointError {
                CheckpointError(.missingEntry, file: url, "EDP pickle has no \(what)")
            }
            guard case .dict = root else { throw missing("top-level dict (found \(kind(root)))") }
            guard let agentValue = root["agent"] else { throw missing("\"agent\" entry") }
            guard let agent = agentValue.objectValue else { throw missing("agent object (found \(kind(agentValue)))") }
            guard let trainStates = agent.attribute("_train_states") else { throw missing("agent._train_states") }
            var tensors: TensorDictionary = [:]
            for network in edpNetworks {
                guard let state = trainStates[network] else { throw missing("agent._train_states['\(network)']") }
                let params: PickleValue?
                if let object = state.objectValue {
                    params = object.attribute("params") ?? object.keywordArguments.first { $0.key == .string("params") }?.value
                } else {
                    params = state["params"]
                }
                guard let params else { throw missing("agent._train_states['\(network)'].params") }
                try flatten(params, path: network, into: &tensors, url: url)
            }
            let diffusion = agent.attribute("diffusion")?.objectValue
                ?? agent.attribute("policy")?.objectValue?.attribute("diffusion")?.objectValue
            if let diffusion, case .dict(let entries)? = diffusion.state {
                for entry in entries {
                    guard let name = entry.key.stringValue, let array = entry.value.arrayValue,
                          array.dtype.hasSuffix("f4"), array.shape.count == 1 else { continue }
                    do {
                        tensors["diffusion/\(name)"] = try array.float32Tensor()
                    } catch {
                        throw CheckpointError(.invalidTensor, file: url, "agent.diffusion.\(name): \(error)")
                    }
                }
            }
            var variant: [String: VariantValue] = [:]
            if let entries = root["variant"]?.dictEntries {
                for entry in entries {
                    guard let key = entry.key.stringValue else { continue }
                    switch entry.value {
                    case .string(let s): variant[key] = .string(s)
                    case .int(let i): variant[key] = .int(i)
                    case .float(let d): variant[key] = .double(d)
                    case .bool(let b): variant[key] = .bool(b)
                    case .none: variant[key] = .null
                    case .array(let a) where a.shape.isEmpty:
                        // numpy scalars (e.g. a float64 flag value)
                        if a.dtype.hasSuffix("f8"), a.data.count == 8 {
                            let raw = a.data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                            variant[key] = .double(Double(bitPattern: UInt64(littleEndian: raw)))
                        } else {
                            variant[key] = .string("<numpy \(a.dtype) scalar>")
                        }
                    default:
                        variant[key] = .string("<\(kind(entry.value))>")
                    }
                }
            }
            return EDPContents(
                tensors: tensors, variant: variant, epoch: root["epoch"]?.intValue,
                totalSteps: agent.attribute("_total_steps")?.intValue,
                observationDim: agent.attribute("observation_dim")?.intValue,
                actionDim: agent.attribute("action_dim")?.intValue,
                maxAction: Float(agent.attribute("max_action")?.doubleValue ?? 1),
                agentClass: agent.className ?? "?")
        }

        /// Flattens a (possibly nested) dict of arrays into `path/key/...` tensors.
        static func flatten(_ value: PickleValue, path: String, into tensors: inout TensorDictionary, url: URL) throws {
            switch value {
            case .dict(let entries):
                for entry in entries {
                    guard let key = entry.key.stringValue else {
                        throw CheckpointError(.invalidTensor, file: url, "parameter tree \(path) has a non-string key \(kind(entry.key))")
                    }
                    try flatten(entry.value, path: "\(path)/\(key)", into: &tensors, url: url)
                }
            case .array(let array):
                do {
                    tensors[path] = try array.float32Tensor()
                } catch {
                    throw CheckpointError(.invalidTensor, file: url, "parameter \(path): \(error)")
                }
            default:
                throw CheckpointError(.invalidTensor, file: url, "parameter \(path) is \(kind(value)), not an array")
            }
        }
    }
}
