import Foundation

/// Minimal PNG writing and reading for RGB frames (PNG spec, W3C 2003 / ISO 15948).
///
/// Why written here: Foundation has no zlib on Linux and a PNG needs a zlib stream. The writer uses
/// deflate's *stored* blocks (RFC 1951 §3.2.4: BTYPE 00, up to 65 535 bytes each), which every
/// decoder accepts, with the CRC-32 of each chunk (ISO 3309, as PNG §5.5) and the Adler-32 of the
/// zlib stream (RFC 1950). Files are uncompressed (≈ 3 bytes per pixel + 1 per row): fine for
/// frames and contact sheets, and with no dependency beyond the standard library. The reader
/// decodes exactly what the writer produces (8-bit RGB, filter 0, stored blocks), to compare
/// frames with the committed reference images; it rejects anything else with a clear message.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file bytes of `frame` (8-bit RGB, no interlace).
    public static func encode(_ frame: Frame) -> [UInt8] {
        var out = signature
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(frame.width))
        header.appendBigEndian(UInt32(frame.height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, filter method 0, no interlace
        appendChunk("IHDR", header, to: &out)

        // Scanlines: a filter-type byte (0, none) before each row.
        let rowBytes = frame.width * 3
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * frame.height)
        for y in 0..<frame.height {
            raw.append(0)
            raw += frame.pixels[(y * rowBytes)..<((y + 1) * rowBytes)]
        }
        var zlib: [UInt8] = [0x78, 0x01]  // CM 8 (deflate), 32 KiB window, FCHECK so that 0x7801 % 31 == 0
        var offset = 0
        repeat {
            let count = min(65_535, raw.count - offset)
            let final: UInt8 = offset + count == raw.count ? 1 : 0
            zlib.append(final)  // BFINAL, BTYPE 00 (stored)
            zlib += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + count)]
            offset += count
        } while offset < raw.count
        zlib.appendBigEndian(adler32(raw))
        appendChunk("IDAT", zlib, to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Writes `frame` as a PNG file.
    /// - Throws: `RenderingError.cannotWrite`.
    public static func write(_ frame: Frame, to url: URL) throws {
        do {
            try Data(encode(frame)).write(to: url)
        } catch {
            throw RenderingError.cannotWrite(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Reads a PNG written by `encode` (8-bit RGB, stored deflate blocks, filter 0).
    /// - Throws: `RenderingError.badPNG` naming what is not supported or broken.
    public static func read(_ url: URL) throws -> Frame {
        func fail(_ reason: String) -> RenderingError { .badPNG(path: url.path, reason: reason) }
        guard let data = try? Data(contentsOf: url) else { throw fail("cannot read the file") }
        let bytes = [UInt8](data)
        guard bytes.count > 8, Array(bytes[0..<8]) == signature else { throw fail("missing PNG signature") }
        var position = 8
        var width = 0, height = 0
        var zlib: [UInt8] = []
        while position + 12 <= bytes.count {
            let length = Int(bytes.readBigEndian(at: position))
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard position + 12 + length <= bytes.count else { throw fail("truncated \(type) chunk") }
            let data = Array(bytes[(position + 8)..<(position + 8 + length)])
            let crc = bytes.readBigEndian(at: position + 8 + length)
            guard crc == crc32(Array(bytes[(position + 4)..<(position + 8 + length)])) else { throw fail("bad CRC in \(type)") }
            switch type {
            case "IHDR":
                width = Int(data.readBigEndian(at: 0))
                height = Int(data.readBigEndian(at: 4))
                guard Array(data[8..<13]) == [8, 2, 0, 0, 0] else { throw fail("only 8-bit RGB without interlace is supported") }
            case "IDAT": zlib += data
            default: break
            }
            position += 12 + length
        }
        guard width > 0, height > 0, zlib.count >= 6 else { throw fail("no image header or data") }
        var raw: [UInt8] = []
        var i = 2
        while true {
            guard i + 5 <= zlib.count else { throw fail("truncated deflate stream") }
            let header = zlib[i]
            guard header & 0b110 == 0 else { throw fail("compressed deflate blocks are not supported (only stored blocks)") }
            let count = Int(zlib[i + 1]) | Int(zlib[i + 2]) << 8
            guard i + 5 + count <= zlib.count else { throw fail("truncated stored block") }
            raw += zlib[(i + 5)..<(i + 5 + count)]
            i += 5 + count
            if header & 1 == 1 { break }
        }
        guard i + 4 <= zlib.count, zlib.readBigEndian(at: i) == adler32(raw) else { throw fail("bad Adler-32") }
        let rowBytes = width * 3
        guard raw.count == (rowBytes + 1) * height else { throw fail("image data has the wrong size") }
        var pixels = [UInt8]()
        pixels.reserveCapacity(rowBytes * height)
        for y in 0..<height {
            guard raw[y * (rowBytes + 1)] == 0 else { throw fail("row filter \(raw[y * (rowBytes + 1)]) is not supported (only 0)") }
            pixels += raw[(y * (rowBytes + 1) + 1)..<((y + 1) * (rowBytes + 1))]
        }
        return Frame(width: width, height: height, pixels: pixels)
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        out.appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        out.appendBigEndian(crc32(typed))
    }

    /// CRC-32 (polynomial 0xEDB88320 reflected, initial and final XOR 0xFFFFFFFF; PNG §5.5).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Adler-32 (RFC 1950 §8.2): sums modulo 65 521, reduced every 5 552 bytes (the largest run
    /// that cannot overflow 32 bits).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let end = min(index + 5552, bytes.count)
            for k in index..<end {
                a += UInt32(bytes[k])
                b += a
            }
            a %= 65_521
            b %= 65_521
            index = end
        }
        return b << 16 | a
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }

    func readBigEndian(at i: Int) -> UInt32 {
        UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }
}
