/// The opcodes that name globals and record calls (CPython `Lib/pickle.py`, `_Unpickler.load_global`
/// … `load_build`, `load_persid`). Nothing is called: each call becomes an `.object` node, after
/// the checks of `PickleMachine+Security.swift`.
extension PickleMachine {
    /// GLOBAL, STACK_GLOBAL, REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ, BUILD, (BIN)PERSID; EXT1/2/4 are refused.
    mutating func executeGlobalOrCall(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .GLOBAL:
            let module = try readLine("GLOBAL module")
            let name = try readLine("GLOBAL name")
            try push(.value(.global(try checkGlobal(module: module, name: name))))
        case .STACK_GLOBAL:
            let nameItem = try pop()
            let moduleItem = try pop()
            guard case .value(.string(let name)) = nameItem, case .value(.string(let module)) = moduleItem else {
                throw error(.malformed, "STACK_GLOBAL needs two strings")
            }
            try push(.value(.global(try checkGlobal(module: module, name: name))))
        case .REDUCE, .NEWOBJ:
            let arguments = try pop()
            let callable = try pop()
            guard let tuple = node(arguments, .tuple) else { throw error(.malformed, "\(opcode) arguments are not a tuple") }
            try checkCallable(callable)
            try checkCall(callable, tuple.items)
            try pushObject(callable: callable, construction: opcode == .REDUCE ? .reduce : .newObject, arguments: tuple.items)
        case .NEWOBJ_EX:
            let keywords = try pop()
            let arguments = try pop()
            let cls = try pop()
            guard let tuple = node(arguments, .tuple), node(keywords, .dict) != nil else {
                throw error(.malformed, "NEWOBJ_EX needs a tuple and a dict")
            }
            try checkCallable(cls)
            try checkCall(cls, tuple.items, keywords: keywords)
            try pushObject(callable: cls, construction: .newObject, arguments: tuple.items, keywords: keywords)
        case .INST:
            let module = try readLine("INST module")
            let name = try readLine("INST name")
            let global = try checkGlobal(module: module, name: name)
            let arguments = try popMark()
            try checkCall(.value(.global(global)), arguments)
            try pushObject(callable: .value(.global(global)), construction: .instantiate, arguments: arguments)
        case .OBJ:
            var items = try popMark()
            guard !items.isEmpty else { throw error(.malformed, "OBJ without a class") }
            let cls = items.removeFirst()
            try checkCallable(cls)
            try checkCall(cls, items)
            try pushObject(callable: cls, construction: .instantiate, arguments: items)
        case .BUILD:
            let state = try pop()
            guard let target = node(try top(), .object) else {
                throw error(.malformed, "BUILD target is \(describe(try top())), not an object")
            }
            target.state = state
        case .BINPERSID:
            let pid = try pop()
            try pushNode(.persistent, items: [pid])
        case .PERSID: // text
            let pid = try readLine("PERSID")
            try pushNode(.persistent, items: [.value(.string(pid))])
        case .EXT1, .EXT2, .EXT4:
            throw error(.unsupported, "extension-registry opcodes (EXT1/2/4) are not supported")
        default:
            preconditionFailure("\(opcode) is not a global or call opcode")
        }
    }

    /// Records a call as an `.object` node and pushes it; functions and code objects built inside
    /// the pickle are remembered in `codeNodes` (inert, but never handed to a call).
    mutating func pushObject(callable: Item, construction: PickleObject.Construction, arguments: [Item],
                             keywords: Item? = nil) throws {
        let index = try newNode(.object)
        try charge(AllocationEstimate.item * arguments.count)
        let n = heap[index]
        n.callable = callable
        n.construction = construction
        n.items = arguments
        n.keywordArguments = keywords
        switch callable {
        case .value(.global(let g)) where PickleSecurityPolicy.isMakeFunction(g): codeNodes.insert(index)
        case .node(let type) where isBuiltinTypeResult(type): codeNodes.insert(index)
        default: break
        }
        try push(.node(index))
    }
}
