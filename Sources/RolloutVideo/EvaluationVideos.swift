import Environments
import Evaluation
import Foundation
import MuJoCo
import Rendering

/// Videos of the first episodes of each (task, policy) group while `EvaluationRunner` evaluates
/// (`evaluate --video K`): hand `observerFactory` and `finish` to `EvaluationRunner.run`. One
/// `EpisodeVideoRecorder` per group, created when the group's rollouts start; with several
/// policies, file names carry the policy's position (`<task>-policy2-seed0-ep0.mp4`).
public final class EvaluationVideos {
    /// Folder the videos are written to.
    public let directory: URL
    public let options: RecordingOptions
    /// Episodes recorded per group: the first `count` in (seed, episode) order.
    public let count: Int
    private let firstSeed: UInt64
    private let episodesPerSeed: UInt64
    private let policyCount: Int
    private let physics: MuJoCoPhysics
    /// Groups run one after another, so the episodes finishing belong to the recorder of the
    /// group that started last.
    private var current: EpisodeVideoRecorder?

    /// - Parameters:
    ///   - firstSeed, episodesPerSeed: the run's first seed and episodes per seed, which order
    ///     the episodes (seed, then episode).
    ///   - policyCount: policies in the run; above 1, file names are tagged `policy<i>`.
    public init(directory: URL, options: RecordingOptions, count: Int, firstSeed: UInt64, episodesPerSeed: Int, policyCount: Int,
                physics: MuJoCoPhysics) {
        self.physics = physics
        self.directory = directory
        self.options = options
        self.count = count
        self.firstSeed = firstSeed
        self.episodesPerSeed = UInt64(episodesPerSeed)
        self.policyCount = policyCount
    }

    /// The observer of a (task, policy) group; `policyIndex` is the policy's position in the run.
    public func observer(task: TaskSpec, policyIndex: Int) throws -> (EpisodeID, Int, MuJoCoEnvironment) throws -> Void {
        let (firstSeed, perSeed, count) = (firstSeed, episodesPerSeed, UInt64(count))
        let recorder = try EpisodeVideoRecorder(task: task, physics: physics, directory: directory, options: options,
                                                fileTag: policyCount > 1 ? "policy\(policyIndex + 1)" : nil, shouldRecord: { id in
            (id.seed - firstSeed) * perSeed + UInt64(id.episode) < count
        })
        current = recorder
        return recorder.observe
    }

    /// Closes a finished episode's files; nil for an episode of another task than the current group's.
    public func finish(_ result: EpisodeResult) throws -> RecordedFiles? {
        guard let recorder = current, recorder.task.id == result.task else { return nil }
        return try recorder.finish(id: result.id, result: result)
    }
}
