/// The allow-list behind `PickleReader`'s "refuse hostile files" rule.
///
/// The reader never runs anything, so no global is dangerous *to us*. The rules exist so that a
/// file which would attack a Python user who loads it is rejected loudly instead of loading as if
/// it were a checkpoint. A global is accepted only when it belongs to what real EDP and
/// Diffusion-QL checkpoints contain (the original-code fixtures, now under `Tests/Fixtures`, were disassembled with
/// `pickletools`, nothing unpickled):
///
/// - EDP `model_*.pkl` (cloudpickle of the agent): `diffusion.*` (EDP's own package), `flax.*`,
///   `jax.*`, `optax.*`, `ml_collections.*`, `numpy.*`, and cloudpickle's helpers `subimport`,
///   `_builtin_type('CodeType')`, `_make_function`, `_function_setstate`, `_make_cell`,
///   `_make_empty_cell` (the optax closures of the optimizer state are pickled as code objects);
/// - Diffusion-QL `.pth` (`torch.save`): `collections.OrderedDict`, `torch.FloatStorage`,
///   `torch._utils._rebuild_tensor_v2`;
/// - the constructors `PickleFolding` understands from older and newer writers: `_codecs.encode`,
///   `copyreg._reconstructor` / `__newobj__` / `__newobj_ex__`, harmless `builtins` types (`set`,
///   `frozenset`, `complex`, ...), `jaxlib.*`.
///
/// Everything else — `os`, `subprocess`, `pydoc.pipepager`, `builtins.eval`, `builtins.type`, any
/// module a checkpoint does not need — is refused with an error naming the global. Inside the
/// allowed libraries a deny-list still refuses known gadgets (`numpy.load`, `torch.load`,
/// `jax.jit`, attribute-getters, dotted paths through dunder or OS-level names).
///
/// Classes built inside the pickle (cloudpickle's `_make_skeleton_class`, `_make_skeleton_enum`,
/// `_class_setstate`, `builtins.type`) are refused outright: Python would run their `__init__`,
/// `__setstate__`, `__hash__` or `__setitem__`, code that comes from the file. Functions built
/// inside the pickle (`_make_function`, code objects) are kept inert: `PickleMachine` refuses any
/// call of one, and any call of a library global that receives one among its arguments (a library
/// function such as `jax.tree_util.tree_map` would call it), except the cloudpickle helpers above
/// and the optax containers that merely store them (`codeAcceptingCallables`).
enum PickleSecurityPolicy {
    /// Top-level modules of real checkpoints whose globals are allowed (subject to the deny-lists).
    static let allowedModules: Set<String> = [
        "diffusion", "flax", "jax", "jaxlib", "optax", "ml_collections", "numpy", "torch",
    ]

    /// Modules of which only the listed names are allowed.
    static let allowedNames: [String: Set<String>] = [
        "collections": ["OrderedDict", "defaultdict", "deque", "Counter"],
        "builtins": harmlessBuiltins,
        "__builtin__": harmlessBuiltins,
        "copyreg": ["_reconstructor", "__newobj__", "__newobj_ex__"],
        "copy_reg": ["_reconstructor", "__newobj__", "__newobj_ex__"],
        "_codecs": ["encode"],
        "cloudpickle": cloudpickleHelpers,
        "cloudpickle.cloudpickle": cloudpickleHelpers,
        "cloudpickle.cloudpickle_fast": cloudpickleHelpers,
        // Stable-Baselines3 `vecnormalize.pkl` (a pickled VecNormalize wrapper, protocol 3): the
        // wrapper, its RunningMeanStd statistics and the gym/gymnasium Box spaces it keeps. All
        // three are plain attribute holders (their __setstate__ only updates __dict__).
        "stable_baselines3.common.vec_env.vec_normalize": ["VecNormalize"],
        "stable_baselines3.common.running_mean_std": ["RunningMeanStd"],
        "gym.spaces.box": ["Box"],
        "gymnasium.spaces.box": ["Box"],
        // The Box's `_np_random` (a numpy RandomState, rebuilt by these constructors from a bit
        // generator name): its module is `numpy.random._pickle`, whose `_pickle` segment the
        // deny-list below would otherwise refuse as CPython's pickle module.
        "numpy.random._pickle": ["__randomstate_ctor", "__bit_generator_ctor"],
    ]

    /// `builtins` that only build plain values (no `type`, which creates classes, no `getattr`, `eval`, ...).
    static let harmlessBuiltins: Set<String> = [
        "set", "frozenset", "complex", "bytearray", "bytes", "slice", "range", "object", "list", "tuple",
        "dict", "int", "float", "bool", "str", "Ellipsis", "NotImplemented",
    ]

    /// The cloudpickle helpers real EDP checkpoints use; all build inert values. Notably absent:
    /// `_make_skeleton_class`, `_make_skeleton_enum`, `_class_setstate`, `_enum_setstate`,
    /// `_make_dynamic_class`, `dynamic_subimport`.
    static let cloudpickleHelpers: Set<String> = [
        "subimport", "_builtin_type", "_make_function", "_function_setstate", "_make_cell",
        "_make_empty_cell", "cell_set",
    ]

    /// Arguments of cloudpickle's `_builtin_type(name)` that are allowed: `CodeType` (the code of
    /// a pickled function), the only one real checkpoints use.
    static let allowedBuiltinTypes: Set<String> = ["CodeType"]

    /// Globals that may receive a function or code object built inside the pickle as an argument:
    /// cloudpickle's own helpers and the optax `NamedTuple`s that store `init`/`update` closures.
    static let codeAcceptingCallables: Set<String> = [
        "cloudpickle.cloudpickle._make_function", "cloudpickle.cloudpickle._function_setstate",
        "cloudpickle.cloudpickle._make_cell", "cloudpickle.cloudpickle.cell_set",
        "cloudpickle.cloudpickle_fast._make_function", "cloudpickle.cloudpickle_fast._function_setstate",
        "cloudpickle.cloudpickle_fast._make_cell", "cloudpickle.cloudpickle_fast.cell_set",
        "cloudpickle._make_function", "cloudpickle._function_setstate", "cloudpickle._make_cell", "cloudpickle.cell_set",
        "optax._src.base.GradientTransformation", "optax._src.base.GradientTransformationExtraArgs",
    ]

    /// Module names refused even inside an allowed package (`numpy.distutils`, `torch.multiprocessing`,
    /// `flax.io`, ...) and as attribute segments of dotted names: process control, files,
    /// networking, interpreter internals, code loading, serialisation that could chain into another load.
    static let forbiddenModules: Set<String> = [
        "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "_posixsubprocess", "sys",
        "importlib", "imp", "pkgutil", "zipimport", "shutil", "socket", "_socket", "ssl", "pty",
        "tty", "termios", "fcntl", "runpy", "pickle", "_pickle", "cPickle",
        "pickletools", "marshal", "ctypes", "_ctypes", "cffi", "code", "codeop",
        "multiprocessing", "concurrent", "threading", "_thread", "signal", "asyncio", "selectors",
        "select", "mmap", "resource", "gc", "inspect", "webbrowser", "platform", "tempfile",
        "glob", "fileinput", "io", "_io", "pathlib", "shelve", "dbm", "sqlite3", "urllib",
        "urllib2", "http", "httplib", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib",
        "xmlrpc", "socketserver", "pdb", "bdb", "trace", "profile", "cProfile", "timeit",
        "doctest", "unittest", "idlelib", "tkinter", "ensurepip", "venv", "distutils",
        "setuptools", "pip", "site", "sysconfig", "commands", "popen2", "pydoc", "builtins",
        "_frozen_importlib", "_frozen_importlib_external", "_imp", "hub", "f2py",
    ]

    /// Loaders, attribute-access and call gadgets inside the allowed libraries.
    static let forbiddenQualifiedNames: Set<String> = [
        "numpy.load", "numpy.save", "numpy.savez", "numpy.fromfile", "numpy.loadtxt",
        "numpy.genfromtxt", "numpy.memmap", "numpy.lib.npyio.load", "numpy.ctypeslib.load_library",
        "numpy.testing._private.utils.runstring", "numpy.f2py", "numpy.distutils",
        "torch.load", "torch.save", "torch.hub.load", "torch.jit.load", "torch.ops.load_library",
        "torch.classes.load_library", "torch.serialization.load", "torch._C._jit_pass",
        "jax.experimental.jax2tf", "jax.jit", "jax.pmap",
    ]

    /// Attribute names that, inside a dotted global name (protocol 4 resolves `a.b.c` with
    /// getattr chains), reach interpreter internals or run commands.
    static let forbiddenDottedSegments: Set<String> = [
        "system", "popen", "spawn", "spawnv", "spawnl", "execv", "execl", "execve", "fork",
        "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals",
        "vars", "breakpoint", "input", "attrgetter", "methodcaller", "load", "loads",
    ]

    static func forbiddenReason(module: String, name: String) -> String? {
        let moduleParts = module.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let nameParts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let top = moduleParts.first else { return "empty module name" }
        let qualified = "\(module).\(name)"

        if let names = allowedNames[module] {
            guard nameParts.count == 1, names.contains(name) else {
                return "\(module).\(name) is not among the \(module) names a checkpoint needs (\(names.sorted().joined(separator: ", ")))"
            }
            return nil
        }
        guard allowedModules.contains(top) else {
            return "module \(module) is not one a checkpoint needs (allowed: \(allowedModules.sorted().joined(separator: ", ")), and listed names of \(allowedNames.keys.sorted().joined(separator: ", ")))"
        }
        // Inside an allowed package: submodules and attribute paths must stay clear of gadgets.
        for part in moduleParts.dropFirst() + nameParts.dropLast() where forbiddenModules.contains(part) {
            return "\(qualified) reaches \(part), which can run commands, touch files or load code"
        }
        for entry in forbiddenQualifiedNames where qualified == entry || qualified.hasPrefix(entry + ".") {
            return "\(entry) can load files or compile and run code"
        }
        for segment in nameParts.dropFirst() {
            if segment.hasPrefix("__") && segment.hasSuffix("__") {
                return "dotted name reaches the interpreter attribute \(segment)"
            }
            if forbiddenDottedSegments.contains(segment) {
                return "dotted name reaches \(segment)"
            }
        }
        return nil
    }

    /// Why cloudpickle's `subimport(module)` of `module` is refused: only allowed packages (and
    /// none of their gadget submodules) may be imported.
    static func forbiddenImport(_ module: String) -> String? {
        let parts = module.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let top = parts.first, allowedModules.contains(top) else {
            return "cloudpickle subimport of module \(module), which a checkpoint does not need"
        }
        if let part = parts.dropFirst().first(where: { forbiddenModules.contains($0) }) {
            return "cloudpickle subimport of module \(module) reaches \(part)"
        }
        return nil
    }

    /// cloudpickle module spellings across versions (`cloudpickle.cloudpickle` in 2.x/3.x,
    /// `cloudpickle.cloudpickle_fast` in 1.x/2.x).
    static let cloudpickleModules: Set<String> = ["cloudpickle.cloudpickle", "cloudpickle.cloudpickle_fast", "cloudpickle"]

    /// cloudpickle's `_builtin_type(name)`: returns `getattr(types, name)`, a type whose call only
    /// constructs an instance (a code object for `CodeType`).
    static func isBuiltinType(_ global: PickleGlobal) -> Bool {
        cloudpickleModules.contains(global.module) && global.name == "_builtin_type"
    }

    /// cloudpickle's `_make_function`: builds a function from a code object (not run).
    static func isMakeFunction(_ global: PickleGlobal) -> Bool {
        cloudpickleModules.contains(global.module) && global.name == "_make_function"
    }

    /// cloudpickle's module importer.
    static func isSubimport(_ global: PickleGlobal) -> Bool {
        cloudpickleModules.contains(global.module) && global.name == "subimport"
    }

    /// Whether `global` may receive pickle-built code among its arguments.
    static func acceptsCode(_ global: PickleGlobal) -> Bool {
        codeAcceptingCallables.contains("\(global.module).\(global.name)")
    }
}
