import Foundation

extension EvaluationReport {
    /// Tasks (per policy) where more than half of the episodes ended `unstable` or `error`: a
    /// policy that cannot act on most episodes gives no score worth reporting as a success
    /// (`evaluate` exits with status 1 for them, docs/evaluate.md "evaluate").
    public var mostlyFailedTasks: [TaskReport] {
        tasks.filter { t in 2 * ((t.ends["unstable"] ?? 0) + (t.ends["error"] ?? 0)) > t.episodes.count }
    }
}
