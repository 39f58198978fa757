/// The number opcodes: None, booleans, integers and floats (CPython `Lib/pickle.py`,
/// `_Unpickler.load_none` … `load_binfloat`; operand layouts from `Lib/pickletools.py`).
extension PickleMachine {
    /// NONE, NEWTRUE, NEWFALSE, BININT1/BININT2/BININT, LONG1/LONG4, text INT/LONG, BINFLOAT, text FLOAT.
    mutating func executeNumber(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .NONE: try push(.value(.none))
        case .NEWTRUE: try push(.value(.bool(true)))
        case .NEWFALSE: try push(.value(.bool(false)))
        case .BININT1:
            try push(.value(.int(Int(try readUInt(1, "BININT1")))))
        case .BININT2:
            try push(.value(.int(Int(try readUInt(2, "BININT2")))))
        case .BININT:
            let raw = UInt32(truncatingIfNeeded: try readUInt(4, "BININT"))
            try push(.value(.int(Int(Int32(bitPattern: raw)))))
        case .LONG1:
            let count = try readLength(1, "LONG1")
            try push(.value(decodeLong(try readBytes(count, "LONG1"))))
        case .LONG4:
            try push(.value(try readLong4()))
        case .INT:
            try push(.value(try parseTextInt(try readLine("INT"))))
        case .LONG:
            var text = try readLine("LONG")
            if text.hasSuffix("L") { text.removeLast() }
            guard let value = Int(text) else {
                throw error(.unsupported, "text LONG \(text.prefix(40).debugDescription) is not a 64-bit integer")
            }
            try push(.value(.int(value)))
        case .BINFLOAT: // big-endian IEEE 754 double
            let bytes = try readBytes(8, "BINFLOAT")
            var raw: UInt64 = 0
            for byte in bytes { raw = raw << 8 | UInt64(byte) }
            try push(.value(.float(Double(bitPattern: raw))))
        case .FLOAT:
            let text = try readLine("FLOAT")
            guard let value = Double(text) else { throw error(.malformed, "text FLOAT \(text.prefix(40).debugDescription)") }
            try push(.value(.float(value)))
        default:
            preconditionFailure("\(opcode) is not a number opcode")
        }
    }

    /// LONG4's operand: a signed 4-byte length (at most `Limits.maxBigIntBytes`), then the integer.
    mutating func readLong4() throws -> PickleValue {
        let raw = Int32(bitPattern: UInt32(truncatingIfNeeded: try readUInt(4, "LONG4 length")))
        guard raw >= 0 else { throw error(.malformed, "negative LONG4 length \(raw)") }
        guard Int(raw) <= limits.maxBigIntBytes else {
            throw error(.limitExceeded, "LONG4 of \(raw) bytes exceeds \(limits.maxBigIntBytes)")
        }
        let bytes = try readBytes(Int(raw), "LONG4")
        try charge(Int(raw))
        return decodeLong(bytes)
    }

    /// Protocol 0's INT line: "01"/"00" are True/False (as `pickle.py`'s `load_int`), else a 64-bit integer.
    func parseTextInt(_ text: String) throws -> PickleValue {
        if text == "01" { return .bool(true) }
        if text == "00" { return .bool(false) }
        if let value = Int(text) { return .int(value) }
        throw error(.unsupported, "text INT \(text.prefix(40).debugDescription) is not a 64-bit integer")
    }

    /// Decodes a little-endian two's-complement integer (LONG1/LONG4; `pickle.py`'s `decode_long`,
    /// `int.from_bytes(data, 'little', signed=True)`): 0x80 is a byte's sign bit, 0xFF the byte
    /// a negative number is extended with.
    func decodeLong(_ bytes: ArraySlice<UInt8>) -> PickleValue {
        guard let last = bytes.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0
        // Fits in 64 bits when every byte beyond the 8th equals the sign fill and the 8th byte's sign agrees.
        let array = Array(bytes)
        if array.count <= 8 || (array[8...].allSatisfy { $0 == fill } && ((array[7] & 0x80 != 0) == negative)) {
            var raw: UInt64 = negative ? ~0 : 0
            for i in 0..<min(8, array.count) {
                raw &= ~(UInt64(0xFF) << (8 * UInt64(i)))
                raw |= UInt64(array[i]) << (8 * UInt64(i))
            }
            return .int(Int(Int64(bitPattern: raw)))
        }
        return .bigInt(littleEndianTwosComplement: array)
    }
}
