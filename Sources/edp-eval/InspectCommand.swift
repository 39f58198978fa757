import ArgumentParser
import Checkpoints
import DiffusionPolicy
import Evaluation
import Foundation

/// `edp-eval inspect`: what a checkpoint holds and how its policy will act.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a checkpoint: format, family, sizes, schedule, sampler, action selection, parameters, SHA-256.",
        discussion: """
        Accepts EDP model_*.pkl (or a folder holding model_final.pkl), a Diffusion-QL actor_<id>.pth or \
        critic_<id>.pth (the pair is loaded together), .safetensors exports, .npz weights, feed-forward \
        baselines (.safetensors/.npz with an ff-deterministic or ff-gaussian configuration) and \
        Stable-Baselines3 .zip agents (with vecnormalize.pkl beside them when present). The file is \
        read without executing anything; a pickle naming a global real checkpoints do not use (os.system, \
        builtins.eval, pydoc.pipepager, ...) or building a class of its own is reported as an error.

        Examples:
          edp-eval inspect Tests/Fixtures/edp-hopper-42k/model_final.pkl
          edp-eval inspect results/run/actor_2000.pth --json
          edp-eval inspect Tests/Fixtures/sb3-tqc-hopper/Hopper-v3.zip
        """
    )

    @Argument(help: "Checkpoint file or folder.")
    var checkpoint: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// The report, also the `--json` schema.
    struct Report: Encodable {
        var file: String
        var format: String
        var family: String
        var sha256: String
        var fileHashes: [String: String]
        var observationSize: Int
        var actionSize: Int
        /// Diffusion fields: nil for feed-forward baselines.
        var diffusionSteps: Int?
        var schedule: String?
        var sampler: String?
        var dpmSteps: Int?
        var dpmEndTime: Double?
        var actionSelection: String?
        var candidates: Int?
        var maxAction: Float
        var timeEmbeddingSize: Int?
        var policyHiddenSizes: [Int]
        var policyActivation: String
        /// Feed-forward only: "tanh" (max_action·tanh) or "clip".
        var actionOutput: String?
        /// Critic fields: nil for feed-forward baselines (they carry no critics).
        var criticHiddenSizes: [Int]?
        var criticActivation: String?
        var policyLayerNorm: Bool
        var criticLayerNorm: Bool?
        var observationNormalization: ObservationNormalization?
        var parameterCounts: [String: Int]
        var tensorCount: Int
        /// Numbers (epoch, total_steps, …) as JSON numbers, text as strings.
        var provenance: [String: Checkpoint.VariantValue]
        /// The variant's values with their own JSON types.
        var variantHighlights: [String: Checkpoint.VariantValue]

        /// snake_case, like every other JSON file edp-eval writes.
        enum CodingKeys: String, CodingKey {
            case file, format, family, sha256, schedule, sampler, candidates, provenance
            case fileHashes = "file_hashes", observationSize = "observation_size", actionSize = "action_size"
            case diffusionSteps = "diffusion_steps", dpmSteps = "dpm_steps", dpmEndTime = "dpm_t_end"
            case actionSelection = "action_selection", maxAction = "max_action", timeEmbeddingSize = "time_embedding_size"
            case policyHiddenSizes = "policy_hidden_sizes", criticHiddenSizes = "critic_hidden_sizes"
            case criticActivation = "critic_activation", policyLayerNorm = "policy_layer_norm", criticLayerNorm = "critic_layer_norm"
            case parameterCounts = "parameter_counts", tensorCount = "tensor_count", variantHighlights = "variant_highlights"
            case policyActivation = "policy_activation", actionOutput = "action_output"
            case observationNormalization = "observation_normalization"
        }
    }

    /// Variant keys worth showing (docs/edp-inference.md §7): the ones that decide inference, plus what was trained.
    static let highlightKeys = [
        "env", "seed", "algo_cfg.loss_type", "algo_cfg.num_timesteps", "algo_cfg.schedule_name",
        "sample_method", "act_method", "algo_cfg.dpm_steps", "algo_cfg.dpm_t_end", "policy_arch", "qf_arch",
        "activation", "policy_layer_norm", "qf_layer_norm", "obs_norm", "n_epochs", "n_train_step_per_epoch",
    ]

    static func report(_ c: Checkpoint) -> Report {
        let config = c.configuration
        let d = config.diffusionConfiguration, f = config.feedForwardConfiguration
        let dpm = d?.sampler == .dpm ? d : nil
        var highlights: [String: Checkpoint.VariantValue] = [:]
        for key in highlightKeys { if let v = c.variant[key] { highlights[key] = v } }
        // Provenance is stored as text; integers (epoch, total_steps) are given back as numbers.
        let provenance = c.provenance.mapValues { v -> Checkpoint.VariantValue in
            v.allSatisfy(\.isNumber) && v.count <= 18 ? Int(v).map { .int($0) } ?? .string(v) : .string(v)
        }
        return Report(
            file: c.url.path, format: c.format.rawValue, family: config.family.rawValue, sha256: c.sha256,
            fileHashes: c.fileHashes, observationSize: config.observationSize, actionSize: config.actionSize,
            diffusionSteps: d?.diffusionSteps, schedule: d?.schedule.rawValue, sampler: d?.sampler.rawValue,
            dpmSteps: dpm?.dpmSteps, dpmEndTime: dpm?.dpmEndTime,
            actionSelection: d?.actionSelection.rawValue,
            candidates: d.flatMap { $0.actionSelection == .single ? nil : $0.candidates },
            maxAction: config.maxAction, timeEmbeddingSize: d?.timeEmbeddingSize,
            policyHiddenSizes: config.policyHiddenSizes,
            policyActivation: f.map { $0.activation ?? "relu" } ?? "mish",
            actionOutput: f.map { ($0.actionOutput ?? .tanh).rawValue },
            criticHiddenSizes: d?.criticHiddenSizes, criticActivation: d?.criticActivation,
            policyLayerNorm: config.policyLayerNorm, criticLayerNorm: d?.criticLayerNorm,
            observationNormalization: config.observationNormalization,
            parameterCounts: Dictionary(uniqueKeysWithValues: c.parameterCounts.map { ($0.network, $0.count) }),
            tensorCount: c.tensors.count, provenance: provenance, variantHighlights: highlights)
    }

    static func text(_ r: Report) -> String {
        func sizes(_ s: [Int]) -> String { s.map(String.init).joined(separator: "-") }
        func activationName(_ name: String) -> String {
            (try? Activation(name: name)).map { ["mish": "Mish", "relu": "ReLU", "tanh": "Tanh", "swish": "SiLU", "elu": "ELU", "identity": "identity"][$0.rawValue]! } ?? name
        }
        var rows: [(String, String)] = [
            ("file", r.file),
            ("format", r.format),
            ("family", r.family),
            ("sha256", r.sha256),
            ("dimensions", "observation \(r.observationSize), action \(r.actionSize), max action \(r.maxAction)"),
        ]
        if let steps = r.diffusionSteps, let schedule = r.schedule, var sampler = r.sampler, var selection = r.actionSelection {
            if let dpm = r.dpmSteps, let end = r.dpmEndTime { sampler += " (\(dpm) steps, t_end \(end))" }
            if let n = r.candidates { selection += ", N = \(n) candidates, logits min(Q1, Q2)" }
            rows.append(("diffusion", "K = \(steps), \(schedule) schedule, time embedding \(r.timeEmbeddingSize ?? 0)"))
            rows.append(("sampler", sampler))
            rows.append(("selection", selection))
        }
        rows.append(("policy", "hidden \(sizes(r.policyHiddenSizes)), \(activationName(r.policyActivation)), layer norm \(r.policyLayerNorm ? "yes" : "no")"))
        if let output = r.actionOutput {
            let rule = output == "clip" ? "clip(output, ±\(r.maxAction))" : "\(r.maxAction) · tanh(output)"
            rows.append(("action", "\(rule)\(r.family == "ff-gaussian" ? " of the Gaussian mean (deterministic)" : "")"))
        }
        if let critics = r.criticHiddenSizes, let activation = r.criticActivation {
            rows.append(("critics", "hidden \(sizes(critics)), \(activation), layer norm \(r.criticLayerNorm == true ? "yes" : "no")"))
        }
        // As evaluate decides (ObservationStatistics.edpExpectsNormalization): obs_norm counts on
        // the domains whose EDP trainer normalizes (antmaze, …), named by the variant's env.
        var obsNorm = false
        if r.variantHighlights["obs_norm"] == .bool(true), case .string(let env)? = r.variantHighlights["env"] {
            obsNorm = ObservationStatistics.edpNormalizedDomains.contains { env.hasPrefix($0) }
        }
        rows.append(("normalization", r.observationNormalization?.summary ?? (r.family != "edp" ? "none"
            : obsNorm ? "obs_norm = true: (obs − mean) / std of the training dataset, which the checkpoint does not store; evaluate needs --dataset FILE.hdf5 or --observation-stats stats.json"
            : "obs / (1 + 1e-6) (EDP default)")))
        rows.append(("tensors", "\(r.tensorCount)"))
        for (network, count) in r.parameterCounts.sorted(by: { $0.key < $1.key }) {
            rows.append(("parameters", "\(network): \(count)"))
        }
        for (name, hash) in r.fileHashes.sorted(by: { $0.key < $1.key }) where r.fileHashes.count > 1 {
            rows.append(("file sha256", "\(name): \(hash)"))
        }
        for key in ["source_name", "source_sha256", "source_format", "epoch", "total_steps", "sb3_algorithm", "sb3_version",
                    "vecnormalize_file", "vecnormalize_sha256"] {
            if let v = r.provenance[key] { rows.append(("provenance", "\(key) = \(v)")) }
        }
        for key in highlightKeys { if let v = r.variantHighlights[key] { rows.append(("variant", "\(key) = \(v)")) } }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n")
    }

    func run() throws {
        let loaded = try Checkpoint.load(URL(fileURLWithPath: checkpoint))
        let report = Self.report(loaded)
        print(json ? try JSONText.encode(report, pretty: true) : Self.text(report))
    }
}
