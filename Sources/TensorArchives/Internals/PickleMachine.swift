/// The opcode interpreter behind `PickleReader`.
///
/// Opcode semantics follow CPython's `Lib/pickle.py` (`_Unpickler`) and the opcode table in
/// `Lib/pickletools.py`. Mutable Python containers live in a heap of `Node`s addressed by index,
/// so memo references share them exactly as Python does (a dict memoized before its SETITEMS is
/// the same dict afterwards). After STOP the reachable graph is turned into a `PickleValue` tree
/// (`materialize`), where known constructors are folded into plain values.
///
/// `execute` dispatches each opcode (`PickleOpcode`) to the function of its family: framing (here),
/// stack and memo, numbers, strings and bytes, containers, globals and calls (one extension file
/// each); the security checks on globals and calls live in `PickleMachine+Security.swift`.
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

    /// Estimated bytes of the machine's allocations, charged against `allocationBudget` (input size
    /// × 4 plus `Limits.baseAllocationBudget`) so that a small hostile pickle cannot make the reader
    /// allocate without bound (e.g. EMPTY_LIST + DUP + APPENDS in a loop). The numbers are estimates
    /// of Swift's memory layout on 64-bit hosts, not measurements; they only need the right order of
    /// magnitude.
    enum AllocationEstimate {
        /// One heap `Node`: a class instance's 16-byte header plus its stored properties (kind,
        /// offset, three array references, three optional items and the construction), rounded up.
        static let node = 96
        /// One `Item` in an array (`items`, `listItems`, the stack): an 8-byte payload and a tag,
        /// padded to `MemoryLayout<Item>.stride`.
        static let item = 16
        /// One key or value put into a dict (DICT, SETITEM(S)): its `Item` slot in the pair array,
        /// doubled for the `PickleDictEntry` it becomes after STOP.
        static let dictItem = 2 * item
        /// One new memo entry: its `Int` key and `Item` value plus the hash table's spare capacity.
        static let memoEntry = 48
        /// The fixed cost of a string or byte array beside its payload bytes: Swift's heap object
        /// header and the count and capacity words, rounded up.
        static let bufferHeader = 32
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
        guard let newline = input[position...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw truncated("\(what) (no newline)")
        }
        let bytes = input[position..<newline]
        position = newline + 1
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw error(.malformed, "\(what) is not valid UTF-8")
        }
        return text
    }

    /// Adds `bytes` (sizes from `AllocationEstimate`) to the running estimate of what the machine
    /// has allocated, and throws once it passes `allocationBudget`.
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
        try charge(AllocationEstimate.node)
        heap.append(Node(kind: kind, offset: opcodeOffset))
        return heap.count - 1
    }

    mutating func pushNode(_ kind: Node.Kind, items: [Item] = []) throws {
        let index = try newNode(kind)
        try charge(AllocationEstimate.item * items.count)
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
            let byte = input[position]
            opcode = byte
            position += 1
            if byte == PickleOpcode.STOP.rawValue {
                let result = try pop()
                return try materialize(result, depth: 0).0
            }
            try execute(byte)
        }
    }

    /// Executes one opcode (its operands follow at `position`) by handing it to its family.
    mutating func execute(_ byte: UInt8) throws {
        guard let opcode = PickleOpcode(rawValue: byte) else { throw error(.malformed, "unknown opcode") }
        switch opcode.family {
        case .framing: try executeFraming(opcode)
        case .stackAndMemo: try executeStackOrMemo(opcode)
        case .numbers: try executeNumber(opcode)
        case .stringsAndBytes: try executeStringOrBytes(opcode)
        case .containers: try executeContainer(opcode)
        case .globalsAndCalls: try executeGlobalOrCall(opcode)
        case .stop: preconditionFailure("STOP is handled by run()")
        }
    }

    /// PROTO (protocol 2+) and FRAME (protocol 4+): checked, with no effect on the stack; a frame's
    /// bytes are read as ordinary opcodes.
    mutating func executeFraming(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .PROTO:
            let version = try readUInt(1, "PROTO")
            guard version <= 5 else { throw error(.unsupported, "pickle protocol \(version) (this reader knows 0-5)") }
        case .FRAME:
            let length = try readUInt(8, "FRAME")
            guard length <= UInt64(remaining) else {
                throw error(.truncated, "frame of \(length) bytes but only \(remaining) remain")
            }
        default:
            preconditionFailure("\(opcode) is not a framing opcode")
        }
    }
}
