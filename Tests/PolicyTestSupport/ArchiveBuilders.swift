import Foundation
import TensorArchives

/// A `.npy` file in memory: format 1.0 header padded to 64 bytes, then `payload`.
enum NumPyBytes {
    static func npy(descr: String = "<f4", fortran: String = "False", shape: String = "(2,)", payload: [UInt8]) -> Data {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: payload)
        return data
    }

    /// The raw bytes of `values` (host order, little-endian on every supported machine).
    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
}

/// Byte-level pickle construction for tests (opcodes from CPython `Lib/pickletools.py`).
struct PickleBuilder {
    var bytes: [UInt8] = []

    mutating func op(_ byte: UInt8) { bytes.append(byte) }
    mutating func proto(_ version: UInt8) { bytes += [0x80, version] }
    mutating func shortUnicode(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes += [0x8C, UInt8(utf8.count)] + utf8
    }
    mutating func binUnicode(_ s: String) {
        let utf8 = Array(s.utf8)
        bytes.append(0x58)
        bytes += withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8
    }
    mutating func int1(_ v: UInt8) { bytes += [0x4B, v] }
    mutating func global(_ module: String, _ name: String) { bytes += [0x63] + Array("\(module)\n\(name)\n".utf8) }
    mutating func stackGlobal(_ module: String, _ name: String) {
        shortUnicode(module)
        shortUnicode(name)
        op(0x93)
    }
    mutating func memoize() { op(0x94) }
    mutating func stop() { op(0x2E) }
}

/// A minimal zip writer for tests: stored members, or "deflated" members made of one stored
/// deflate block (BTYPE 00), which exercises the inflate path without a compressor.
enum ZipWriter {
    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func archive(_ members: [(String, Data, Bool)]) -> Data {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        var out = Data(), central = Data()
        for (name, content, deflate) in members {
            let body: Data = deflate
                ? Data([0x01] + le16(content.count) + le16(~content.count & 0xFFFF)) + content
                : content
            let crc = crc32(content), offset = out.count
            let common = le16(20) + le16(0) + le16(deflate ? 8 : 0) + le16(0) + le16(0x21) + le32(crc)
                + le32(UInt32(body.count)) + le32(UInt32(content.count)) + le16(name.utf8.count) + le16(0)
            out.append(contentsOf: [0x50, 0x4B, 0x03, 0x04] + common)
            out.append(contentsOf: Array(name.utf8))
            out.append(body)
            central.append(contentsOf: [0x50, 0x4B, 0x01, 0x02] + le16(20) + common + le16(0) + le16(0) + le16(0)
                           + le32(0) + le32(UInt32(offset)))
            central.append(contentsOf: Array(name.utf8))
        }
        let centralOffset = out.count
        out.append(central)
        out.append(contentsOf: [0x50, 0x4B, 0x05, 0x06] + le16(0) + le16(0) + le16(members.count) + le16(members.count)
                   + le32(UInt32(central.count)) + le32(UInt32(centralOffset)) + le16(0))
        return out
    }
}

/// Pickles shared by the pickle reader tests and the fuzz tests.
enum PickleSamples {
    /// A protocol-4 pickle exercising most opcodes; returns (bytes, expected value).
    static func sample() -> ([UInt8], PickleValue) {
        var p = PickleBuilder()
        p.proto(4)
        p.bytes += [0x95] + withUnsafeBytes(of: UInt64(0).littleEndian, Array.init) // FRAME (length unchecked beyond bounds)
        p.op(0x7D); p.memoize()                      // {} memo 0
        p.op(0x28)                                   // MARK
        p.shortUnicode("list"); p.memoize()
        p.op(0x5D); p.memoize()                      // [] memo 2
        p.op(0x28); p.int1(1); p.bytes += [0x4D, 0x34, 0x12]; p.bytes += [0x4A, 0xFF, 0xFF, 0xFF, 0xFF]; p.op(0x65) // APPENDS 1, 0x1234, -1
        p.shortUnicode("shared"); p.bytes += [0x68, 2]   // BINGET 2: the same list, after its APPENDS
        p.shortUnicode("float"); p.bytes += [0x47] + withUnsafeBytes(of: (2.5).bitPattern.bigEndian, Array.init)
        p.shortUnicode("big"); p.bytes += [0x8A, 9] + [UInt8](repeating: 0, count: 8) + [1] // LONG1 2**64
        p.shortUnicode("neg"); p.bytes += [0x8A, 2, 0x00, 0xFF]  // LONG1 -256
        p.shortUnicode("tuple"); p.op(0x88); p.op(0x89); p.op(0x4E); p.op(0x87) // (True, False, None)
        p.shortUnicode("bytes"); p.bytes += [0x43, 3, 1, 2, 3]
        p.shortUnicode("set"); p.op(0x8F); p.op(0x28); p.int1(7); p.op(0x90)
        p.shortUnicode("frozen"); p.op(0x28); p.int1(8); p.op(0x91)
        p.binUnicode("glob"); p.stackGlobal("collections", "OrderedDict")
        p.shortUnicode("odict"); p.stackGlobal("collections", "OrderedDict"); p.op(0x29); p.op(0x52) // OrderedDict()
        p.op(0x28); p.shortUnicode("k"); p.int1(3); p.op(0x75)      // SETITEMS on it
        p.op(0x75)                                   // SETITEMS on the top dict
        p.stop()
        let list: PickleValue = .list([.int(1), .int(0x1234), .int(-1)])
        let expected: PickleValue = .dict([
            .init(key: .string("list"), value: list),
            .init(key: .string("shared"), value: list),
            .init(key: .string("float"), value: .float(2.5)),
            .init(key: .string("big"), value: .bigInt(littleEndianTwosComplement: [0, 0, 0, 0, 0, 0, 0, 0, 1])),
            .init(key: .string("neg"), value: .int(-256)),
            .init(key: .string("tuple"), value: .tuple([.bool(true), .bool(false), .none])),
            .init(key: .string("bytes"), value: .bytes([1, 2, 3])),
            .init(key: .string("set"), value: .set([.int(7)], frozen: false)),
            .init(key: .string("frozen"), value: .set([.int(8)], frozen: true)),
            .init(key: .string("glob"), value: .global(PickleGlobal(module: "collections", name: "OrderedDict"))),
            .init(key: .string("odict"), value: .dict([.init(key: .string("k"), value: .int(3))])),
        ])
        return (p.bytes, expected)
    }
}
