/// The checks `PickleMachine` runs on every global and every call before recording them
/// (the policy itself, which names are allowed, is `PickleSecurityPolicy`).
extension PickleMachine {
    func checkGlobal(module: String, name: String) throws -> PickleGlobal {
        let global = PickleGlobal(module: module, name: name)
        if let reason = PickleSecurityPolicy.forbiddenReason(module: module, name: name) {
            throw error(.forbidden, "forbidden global \(global): \(reason)")
        }
        return global
    }

    /// A callable may be a global, or a type returned by cloudpickle's `_builtin_type(...)` (calling
    /// it only constructs, e.g. a code object); calling anything else built inside the pickle (a
    /// function from `_make_function`, the result of another call) would execute code in Python.
    func checkCallable(_ item: Item) throws {
        switch item {
        case .value(.global):
            return
        case .node(let index):
            if isBuiltinTypeResult(index) { return }
            throw error(.forbidden, "calls a value built inside the pickle (\(describe(item))); Python would execute it")
        case .value:
            throw error(.malformed, "\(describe(item)) is not callable")
        }
    }

    /// Whether node `index` is the result of cloudpickle's `_builtin_type(name)`.
    func isBuiltinTypeResult(_ index: Int) -> Bool {
        let n = heap[index]
        guard n.kind == .object, case .value(.global(let g))? = n.callable else { return false }
        return PickleSecurityPolicy.isBuiltinType(g)
    }

    /// Checks the arguments of a call about to be recorded: cloudpickle's `subimport` and
    /// `_builtin_type` only for allowed names, and no function or code object built inside the
    /// pickle handed to a callable that might call it (`PickleSecurityPolicy.codeAcceptingCallables`
    /// and the types from `_builtin_type` only store or wrap it).
    mutating func checkCall(_ callable: Item, _ arguments: [Item], keywords: Item? = nil) throws {
        if case .value(.global(let g)) = callable {
            let first: String? = {
                if case .value(.string(let s))? = arguments.first { return s }
                return nil
            }()
            if PickleSecurityPolicy.isSubimport(g) {
                guard let module = first else { throw error(.forbidden, "cloudpickle subimport without a module name") }
                if let reason = PickleSecurityPolicy.forbiddenImport(module) { throw error(.forbidden, "forbidden import: \(reason)") }
            }
            if PickleSecurityPolicy.isBuiltinType(g) {
                guard let name = first, PickleSecurityPolicy.allowedBuiltinTypes.contains(name) else {
                    throw error(.forbidden, "forbidden global \(g)(\(first.map { "'\($0)'" } ?? "...")): only \(PickleSecurityPolicy.allowedBuiltinTypes.sorted().joined(separator: ", ")) is needed by a checkpoint")
                }
            }
            if PickleSecurityPolicy.acceptsCode(g) { return }
        } else if case .node(let index) = callable, isBuiltinTypeResult(index) {
            return
        }
        guard !codeNodes.isEmpty else { return }
        if let code = try findCode(arguments + (keywords.map { [$0] } ?? [])) {
            throw error(.forbidden, "passes a function or code object built inside the pickle (at byte \(heap[code].offset)) to \(describe(callable)); Python could call it while loading")
        }
    }

    /// The first node made by `_make_function` or by calling a `_builtin_type` result that is
    /// reachable from `items` (through containers, object arguments, state and items).
    mutating func findCode(_ items: [Item]) throws -> Int? {
        var pending = items
        var visited = Set<Int>()
        while let item = pending.popLast() {
            guard case .node(let index) = item, visited.insert(index).inserted else { continue }
            if codeNodes.contains(index) { return index }
            codeScanVisits += 1
            guard codeScanVisits <= limits.maxResultNodes else {
                throw error(.limitExceeded, "checking call arguments for pickle-built code visits more than \(limits.maxResultNodes) values")
            }
            let n = heap[index]
            pending += n.items
            pending += n.listItems
            for (key, value) in n.pairs { pending.append(key); pending.append(value) }
            if let state = n.state { pending.append(state) }
            if let keywords = n.keywordArguments { pending.append(keywords) }
            if let callable = n.callable { pending.append(callable) }
        }
        return nil
    }
}
