/// One group of a run's episodes: a task and a policy, as reports name them (`TaskReport.task`, the
/// policy's label `TaskReport.policy`). Replaces strings like "task|policy", which two different
/// pairs could share when a name holds a "|".
public struct GroupKey: Hashable, Sendable {
    /// The task id.
    public var task: String
    /// The policy's label.
    public var policy: String

    public init(task: String, policy: String) {
        self.task = task
        self.policy = policy
    }
}
