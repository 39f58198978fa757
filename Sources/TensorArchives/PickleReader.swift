import Foundation

/// A restricted reader for Python pickles (protocols 0-5, with the text opcodes of protocols 0/1
/// except STRING/UNICODE): a pure interpreter of the opcodes into an inert `PickleValue` tree.
///
/// Security model:
/// - **Nothing is ever executed or imported.** GLOBAL/STACK_GLOBAL become `.global` names;
///   REDUCE/NEWOBJ/BUILD become `.object` placeholders recording the callable, its arguments and
///   the state. A few well-known constructors are folded into plain values after reading (numpy
///   and JAX arrays, `collections.OrderedDict`, flax `FrozenDict`, `set`/`frozenset`, `complex`,
///   `copyreg._reconstructor`, `copyreg.__newobj__`, numpy scalars); everything else stays a
///   placeholder.
/// - **Only what checkpoints contain is accepted.** Globals must come from an allow-list derived
///   from real EDP and Diffusion-QL checkpoints (`diffusion`, `flax`, `jax`, `jaxlib`, `optax`,
///   `ml_collections`, `numpy`, `torch`, and listed names of `collections`, `builtins`, `copyreg`,
///   `_codecs` and cloudpickle; `PickleReader.forbiddenReason(for:)`), minus known gadgets inside
///   those libraries (`numpy.load`, `torch.load`, dotted paths through dunders, ...). Anything else
///   (`os.system`, `pydoc.pipepager`, `builtins.eval`, ...) fails with `PickleError.Kind.forbidden`
///   naming the global; so does cloudpickle's `subimport` of another module.
/// - **No code from the file could run in Python either.** Classes built inside the pickle
///   (cloudpickle's `_make_skeleton_class`, `_make_skeleton_enum`, `_class_setstate`,
///   `builtins.type`), whose `__init__`/`__setstate__` Python would run, are refused. Functions
///   built inside it (`_builtin_type('CodeType')`, `_make_function`, `_function_setstate`,
///   `_make_cell`; EDP checkpoints hold optax closures pickled that way) are allowed but stay
///   inert: calling one, or passing one (directly or inside any container or object) to a call
///   other than cloudpickle's helpers and the optax containers that store them, is refused.
/// - **Everything is bounded**: stack size, mark nesting, memo entries, nesting depth of the
///   result, the logical size of the result tree (shared subtrees count each time they appear),
///   big-integer length, and an estimated total allocation. Every length read from the file is
///   checked against the bytes remaining before anything is allocated. Truncated or corrupt input
///   throws a `PickleError` with the byte offset and opcode; it never traps.
public struct PickleReader: Sendable {
    /// Resource bounds for one read.
    public struct Limits: Sendable, Equatable {
        /// Most values on the stack at once (including those above marks).
        public var maxStackSize = 1 << 20
        /// Most nested MARKs.
        public var maxMarkDepth = 4096
        /// Most memo entries.
        public var maxMemoEntries = 1 << 22
        /// Deepest nesting of containers/objects in the result.
        public var maxNestingDepth = 400
        /// Most nodes in the result tree, counting shared subtrees once per appearance.
        public var maxResultNodes = 20_000_000
        /// Longest LONG1/LONG4 integer in bytes.
        public var maxBigIntBytes = 4096
        /// Estimated bytes the reader may allocate, beyond this base plus 4× the input size.
        public var baseAllocationBudget = 256 << 20
        public init() {}
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Reads one pickle from `bytes` (up to its STOP opcode; trailing bytes are ignored, as Python does).
    public func read(_ bytes: [UInt8]) throws -> PickleValue {
        var machine = PickleMachine(input: bytes, limits: limits)
        return try machine.run()
    }

    /// Reads one pickle from `data`.
    public func read(_ data: Data) throws -> PickleValue {
        try read([UInt8](data))
    }

    /// Why a global would be refused, or nil when it is allowed: it is outside the allow-list of
    /// modules and names real checkpoints use, or it is a known gadget inside an allowed library
    /// (loaders such as `numpy.load` / `torch.load`, OS-level submodules, dunder paths in dotted names).
    public static func forbiddenReason(for global: PickleGlobal) -> String? {
        PickleSecurityPolicy.forbiddenReason(module: global.module, name: global.name)
    }
}

/// A pickle that could not be read: where (byte offset of the opcode), which opcode, and why.
public struct PickleError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Equatable, Sendable {
        /// The input ended inside an opcode or before STOP.
        case truncated
        /// Invalid structure: stack underflow, wrong operand types, bad memo index, bad UTF-8, ...
        case malformed
        /// An opcode this reader does not implement (EXT*, NEXT_BUFFER, text STRING/UNICODE, ...).
        case unsupported
        /// A global or call that would be dangerous if Python unpickled the file.
        case forbidden
        /// A resource bound of `PickleReader.Limits` was exceeded.
        case limitExceeded
    }

    public var kind: Kind
    /// Byte offset of the opcode being executed (the input length when it ended before STOP).
    public var offset: Int
    /// The opcode byte, when there was one.
    public var opcode: UInt8?
    public var message: String

    public init(kind: Kind, offset: Int, opcode: UInt8?, message: String) {
        self.kind = kind
        self.offset = offset
        self.opcode = opcode
        self.message = message
    }

    public var description: String {
        var where_ = "pickle byte \(offset)"
        if let opcode {
            where_ += " (opcode 0x\(String(opcode, radix: 16, uppercase: true)) \(PickleOpcode.name(of: opcode)))"
        }
        return "\(where_): \(kind.rawValue): \(message)"
    }
}
