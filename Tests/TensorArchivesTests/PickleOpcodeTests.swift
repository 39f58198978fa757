import Testing
@testable import PolicyTestSupport
@testable import TensorArchives

/// The opcode table behind `PickleReader` (byte values and names from CPython's
/// `Lib/pickletools.py`) and the sizes its allocation budget charges.
struct PickleOpcodeTests {
    @Test("68 opcodes, one byte each, named as in pickletools; other bytes are unknown")
    func opcodeTable() {
        #expect(PickleOpcode.allCases.count == 68)
        #expect(Set(PickleOpcode.allCases.map(\.rawValue)).count == 68)
        // One or two per protocol: 0 ('(' '.' 'N'), 1 ('}'), 2 (0x80), 4 (0x8C, 0x95), 5 (0x98).
        let named: [(UInt8, String)] = [
            (0x28, "MARK"), (0x2E, "STOP"), (0x4E, "NONE"), (0x7D, "EMPTY_DICT"), (0x80, "PROTO"),
            (0x8C, "SHORT_BINUNICODE"), (0x95, "FRAME"), (0x98, "READONLY_BUFFER"),
        ]
        for (byte, name) in named { #expect(PickleOpcode.name(of: byte) == name) }
        #expect(PickleOpcode.name(of: 0x57) == "unknown")   // 'W': not an opcode
        #expect(PickleOpcode.name(of: 0xFF) == "unknown")
        // Every opcode but STOP is executed by one family function.
        #expect(PickleOpcode.allCases.filter { $0.family == .stop } == [.STOP])
    }

    @Test("errors name the opcode that failed: REDUCE and NEWOBJ without an argument tuple, an unknown byte")
    func errorsNameTheOpcode() {
        let reader = PickleReader()
        for (byte, name) in [(UInt8(0x52), "REDUCE"), (0x81, "NEWOBJ")] {
            var p = PickleBuilder()
            p.proto(2)
            p.global("collections", "OrderedDict")
            p.int1(1)
            p.op(byte)
            p.stop()
            let error = #expect(throws: PickleError.self) { try reader.read(p.bytes) }
            #expect(error?.kind == .malformed)
            #expect(error?.description.contains("(opcode 0x\(String(byte, radix: 16, uppercase: true)) \(name)): malformed: \(name) arguments are not a tuple") == true,
                    "\(String(describing: error))")
        }
        let unknown = #expect(throws: PickleError.self) { try reader.read([0x80, 2, 0xFF]) }
        #expect(unknown?.description == "pickle byte 2 (opcode 0xFF unknown): malformed: unknown opcode")
    }

    @Test("the allocation estimate of a stack or container slot is the size of one item")
    func allocationEstimates() {
        #expect(PickleMachine.AllocationEstimate.item == MemoryLayout<PickleMachine.Item>.stride)
        #expect(PickleMachine.AllocationEstimate.dictItem == 2 * MemoryLayout<PickleMachine.Item>.stride)
    }
}
