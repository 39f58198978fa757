/// The inert result of reading a Python pickle with `PickleReader`: plain data plus placeholders
/// that record what Python *would* have called, without anything being called.
///
/// Containers are value types. Where the pickle shares one container between several places
/// (memo references), each place gets an equal copy (storage is shared copy-on-write). A reference
/// back to a container that is still being built (a cycle in Python's object graph) becomes
/// `recursiveReference`.
///
/// Format reference: CPython `Lib/pickle.py` and `Lib/pickletools.py` (opcode semantics, protocols
/// 0-5, PEP 307 / PEP 3154 / PEP 574).
public indirect enum PickleValue: Equatable, Sendable {
    case none
    case bool(Bool)
    /// An integer that fits in 64 bits (INT, BININT*, LONG, LONG1/LONG4 when small enough).
    case int(Int)
    /// An integer too large for 64 bits (LONG1/LONG4), as little-endian two's-complement bytes.
    case bigInt(littleEndianTwosComplement: [UInt8])
    case float(Double)
    /// `builtins.complex(real, imag)`.
    case complex(real: Double, imaginary: Double)
    case string(String)
    /// `bytes`, `bytearray` (BYTEARRAY8) or a protocol-2 `str` (BINSTRING), as raw bytes.
    case bytes([UInt8])
    case list([PickleValue])
    case tuple([PickleValue])
    /// A dict in insertion order; keys can be any value. `collections.OrderedDict` and flax
    /// `FrozenDict` also read as dicts.
    case dict([PickleDictEntry])
    /// `set` / `frozenset` (EMPTY_SET + ADDITEMS, FROZENSET, or `builtins.set/frozenset(...)`).
    case set([PickleValue], frozen: Bool)
    /// A reference to a module attribute (GLOBAL, STACK_GLOBAL, INST): a class or function by name.
    case global(PickleGlobal)
    /// What REDUCE / NEWOBJ / NEWOBJ_EX / INST / OBJ would have constructed, with the state BUILD
    /// would have set. Nothing was called.
    case object(PickleObject)
    /// A numpy array (or a JAX array pickled through numpy) with its raw element bytes.
    case array(PickleArray)
    /// The argument of a persistent load (PERSID / BINPERSID); `torch.save` uses these for storages.
    case persistentID(PickleValue)
    /// A reference to an enclosing container that was still under construction (a cycle).
    case recursiveReference
}

/// One key/value pair of a pickled dict, in the order the pickle set them.
public struct PickleDictEntry: Equatable, Sendable {
    public var key: PickleValue
    public var value: PickleValue
    public init(key: PickleValue, value: PickleValue) {
        self.key = key
        self.value = value
    }
}

/// A module attribute named by the pickle: `module.name` (`name` may be dotted, protocol 4).
public struct PickleGlobal: Hashable, Sendable, CustomStringConvertible {
    public var module: String
    public var name: String
    public init(module: String, name: String) {
        self.module = module
        self.name = name
    }
    /// `module.name`, the spelling Python error messages use.
    public var description: String { "\(module).\(name)" }
}

/// A placeholder for an object Python would have constructed.
public struct PickleObject: Equatable, Sendable {
    /// The opcode family that created it.
    public enum Construction: String, Equatable, Sendable {
        /// REDUCE: `callable(*arguments)`.
        case reduce
        /// NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *arguments, **keywordArguments)`.
        case newObject
        /// INST / OBJ (protocols 0/1): `cls(*arguments)`.
        case instantiate
    }

    /// The class or function: a `.global`, or an `.object` (e.g. a type made by cloudpickle's
    /// `_builtin_type`, or a class made by `_make_skeleton_class`).
    public var callable: PickleValue
    public var construction: Construction
    public var arguments: [PickleValue]
    public var keywordArguments: [PickleDictEntry]
    /// The argument of BUILD (`__setstate__` or `__dict__.update`), if any.
    public var state: PickleValue?
    /// Items added with APPEND/APPENDS (list subclasses).
    public var listItems: [PickleValue]
    /// Items set with SETITEM/SETITEMS (dict subclasses).
    public var dictItems: [PickleDictEntry]

    public init(callable: PickleValue, construction: Construction, arguments: [PickleValue],
                keywordArguments: [PickleDictEntry] = [], state: PickleValue? = nil,
                listItems: [PickleValue] = [], dictItems: [PickleDictEntry] = []) {
        self.callable = callable
        self.construction = construction
        self.arguments = arguments
        self.keywordArguments = keywordArguments
        self.state = state
        self.listItems = listItems
        self.dictItems = dictItems
    }

    /// The callable's `module.name` when it is a global, e.g. `flax.training.train_state.TrainState`.
    public var className: String? {
        if case .global(let g) = callable { return g.description }
        return nil
    }

    /// An instance attribute as BUILD would have set it: the state is a dict of attributes, or a
    /// `(dict or None, slots dict)` pair (Python's default `__reduce_ex__` for `__slots__` classes).
    public func attribute(_ name: String) -> PickleValue? {
        guard let state else { return nil }
        switch state {
        case .dict:
            return state[name]
        case .tuple(let parts) where parts.count == 2:
            return parts[0][name] ?? parts[1][name]
        default:
            return nil
        }
    }
}

/// A numpy `ndarray` as pickled by numpy (`numpy.core.multiarray._reconstruct` + BUILD state, or
/// protocol 5 `numpy.core.numeric._frombuffer`), or a JAX array (`jax._src.array._reconstruct_array`,
/// which wraps the numpy form). Only the raw bytes are kept; `float32Tensor()` converts.
public struct PickleArray: Equatable, Sendable {
    /// numpy type string with byte order, e.g. `<f4`, `<i4`, `|b1`.
    public var dtype: String
    public var shape: [Int]
    /// True when the bytes are in Fortran (column-major) order.
    public var fortranOrder: Bool
    public var data: [UInt8]

    public init(dtype: String, shape: [Int], fortranOrder: Bool, data: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.fortranOrder = fortranOrder
        self.data = data
    }

    /// Number of elements, or nil when the shape overflows.
    public var elementCount: Int? {
        NumPyArrayDecoder(descr: dtype, shape: shape, fortranOrder: fortranOrder).elementCount
    }

    /// The array as float32 in C order (`NumPyArrayDecoder`, the decoder `.npy` files use too):
    /// `f4` bit for bit, `f8` rounded, `i1`–`i8`, `u1`–`u8` and `b1` converted, in either byte order
    /// and C or Fortran order. Any other dtype, or a byte count that does not match the shape, throws.
    public func float32Tensor() throws -> Tensor {
        let decoder = NumPyArrayDecoder(descr: dtype, shape: shape, fortranOrder: fortranOrder)
        return try data.withUnsafeBytes { raw in
            try decoder.decode(raw) { TensorArchiveError.array("array \($0)") }
        }
    }
}

extension PickleValue {
    /// Looks up a string key in a dict (nil for other values or missing keys).
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let entries) = self else { return nil }
        for entry in entries where entry.key == .string(key) { return entry.value }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Integers, and booleans as 0/1 (Python `bool` is an `int`).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// Floats and integers as Double.
    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var objectValue: PickleObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: PickleArray? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Entries of a dict value.
    public var dictEntries: [PickleDictEntry]? {
        if case .dict(let e) = self { return e }
        return nil
    }

    /// Elements of a list or tuple.
    public var sequenceElements: [PickleValue]? {
        switch self {
        case .list(let v), .tuple(let v): return v
        default: return nil
        }
    }
}

extension PickleValue {
    /// A short description of a value's kind for error messages (`dict`, `global torch.FloatStorage`, ...).
    public static func kindDescription(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .complex: return "complex"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set: return "set"
        case .global(let g): return "global \(g)"
        case .object(let o): return "object \(o.className ?? "(built in the pickle)")"
        case .array(let a): return "array \(a.dtype) \(a.shape)"
        case .persistentID: return "persistent id"
        case .recursiveReference: return "recursive reference"
        }
    }
}
