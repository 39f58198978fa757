import Foundation

/// What a set of reports lacks against the sweep plans they record: the shards of which no
/// report was given, and every sweep item (task, policy, seed) with episodes missing.
///
/// Each report's provenance records its whole sweep (tasks, policies and seeds in order,
/// episodes per seed, and `shard` i/n), so every report knows all the episodes of its sweep and,
/// via `Shard`, which shard each item belongs to. Reports of separate runs (no shard) expect only
/// their own plan's episodes.
public struct SweepGaps: Equatable, Sendable {
    /// One sweep item with missing episodes.
    public struct Item: Codable, Equatable, Sendable {
        public var task: String
        public var policy: String
        public var seed: UInt64
        /// Missing episode indices (0-based, ascending).
        public var episodes: [Int]
        /// The shard (i/n) that runs this item; nil for an unsharded plan.
        public var shard: String?
    }

    /// Shards (i/n) of a sharded sweep of which no report was given, in shard order.
    public var missingShards: [String]
    /// Items with missing episodes, in sweep order.
    public var items: [Item]
    /// Episodes the plans call for, and how many of them the reports hold.
    public var expectedEpisodes: Int
    public var presentEpisodes: Int

    public var isComplete: Bool { items.isEmpty }

    /// Checks the plan a report records before its gaps are computed: episodes per seed at least 1
    /// and at most `Limits.episodesPerGroup` (evaluate's own limit, E × K) over all its seeds, and a shard written i/n with
    /// 1 ≤ i ≤ n. A report edited by hand or written by something else can break these.
    /// - Throws: `EvaluationError.invalidReport` naming `file` and the field.
    public static func checkPlan(of report: EvaluationReport, file: String) throws {
        let p = report.provenance
        guard p.episodesPerSeed >= 1 else {
            throw EvaluationError.invalidReport(file: file, reason: "provenance.episodes_per_seed is \(p.episodesPerSeed); expected an integer ≥ 1")
        }
        let (total, overflow) = p.episodesPerSeed.multipliedReportingOverflow(by: max(1, p.seeds.count))
        guard !overflow, total <= Limits.episodesPerGroup else {
            throw EvaluationError.invalidReport(file: file, reason: "provenance.episodes_per_seed \(p.episodesPerSeed) × \(p.seeds.count) seeds is more than \(Limits.episodesPerGroup) episodes per task and policy (evaluate's limit)")
        }
        if let shard = p.shard, (try? Shard(shard)) == nil {
            throw EvaluationError.invalidReport(file: file, reason: "provenance.shard is '\(shard)'; expected i/n with 1 ≤ i ≤ n, e.g. 2/8")
        }
    }

    /// The gaps of `reports` against the plans they record (checked first with `checkPlan`: an
    /// invalid shard is read as no shard, episodes per seed below 0 as 0).
    public init(_ reports: [EvaluationReport]) {
        var present: [GroupKey: Set<EpisodeID>] = [:]
        for report in reports {
            for task in report.tasks { present[GroupKey(task: task.task, policy: task.policy), default: []].formUnion(task.episodes.map(\.id)) }
        }
        struct PlanKey: Hashable { var tasks: [String]; var policies: [String]; var seeds: [UInt64]; var episodes: Int; var shards: Int }
        var plans: [PlanKey] = [], shardsGiven: [PlanKey: Set<Int>] = [:]
        for report in reports {
            let p = report.provenance
            let tasks = p.tasks ?? report.tasks.map(\.task).uniqued()
            let policies = p.policies?.map(\.label) ?? report.tasks.map(\.policy).uniqued()
            let shard = p.shard.flatMap { try? Shard($0) }
            let key = PlanKey(tasks: tasks, policies: policies, seeds: p.seeds, episodes: max(0, p.episodesPerSeed), shards: shard?.count ?? 0)
            if !plans.contains(key) { plans.append(key) }
            if let shard { shardsGiven[key, default: []].insert(shard.index) }
        }
        var expected: [(task: String, policy: String, seed: UInt64, episodes: Int, shard: String?)] = []
        struct ItemKey: Hashable { var group: GroupKey; var seed: UInt64 }
        var seenItems = Set<ItemKey>()
        var missingShards: [String] = []
        for plan in plans {
            // A shard is missing when it owns items of the plan and no report of it was given (one
            // that owns none has nothing to lose): found from the items, not by counting up to n,
            // so the work follows the sweep's size, not the shard count a report claims.
            var k = 0
            for task in plan.tasks {
                for policy in plan.policies {
                    for seed in plan.seeds {
                        let index = plan.shards > 0 ? k % plan.shards + 1 : 0
                        let shard = plan.shards > 0 ? "\(index)/\(plan.shards)" : nil
                        k += 1
                        if let shard, !(shardsGiven[plan]?.contains(index) ?? false), !missingShards.contains(shard) {
                            missingShards.append(shard)
                        }
                        guard seenItems.insert(ItemKey(group: GroupKey(task: task, policy: policy), seed: seed)).inserted else { continue }
                        expected.append((task, policy, seed, plan.episodes, shard))
                    }
                }
            }
        }
        var items: [Item] = []
        var expectedCount = 0, presentCount = 0
        for e in expected {
            let have = present[GroupKey(task: e.task, policy: e.policy)] ?? []
            let missing = (0..<e.episodes).filter { !have.contains(EpisodeID(seed: e.seed, episode: $0)) }
            expectedCount += e.episodes
            presentCount += e.episodes - missing.count
            if !missing.isEmpty { items.append(Item(task: e.task, policy: e.policy, seed: e.seed, episodes: missing, shard: e.shard)) }
        }
        self.missingShards = missingShards.sorted { Self.shardOrder($0) < Self.shardOrder($1) }
        self.items = items
        expectedEpisodes = expectedCount
        presentEpisodes = presentCount
    }

    private static func shardOrder(_ label: String) -> (Int, Int) {
        let s = try? Shard(label)
        return (s?.count ?? 0, s?.index ?? 0)
    }

    /// Several lines: what is missing, shard by shard, naming tasks, policies, seeds and episodes.
    public var explanation: String {
        var lines = ["\(expectedEpisodes - presentEpisodes) of \(expectedEpisodes) episodes of the sweep are missing"]
        for shard in missingShards {
            let mine = items.filter { $0.shard == shard }
            lines.append("  shard \(shard): no report given (its items: " + mine.map(Self.describe).joined(separator: "; ") + ")")
        }
        for item in items where !(item.shard.map(missingShards.contains) ?? false) {
            lines.append("  " + Self.describe(item) + (item.shard.map { " (shard \($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ item: Item) -> String {
        "\(item.task) × \(item.policy), seed \(item.seed), episodes \(ranges(item.episodes))"
    }

    /// `[0, 1, 2, 5]` → `0-2, 5`.
    static func ranges(_ values: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < values.count {
            var j = i
            while j + 1 < values.count && values[j + 1] == values[j] + 1 { j += 1 }
            parts.append(j > i ? "\(values[i])-\(values[j])" : "\(values[i])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}
