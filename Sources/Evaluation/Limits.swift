/// Sizes a run may ask for, in one place: the command line refuses more before any work (usage
/// errors, exit 64), and reports that record more are refused when read.
public enum Limits {
    /// Episodes of one (task, policy) group, E × K: results are kept in memory (about 200 bytes
    /// each) and a million 1000-step episodes is already ~10^9 environment steps.
    public static let episodesPerGroup = 1_000_000
    /// Worker threads: no machine has more hardware threads than this.
    public static let threads = 4096
    /// Environments in flight (`--environments`): each one is a MuJoCo model and data plus a batch
    /// row; far beyond any useful batch (the default stops at `EvaluationPlan.maximumDefaultWidth`)
    /// and beyond what memory holds for large tasks.
    public static let environments = 10_000
    /// Environment steps of a speed benchmark: a billion steps is days of physics alone; more is a typo.
    public static let benchmarkTransitions = 1_000_000_000
    /// Bootstrap resamples of `aggregate` (rliable's intervals): fewer are too noisy, more only cost time.
    public static let bootstrapRepetitions = 100...1_000_000
}
