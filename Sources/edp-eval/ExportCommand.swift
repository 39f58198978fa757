import ArgumentParser
import Checkpoints
import DiffusionPolicy
import Foundation

/// `edp-eval export`: convert any supported checkpoint to the project's `.safetensors` format.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint's weights and configuration as .safetensors.",
        discussion: """
        The output holds every tensor as F32 under its source name (EDP flax paths such as \
        policy/params/base_net/Dense_0/kernel, Diffusion-QL state_dict keys such as model.mid_layer.0.weight), \
        and metadata with the policy configuration (edp_eval.configuration, JSON), the family, the source \
        file's name, format and SHA-256, and EDP's variant. Loading the output gives bit-identical tensors. \
        Feed-forward baselines (ff-deterministic / ff-gaussian npz, Stable-Baselines3 .zip agents) are \
        written in the feed-forward layout policy/params/Dense_i (kernels (in, out)); an SB3 agent's \
        vecnormalize.pkl statistics travel inside the configuration.

        Examples:
          edp-eval export model_final.pkl --output hopper-edp.safetensors
          edp-eval export results/run/actor_2000.pth --output hopper-dql.safetensors
          edp-eval export rl-trained-agents/tqc/Hopper-v3_1/Hopper-v3.zip --output hopper-tqc.safetensors
        """
    )

    @Argument(help: "Checkpoint file or folder.")
    var checkpoint: String

    @Option(name: .shortAndLong, help: "Output .safetensors file.")
    var output: String

    @Flag(help: "Replace the output file if it exists (without it, an existing file is refused).")
    var overwrite = false

    func validate() throws {
        try OutputPath.check(output)
        try OutputPath.refuseExisting([output], overwrite: overwrite)
        try OutputPath.refuseInputs([output], inputs: [("checkpoint", checkpoint)])
    }

    func run() throws {
        let lock = try OutputPath.lock(output, overwrite: overwrite)
        defer { lock.release() }
        let loaded = try Checkpoint.load(URL(fileURLWithPath: checkpoint))
        let destination = URL(fileURLWithPath: output)
        // Written under a temporary name, read back, and only then renamed: an interrupted or
        // failed export never leaves a file under the output's name.
        try OutputPath.createFolder(of: destination)
        let partial = OutputPath.partialName(for: destination)
        defer { try? FileManager.default.removeItem(at: partial) }
        try loaded.export(to: partial)
        let check = try Checkpoint.load(partial)
        guard check.tensors == loaded.tensors, check.configuration == loaded.configuration else {
            throw CLIError.badInput(file: output, reason: "written file does not read back identically")
        }
        try OutputPath.publish(partial, as: destination)
        let parameters = loaded.tensors.values.reduce(0) { $0 + $1.count }
        print("\(output): \(loaded.tensors.count) tensors, \(parameters) values, \(loaded.configuration.family.rawValue) from \(loaded.format.rawValue) \(loaded.url.lastPathComponent) (sha256 \(loaded.sha256))")
    }
}
