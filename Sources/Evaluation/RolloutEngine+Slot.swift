import Environments
import MuJoCo

extension RolloutEngine {
    /// One environment and the episode running in it.
    final class Slot {
        let environment: MuJoCoEnvironment
        /// The slot's row of the batch's observations (`rows`): the environment writes each
        /// observation straight into it.
        let observation: UnsafeMutableBufferPointer<Double>
        /// The rows' owner, kept alive as long as the slot.
        private let rows: ObservationRows
        var episode: EpisodeID?
        var length = 0
        var end: EpisodeEnd?
        var detail: String?

        init(environment: MuJoCoEnvironment, rows: ObservationRows, index: Int) {
            self.environment = environment
            self.rows = rows
            self.observation = rows.row(index)
        }

        /// Starts episode `id` (the engine makes its policy stream).
        func begin(_ id: EpisodeID) throws {
            episode = id
            environment.prepareEpisode(id.episode, instanceSeed: id.seed)
            try environment.reset(seed: id.environmentSeed, observationInto: observation)
            length = 0
            end = nil
            detail = nil
        }

        /// Steps the environment (called on a worker thread; touches only this slot).
        func advance(action: [Double], dtype: ActionDType) {
            do {
                let result = try environment.step(action, dtype: dtype, observationInto: observation)
                length += 1
                if let instability = result.instability {
                    end = .unstable
                    detail = instability.description
                } else if result.terminated {
                    end = .terminated
                } else if result.truncated {
                    end = .truncated
                }
            } catch {
                length += 1
                end = .error
                detail = "\(error)"
            }
        }

        /// The result if the episode just ended (and frees the slot), else nil.
        func finishedResult() -> EpisodeResult? {
            guard let end, let id = episode else { return nil }
            let task = environment.task
            let isGoalTask = environment.descriptor.reportsGoalSuccess
            // The environment records the first step that reached the goal (its step count, this
            // slot's length at that step).
            let timeToGoal = environment.successStep
            let metrics = environment.episodeMetrics
            // The environment sums the rewards since its reset (and leaves the goal in place).
            let episodeReturn = environment.episodeReturn
            episode = nil
            return EpisodeResult(task: task.id, seed: id.seed, episode: id.episode, return: episodeReturn,
                                 length: length, normalizedScore: task.normalizedScore(return: episodeReturn),
                                 end: end, success: isGoalTask ? timeToGoal != nil : nil,
                                 timeToGoal: isGoalTask ? timeToGoal : nil, goal: environment.goalPosition,
                                 metrics: metrics.isEmpty ? nil : metrics, detail: detail)
        }
    }
}

extension RolloutEngine {
    /// The batch's observation rows, one per slot (row-major, `rowLength` values each), in memory
    /// that stays put for the run, so each environment writes its row from its worker thread.
    final class ObservationRows {
        let rowLength: Int
        let storage: UnsafeMutableBufferPointer<Double>

        init(rows: Int, rowLength: Int) {
            self.rowLength = rowLength
            storage = .allocate(capacity: rows * rowLength)
            storage.initialize(repeating: 0)
        }

        deinit { storage.deallocate() }

        /// Row `index`.
        func row(_ index: Int) -> UnsafeMutableBufferPointer<Double> {
            UnsafeMutableBufferPointer(rebasing: storage[(index * rowLength)..<((index + 1) * rowLength)])
        }
    }
}
