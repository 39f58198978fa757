/// The 68 opcodes of the pickle protocols 0–5, by their byte.
///
/// Source of every byte value: CPython's `Lib/pickletools.py` (the `opcodes` table, the `I(name=...,
/// code=...)` entries) and `Lib/pickle.py` (the module-level constants, e.g. `MARK = b'('`); PEP 307
/// (protocol 2), PEP 3154 (protocol 4) and PEP 574 (protocol 5) introduced the bytes from 0x80 up.
/// The case names are pickletools' names verbatim, so an error message's opcode name
/// (`String(describing:)`) can be looked up there directly; the comment beside a printable byte is
/// its character, as `pickle.py` spells it.
package enum PickleOpcode: UInt8, CaseIterable {
    case MARK = 0x28  // '('
    case EMPTY_TUPLE = 0x29  // ')'
    case STOP = 0x2E  // '.'
    case POP = 0x30  // '0'
    case POP_MARK = 0x31  // '1'
    case DUP = 0x32  // '2'
    case BINBYTES = 0x42  // 'B'
    case SHORT_BINBYTES = 0x43  // 'C'
    case FLOAT = 0x46  // 'F'
    case BINFLOAT = 0x47  // 'G'
    case INT = 0x49  // 'I'
    case BININT = 0x4A  // 'J'
    case BININT1 = 0x4B  // 'K'
    case LONG = 0x4C  // 'L'
    case BININT2 = 0x4D  // 'M'
    case NONE = 0x4E  // 'N'
    case PERSID = 0x50  // 'P'
    case BINPERSID = 0x51  // 'Q'
    case REDUCE = 0x52  // 'R'
    case STRING = 0x53  // 'S'
    case BINSTRING = 0x54  // 'T'
    case SHORT_BINSTRING = 0x55  // 'U'
    case UNICODE = 0x56  // 'V'
    case BINUNICODE = 0x58  // 'X'
    case EMPTY_LIST = 0x5D  // ']'
    case APPEND = 0x61  // 'a'
    case BUILD = 0x62  // 'b'
    case GLOBAL = 0x63  // 'c'
    case DICT = 0x64  // 'd'
    case APPENDS = 0x65  // 'e'
    case GET = 0x67  // 'g'
    case BINGET = 0x68  // 'h'
    case INST = 0x69  // 'i'
    case LONG_BINGET = 0x6A  // 'j'
    case LIST = 0x6C  // 'l'
    case OBJ = 0x6F  // 'o'
    case PUT = 0x70  // 'p'
    case BINPUT = 0x71  // 'q'
    case LONG_BINPUT = 0x72  // 'r'
    case SETITEM = 0x73  // 's'
    case TUPLE = 0x74  // 't'
    case SETITEMS = 0x75  // 'u'
    case EMPTY_DICT = 0x7D  // '}'
    case PROTO = 0x80
    case NEWOBJ = 0x81
    case EXT1 = 0x82
    case EXT2 = 0x83
    case EXT4 = 0x84
    case TUPLE1 = 0x85
    case TUPLE2 = 0x86
    case TUPLE3 = 0x87
    case NEWTRUE = 0x88
    case NEWFALSE = 0x89
    case LONG1 = 0x8A
    case LONG4 = 0x8B
    case SHORT_BINUNICODE = 0x8C
    case BINUNICODE8 = 0x8D
    case BINBYTES8 = 0x8E
    case EMPTY_SET = 0x8F
    case ADDITEMS = 0x90
    case FROZENSET = 0x91
    case NEWOBJ_EX = 0x92
    case STACK_GLOBAL = 0x93
    case MEMOIZE = 0x94
    case FRAME = 0x95
    case BYTEARRAY8 = 0x96
    case NEXT_BUFFER = 0x97
    case READONLY_BUFFER = 0x98

    /// pickletools' name of an opcode byte, or "unknown" for a byte that is no opcode.
    static func name(of byte: UInt8) -> String {
        PickleOpcode(rawValue: byte).map { String(describing: $0) } ?? "unknown"
    }

    /// The groups `PickleMachine` executes in one function each.
    enum Family {
        /// PROTO and FRAME: no effect on the stack.
        case framing
        /// MARK, POP, DUP and the memo's PUT/GET variants.
        case stackAndMemo
        /// None, booleans, integers and floats.
        case numbers
        /// Text and binary strings, and protocol 5's out-of-band buffers.
        case stringsAndBytes
        /// Tuples, lists, dicts and sets, and the opcodes that fill them.
        case containers
        /// Globals, the calls that construct objects, BUILD, persistent ids and the extension registry.
        case globalsAndCalls
        /// STOP: ends the pickle (`PickleMachine.run`).
        case stop
    }

    var family: Family {
        switch self {
        case .PROTO, .FRAME:
            return .framing
        case .MARK, .POP, .POP_MARK, .DUP, .MEMOIZE, .BINPUT, .LONG_BINPUT, .PUT, .BINGET, .LONG_BINGET, .GET:
            return .stackAndMemo
        case .NONE, .NEWTRUE, .NEWFALSE, .BININT1, .BININT2, .BININT, .LONG1, .LONG4, .INT, .LONG, .BINFLOAT, .FLOAT:
            return .numbers
        case .SHORT_BINUNICODE, .BINUNICODE, .BINUNICODE8, .SHORT_BINBYTES, .BINBYTES, .BINBYTES8, .BYTEARRAY8,
             .SHORT_BINSTRING, .BINSTRING, .STRING, .UNICODE, .NEXT_BUFFER, .READONLY_BUFFER:
            return .stringsAndBytes
        case .EMPTY_TUPLE, .TUPLE1, .TUPLE2, .TUPLE3, .TUPLE, .EMPTY_LIST, .LIST, .EMPTY_DICT, .DICT, .EMPTY_SET,
             .FROZENSET, .APPEND, .APPENDS, .ADDITEMS, .SETITEM, .SETITEMS:
            return .containers
        case .GLOBAL, .STACK_GLOBAL, .REDUCE, .NEWOBJ, .NEWOBJ_EX, .INST, .OBJ, .BUILD, .BINPERSID, .PERSID,
             .EXT1, .EXT2, .EXT4:
            return .globalsAndCalls
        case .STOP:
            return .stop
        }
    }
}
