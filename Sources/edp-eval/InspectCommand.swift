import ArgumentParser
import DiffusionPolicy
import Foundation

/// `edp-eval inspect`: what a checkpoint holds and how its policy will act.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a checkpoint: format, family, sizes, schedule, sampler, action selection, parameters, SHA-256.",
        discussion: """
        Accepts EDP model_*.pkl (or a folder holding model_final.pkl), a Diffusion-QL actor_<id>.pth or
        critic_<id>.pth (the pair is loaded together), .safetensors exports and .npz weights. The file is
        read without executing anything; a pickle naming a global real checkpoints do not use (os.system,
        builtins.eval, pydoc.pipepager, ...) or building a class of its own is reported as an error.

        Examples:
          edp-eval inspect Tests/Fixtures/edp-hopper-42k/model_final.pkl
          edp-eval inspect results/run/actor_2000.pth --json
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
        var diffusionSteps: Int
        var schedule: String
        var sampler: String
        var dpmSteps: Int?
        var dpmEndTime: Double?
        var actionSelection: String
        var candidates: Int?
        var maxAction: Float
        var timeEmbeddingSize: Int
        var policyHiddenSizes: [Int]
        var criticHiddenSizes: [Int]
        var criticActivation: String
        var policyLayerNorm: Bool
        var criticLayerNorm: Bool
        var parameterCounts: [String: Int]
        var tensorCount: Int
        var provenance: [String: String]
        var variantHighlights: [String: String]

        /// snake_case, like every other JSON file edp-eval writes.
        enum CodingKeys: String, CodingKey {
            case file, format, family, sha256, schedule, sampler, candidates, provenance
            case fileHashes = "file_hashes", observationSize = "observation_size", actionSize = "action_size"
            case diffusionSteps = "diffusion_steps", dpmSteps = "dpm_steps", dpmEndTime = "dpm_t_end"
            case actionSelection = "action_selection", maxAction = "max_action", timeEmbeddingSize = "time_embedding_size"
            case policyHiddenSizes = "policy_hidden_sizes", criticHiddenSizes = "critic_hidden_sizes"
            case criticActivation = "critic_activation", policyLayerNorm = "policy_layer_norm", criticLayerNorm = "critic_layer_norm"
            case parameterCounts = "parameter_counts", tensorCount = "tensor_count", variantHighlights = "variant_highlights"
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
        let usesDPM = config.sampler == .dpm
        var highlights: [String: String] = [:]
        for key in highlightKeys { if let v = c.variant[key] { highlights[key] = v.description } }
        return Report(
            file: c.url.path, format: c.format.rawValue, family: config.family.rawValue, sha256: c.sha256,
            fileHashes: c.fileHashes, observationSize: config.observationSize, actionSize: config.actionSize,
            diffusionSteps: config.diffusionSteps, schedule: config.schedule.rawValue, sampler: config.sampler.rawValue,
            dpmSteps: usesDPM ? config.dpmSteps : nil, dpmEndTime: usesDPM ? config.dpmEndTime : nil,
            actionSelection: config.actionSelection.rawValue,
            candidates: config.actionSelection == .single ? nil : config.candidates,
            maxAction: config.maxAction, timeEmbeddingSize: config.timeEmbeddingSize,
            policyHiddenSizes: config.policyHiddenSizes, criticHiddenSizes: config.criticHiddenSizes,
            criticActivation: config.criticActivation, policyLayerNorm: config.policyLayerNorm,
            criticLayerNorm: config.criticLayerNorm,
            parameterCounts: Dictionary(uniqueKeysWithValues: c.parameterCounts.map { ($0.network, $0.count) }),
            tensorCount: c.tensors.count, provenance: c.provenance, variantHighlights: highlights)
    }

    static func text(_ r: Report) -> String {
        func sizes(_ s: [Int]) -> String { s.map(String.init).joined(separator: "-") }
        var sampler = r.sampler
        if let steps = r.dpmSteps, let end = r.dpmEndTime { sampler += " (\(steps) steps, t_end \(end))" }
        var selection = r.actionSelection
        if let n = r.candidates { selection += ", N = \(n) candidates, logits min(Q1, Q2)" }
        var rows: [(String, String)] = [
            ("file", r.file),
            ("format", r.format),
            ("family", r.family),
            ("sha256", r.sha256),
            ("dimensions", "observation \(r.observationSize), action \(r.actionSize), max action \(r.maxAction)"),
            ("diffusion", "K = \(r.diffusionSteps), \(r.schedule) schedule, time embedding \(r.timeEmbeddingSize)"),
            ("sampler", sampler),
            ("selection", selection),
            ("policy", "hidden \(sizes(r.policyHiddenSizes)), Mish, layer norm \(r.policyLayerNorm ? "yes" : "no")"),
            ("critics", "hidden \(sizes(r.criticHiddenSizes)), \(r.criticActivation), layer norm \(r.criticLayerNorm ? "yes" : "no")"),
            ("tensors", "\(r.tensorCount)"),
        ]
        for (network, count) in r.parameterCounts.sorted(by: { $0.key < $1.key }) {
            rows.append(("parameters", "\(network): \(count)"))
        }
        for (name, hash) in r.fileHashes.sorted(by: { $0.key < $1.key }) where r.fileHashes.count > 1 {
            rows.append(("file sha256", "\(name): \(hash)"))
        }
        for key in ["source_name", "source_sha256", "source_format", "epoch", "total_steps"] {
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
