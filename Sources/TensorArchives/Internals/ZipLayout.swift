import Foundation
import ZIPFoundation

/// The layout of a zip archive held in memory, checked before ZIPFoundation reads it.
///
/// ZIPFoundation's in-memory `Archive(data:)` trusts every offset it reads: an end-of-central-directory
/// record, a central directory or a local header that points past the end of the data makes its
/// memory file read a negative range and trap (the whole process dies), and an offset above
/// `Int64.max` traps in the conversion to `off_t`. So every position ZIPFoundation will seek to is
/// checked here first, interpreting the records exactly as ZIPFoundation 0.9.x does (which
/// end-of-central-directory record it finds, when it believes the ZIP64 records and the ZIP64
/// extra field), and anything outside the data is refused with a `TensorArchiveError` of kind `.zipLayout` (which record or member is wrong and what
/// was expected, e.g. `central directory (offset 4000, 1200 bytes) runs past the end of the 3000-byte file`;
/// the callers add the file name):
///
/// - the end-of-central-directory record (the last `PK\5\6` at least 22 bytes from the end) and
///   its comment lie inside the data; with a ZIP64 locator and record right before it, the ZIP64
///   record's entry count, directory size and offset are the ones used;
/// - the central directory lies between the start of the data and the end records;
/// - each of its entries (fixed part, name, extra field, comment) lies inside the central directory,
///   is not encrypted and uses a supported compression (stored or deflate);
/// - each member's local header (fixed part, name, extra field) and data lie before the central
///   directory, the local header agrees on the compression method, a stored member's compressed
///   and uncompressed sizes are equal, and a deflated member claims at most 1032 times its
///   compressed size (deflate's largest expansion), so a declared size is never trusted beyond
///   the bytes actually present.
///
/// `open(_:)` then opens the archive with ZIPFoundation and checks that it sees the same members
/// with the same sizes (a data descriptor after the data may change the sizes ZIPFoundation uses).
package struct ZipLayout {
    /// One member as the central directory describes it, with the effective (ZIP64-aware) values.
    struct Member: Equatable {
        /// The name as stored (UTF-8 or code page 437; shown as UTF-8 in errors).
        var name: String
        var localHeaderOffset: UInt64
        /// Start of the member's (compressed) bytes, after the local header, name and extra field.
        var dataOffset: UInt64
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        /// 0 stored, 8 deflate.
        var method: UInt16
    }

    /// Deflate's largest expansion ratio (RFC 1951: a 258-byte match costs at least 2 bits).
    static let maximumDeflateRatio: UInt64 = 1032

    let members: [Member]
    /// Offset and size of the central directory.
    let centralDirectory: (offset: UInt64, size: UInt64)

    /// Checks the layout of `data`; throws a `.zipLayout` `TensorArchiveError` naming the first problem.
    init(validating data: Data) throws {
        let parsed = try data.withUnsafeBytes { raw -> ([Member], UInt64, UInt64) in
            try Self.parse(Bytes(raw: raw))
        }
        members = parsed.0
        centralDirectory = (parsed.1, parsed.2)
    }

    /// Opens `data` with ZIPFoundation after validating its layout, and returns the archive with
    /// its members in central-directory order. Throws a `.zipLayout` `TensorArchiveError` for a damaged archive.
    static func open(_ data: Data) throws -> (archive: Archive, entries: [Entry]) {
        let layout = try ZipLayout(validating: data)
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw TensorArchiveError.zipLayout("ZIPFoundation cannot open it (\(error))")
        }
        var entries: [Entry] = []
        for entry in archive {
            guard entries.count < layout.members.count else { break }
            let member = layout.members[entries.count]
            // A data descriptor (general-purpose flag bit 3) can override the central sizes.
            guard entry.compressedSize == member.compressedSize, entry.uncompressedSize == member.uncompressedSize else {
                throw TensorArchiveError.zipLayout("member \"\(member.name)\": its data descriptor gives \(entry.compressedSize) compressed / \(entry.uncompressedSize) uncompressed bytes but the central directory says \(member.compressedSize) / \(member.uncompressedSize)")
            }
            entries.append(entry)
        }
        guard entries.count == layout.members.count else {
            throw TensorArchiveError.zipLayout("ZIPFoundation reads \(entries.count) of the \(layout.members.count) members of the central directory")
        }
        return (archive, entries)
    }

    // MARK: - Parsing

    /// Little-endian reads from the archive bytes; every caller checks bounds first.
    struct Bytes {
        let raw: UnsafeRawBufferPointer
        var count: UInt64 { UInt64(raw.count) }
        func u16(_ at: UInt64) -> UInt16 { UInt16(raw[Int(at)]) | UInt16(raw[Int(at) + 1]) << 8 }
        func u32(_ at: UInt64) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        func u64(_ at: UInt64) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        func text(_ at: UInt64, _ length: UInt64) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: raw[Int(at)..<Int(at + length)]), as: UTF8.self)
        }
    }

    /// The error for a layout problem described by `reason`.
    static func fail(_ reason: String) -> TensorArchiveError { .zipLayout(reason) }

    /// True when `[offset, offset + length)` lies inside `[0, limit)`, without overflow.
    static func fits(_ offset: UInt64, _ length: UInt64, within limit: UInt64) -> Bool {
        offset <= limit && length <= limit - offset
    }

    // Record signatures, little-endian `PK` + two bytes (PKWARE APPNOTE.TXT 6.3.x: §4.3.16 end of
    // central directory, §4.3.15 ZIP64 locator, §4.3.14 ZIP64 record, §4.3.12 central directory
    // header, §4.3.7 local file header).
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    static let zip64RecordSignature: UInt32 = 0x0606_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let localSignature: UInt32 = 0x0403_4B50
    /// The signatures as the file's first four bytes (`PK\3\4`, `PK\5\6`).
    package static let localSignatureBytes = littleEndianBytes(localSignature)
    static let endSignatureBytes = littleEndianBytes(endSignature)

    static func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func parse(_ bytes: Bytes) throws -> ([Member], UInt64, UInt64) {
        let directory = try locateCentralDirectory(bytes)
        var members: [Member] = []
        var position = directory.offset
        var index: UInt64 = 0
        while index < directory.entryCount {
            let (member, entryLength) = try centralDirectoryEntry(bytes, at: position, index: index, directory: directory)
            members.append(member)
            position += entryLength
            index += 1
        }
        return (members, directory.offset, directory.size)
    }

    /// Where the end records put the central directory, as ZIPFoundation reads them.
    struct CentralDirectoryLocation {
        var entryCount: UInt64
        var offset: UInt64
        var size: UInt64
        /// Start of the end records (the ZIP64 record when ZIPFoundation believes it).
        var endRecords: UInt64
        /// The record that gave the values, for error messages.
        var recordName: String
        var end: UInt64 { offset + size }
    }

    /// Finds the end-of-central-directory record (and a ZIP64 record before it) and checks that
    /// the central directory it announces lies before the end records.
    static func locateCentralDirectory(_ bytes: Bytes) throws -> CentralDirectoryLocation {
        let size = bytes.count
        // ZIPFoundation takes the last "PK\5\6" that leaves room for the 22-byte record.
        guard size >= 22 else {
            throw fail("\(size) bytes cannot hold a zip end-of-central-directory record (22 bytes)")
        }
        var end: UInt64? = nil
        var candidate = size - 22
        while true {
            if bytes.u32(candidate) == endSignature { end = candidate; break }
            if candidate == 0 { break }
            candidate -= 1
        }
        guard let end else {
            throw fail("no end-of-central-directory record (truncated, or not a zip archive)")
        }
        let commentLength = UInt64(bytes.u16(end + 20))
        guard fits(end + 22, commentLength, within: size) else {
            throw fail("the end-of-central-directory record at offset \(end) has a \(commentLength)-byte comment that runs past the end of the \(size)-byte file")
        }
        var entryCount = UInt64(bytes.u16(end + 10))
        var directorySize = UInt64(bytes.u32(end + 12))
        var directoryOffset = UInt64(bytes.u32(end + 16))
        // ZIPFoundation believes a ZIP64 locator (20 bytes) and record (56 bytes) found right
        // before the end record, whatever the locator's pointer says.
        var endRecords = end
        var recordName = "end-of-central-directory record"
        if end > 20, end - 20 > 56 {
            let locator = end - 20
            let record = locator - 56
            if bytes.u32(locator) == zip64LocatorSignature, bytes.u32(record) == zip64RecordSignature,
               bytes.u16(record + 14) >= 45 {
                entryCount = bytes.u64(record + 32)
                directorySize = bytes.u64(record + 40)
                directoryOffset = bytes.u64(record + 48)
                endRecords = record
                recordName = "ZIP64 end-of-central-directory record"
            }
        }
        guard fits(directoryOffset, directorySize, within: endRecords) else {
            throw fail("the \(recordName) puts the central directory at offset \(directoryOffset) (\(directorySize) bytes), but the end records start at offset \(endRecords) (bytes are missing or the record is damaged)")
        }
        return CentralDirectoryLocation(entryCount: entryCount, offset: directoryOffset, size: directorySize,
                                        endRecords: endRecords, recordName: recordName)
    }

    /// The central directory entry `index` at `position` as a member whose local header and data
    /// have been checked, and the entry's length in the directory.
    static func centralDirectoryEntry(_ bytes: Bytes, at position: UInt64, index: UInt64,
                                      directory: CentralDirectoryLocation) throws -> (Member, UInt64) {
        let (directoryOffset, directorySize, directoryEnd) = (directory.offset, directory.size, directory.end)
        let (entryCount, recordName) = (directory.entryCount, directory.recordName)
        let label = "central directory entry \(index)"
        guard fits(position, 46, within: directoryEnd) else {
            throw fail("\(label) at offset \(position) runs past the end of the central directory (offset \(directoryOffset), \(directorySize) bytes; the \(recordName) announces \(entryCount) entries)")
        }
        guard bytes.u32(position) == centralSignature else {
            throw fail("\(label) at offset \(position) lacks the signature PK\\1\\2")
        }
        let versionNeeded = bytes.u16(position + 6)
        let flags = bytes.u16(position + 8)
        let method = bytes.u16(position + 10)
        let compressed32 = bytes.u32(position + 20)
        let uncompressed32 = bytes.u32(position + 24)
        let nameLength = UInt64(bytes.u16(position + 28))
        let extraLength = UInt64(bytes.u16(position + 30))
        let commentLength = UInt64(bytes.u16(position + 32))
        let disk = bytes.u16(position + 34)
        let externalAttributes = bytes.u32(position + 38)
        let localOffset32 = bytes.u32(position + 42)
        let entryLength = 46 + nameLength + extraLength + commentLength
        guard fits(position, entryLength, within: directoryEnd) else {
            throw fail("\(label) at offset \(position) (\(entryLength) bytes with name, extra field and comment) runs past the end of the central directory at \(directoryEnd)")
        }
        let name = bytes.text(position + 46, nameLength)
        let member = "member \"\(name)\""
        guard flags & 1 == 0 else { throw fail("\(member) is encrypted (not supported)") }
        guard method == 0 || method == 8 else {
            throw fail("\(member) uses compression method \(method) (expected 0 stored or 8 deflate)")
        }
        // st_mode & S_IFMT (0o170000) == S_IFLNK (0o120000): POSIX <sys/stat.h>.
        if versionMadeByUnix(bytes.u16(position + 4)), (externalAttributes >> 16) & 0o170000 == 0o120000 {
            throw fail("\(member) is a symbolic link (expected a regular file)")
        }
        // ZIP64 extended information, as ZIPFoundation reads it: present only for the fields
        // whose 32-bit value is all ones, and used only when nonzero.
        let wanted = (uncompressed: uncompressed32 == .max, compressed: compressed32 == .max,
                      offset: localOffset32 == .max, disk: disk == .max)
        let zip64 = zip64Information(bytes, at: position + 46 + nameLength, length: extraLength, wanted: wanted)
        // The low byte of "version needed" is the spec version × 10; 4.5 introduced ZIP64 (APPNOTE §4.4.3).
        let isZIP64 = versionNeeded & 0xFF >= 45 || zip64 != nil
        func effective(_ narrow: UInt32, _ wide: UInt64?) -> UInt64 {
            if isZIP64, let wide, wide > 0 { return wide }
            return UInt64(narrow)
        }
        let compressedSize = effective(compressed32, zip64?.compressed)
        let uncompressedSize = effective(uncompressed32, zip64?.uncompressed)
        let localOffset = effective(localOffset32, zip64?.offset)

        let dataOffset = try checkedDataOffset(bytes, member: name, localOffset: localOffset, method: method,
                                               compressedSize: compressedSize, uncompressedSize: uncompressedSize,
                                               directoryOffset: directoryOffset)
        return (Member(name: name, localHeaderOffset: localOffset, dataOffset: dataOffset,
                       compressedSize: compressedSize, uncompressedSize: uncompressedSize, method: method), entryLength)
    }

    /// Checks a member's local header (inside the bytes before the central directory, same
    /// compression method) and its sizes and data; returns where its data starts.
    static func checkedDataOffset(_ bytes: Bytes, member name: String, localOffset: UInt64, method: UInt16,
                                  compressedSize: UInt64, uncompressedSize: UInt64,
                                  directoryOffset: UInt64) throws -> UInt64 {
        let member = "member \"\(name)\""
        guard fits(localOffset, 30, within: directoryOffset) else {
            throw fail("\(member): local header offset \(localOffset) is outside the \(directoryOffset) bytes before the central directory")
        }
        guard bytes.u32(localOffset) == localSignature else {
            throw fail("\(member): no local header (signature PK\\3\\4) at offset \(localOffset)")
        }
        let localMethod = bytes.u16(localOffset + 8)
        guard localMethod == method else {
            throw fail("\(member): local header says compression method \(localMethod), central directory says \(method)")
        }
        let localVariable = UInt64(bytes.u16(localOffset + 26)) + UInt64(bytes.u16(localOffset + 28))
        guard fits(localOffset, 30 + localVariable, within: directoryOffset) else {
            throw fail("\(member): local header at offset \(localOffset) with its \(localVariable) bytes of name and extra field runs into the central directory at \(directoryOffset)")
        }
        let dataOffset = localOffset + 30 + localVariable
        if method == 0 {
            guard compressedSize == uncompressedSize else {
                throw fail("\(member) is stored but its compressed size \(compressedSize) differs from its uncompressed size \(uncompressedSize)")
            }
        } else {
            let (bound, overflow) = compressedSize.multipliedReportingOverflow(by: maximumDeflateRatio)
            guard overflow || uncompressedSize <= bound else {
                throw fail("\(member) claims \(uncompressedSize) bytes from \(compressedSize) deflated bytes (deflate expands at most \(maximumDeflateRatio):1)")
            }
        }
        guard fits(dataOffset, compressedSize, within: directoryOffset) else {
            throw fail("\(member): its \(compressedSize) bytes of data at offset \(dataOffset) run past the \(directoryOffset) bytes before the central directory (truncated or damaged archive)")
        }
        return dataOffset
    }

    /// Host system 3 (Unix) or 19 (macOS) in "version made by": the high 16 bits of the external
    /// attributes are a `st_mode`.
    static func versionMadeByUnix(_ versionMadeBy: UInt16) -> Bool {
        let host = versionMadeBy >> 8
        return host == 3 || host == 19
    }

    /// The ZIP64 extended-information field (header ID 0x0001, APPNOTE §4.5.3) of an extra field, read the way
    /// ZIPFoundation's `scanForZIP64Field` does: the first such block, which must hold exactly the
    /// wanted fields (8 bytes each, 4 for the disk); nil otherwise.
    static func zip64Information(_ bytes: Bytes, at start: UInt64, length: UInt64,
                                 wanted: (uncompressed: Bool, compressed: Bool, offset: Bool, disk: Bool))
        -> (uncompressed: UInt64?, compressed: UInt64?, offset: UInt64?)? {
        var offset: UInt64 = 0
        while length >= 4, offset < length - 4 {
            let header = bytes.u16(start + offset)
            let dataSize = UInt64(bytes.u16(start + offset + 2))
            let next = offset + 4 + dataSize
            guard next <= length else { return nil }
            if header == 0x0001 {
                let expected = (wanted.uncompressed ? 8 : 0) + (wanted.compressed ? 8 : 0)
                    + (wanted.offset ? 8 : 0) + (wanted.disk ? 4 : 0)
                guard dataSize == UInt64(expected) else { return nil }
                var cursor = start + offset + 4
                func take(_ present: Bool) -> UInt64? {
                    guard present else { return nil }
                    defer { cursor += 8 }
                    return bytes.u64(cursor)
                }
                let uncompressed = take(wanted.uncompressed)
                let compressed = take(wanted.compressed)
                let localOffset = take(wanted.offset)
                return (uncompressed, compressed, localOffset)
            }
            offset = next
        }
        return nil
    }
}
