/// The one decoder of NumPy array bytes into a float32 `Tensor`, for `.npy` files (`NumPyArchive`)
/// and pickled `ndarray`s (`PickleArray`) alike.
///
/// Accepts the dtypes `f4`, `f8`, `i1`–`i8`, `u1`–`u8` and `b1` in either byte order (`<` little,
/// `>` big, `=` native, i.e. little on the supported hosts, `|` for one-byte types), and C or
/// Fortran order (numpy's `fortran_order` / `is_fortran`). Everything becomes float32 in C order:
/// float32 bit for bit, float64 rounded, integers exactly up to 2^24 (larger magnitudes round).
/// dtype strings: numpy's array-interface protocol (`numpy.dtype.str`).
struct NumPyArrayDecoder {
    var descr: String
    var shape: [Int]
    var fortranOrder: Bool

    /// Why the bytes cannot be decoded; each caller words it for its own file kind.
    enum Failure: Error, Equatable {
        /// `descr` is not one of the accepted dtypes.
        case unsupportedDtype
        /// A negative extent, or an element count that overflows `Int`.
        case invalidShape
        /// The payload does not hold exactly the elements of the shape (`needed` is meaningless
        /// when `overflow`).
        case sizeMismatch(needed: Int, found: Int, overflow: Bool)
    }

    /// What `Failure.unsupportedDtype` messages name as accepted.
    static let acceptedDtypes = "f4, f8, i1-i8, u1-u8 or b1, byte order <, > or ="

    /// The element type and byte order, or nil for an unsupported `descr`.
    var elementType: NumPyElementType? { NumPyElementType(descr: descr) }

    /// Number of elements of `shape`, or nil for a negative extent or an overflow.
    var elementCount: Int? {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard extent >= 0, !overflow else { return nil }
            count = product
        }
        return count
    }

    /// Decodes `payload`; a failure becomes the caller's error `fail(reason)`, the reason worded as
    /// for `.npy` files (e.g. "unsupported dtype '<c8' (expected …)", "truncated: shape [3] of <f4
    /// needs 12 bytes, found 8").
    func decode(_ payload: UnsafeRawBufferPointer, fail: (String) -> any Error) throws -> Tensor {
        do {
            return try decode(payload)
        } catch {
            throw fail(reason(for: error))
        }
    }

    /// What went wrong, in words.
    func reason(for failure: Failure) -> String {
        switch failure {
        case .unsupportedDtype:
            return "unsupported dtype '\(descr)' (expected \(Self.acceptedDtypes))"
        case .invalidShape:
            return "invalid shape \(shape)"
        case .sizeMismatch(let needed, let found, let overflow):
            return found < needed || overflow
                ? "truncated: shape \(shape) of \(descr) needs \(needed) bytes, found \(found)"
                : "size mismatch: shape \(shape) of \(descr) needs \(needed) bytes, found \(found)"
        }
    }

    /// Decodes `payload`, which must hold exactly the array's elements.
    func decode(_ payload: UnsafeRawBufferPointer) throws(Failure) -> Tensor {
        guard let type = elementType else { throw .unsupportedDtype }
        guard let count = elementCount else { throw .invalidShape }
        let (needed, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, payload.count == needed else {
            throw .sizeMismatch(needed: needed, found: payload.count, overflow: overflow)
        }
        let values = type.convert(payload, count: count)
        guard fortranOrder, shape.count > 1 else { return Tensor(shape: shape, values: values) }
        let reordered = StridedGather.gather(values, shape: shape, strides: StridedGather.columnMajorStrides(shape),
                                             offset: 0, count: count)
        return Tensor(shape: shape, values: reordered)
    }
}

/// An element type the decoder converts to float32, with its byte order.
struct NumPyElementType {
    enum Kind { case float32, float64, signed, unsigned, bool }
    var kind: Kind
    /// Bytes per element.
    var size: Int
    var bigEndian: Bool

    init?(descr: String) {
        guard let order = descr.first, let code = descr.dropFirst().first,
              let size = Int(descr.dropFirst(2)) else { return nil }
        // '<' little-endian, '>' big-endian, '|' not applicable (1 byte), '=' native (little on supported hosts).
        guard order == "<" || order == ">" || order == "=" || (order == "|" && size == 1) else { return nil }
        switch (code, size) {
        case ("f", 4): kind = .float32
        case ("f", 8): kind = .float64
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
        case ("b", 1): kind = .bool
        default: return nil
        }
        self.size = size
        bigEndian = order == ">"
    }

    /// Converts `count` elements (the caller checked the byte count) in storage order.
    func convert(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            if kind == .float32 && !bigEndian {
                // Already float32 in the host's (little-endian) order: a plain copy.
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * 4)]))
            } else {
                for i in 0..<count { out[i] = element(raw, at: i * size) }
            }
            initialized = count
        }
    }

    /// The element at byte `offset`, as float32.
    func element(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Float {
        switch (kind, size) {
        case (.float32, _): return Float(bitPattern: load(raw, offset, as: UInt32.self))
        case (.float64, _): return Float(Double(bitPattern: load(raw, offset, as: UInt64.self)))
        case (.signed, 1): return Float(load(raw, offset, as: Int8.self))
        case (.signed, 2): return Float(load(raw, offset, as: Int16.self))
        case (.signed, 4): return Float(load(raw, offset, as: Int32.self))
        case (.signed, _): return Float(load(raw, offset, as: Int64.self))
        case (.unsigned, 1): return Float(load(raw, offset, as: UInt8.self))
        case (.unsigned, 2): return Float(load(raw, offset, as: UInt16.self))
        case (.unsigned, 4): return Float(load(raw, offset, as: UInt32.self))
        case (.unsigned, _): return Float(load(raw, offset, as: UInt64.self))
        case (.bool, _): return load(raw, offset, as: UInt8.self) != 0 ? 1 : 0
        }
    }

    /// An integer of this element's byte order at byte `offset`.
    func load<Integer: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, _ offset: Int, as _: Integer.Type) -> Integer {
        let stored = raw.loadUnaligned(fromByteOffset: offset, as: Integer.self)
        return bigEndian ? Integer(bigEndian: stored) : Integer(littleEndian: stored)
    }
}
