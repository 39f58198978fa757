import Datasets
import Environments
import Foundation
import MuJoCo

extension DatasetSummary {
    /// The summary of `dataset`; with a task, the observation and action widths must match it and
    /// returns are also given as D4RL normalized scores.
    public init(_ dataset: D4RLDataset, task: TaskSpec?) throws {
        if let task { try DatasetTaskCheck.requireCompatible(dataset, task: task, physics: task.sourcePhysics) }
        let normalize: ((Double) -> Double)? = task.flatMap { task in
            task.hasReferenceScores ? { task.normalizedScore(return: $0)! } : nil
        }
        try self.init(dataset, task: task?.id, normalizedScore: normalize)
    }
}

/// Checks that a dataset's widths fit a task's environment.
public enum DatasetTaskCheck {
    public static func requireCompatible(_ dataset: D4RLDataset, task: TaskSpec, physics: MuJoCoPhysics) throws {
        let env = try EnvironmentFactory.make(task: task, physics: physics)
        guard dataset.observationSize == env.observationSize else {
            throw DatasetError(file: dataset.url, key: "observations", "rows have \(dataset.observationSize) values but \(task.id) observations have \(env.observationSize)")
        }
        guard dataset.actionSize == env.actionSize else {
            throw DatasetError(file: dataset.url, key: "actions", "rows have \(dataset.actionSize) values but \(task.id) actions have \(env.actionSize)")
        }
    }
}
