import Foundation

/// An episode log that cannot be resumed as it is, for a reason the user settles by changing the
/// run or the log. edp-eval's `CommandLineWording` names the flags in the message it prints.
public enum EpisodeLogConflict: Error, CustomStringConvertible, Equatable {
    /// The log was written on another MuJoCo build (`recorded`, `current`: version strings).
    case otherPhysics(file: String, recorded: String, current: String)
    /// Line `line` (1-based) records an episode the run's plan cannot hold (`problem`, in words).
    case foreignEpisode(file: String, line: Int, problem: String)
    /// Two lines (1-based, in file order) record one episode with different results.
    case differentResults(file: String, lines: [Int], episode: Int, seed: UInt64, task: String, policy: String)

    /// The log file.
    public var file: String {
        switch self {
        case .otherPhysics(let file, _, _), .foreignEpisode(let file, _, _), .differentResults(let file, _, _, _, _, _): return file
        }
    }

    /// What is wrong, without the remedy.
    public var problem: String {
        switch self {
        case .otherPhysics(_, let recorded, let current):
            return "it was run on MuJoCo \(recorded) and this run uses MuJoCo \(current)"
        case .foreignEpisode(_, let line, let problem):
            return "line \(line): \(problem)"
        case .differentResults(_, let lines, let episode, let seed, let task, let policy):
            return "lines \(lines.map(String.init).joined(separator: " and ")) record episode \(episode) of seed \(seed) of \(task) × \(policy) with different results"
        }
    }

    public var description: String {
        switch self {
        case .otherPhysics(_, let recorded, _):
            return "cannot resume from \(file): \(problem); resume on MuJoCo \(recorded), or start a new run"
        case .foreignEpisode:
            return "cannot resume from \(file): \(problem); remove that line or start a new run"
        case .differentResults:
            return "cannot resume from \(file): \(problem); remove the wrong one or start a new run"
        }
    }
}
