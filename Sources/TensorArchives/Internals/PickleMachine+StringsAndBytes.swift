/// The string and bytes opcodes (CPython `Lib/pickle.py`, `_Unpickler.load_binunicode` …
/// `load_readonly_buffer`; length widths from `Lib/pickletools.py`).
extension PickleMachine {
    /// (SHORT_)BINUNICODE(8), (SHORT_)BINBYTES(8), BYTEARRAY8, (SHORT_)BINSTRING; the text STRING
    /// and UNICODE and protocol 5's NEXT_BUFFER are refused, READONLY_BUFFER changes nothing here.
    mutating func executeStringOrBytes(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .SHORT_BINUNICODE, .BINUNICODE, .BINUNICODE8:
            let width = opcode == .SHORT_BINUNICODE ? 1 : (opcode == .BINUNICODE ? 4 : 8)
            let count = try readLength(width, "unicode string")
            let bytes = try readBytes(count, "unicode string")
            try charge(count + AllocationEstimate.bufferHeader)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw error(.malformed, "string is not valid UTF-8")
            }
            try push(.value(.string(text)))
        case .SHORT_BINBYTES, .SHORT_BINSTRING, .BINBYTES, .BINBYTES8, .BYTEARRAY8:
            let width: Int
            switch opcode {
            case .SHORT_BINBYTES, .SHORT_BINSTRING: width = 1
            case .BINBYTES: width = 4
            default: width = 8
            }
            let count = try readLength(width, "bytes")
            let bytes = try readBytes(count, "bytes")
            try charge(count + AllocationEstimate.bufferHeader)
            try push(.value(.bytes(Array(bytes))))
        case .BINSTRING: // signed 4-byte length
            let raw = Int32(bitPattern: UInt32(truncatingIfNeeded: try readUInt(4, "BINSTRING length")))
            guard raw >= 0 else { throw error(.malformed, "negative BINSTRING length \(raw)") }
            let bytes = try readBytes(Int(raw), "BINSTRING")
            try charge(Int(raw) + AllocationEstimate.bufferHeader)
            try push(.value(.bytes(Array(bytes))))
        case .STRING, .UNICODE: // protocol 0 text, escaped
            throw error(.unsupported, "protocol-0 text string opcodes are not supported")
        case .NEXT_BUFFER:
            throw error(.unsupported, "out-of-band buffers (protocol 5 NEXT_BUFFER) are not supported")
        case .READONLY_BUFFER: // no effect on our values
            _ = try top()
        default:
            preconditionFailure("\(opcode) is not a string or bytes opcode")
        }
    }
}
