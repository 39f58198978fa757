/// The deny-list behind `PickleReader`'s "flag hostile files" rule.
///
/// The reader never runs anything, so no global is dangerous *to us*. The list exists so that a
/// file which would attack a Python user (the classic `os.system` / `builtins.eval` REDUCE
/// payloads, see the warning at the top of the CPython `pickle` documentation) is rejected loudly
/// instead of loading as if it were a checkpoint. It is a deny-list and therefore not complete;
/// the guarantee of this reader is that it executes nothing, not that the list is exhaustive.
enum PickleSecurityPolicy {
    /// Top-level modules refused entirely: process control, files, networking, interpreter
    /// internals, code loading and serialisation that could chain into another load.
    static let forbiddenModules: Set<String> = [
        "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "_posixsubprocess", "sys",
        "importlib", "imp", "pkgutil", "zipimport", "shutil", "socket", "_socket", "ssl", "pty",
        "tty", "termios", "fcntl", "runpy", "pickle", "_pickle", "cPickle", "cloudpickle.pickle",
        "pickletools", "copy_reg", "marshal", "ctypes", "_ctypes", "cffi", "code", "codeop",
        "multiprocessing", "concurrent", "threading", "_thread", "signal", "asyncio", "selectors",
        "select", "mmap", "resource", "gc", "inspect", "webbrowser", "platform", "tempfile",
        "glob", "fileinput", "io", "_io", "pathlib", "shelve", "dbm", "sqlite3", "urllib",
        "urllib2", "http", "httplib", "ftplib", "smtplib", "poplib", "imaplib", "telnetlib",
        "xmlrpc", "socketserver", "pdb", "bdb", "trace", "profile", "cProfile", "timeit",
        "doctest", "unittest", "idlelib", "tkinter", "ensurepip", "venv", "distutils",
        "setuptools", "pip", "site", "sysconfig", "commands", "popen2",
        "_frozen_importlib", "_frozen_importlib_external", "_imp",
    ]

    /// `builtins` (and Python 2 `__builtin__`) attributes refused.
    static let forbiddenBuiltins: Set<String> = [
        "eval", "exec", "execfile", "compile", "__import__", "open", "file", "getattr", "setattr",
        "delattr", "globals", "locals", "vars", "dir", "input", "raw_input", "breakpoint", "exit",
        "quit", "help", "memoryview", "__build_class__", "__loader__", "__spec__", "reload",
    ]

    /// Attribute-access and call gadgets in otherwise harmless modules.
    static let forbiddenQualifiedNames: Set<String> = [
        "operator.attrgetter", "operator.methodcaller",
        "_operator.attrgetter", "_operator.methodcaller",
        "types.ModuleType", "copyreg.add_extension",
        "numpy.load", "numpy.save", "numpy.savez", "numpy.fromfile", "numpy.loadtxt",
        "numpy.genfromtxt", "numpy.memmap", "numpy.lib.npyio.load", "numpy.ctypeslib.load_library",
        "numpy.testing._private.utils.runstring", "numpy.f2py", "numpy.distutils",
        "torch.load", "torch.save", "torch.hub.load", "torch.jit.load", "torch.ops.load_library",
        "torch.classes.load_library", "torch.serialization.load", "torch._C._jit_pass",
        "jax.experimental.jax2tf", "jax.jit", "jax.pmap",
        "cloudpickle.load", "cloudpickle.loads", "cloudpickle.cloudpickle.load",
        "cloudpickle.cloudpickle.loads", "dill.load", "dill.loads", "joblib.load",
    ]

    /// Attribute names that, inside a dotted global name (protocol 4 resolves `a.b.c` with
    /// getattr chains), reach interpreter internals.
    static let forbiddenDottedSegments: Set<String> = [
        "system", "popen", "spawn", "spawnv", "spawnl", "execv", "execl", "execve", "fork",
        "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "globals", "locals",
        "vars", "breakpoint", "input",
    ]

    static func forbiddenReason(module: String, name: String) -> String? {
        let moduleParts = module.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let nameParts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let top = moduleParts.first else { return nil }
        let qualified = "\(module).\(name)"

        // Module prefixes: "os", "os.path", "concurrent.futures", ...
        var prefix = ""
        for part in moduleParts {
            prefix = prefix.isEmpty ? part : prefix + "." + part
            if forbiddenModules.contains(prefix) {
                return "module \(prefix) can run commands, touch files or load code"
            }
        }
        if top == "builtins" || top == "__builtin__" || top == "__builtins__" {
            if let first = nameParts.first, forbiddenBuiltins.contains(first) {
                return "builtins.\(first) can execute code or reach arbitrary attributes"
            }
        }
        for entry in forbiddenQualifiedNames where qualified == entry || qualified.hasPrefix(entry + ".") {
            return "\(entry) can load files or reach arbitrary attributes"
        }
        // Dotted names: every segment after the first is an attribute lookup.
        if nameParts.count > 1 {
            for segment in nameParts.dropFirst() {
                if segment.hasPrefix("__") && segment.hasSuffix("__") {
                    return "dotted name reaches the interpreter attribute \(segment)"
                }
                if forbiddenModules.contains(segment) || forbiddenDottedSegments.contains(segment) {
                    return "dotted name reaches \(segment)"
                }
            }
        }
        return nil
    }

    /// Whether `module` (an argument of cloudpickle's `subimport`/`dynamic_subimport`) is refused.
    static func forbiddenImport(_ module: String) -> String? {
        var prefix = ""
        for part in module.split(separator: ".", omittingEmptySubsequences: false) {
            prefix = prefix.isEmpty ? String(part) : prefix + "." + part
            if forbiddenModules.contains(prefix) {
                return "cloudpickle subimport of module \(prefix)"
            }
        }
        return nil
    }

    /// cloudpickle module spellings across versions (`cloudpickle.cloudpickle` in 2.x/3.x,
    /// `cloudpickle.cloudpickle_fast` in 1.x/2.x).
    static let cloudpickleModules: Set<String> = ["cloudpickle.cloudpickle", "cloudpickle.cloudpickle_fast", "cloudpickle"]

    /// Callables whose *result* is a type or class, so calling that result only constructs an
    /// instance (allowed): cloudpickle's `_builtin_type(name)` (returns `getattr(types, name)`),
    /// `_make_skeleton_class`, `_make_skeleton_enum`.
    static func returnsType(_ global: PickleGlobal) -> Bool {
        guard cloudpickleModules.contains(global.module) else { return false }
        return ["_builtin_type", "_make_skeleton_class", "_make_skeleton_enum", "_make_dynamic_class"]
            .contains(global.name)
    }

    /// cloudpickle's module importers.
    static func isSubimport(_ global: PickleGlobal) -> Bool {
        cloudpickleModules.contains(global.module) && (global.name == "subimport" || global.name == "dynamic_subimport")
    }
}
