/// The container opcodes: tuples, lists, dicts and sets, and the opcodes that fill them (CPython
/// `Lib/pickle.py`, `_Unpickler.load_empty_tuple` … `load_additems`).
extension PickleMachine {
    /// EMPTY_TUPLE, TUPLE1-3, TUPLE, EMPTY_LIST, LIST, EMPTY_DICT, DICT, EMPTY_SET, FROZENSET,
    /// APPEND(S), ADDITEMS, SETITEM(S).
    mutating func executeContainer(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .EMPTY_TUPLE: try pushNode(.tuple)
        case .TUPLE1, .TUPLE2, .TUPLE3:
            let count = opcode == .TUPLE1 ? 1 : (opcode == .TUPLE2 ? 2 : 3)
            var items: [Item] = []
            for _ in 0..<count { items.append(try pop()) }
            try pushNode(.tuple, items: items.reversed())
        case .TUPLE: try pushNode(.tuple, items: try popMark())
        case .EMPTY_LIST: try pushNode(.list)
        case .LIST: try pushNode(.list, items: try popMark())
        case .EMPTY_DICT: try pushNode(.dict)
        case .DICT:
            let items = try popMark()
            guard items.count % 2 == 0 else { throw error(.malformed, "DICT with an odd number of items") }
            let index = try newNode(.dict)
            try charge(AllocationEstimate.dictItem * items.count)
            heap[index].pairs = pairs(items)
            try push(.node(index))
        case .EMPTY_SET: try pushNode(.set)
        case .FROZENSET: try pushNode(.frozenSet, items: try popMark())
        case .APPEND: try append([try pop()])
        case .APPENDS: try append(try popMark())
        case .ADDITEMS:
            let items = try popMark()
            guard let target = node(try top(), .set) else { throw error(.malformed, "ADDITEMS target is not a set") }
            try charge(AllocationEstimate.item * items.count)
            target.items.append(contentsOf: items)
        case .SETITEM:
            let value = try pop()
            let key = try pop()
            try setItems([key, value])
        case .SETITEMS:
            let items = try popMark()
            guard items.count % 2 == 0 else { throw error(.malformed, "SETITEMS with an odd number of items") }
            try setItems(items)
        default:
            preconditionFailure("\(opcode) is not a container opcode")
        }
    }

    /// Consecutive (key, value) pairs of an even-length item list.
    func pairs(_ items: [Item]) -> [(Item, Item)] {
        stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    /// APPEND(S): adds to the list on top of the stack, or to an object's list items.
    mutating func append(_ items: [Item]) throws {
        let target = try top()
        try charge(AllocationEstimate.item * items.count)
        if let list = node(target, .list) {
            list.items.append(contentsOf: items)
        } else if let object = node(target, .object) {
            object.listItems.append(contentsOf: items)
        } else {
            throw error(.malformed, "APPEND target is \(describe(target)), not a list")
        }
    }

    /// SETITEM(S): sets entries of the dict on top of the stack, or an object's dict items.
    mutating func setItems(_ items: [Item]) throws {
        let target = try top()
        try charge(AllocationEstimate.dictItem * items.count)
        let entries = pairs(items)
        if let dict = node(target, .dict) {
            dict.pairs.append(contentsOf: entries)
        } else if let object = node(target, .object) {
            object.pairs.append(contentsOf: entries)
        } else {
            throw error(.malformed, "SETITEM target is \(describe(target)), not a dict")
        }
    }
}
