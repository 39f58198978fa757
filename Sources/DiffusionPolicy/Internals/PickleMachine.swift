/// The opcode interpreter behind `PickleReader`.
///
/// Opcode semantics follow CPython's `Lib/pickle.py` (`_Unpickler`) and the opcode table in
/// `Lib/pickletools.py`. Mutable Python containers live in a heap of `Node`s addressed by index,
/// so memo references share them exactly as Python does (a dict memoized before its SETITEMS is
/// the same dict afterwards). After STOP the reachable graph is turned into a `PickleValue` tree
/// (`materialize`), where known constructors are folded into plain values.
struct PickleMachine {
    /// A stack or memo slot: an immutable value, or a heap container.
    enum Item {
        case value(PickleValue)
        case node(Int)
    }

    final class Node {
        enum Kind { case list, tuple, dict, set, frozenSet, object, persistent }
        let kind: Kind
        /// Byte offset of the opcode that created it.
        let offset: Int
        /// list/tuple/set elements; object arguments; persistent: the id.
        var items: [Item] = []
        /// dict entries; object SETITEM(S).
        var pairs: [(Item, Item)] = []
        /// object APPEND(S).
        var listItems: [Item] = []
        var callable: Item?
        var construction: PickleObject.Construction = .reduce
        var keywordArguments: Item?
        var state: Item?

        init(kind: Kind, offset: Int) {
            self.kind = kind
            self.offset = offset
        }
    }

    let input: [UInt8]
    let limits: PickleReader.Limits
    var position = 0
    var opcodeOffset = 0
    var opcode: UInt8?
    var stack: [Item] = []
    var marks: [Int] = []
    var memo: [Int: Item] = [:]
    var heap: [Node] = []
    var allocated = 0
    let allocationBudget: Int
    /// Nodes that are functions or code objects built inside the pickle (see `checkCall`).
    var codeNodes = Set<Int>()
    /// Values visited so far while looking for such nodes in call arguments (bounded).
    var codeScanVisits = 0

    // Materialization state.
    var cache: [Int: (PickleValue, Int)] = [:]
    var inProgress: Set<Int> = []

    init(input: [UInt8], limits: PickleReader.Limits) {
        self.input = input
        self.limits = limits
        let (scaled, overflow) = input.count.multipliedReportingOverflow(by: 4)
        allocationBudget = overflow ? Int.max : limits.baseAllocationBudget &+ scaled
    }

    // MARK: - Errors

    func error(_ kind: PickleError.Kind, _ message: String) -> PickleError {
        PickleError(kind: kind, offset: opcodeOffset, opcode: opcode, message: message)
    }

    func truncated(_ what: String) -> PickleError {
        PickleError(kind: .truncated, offset: opcodeOffset, opcode: opcode,
                    message: "input ends inside \(what) (\(input.count) bytes in all)")
    }

    // MARK: - Reading operands

    var remaining: Int { input.count - position }

    mutating func readBytes(_ count: Int, _ what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0 else { throw error(.malformed, "negative length \(count) for \(what)") }
        guard count <= remaining else {
            throw error(.truncated, "\(what) claims \(count) bytes but only \(remaining) remain (input \(input.count) bytes)")
        }
        let slice = input[position..<(position + count)]
        position += count
        return slice
    }

    mutating func readUInt(_ width: Int, _ what: String) throws -> UInt64 {
        let bytes = try readBytes(width, what)
        var value: UInt64 = 0
        for (shift, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }

    /// A length field of `width` bytes, checked against the remaining input before use.
    mutating func readLength(_ width: Int, _ what: String) throws -> Int {
        let raw = try readUInt(width, "length of \(what)")
        guard raw <= UInt64(remaining) else {
            throw error(.truncated, "\(what) claims \(raw) bytes but only \(remaining) remain (input \(input.count) bytes)")
        }
        return Int(raw)
    }

    mutating func readLine(_ what: String) throws -> String {
        guard let newline = input[position...].firstIndex(of: 0x0A) else {
            throw truncated("\(what) (no newline)")
        }
        let bytes = input[position..<newline]
        position = newline + 1
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw error(.malformed, "\(what) is not valid UTF-8")
        }
        return text
    }

    mutating func charge(_ bytes: Int) throws {
        allocated = allocated &+ bytes
        if allocated > allocationBudget || allocated < 0 {
            throw error(.limitExceeded, "estimated allocation exceeds \(allocationBudget) bytes")
        }
    }

    // MARK: - Stack

    var stackBase: Int { marks.last ?? 0 }

    mutating func push(_ item: Item) throws {
        guard stack.count < limits.maxStackSize else {
            throw error(.limitExceeded, "stack exceeds \(limits.maxStackSize) values")
        }
        stack.append(item)
    }

    mutating func pop() throws -> Item {
        guard stack.count > stackBase else { throw error(.malformed, "stack underflow") }
        return stack.removeLast()
    }

    func top() throws -> Item {
        guard stack.count > stackBase, let last = stack.last else { throw error(.malformed, "stack underflow") }
        return last
    }

    mutating func popMark() throws -> [Item] {
        guard let mark = marks.popLast() else { throw error(.malformed, "no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    mutating func newNode(_ kind: Node.Kind) throws -> Int {
        try charge(96)
        heap.append(Node(kind: kind, offset: opcodeOffset))
        return heap.count - 1
    }

    mutating func pushNode(_ kind: Node.Kind, items: [Item] = []) throws {
        let index = try newNode(kind)
        try charge(16 * items.count)
        heap[index].items = items
        try push(.node(index))
    }

    /// The heap node of an item, if it is one of the given kinds.
    func node(_ item: Item, _ kinds: Node.Kind...) -> Node? {
        guard case .node(let index) = item, kinds.contains(heap[index].kind) else { return nil }
        return heap[index]
    }

    func describe(_ item: Item) -> String {
        switch item {
        case .value(let v):
            switch v {
            case .global(let g): return "global \(g)"
            case .string(let s): return "string \(s.prefix(40).debugDescription)"
            case .int(let i): return "int \(i)"
            default: return "\(v)".prefix(60).description
            }
        case .node(let index):
            let n = heap[index]
            if n.kind == .object, let callable = n.callable {
                return "result of calling \(describe(callable))"
            }
            return "\(n.kind)"
        }
    }

    // MARK: - Security

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

    // MARK: - Numbers

    /// Decodes a little-endian two's-complement integer (LONG1/LONG4).
    func decodeLong(_ bytes: ArraySlice<UInt8>) -> PickleValue {
        guard let last = bytes.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0
        // Fits in 64 bits when every byte beyond the 8th equals the sign fill and the 8th byte's sign agrees.
        let array = Array(bytes)
        if array.count <= 8 || (array[8...].allSatisfy { $0 == fill } && ((array[7] & 0x80 != 0) == negative)) {
            var raw: UInt64 = negative ? ~0 : 0
            for i in 0..<min(8, array.count) {
                raw &= ~(UInt64(0xFF) << (8 * UInt64(i)))
                raw |= UInt64(array[i]) << (8 * UInt64(i))
            }
            return .int(Int(Int64(bitPattern: raw)))
        }
        return .bigInt(littleEndianTwosComplement: array)
    }

    // MARK: - Run

    mutating func run() throws -> PickleValue {
        while true {
            guard position < input.count else {
                opcodeOffset = input.count
                opcode = nil
                throw PickleError(kind: .truncated, offset: input.count, opcode: nil,
                                  message: "input ended before the STOP opcode (\(input.count) bytes)")
            }
            opcodeOffset = position
            let op = input[position]
            opcode = op
            position += 1
            if op == 0x2E { // STOP
                let result = try pop()
                return try materialize(result, depth: 0).0
            }
            try execute(op)
        }
    }

    mutating func execute(_ op: UInt8) throws {
        switch op {
        // Protocol and framing.
        case 0x80: // PROTO
            let version = try readUInt(1, "PROTO")
            guard version <= 5 else { throw error(.unsupported, "pickle protocol \(version) (this reader knows 0-5)") }
        case 0x95: // FRAME
            let length = try readUInt(8, "FRAME")
            guard length <= UInt64(remaining) else {
                throw error(.truncated, "frame of \(length) bytes but only \(remaining) remain")
            }

        // Stack manipulation.
        case 0x28: // MARK
            guard marks.count < limits.maxMarkDepth else {
                throw error(.limitExceeded, "more than \(limits.maxMarkDepth) nested MARKs")
            }
            marks.append(stack.count)
        case 0x30: // POP
            if stack.count > stackBase { stack.removeLast() } else { _ = try popMark() }
        case 0x31: // POP_MARK
            _ = try popMark()
        case 0x32: // DUP
            try push(try top())

        // Constants and numbers.
        case 0x4E: try push(.value(.none)) // NONE
        case 0x88: try push(.value(.bool(true))) // NEWTRUE
        case 0x89: try push(.value(.bool(false))) // NEWFALSE
        case 0x4B: // BININT1
            try push(.value(.int(Int(try readUInt(1, "BININT1")))))
        case 0x4D: // BININT2
            try push(.value(.int(Int(try readUInt(2, "BININT2")))))
        case 0x4A: // BININT
            let raw = UInt32(truncatingIfNeeded: try readUInt(4, "BININT"))
            try push(.value(.int(Int(Int32(bitPattern: raw)))))
        case 0x8A: // LONG1
            let count = try readLength(1, "LONG1")
            try push(.value(decodeLong(try readBytes(count, "LONG1"))))
        case 0x8B: // LONG4
            let raw = Int32(bitPattern: UInt32(truncatingIfNeeded: try readUInt(4, "LONG4 length")))
            guard raw >= 0 else { throw error(.malformed, "negative LONG4 length \(raw)") }
            guard Int(raw) <= limits.maxBigIntBytes else {
                throw error(.limitExceeded, "LONG4 of \(raw) bytes exceeds \(limits.maxBigIntBytes)")
            }
            let bytes = try readBytes(Int(raw), "LONG4")
            try charge(Int(raw))
            try push(.value(decodeLong(bytes)))
        case 0x49: // INT (text)
            let text = try readLine("INT")
            if text == "01" { try push(.value(.bool(true))) }
            else if text == "00" { try push(.value(.bool(false))) }
            else if let value = Int(text) { try push(.value(.int(value))) }
            else { throw error(.unsupported, "text INT \(text.prefix(40).debugDescription) is not a 64-bit integer") }
        case 0x4C: // LONG (text)
            var text = try readLine("LONG")
            if text.hasSuffix("L") { text.removeLast() }
            guard let value = Int(text) else {
                throw error(.unsupported, "text LONG \(text.prefix(40).debugDescription) is not a 64-bit integer")
            }
            try push(.value(.int(value)))
        case 0x47: // BINFLOAT (big-endian IEEE 754 double)
            let bytes = try readBytes(8, "BINFLOAT")
            var raw: UInt64 = 0
            for byte in bytes { raw = raw << 8 | UInt64(byte) }
            try push(.value(.float(Double(bitPattern: raw))))
        case 0x46: // FLOAT (text)
            let text = try readLine("FLOAT")
            guard let value = Double(text) else { throw error(.malformed, "text FLOAT \(text.prefix(40).debugDescription)") }
            try push(.value(.float(value)))

        // Strings and bytes.
        case 0x8C, 0x58, 0x8D: // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
            let width = op == 0x8C ? 1 : (op == 0x58 ? 4 : 8)
            let count = try readLength(width, "unicode string")
            let bytes = try readBytes(count, "unicode string")
            try charge(count + 32)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw error(.malformed, "string is not valid UTF-8")
            }
            try push(.value(.string(text)))
        case 0x43, 0x42, 0x8E, 0x96, 0x55: // SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8, SHORT_BINSTRING
            let width: Int
            switch op {
            case 0x43, 0x55: width = 1
            case 0x42: width = 4
            default: width = 8
            }
            let count = try readLength(width, "bytes")
            let bytes = try readBytes(count, "bytes")
            try charge(count + 32)
            try push(.value(.bytes(Array(bytes))))
        case 0x54: // BINSTRING (signed 4-byte length)
            let raw = Int32(bitPattern: UInt32(truncatingIfNeeded: try readUInt(4, "BINSTRING length")))
            guard raw >= 0 else { throw error(.malformed, "negative BINSTRING length \(raw)") }
            let bytes = try readBytes(Int(raw), "BINSTRING")
            try charge(Int(raw) + 32)
            try push(.value(.bytes(Array(bytes))))
        case 0x53, 0x56: // STRING, UNICODE (protocol 0 text, escaped)
            throw error(.unsupported, "protocol-0 text string opcodes are not supported")
        case 0x97: // NEXT_BUFFER
            throw error(.unsupported, "out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported")
        case 0x98: // READONLY_BUFFER: no effect on our values
            _ = try top()

        // Containers.
        case 0x29: try pushNode(.tuple) // EMPTY_TUPLE
        case 0x85, 0x86, 0x87: // TUPLE1, TUPLE2, TUPLE3
            let count = Int(op - 0x84)
            var items: [Item] = []
            for _ in 0..<count { items.append(try pop()) }
            try pushNode(.tuple, items: items.reversed())
        case 0x74: // TUPLE
            try pushNode(.tuple, items: try popMark())
        case 0x5D: try pushNode(.list) // EMPTY_LIST
        case 0x6C: try pushNode(.list, items: try popMark()) // LIST
        case 0x7D: try pushNode(.dict) // EMPTY_DICT
        case 0x64: // DICT
            let items = try popMark()
            guard items.count % 2 == 0 else { throw error(.malformed, "DICT with an odd number of items") }
            let index = try newNode(.dict)
            try charge(32 * items.count)
            heap[index].pairs = stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
            try push(.node(index))
        case 0x8F: try pushNode(.set) // EMPTY_SET
        case 0x91: try pushNode(.frozenSet, items: try popMark()) // FROZENSET
        case 0x61: // APPEND
            let value = try pop()
            try append([value])
        case 0x65: // APPENDS
            let items = try popMark()
            try append(items)
        case 0x90: // ADDITEMS
            let items = try popMark()
            guard let target = node(try top(), .set) else { throw error(.malformed, "ADDITEMS target is not a set") }
            try charge(16 * items.count)
            target.items.append(contentsOf: items)
        case 0x73: // SETITEM
            let value = try pop()
            let key = try pop()
            try setItems([key, value])
        case 0x75: // SETITEMS
            let items = try popMark()
            guard items.count % 2 == 0 else { throw error(.malformed, "SETITEMS with an odd number of items") }
            try setItems(items)

        // Memo.
        case 0x94: // MEMOIZE
            try memoize(memo.count)
        case 0x71: try memoize(Int(try readUInt(1, "BINPUT"))) // BINPUT
        case 0x72: try memoize(Int(try readUInt(4, "LONG_BINPUT"))) // LONG_BINPUT
        case 0x70: // PUT
            let text = try readLine("PUT")
            guard let index = Int(text), index >= 0 else { throw error(.malformed, "PUT index \(text.prefix(20).debugDescription)") }
            try memoize(index)
        case 0x68: try recall(Int(try readUInt(1, "BINGET"))) // BINGET
        case 0x6A: try recall(Int(try readUInt(4, "LONG_BINGET"))) // LONG_BINGET
        case 0x67: // GET
            let text = try readLine("GET")
            guard let index = Int(text) else { throw error(.malformed, "GET index \(text.prefix(20).debugDescription)") }
            try recall(index)

        // Globals and construction.
        case 0x63: // GLOBAL
            let module = try readLine("GLOBAL module")
            let name = try readLine("GLOBAL name")
            try push(.value(.global(try checkGlobal(module: module, name: name))))
        case 0x93: // STACK_GLOBAL
            let nameItem = try pop()
            let moduleItem = try pop()
            guard case .value(.string(let name)) = nameItem, case .value(.string(let module)) = moduleItem else {
                throw error(.malformed, "STACK_GLOBAL needs two strings")
            }
            try push(.value(.global(try checkGlobal(module: module, name: name))))
        case 0x52: // REDUCE
            let arguments = try pop()
            let callable = try pop()
            guard let tuple = node(arguments, .tuple) else { throw error(.malformed, "REDUCE arguments are not a tuple") }
            try checkCallable(callable)
            try checkCall(callable, tuple.items)
            try pushObject(callable: callable, construction: .reduce, arguments: tuple.items)
        case 0x81: // NEWOBJ
            let arguments = try pop()
            let cls = try pop()
            guard let tuple = node(arguments, .tuple) else { throw error(.malformed, "NEWOBJ arguments are not a tuple") }
            try checkCallable(cls)
            try checkCall(cls, tuple.items)
            try pushObject(callable: cls, construction: .newObject, arguments: tuple.items)
        case 0x92: // NEWOBJ_EX
            let keywords = try pop()
            let arguments = try pop()
            let cls = try pop()
            guard let tuple = node(arguments, .tuple), node(keywords, .dict) != nil else {
                throw error(.malformed, "NEWOBJ_EX needs a tuple and a dict")
            }
            try checkCallable(cls)
            try checkCall(cls, tuple.items, keywords: keywords)
            try pushObject(callable: cls, construction: .newObject, arguments: tuple.items, keywords: keywords)
        case 0x69: // INST
            let module = try readLine("INST module")
            let name = try readLine("INST name")
            let global = try checkGlobal(module: module, name: name)
            let arguments = try popMark()
            try checkCall(.value(.global(global)), arguments)
            try pushObject(callable: .value(.global(global)), construction: .instantiate, arguments: arguments)
        case 0x6F: // OBJ
            var items = try popMark()
            guard !items.isEmpty else { throw error(.malformed, "OBJ without a class") }
            let cls = items.removeFirst()
            try checkCallable(cls)
            try checkCall(cls, items)
            try pushObject(callable: cls, construction: .instantiate, arguments: items)
        case 0x62: // BUILD
            let state = try pop()
            guard let target = node(try top(), .object) else {
                throw error(.malformed, "BUILD target is \(describe(try top())), not an object")
            }
            target.state = state
        case 0x51: // BINPERSID
            let pid = try pop()
            try pushNode(.persistent, items: [pid])
        case 0x50: // PERSID (text)
            let pid = try readLine("PERSID")
            try pushNode(.persistent, items: [.value(.string(pid))])
        case 0x82, 0x83, 0x84: // EXT1, EXT2, EXT4
            throw error(.unsupported, "extension-registry opcodes (EXT1/2/4) are not supported")
        default:
            throw error(.malformed, "unknown opcode")
        }
    }

    mutating func pushObject(callable: Item, construction: PickleObject.Construction, arguments: [Item],
                             keywords: Item? = nil) throws {
        let index = try newNode(.object)
        try charge(16 * arguments.count)
        let n = heap[index]
        n.callable = callable
        n.construction = construction
        n.items = arguments
        n.keywordArguments = keywords
        // Functions and code objects built inside the pickle: inert, but never handed to a call.
        switch callable {
        case .value(.global(let g)) where PickleSecurityPolicy.isMakeFunction(g): codeNodes.insert(index)
        case .node(let type) where isBuiltinTypeResult(type): codeNodes.insert(index)
        default: break
        }
        try push(.node(index))
    }

    mutating func append(_ items: [Item]) throws {
        let target = try top()
        try charge(16 * items.count)
        if let list = node(target, .list) {
            list.items.append(contentsOf: items)
        } else if let object = node(target, .object) {
            object.listItems.append(contentsOf: items)
        } else {
            throw error(.malformed, "APPEND target is \(describe(target)), not a list")
        }
    }

    mutating func setItems(_ items: [Item]) throws {
        let target = try top()
        try charge(32 * items.count)
        let pairs = stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
        if let dict = node(target, .dict) {
            dict.pairs.append(contentsOf: pairs)
        } else if let object = node(target, .object) {
            object.pairs.append(contentsOf: pairs)
        } else {
            throw error(.malformed, "SETITEM target is \(describe(target)), not a dict")
        }
    }

    mutating func memoize(_ index: Int) throws {
        let value = try top()
        if memo[index] == nil {
            guard memo.count < limits.maxMemoEntries else {
                throw error(.limitExceeded, "memo exceeds \(limits.maxMemoEntries) entries")
            }
            try charge(48)
        }
        memo[index] = value
    }

    mutating func recall(_ index: Int) throws {
        guard let item = memo[index] else { throw error(.malformed, "memo index \(index) was never stored") }
        try push(item)
    }
}

// MARK: - Materialization

extension PickleMachine {
    /// Converts an item into a value tree, returning the value and its logical node count.
    mutating func materialize(_ item: Item, depth: Int) throws -> (PickleValue, Int) {
        guard case .node(let index) = item else {
            guard case .value(let v) = item else { fatalError("unreachable") }
            return (v, 1)
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

    /// Opcode names for error messages (CPython `pickletools` names).
    static func opcodeName(_ op: UInt8) -> String {
        let names: [UInt8: String] = [
            0x28: "MARK", 0x2E: "STOP", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP", 0x46: "FLOAT",
            0x49: "INT", 0x4A: "BININT", 0x4B: "BININT1", 0x4C: "LONG", 0x4D: "BININT2", 0x4E: "NONE",
            0x50: "PERSID", 0x51: "BINPERSID", 0x52: "REDUCE", 0x53: "STRING", 0x54: "BINSTRING",
            0x55: "SHORT_BINSTRING", 0x56: "UNICODE", 0x58: "BINUNICODE", 0x61: "APPEND", 0x62: "BUILD",
            0x63: "GLOBAL", 0x64: "DICT", 0x7D: "EMPTY_DICT", 0x65: "APPENDS", 0x67: "GET", 0x68: "BINGET",
            0x69: "INST", 0x6A: "LONG_BINGET", 0x6C: "LIST", 0x5D: "EMPTY_LIST", 0x6F: "OBJ", 0x70: "PUT",
            0x71: "BINPUT", 0x72: "LONG_BINPUT", 0x73: "SETITEM", 0x74: "TUPLE", 0x29: "EMPTY_TUPLE",
            0x75: "SETITEMS", 0x47: "BINFLOAT", 0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1", 0x83: "EXT2",
            0x84: "EXT4", 0x85: "TUPLE1", 0x86: "TUPLE2", 0x87: "TUPLE3", 0x88: "NEWTRUE", 0x89: "NEWFALSE",
            0x8A: "LONG1", 0x8B: "LONG4", 0x42: "BINBYTES", 0x43: "SHORT_BINBYTES", 0x8C: "SHORT_BINUNICODE",
            0x8D: "BINUNICODE8", 0x8E: "BINBYTES8", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET",
            0x92: "NEWOBJ_EX", 0x93: "STACK_GLOBAL", 0x94: "MEMOIZE", 0x95: "FRAME", 0x96: "BYTEARRAY8",
            0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        ]
        return names[op] ?? "unknown"
    }
}
