import Foundation
import Testing
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// The pickle allow-list: real checkpoints load, and the reviewer's hostile files (a real EDP
/// checkpoint with a `pydoc.pipepager` call appended; a cloudpickle class whose `__setstate__` runs
/// `os.system`) and their relatives are refused with an error naming the offending global.
@Suite struct PickleAllowListTests {
    let reader = PickleReader()

    /// The error of reading `bytes`, which must be refused as forbidden.
    func refusal(_ bytes: [UInt8], _ label: String) -> String {
        do {
            _ = try reader.read(bytes)
            Issue.record("\(label): accepted")
            return ""
        } catch let error as PickleError {
            #expect(error.kind == .forbidden, "\(label): \(error)")
            return error.description
        } catch {
            Issue.record("\(label): unexpected \(error)")
            return ""
        }
    }

    @Test func realCheckpointsStillLoad() throws {
        #expect(try Checkpoint.load(CheckpointFixtures.edp42k).format == .edpPickle)
        for url in [CheckpointFixtures.dqlInitActor, CheckpointFixtures.dqlTrainedCritic] {
            #expect(try Checkpoint.load(url).format == .torchPair)
        }
    }

    /// The reviewer's hostile_pydoc/model_final.pkl: the real checkpoint, then
    /// `pydoc.pipepager('x', 'touch /tmp/pwned')` (runs a shell command in Python) before STOP.
    @Test func realCheckpointWithAnAppendedPydocCallIsRefused() throws {
        let original = try CheckpointFixtures.bytes(CheckpointFixtures.edp42k)
        #expect(original.last == 0x2E)
        var p = PickleBuilder()
        p.global("pydoc", "pipepager")
        p.binUnicode("x"); p.binUnicode("touch /tmp/pwned"); p.op(0x86); p.op(0x52)   // pipepager('x', cmd)
        p.op(0x30)                                                                  // POP: the dict stays
        p.stop()
        let hostile = original.dropLast() + p.bytes
        let message = refusal(Array(hostile), "pydoc")
        #expect(message.contains("forbidden global pydoc.pipepager"), "\(message)")
        #expect(message.contains("pickle byte \(original.count - 1)"))
        // Through the facade the file is named.
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model_final.pkl")
        try Data(hostile).write(to: file)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(folder) }
        #expect(error?.kind == .pickle)
        #expect(error?.description.hasPrefix(file.path) == true)
        #expect(error?.description.contains("pydoc.pipepager") == true)
    }

    /// The reviewer's cp/model_final.pkl, as cloudpickle 3 writes a class defined in `__main__`:
    /// `_make_skeleton_class(type, 'Agent', (object,), {...}, ...)`, `_class_setstate(cls, {'__setstate__': f})`
    /// with `f` from `_make_function`, then `NEWOBJ(cls)` and `BUILD`, which would call `f`.
    static func skeletonClassPickle(module: String = "cloudpickle.cloudpickle") -> [UInt8] {
        var p = PickleBuilder()
        p.proto(5)
        p.op(0x7D)                                                       // {
        p.shortUnicode("agent")
        p.stackGlobal(module, "_make_skeleton_class")
        p.op(0x28)                                                       // MARK
        p.stackGlobal("builtins", "type"); p.shortUnicode("Agent")
        p.stackGlobal("builtins", "object"); p.op(0x85)
        p.op(0x7D); p.shortUnicode("0123abcd"); p.op(0x4E)
        p.op(0x74); p.op(0x52)                                           // _make_skeleton_class(type, 'Agent', (object,), {}, '…', None)
        p.op(0x29); p.op(0x81)                                           // NEWOBJ: Agent.__new__(Agent)
        p.op(0x7D); p.op(0x62)                                           // BUILD {} → Agent.__setstate__({})
        p.op(0x73); p.stop()
        return p.bytes
    }

    @Test func classesBuiltInsideThePickleAreRefused() throws {
        let message = refusal(Self.skeletonClassPickle(), "skeleton class")
        #expect(message.contains("forbidden global cloudpickle.cloudpickle._make_skeleton_class"), "\(message)")
        let fast = refusal(Self.skeletonClassPickle(module: "cloudpickle.cloudpickle_fast"), "skeleton class (1.x)")
        #expect(fast.contains("cloudpickle.cloudpickle_fast._make_skeleton_class"))
        // The other class and enum builders, and builtins.type (3-argument type() makes a class).
        for (module, name) in [("cloudpickle.cloudpickle", "_make_skeleton_enum"), ("cloudpickle.cloudpickle", "_class_setstate"),
                               ("cloudpickle.cloudpickle_fast", "_class_setstate"), ("cloudpickle.cloudpickle", "_enum_setstate"),
                               ("cloudpickle.cloudpickle", "_make_dynamic_class"), ("cloudpickle.cloudpickle", "dynamic_subimport"),
                               ("builtins", "type"), ("types", "FunctionType"), ("types", "CodeType"), ("types", "new_class"),
                               ("enum", "EnumMeta"), ("collections", "namedtuple"), ("abc", "ABCMeta")] {
            var p = PickleBuilder()
            p.proto(4); p.stackGlobal(module, name); p.stop()
            let message = refusal(p.bytes, "\(module).\(name)")
            #expect(message.contains("forbidden global \(module).\(name)"), "\(message)")
        }
    }

    @Test func modulesOutsideTheAllowListAreRefusedByName() throws {
        for (module, name) in [("pydoc", "pipepager"), ("os", "system"), ("subprocess", "run"), ("__main__", "Agent"),
                               ("operator", "attrgetter"), ("functools", "partial"), ("shutil", "rmtree"),
                               ("builtins", "eval"), ("builtins", "getattr"), ("builtins", "__import__"),
                               ("collections", "os.system"), ("numpy", "load"), ("numpy.f2py", "compile"),
                               ("torch", "load"), ("torch.hub", "load"), ("flax.io", "GFile"), ("jax", "numpy.load"),
                               ("torch.serialization", "pickle.loads"), ("numpy", "ndarray.__reduce__")] {
            var p = PickleBuilder()
            p.proto(2); p.global(module, name); p.stop()
            let message = refusal(p.bytes, "\(module).\(name)")
            #expect(message.contains("forbidden global \(module).\(name)"), "\(message)")
        }
        // Names real checkpoints use stay allowed.
        for (module, name) in [("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage"),
                               ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
                               ("jax._src.array", "_reconstruct_array"), ("flax.training.train_state", "TrainState"),
                               ("optax._src.base", "EmptyState"), ("ml_collections.config_dict.config_dict", "ConfigDict"),
                               ("diffusion.dql", "DiffusionQL"), ("_codecs", "encode"), ("copyreg", "_reconstructor"),
                               ("builtins", "set"), ("cloudpickle.cloudpickle", "_make_function")] {
            #expect(PickleReader.forbiddenReason(for: PickleGlobal(module: module, name: name)) == nil, "\(module).\(name)")
        }
    }

    /// `subimport` only of allowed packages; `_builtin_type` only for `CodeType`.
    @Test func cloudpickleHelpersOnlyForWhatCheckpointsNeed() throws {
        for module in ["os", "pydoc", "builtins", "jax.os", "numpy.distutils"] {
            var p = PickleBuilder()
            p.proto(4); p.stackGlobal("cloudpickle.cloudpickle", "subimport")
            p.shortUnicode(module); p.op(0x85); p.op(0x52); p.stop()
            let message = refusal(p.bytes, "subimport(\(module))")
            #expect(message.contains("subimport of module \(module)"), "\(message)")
        }
        for type in ["FunctionType", "MethodType", "ModuleType", "ClassType"] {
            var p = PickleBuilder()
            p.proto(4); p.stackGlobal("cloudpickle.cloudpickle", "_builtin_type")
            p.shortUnicode(type); p.op(0x85); p.op(0x52); p.stop()
            let message = refusal(p.bytes, "_builtin_type(\(type))")
            #expect(message.contains("_builtin_type('\(type)')"), "\(message)")
        }
        var jax = PickleBuilder()
        jax.proto(4); jax.stackGlobal("cloudpickle.cloudpickle", "subimport")
        jax.shortUnicode("jax.nn"); jax.op(0x85); jax.op(0x52); jax.stop()
        #expect(try reader.read(jax.bytes).objectValue?.arguments == [.string("jax.nn")])
    }

    /// A function built inside the pickle may be stored, but never handed to a library call that
    /// might call it: `jax.tree_util.tree_map(f, x)`, `jax.lax.switch(0, [f])`, or a constructor
    /// given an object that holds it (`TrainState.create(tx=GradientTransformation(f, f))`).
    @Test func functionsBuiltInsideThePickleAreNeverPassedToCalls() throws {
        func function(_ p: inout PickleBuilder) {
            p.stackGlobal("cloudpickle.cloudpickle", "_make_function")
            p.stackGlobal("cloudpickle.cloudpickle", "_builtin_type")
            p.shortUnicode("CodeType"); p.op(0x85); p.op(0x52)
            p.int1(0); p.shortUnicode("payload"); p.op(0x86); p.op(0x52)   // CodeType(0, 'payload')
            p.op(0x7D); p.op(0x86); p.op(0x52)                              // _make_function(code, {})
        }
        var treeMap = PickleBuilder()
        treeMap.proto(4); treeMap.stackGlobal("jax.tree_util", "tree_map")
        function(&treeMap); treeMap.int1(1); treeMap.op(0x86); treeMap.op(0x52); treeMap.stop()
        var inList = PickleBuilder()
        inList.proto(4); inList.stackGlobal("jax.lax", "switch")
        inList.int1(0); inList.op(0x5D); function(&inList); inList.op(0x61); inList.op(0x86); inList.op(0x52); inList.stop()
        var inObject = PickleBuilder()
        inObject.proto(4); inObject.stackGlobal("flax.training.train_state", "TrainState.create")
        inObject.stackGlobal("optax._src.base", "GradientTransformation")
        function(&inObject); inObject.memoize(); inObject.op(0x68); inObject.bytes.append(0)   // f, f (memo 0)
        inObject.op(0x86); inObject.op(0x52)                                // GradientTransformation(f, f): stored, allowed
        inObject.op(0x85); inObject.op(0x52); inObject.stop()              // TrainState.create(tx): refused
        for (label, bytes) in [("tree_map", treeMap.bytes), ("switch", inList.bytes), ("TrainState.create", inObject.bytes)] {
            let message = refusal(bytes, label)
            #expect(message.contains("passes a function or code object built inside the pickle"), "\(label): \(message)")
        }
        // Storing it (optax GradientTransformation, a dict) is what real checkpoints do.
        var stored = PickleBuilder()
        stored.proto(4); stored.stackGlobal("optax._src.base", "GradientTransformation")
        function(&stored); stored.op(0x4E); stored.op(0x86); stored.op(0x52); stored.stop()
        #expect(try reader.read(stored.bytes).objectValue?.className == "optax._src.base.GradientTransformation")
    }
}
