import ArgumentParser
import Datasets
import Environments
import Foundation

/// `edp-eval dataset`: D4RL dataset files (HDF5). Only groups its subcommands.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect D4RL .hdf5 datasets and check them against the simulator.",
        discussion: """
        Examples:
          edp-eval dataset info --dataset ~/.d4rl/datasets/hopper_medium-v2.hdf5 --task hopper-medium-v2
          edp-eval dataset check --task hopper-medium-v2 --dataset ~/.d4rl/datasets/hopper_medium-v2.hdf5 --output check.json
        """,
        subcommands: [DatasetInfoCommand.self, DatasetCheckCommand.self]
    )
}

/// Shared by the dataset subcommands: bad input becomes a message on stderr and exit code 64.
enum DatasetInput {
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("Error: \(CommandLineWording.message(for: error))\n".utf8))
            throw ExitCode(64)
        }
    }

    static func open(_ path: String) throws -> D4RLDataset {
        try D4RLDataset(url: URL(fileURLWithPath: path))
    }

    static func task(_ id: String) throws -> TaskSpec {
        try TaskRegistry.standard().task(id)
    }
}
