/// Every array and size of the compiled model, by MuJoCo's own field names (the `MJMODEL_POINTERS`
/// and `MJMODEL_INTS` lists of the build's `mjxmacro.h`), for comparing a compiled model with one
/// compiled elsewhere (e.g. by the official Python bindings) field by field.
extension MjModel {
    /// One compiled array: its `mjModel` field name and raw bytes in MuJoCo's memory layout
    /// (row-major; `mjtNum` = float64, `int` = int32, `float` = float32, `mjtByte`/`char` = 1 byte).
    public struct CompiledArray: Sendable {
        public let name: String
        public let elementSize: Int
        public let count: Int
        public let bytes: [UInt8]
    }

    /// All pointer fields of `mjModel`, in `mjxmacro.h` order.
    public var compiledArrays: [CompiledArray] {
        var arrays: [CompiledArray] = []
        var index: Int32 = 0, name: UnsafePointer<CChar>?, data: UnsafeMutableRawPointer?, elementSize: Int32 = 0, count = 0
        while backend.api.model_array(handle, index, &name, &data, &elementSize, &count) != 0 {
            let byteCount = Int(elementSize) * count
            let bytes = (byteCount > 0 && data != nil) ? Array(UnsafeRawBufferPointer(start: data, count: byteCount)) : []
            arrays.append(CompiledArray(name: String(cString: name!), elementSize: Int(elementSize), count: count, bytes: bytes))
            index += 1
        }
        return arrays
    }

    /// All size fields of `mjModel` (`nq`, `nv`, …), in `mjxmacro.h` order.
    public var compiledSizes: [(name: String, value: Int)] {
        var sizes: [(name: String, value: Int)] = []
        var index: Int32 = 0, name: UnsafePointer<CChar>?, value = 0
        while backend.api.model_size(handle, index, &name, &value) != 0 {
            sizes.append((String(cString: name!), value))
            index += 1
        }
        return sizes
    }
}
