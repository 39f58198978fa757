/// A deterministic split of a sweep across machines: item k (in sweep order) belongs to shard
/// `(k mod count) + 1`. Written `index/count`, 1-based, e.g. `--shard 2/8`.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else {
            throw EvaluationError.invalidShard(text)
        }
        index = i
        count = n
    }

    public func contains(item k: Int) -> Bool { k % count == index - 1 }
    public var description: String { "\(index)/\(count)" }
}

/// One unit of a sweep: all episodes of one seed of one task with one policy.
public struct SweepItem: Equatable, Sendable {
    public var taskIndex: Int
    public var policyIndex: Int
    public var seed: UInt64
}

/// The items of tasks × policies × seeds, in that nesting order, restricted to a shard.
public func sweepItems(tasks: Int, policies: Int, seeds: [UInt64], shard: Shard?) -> [SweepItem] {
    var items: [SweepItem] = []
    var k = 0
    for t in 0..<tasks {
        for p in 0..<policies {
            for seed in seeds {
                if shard?.contains(item: k) ?? true { items.append(SweepItem(taskIndex: t, policyIndex: p, seed: seed)) }
                k += 1
            }
        }
    }
    return items
}

extension Array where Element: Hashable {
    /// The elements in first-seen order without repeats.
    public func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
