/// The stack and memo opcodes (CPython `Lib/pickle.py`, `_Unpickler.load_mark` … `load_long_binget`).
extension PickleMachine {
    /// MARK, POP, POP_MARK, DUP, and the memo's MEMOIZE, (LONG_)BINPUT, PUT, (LONG_)BINGET, GET.
    mutating func executeStackOrMemo(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .MARK:
            guard marks.count < limits.maxMarkDepth else {
                throw error(.limitExceeded, "more than \(limits.maxMarkDepth) nested MARKs")
            }
            marks.append(stack.count)
        case .POP:
            if stack.count > stackBase { stack.removeLast() } else { _ = try popMark() }
        case .POP_MARK:
            _ = try popMark()
        case .DUP:
            try push(try top())
        case .MEMOIZE:
            try memoize(memo.count)
        case .BINPUT:
            try memoize(Int(try readUInt(1, "BINPUT")))
        case .LONG_BINPUT:
            try memoize(Int(try readUInt(4, "LONG_BINPUT")))
        case .PUT:
            let text = try readLine("PUT")
            guard let index = Int(text), index >= 0 else { throw error(.malformed, "PUT index \(text.prefix(20).debugDescription)") }
            try memoize(index)
        case .BINGET:
            try recall(Int(try readUInt(1, "BINGET")))
        case .LONG_BINGET:
            try recall(Int(try readUInt(4, "LONG_BINGET")))
        case .GET:
            let text = try readLine("GET")
            guard let index = Int(text) else { throw error(.malformed, "GET index \(text.prefix(20).debugDescription)") }
            try recall(index)
        default:
            preconditionFailure("\(opcode) is not a stack or memo opcode")
        }
    }

    /// Stores the top of the stack (left on it) under memo `index`.
    mutating func memoize(_ index: Int) throws {
        let value = try top()
        if memo[index] == nil {
            guard memo.count < limits.maxMemoEntries else {
                throw error(.limitExceeded, "memo exceeds \(limits.maxMemoEntries) entries")
            }
            try charge(AllocationEstimate.memoEntry)
        }
        memo[index] = value
    }

    /// Pushes memo entry `index`.
    mutating func recall(_ index: Int) throws {
        guard let item = memo[index] else { throw error(.malformed, "memo index \(index) was never stored") }
        try push(item)
    }
}
