import Checkpoints
import Environments

/// The task a checkpoint says it was trained on: EDP's variant `env` (docs/checkpoints.md). The one
/// reading of it for `evaluate`/`record` without `--task` and for `bench`'s default task; each
/// caller words its own refusal.
public enum CheckpointTask {
    /// The checkpoint names a task the registry does not know.
    public struct Unknown: Error {
        /// The variant's `env` value.
        public let name: String
        /// The registry's refusal.
        public let reason: any Error
    }

    /// The task named by the variant's `env`; nil when the checkpoint names none.
    public static func named(by checkpoint: Checkpoint, registry: TaskRegistry) throws(Unknown) -> TaskSpec? {
        guard case .string(let env)? = checkpoint.variant["env"] else { return nil }
        do {
            return try registry.task(env)
        } catch {
            throw Unknown(name: env, reason: error)
        }
    }
}
