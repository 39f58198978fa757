/// Turning the machine's heap graph into a `PickleValue` tree after STOP.
extension PickleMachine {
    /// Converts an item into a value tree, returning the value and its logical node count.
    mutating func materialize(_ item: Item, depth: Int) throws -> (PickleValue, Int) {
        let index: Int
        switch item {
        case .value(let v): return (v, 1)
        case .node(let node): index = node
        }
        if let cached = cache[index] { return cached }
        if inProgress.contains(index) { return (.recursiveReference, 1) }
        guard depth < limits.maxNestingDepth else {
            throw PickleError(kind: .limitExceeded, offset: heap[index].offset, opcode: nil,
                              message: "values nest deeper than \(limits.maxNestingDepth) levels")
        }
        inProgress.insert(index)
        defer { inProgress.remove(index) }
        let n = heap[index]
        var size = 1

        func child(_ item: Item) throws -> PickleValue {
            let (value, count) = try materialize(item, depth: depth + 1)
            size += count
            guard size <= limits.maxResultNodes else {
                throw PickleError(kind: .limitExceeded, offset: n.offset, opcode: nil,
                                  message: "result tree exceeds \(limits.maxResultNodes) nodes (shared subtrees counted per use)")
            }
            return value
        }
        func children(_ items: [Item]) throws -> [PickleValue] { try items.map(child) }
        func entries(_ pairs: [(Item, Item)]) throws -> [PickleDictEntry] {
            try pairs.map { PickleDictEntry(key: try child($0.0), value: try child($0.1)) }
        }

        let value: PickleValue
        switch n.kind {
        case .list: value = .list(try children(n.items))
        case .tuple: value = .tuple(try children(n.items))
        case .dict: value = .dict(try entries(n.pairs))
        case .set: value = .set(try children(n.items), frozen: false)
        case .frozenSet: value = .set(try children(n.items), frozen: true)
        case .persistent: value = .persistentID(try child(n.items[0]))
        case .object:
            var object = PickleObject(callable: try child(n.callable!), construction: n.construction,
                                      arguments: try children(n.items))
            if let keywords = n.keywordArguments, case .dict(let e) = try child(keywords) {
                object.keywordArguments = e
            }
            if let state = n.state { object.state = try child(state) }
            object.listItems = try children(n.listItems)
            object.dictItems = try entries(n.pairs)
            value = PickleFolding.fold(object)
        }
        cache[index] = (value, size)
        return (value, size)
    }
}
