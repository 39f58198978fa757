/// Turns placeholders of well-known, side-effect-free constructors into plain values.
///
/// Sources for the shapes recognised here:
/// - numpy `ndarray.__reduce__`: `(numpy.core.multiarray._reconstruct, (ndarray, (0,), b'b'),
///   state)` with `state = (version, shape, dtype, is_fortran, rawdata)`; `ndarray.__setstate__`
///   also accepts the 4-tuple without version. numpy ≥ 2 spells the module `numpy._core`.
///   With protocol 5 numpy uses `numpy.core.numeric._frombuffer(buffer, dtype, shape, order)`.
///   numpy scalars: `numpy.core.multiarray.scalar(dtype, rawbytes)`.
/// - numpy `dtype.__reduce__`: `(numpy.dtype, (typestr, align, copy), (version, byteorder, ...))`.
/// - JAX (jax 0.4.x `jax/_src/array.py`): `ArrayImpl.__reduce__` returns
///   `(_reconstruct_array, (fun, args, arr_state, aval_state))` where `fun(*args)` with BUILD
///   `arr_state` is the numpy reduction above.
/// - `collections.OrderedDict.__reduce__`: `(OrderedDict, (), state, None, items)`.
/// - flax `FrozenDict`: `FrozenDict(dict)` or an instance whose state holds `_dict`.
/// - Protocol-2 bytes: `_codecs.encode(text, 'latin1')` (CPython `Pickler.save_bytes`).
/// - `copyreg._reconstructor(cls, base, state)` and `copyreg.__newobj__(cls, *args)`
///   (CPython `Lib/copyreg.py`).
enum PickleFolding {
    static let numpyReconstruct: Set<String> = ["numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct"]
    static let numpyFromBuffer: Set<String> = ["numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer"]
    static let numpyScalar: Set<String> = ["numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar"]
    static let numpyDtype: Set<String> = ["numpy.dtype", "numpy.core.multiarray.dtype", "numpy._core.multiarray.dtype"]
    static let jaxReconstruct: Set<String> = ["jax._src.array._reconstruct_array"]
    static let orderedDict: Set<String> = ["collections.OrderedDict", "builtins.dict", "__builtin__.dict"]
    static let frozenDict: Set<String> = ["flax.core.frozen_dict.FrozenDict"]

    /// The plain value a constructor placeholder stands for, or the placeholder itself when its
    /// constructor is not one of the shapes above (or its arguments do not fit).
    static func fold(_ object: PickleObject) -> PickleValue {
        guard let name = object.className else { return .object(object) }
        return foldArray(name, object) ?? foldDictionary(name, object) ?? foldBuiltin(name, object)
            ?? foldCopyreg(name, object) ?? .object(object)
    }

    /// numpy arrays and scalars, and JAX arrays (which wrap the numpy form).
    static func foldArray(_ name: String, _ object: PickleObject) -> PickleValue? {
        if numpyReconstruct.contains(name), let array = reconstructArray(object) { return .array(array) }
        if numpyFromBuffer.contains(name), let array = fromBuffer(object.arguments) { return .array(array) }
        if numpyScalar.contains(name), let array = scalar(object.arguments) { return .array(array) }
        if jaxReconstruct.contains(name), object.arguments.count >= 3 {
            let inner = PickleObject(callable: object.arguments[0], construction: .reduce,
                                     arguments: object.arguments[1].sequenceElements ?? [],
                                     state: object.arguments[2])
            if case .array(let array) = fold(inner) { return .array(array) }
        }
        return nil
    }

    /// `collections.OrderedDict` / `dict(pairs)` and flax `FrozenDict`.
    static func foldDictionary(_ name: String, _ object: PickleObject) -> PickleValue? {
        if orderedDict.contains(name) {
            var entries: [PickleDictEntry] = []
            if let first = object.arguments.first {
                guard object.arguments.count == 1, let pairs = first.sequenceElements else { return nil }
                for pair in pairs {
                    guard let kv = pair.sequenceElements, kv.count == 2 else { return nil }
                    entries.append(PickleDictEntry(key: kv[0], value: kv[1]))
                }
            }
            return .dict(entries + object.dictItems)
        }
        if frozenDict.contains(name) {
            if case .dict(let entries)? = object.arguments.first { return .dict(entries + object.dictItems) }
            if let inner = object.attribute("_dict"), case .dict = inner { return inner }
        }
        return nil
    }

    /// Protocol-2 bytes (`_codecs.encode`), `set`/`frozenset` and `complex`.
    static func foldBuiltin(_ name: String, _ object: PickleObject) -> PickleValue? {
        switch name {
        case "_codecs.encode":
            // Protocol-2 `bytes` are pickled as `_codecs.encode(latin-1 text, 'latin1')`.
            guard object.arguments.count == 2, let text = object.arguments[0].stringValue,
                  let codec = object.arguments[1].stringValue,
                  ["latin1", "latin-1", "iso-8859-1"].contains(codec.lowercased()) else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                guard scalar.value <= 0xFF else { return nil } // latin-1 is U+0000-U+00FF
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(bytes)
        case "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset":
            let frozen = name.hasSuffix("frozenset")
            if object.arguments.isEmpty { return .set([], frozen: frozen) }
            if object.arguments.count == 1 {
                switch object.arguments[0] {
                case .list(let v), .tuple(let v), .set(let v, _): return .set(v, frozen: frozen)
                default: break
                }
            }
        case "builtins.complex", "__builtin__.complex":
            let parts = object.arguments.compactMap(\.doubleValue)
            if parts.count == object.arguments.count, (1...2).contains(parts.count) {
                return .complex(real: parts[0], imaginary: parts.count == 2 ? parts[1] : 0)
            }
        default:
            break
        }
        return nil
    }

    /// `copyreg._reconstructor`, `copyreg.__newobj__` and `copyreg.__newobj_ex__`: rewritten as the
    /// call they stand for, then folded again.
    static func foldCopyreg(_ name: String, _ object: PickleObject) -> PickleValue? {
        var rebuilt = object
        rebuilt.construction = .newObject
        switch name {
        case "copyreg._reconstructor", "copy_reg._reconstructor":
            guard object.arguments.count == 3 else { return nil }
            rebuilt.callable = object.arguments[0]
            rebuilt.arguments = object.arguments[2] == .none ? [] : [object.arguments[2]]
        case "copyreg.__newobj__", "copy_reg.__newobj__":
            guard let cls = object.arguments.first else { return nil }
            rebuilt.callable = cls
            rebuilt.arguments = Array(object.arguments.dropFirst())
        case "copyreg.__newobj_ex__", "copy_reg.__newobj_ex__":
            guard object.arguments.count == 3, let args = object.arguments[1].sequenceElements,
                  case .dict(let keywords) = object.arguments[2] else { return nil }
            rebuilt.callable = object.arguments[0]
            rebuilt.arguments = args
            rebuilt.keywordArguments = keywords
        default:
            return nil
        }
        return fold(rebuilt)
    }

    /// The numpy type string (`<f4`) of a pickled `numpy.dtype` placeholder.
    static func dtypeString(_ value: PickleValue) -> String? {
        guard case .object(let dtype) = value, let name = dtype.className, numpyDtype.contains(name),
              let typeString = dtype.arguments.first?.stringValue, let first = typeString.first else { return nil }
        if "<>|=".contains(first) { return typeString }
        var order = "="
        if case .tuple(let state)? = dtype.state, state.count > 1, let o = state[1].stringValue, o.count == 1 {
            order = o
        }
        return order + typeString
    }

    static func shape(_ value: PickleValue) -> [Int]? {
        guard let elements = value.sequenceElements else { return nil }
        var dims: [Int] = []
        for element in elements {
            guard case .int(let d) = element, d >= 0 else { return nil }
            dims.append(d)
        }
        return dims
    }

    static func reconstructArray(_ object: PickleObject) -> PickleArray? {
        guard case .tuple(var state)? = object.state else { return nil }
        if state.count == 5 { state.removeFirst() }
        guard state.count == 4, let shape = shape(state[0]), let dtype = dtypeString(state[1]),
              let fortran = state[2].boolValue ?? state[2].intValue.map({ $0 != 0 }),
              case .bytes(let data) = state[3] else { return nil }
        let array = PickleArray(dtype: dtype, shape: shape, fortranOrder: fortran, data: data)
        return consistent(array) ? array : nil
    }

    static func fromBuffer(_ arguments: [PickleValue]) -> PickleArray? {
        guard arguments.count == 4, case .bytes(let data) = arguments[0], let dtype = dtypeString(arguments[1]),
              let shape = shape(arguments[2]), let order = arguments[3].stringValue else { return nil }
        let array = PickleArray(dtype: dtype, shape: shape, fortranOrder: order == "F", data: data)
        return consistent(array) ? array : nil
    }

    static func scalar(_ arguments: [PickleValue]) -> PickleArray? {
        guard arguments.count == 2, let dtype = dtypeString(arguments[0]), case .bytes(let data) = arguments[1] else {
            return nil
        }
        let array = PickleArray(dtype: dtype, shape: [], fortranOrder: false, data: data)
        return consistent(array) ? array : nil
    }

    /// True when the byte count matches shape × item size (for fixed-size numeric dtypes).
    static func consistent(_ array: PickleArray) -> Bool {
        guard let count = array.elementCount else { return false }
        let kind = array.dtype.dropFirst()
        guard let code = kind.first, "fiub".contains(code), let itemSize = Int(kind.dropFirst()), itemSize > 0 else {
            return true // other dtypes are kept as raw bytes unchecked
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: itemSize)
        return !overflow && bytes == array.data.count
    }
}
