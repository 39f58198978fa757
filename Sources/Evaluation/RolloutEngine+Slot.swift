import Environments
import MuJoCo

extension RolloutEngine {
    /// One environment and the episode running in it.
    final class Slot {
        let environment: MuJoCoEnvironment
        var episode: EpisodeID?
        var observation: [Double] = []
        var length = 0
        var end: EpisodeEnd?
        var detail: String?
        var timeToGoal: Int?
        var success = false

        init(environment: MuJoCoEnvironment) { self.environment = environment }

        /// Starts episode `id` (the engine makes its policy stream).
        func begin(_ id: EpisodeID) throws {
            episode = id
            environment.prepareEpisode(id.episode, instanceSeed: id.seed)
            observation = try environment.reset(seed: id.environmentSeed)
            length = 0
            end = nil
            detail = nil
            timeToGoal = nil
            success = false
        }

        /// Steps the environment (called on a worker thread; touches only this slot).
        func advance(action: [Double], dtype: ActionDType) {
            do {
                let result = try environment.step(action, dtype: dtype)
                length += 1
                observation = result.observation
                if result.info.success && timeToGoal == nil {
                    success = true
                    timeToGoal = length
                }
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
            let metrics = environment.episodeMetrics
            // The environment sums the rewards since its reset (and leaves the goal in place).
            let episodeReturn = environment.episodeReturn
            episode = nil
            return EpisodeResult(task: task.id, seed: id.seed, episode: id.episode, return: episodeReturn,
                                 length: length, normalizedScore: task.normalizedScore(return: episodeReturn),
                                 end: end, success: isGoalTask ? success : nil,
                                 timeToGoal: isGoalTask ? timeToGoal : nil, goal: environment.goalPosition,
                                 metrics: metrics.isEmpty ? nil : metrics, detail: detail)
        }
    }
}
