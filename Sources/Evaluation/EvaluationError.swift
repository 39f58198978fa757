/// Errors of the evaluation layer, each naming what was expected.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case dimensionMismatch(task: String, observation: Int, action: Int, policyObservation: Int, policyAction: Int)
    case invalidShard(String)
    case resumeMismatch(file: String, reason: String)
    case mergeMismatch(file: String, reason: String)
    /// A report whose content breaks what edp-eval writes (a field out of range, a malformed value).
    case invalidReport(file: String, reason: String)
    /// Merging reports that do not cover their sweep; the text says what is missing.
    case incompleteSweep(String)
    case badTable(file: String, line: Int, reason: String)
    /// Another run holds the output's lock (`owner`: its PID, host and start time).
    case outputInUse(file: String, owner: String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let task, let o, let a, let po, let pa):
            return "the policy expects observations of \(po) and produces actions of \(pa), but \(task) has observations of \(o) and actions of \(a)"
        case .invalidShard(let text):
            return "invalid shard '\(text)': expected i/n with 1 ≤ i ≤ n, e.g. 2/8"
        case .resumeMismatch(let file, let reason):
            return "cannot resume from \(file): \(reason)"
        case .mergeMismatch(let file, let reason):
            return "cannot merge \(file): \(reason)"
        case .invalidReport(let file, let reason):
            return "\(file): not a valid edp-eval report: \(reason)"
        case .incompleteSweep(let explanation):
            return "the sweep is incomplete: " + explanation
        case .badTable(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        case .outputInUse(let file, let owner):
            return "\(file): the output is in use by \(owner); wait for that run to end (the lock is released when it exits)"
        }
    }
}
