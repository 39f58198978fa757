import Foundation
import ZIPFoundation

extension TestFixtures {
    /// The decompressed bytes of a gzip fixture (`.gz`, RFC 1952: one member, deflate) `relative`
    /// to `Tests/Fixtures`, its CRC-32 and length checked against the trailer.
    /// - Throws: `FixtureError` naming the file when it is missing, not gzip, or corrupt.
    public static func gunzippedData(_ relative: String) throws -> Data {
        let bytes = try data(relative)
        func fail(_ reason: String) -> FixtureError { FixtureError(path: "Tests/Fixtures/\(relative)", reason: reason) }
        guard bytes.count >= 18, bytes[0] == 0x1f, bytes[1] == 0x8b, bytes[2] == 8 else {
            throw fail("is not a gzip file (expected the bytes 1f 8b 08 at its start)")
        }
        let flags = bytes[3]
        var offset = 10
        if flags & 0x04 != 0 { offset += 2 + Int(bytes[offset]) + Int(bytes[offset + 1]) << 8 }   // FEXTRA
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {                                // FNAME, FCOMMENT
            guard let end = bytes[offset...].firstIndex(of: 0) else { throw fail("has an unterminated header field") }
            offset = end + 1
        }
        if flags & 0x02 != 0 { offset += 2 }                                                       // FHCRC
        let body = bytes.subdata(in: offset..<bytes.count - 8)
        var output = Data()
        let crc: UInt32
        do {
            // ZIPFoundation's Linux decoder tells zlib the chunk holds `bufferSize` bytes whatever
            // the provider returns, so the whole stream is handed over as one chunk of that size.
            crc = try Data.decompress(size: Int64(body.count), bufferSize: body.count, skipCRC32: false,
                                      provider: { position, _ in position == 0 ? body : Data() },
                                      consumer: { output.append($0) })
        } catch {
            throw fail("holds a corrupt deflate stream: \(error)")
        }
        let trailer = bytes.suffix(8).map(UInt32.init)
        let storedCRC = trailer[0] | trailer[1] << 8 | trailer[2] << 16 | trailer[3] << 24
        let storedSize = trailer[4] | trailer[5] << 8 | trailer[6] << 16 | trailer[7] << 24
        guard crc == storedCRC, UInt32(truncatingIfNeeded: output.count) == storedSize else {
            throw fail("fails its CRC-32 or length check")
        }
        return output
    }
}
