import Foundation
import ZIPFoundation

/// Reader for NumPy's `.npy` arrays and `.npz` archives (zip, stored or deflated members), the
/// format of the converted EDP weights and the fixtures (`np.savez`).
///
/// Supported: format versions 1–3 and what `NumPyArrayDecoder` decodes (`f4`, `f8`, `i1`–`i8`,
/// `u1`–`u8`, `b1`, either byte order, C or Fortran order). Everything becomes float32 in C order
/// (`Tensor`): float64 is rounded, integers are converted exactly up to 2^24 (larger magnitudes
/// round). Malformed input never traps: it throws a `TensorArchiveError` of kind `.numpy` naming the file,
/// the member and what was expected (e.g. `edp_params.npz: member "qf1/params/Dense_0/kernel.npy": unsupported dtype '>f4'`). The zip's records are checked
/// against the data before ZIPFoundation reads them (`ZipLayout`), and allocations are bounded by
/// the bytes actually present: a member's declared size by its compressed bytes, a header's shape
/// by the payload size before any element buffer is made.
public enum NumPyArchive {
    /// Reads every member of an `.npz`; keys are member names without the `.npy` suffix
    /// (e.g. `policy/params/base_net/Dense_0/kernel`).
    public static func read(contentsOf url: URL) throws -> TensorDictionary {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TensorArchiveError.numpy(file: url.path, member: nil, "cannot read file (\(error.localizedDescription))")
        }
        return try read(archiveData: data, file: url.path)
    }

    /// Reads an `.npz` held in memory; `file` names it in errors.
    public static func read(archiveData data: Data, file: String) throws -> TensorDictionary {
        // A zip starts with a local file header, or (no members) the end of central directory record.
        guard data.count >= 4, data.prefix(4).elementsEqual(ZipLayout.localSignatureBytes)
                || data.prefix(4).elementsEqual(ZipLayout.endSignatureBytes) else {
            throw TensorArchiveError.numpy(file: file, member: nil, "not a zip archive (expected magic 'PK\\x03\\x04')")
        }
        // ZIPFoundation traps on offsets past the end of the data: check the layout first.
        let archive: Archive, entries: [Entry]
        do {
            (archive, entries) = try ZipLayout.open(data)
        } catch let error as TensorArchiveError where error.kind == .zipLayout {
            throw TensorArchiveError.numpy(file: file, member: nil, "unreadable zip archive: \(error.message)")
        }
        var result: TensorDictionary = [:]
        for entry in entries where entry.type == .file {
            let name = entry.path
            guard name.hasSuffix(".npy") else { continue }
            // ZipLayout refused declared sizes the compressed bytes present cannot back (≤ 1032:1).
            let declared = entry.uncompressedSize
            var bytes = Data()
            bytes.reserveCapacity(Int(min(declared, UInt64(data.count))))
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard UInt64(bytes.count + chunk.count) <= declared else {
                        throw TensorArchiveError.numpy(file: file, member: name, "member is larger than its declared \(declared) bytes")
                    }
                    bytes.append(chunk)
                }
            } catch let error as TensorArchiveError where error.kind == .numpy {
                throw error
            } catch {
                throw TensorArchiveError.numpy(file: file, member: name, "cannot extract (truncated or corrupt member: \(error))")
            }
            guard UInt64(bytes.count) == declared else {
                throw TensorArchiveError.numpy(file: file, member: name, "truncated: \(bytes.count) of \(declared) bytes")
            }
            result[String(name.dropLast(4))] = try decode(npy: bytes, file: file, member: name)
        }
        return result
    }

    /// Decodes one `.npy` byte string; `file`/`member` name it in errors.
    public static func decode(npy data: Data, file: String, member: String? = nil) throws -> Tensor {
        func fail(_ reason: String) -> TensorArchiveError { .numpy(file: file, member: member, reason) }
        let bytes = [UInt8](data.prefix(12))
        // The magic string `\x93NUMPY` (numpy.lib.format, NEP 1).
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw fail("bad magic: expected '\\x93NUMPY'")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major) (expected 1, 2 or 3)")
        }
        guard data.count >= headerStart + headerLength else {
            throw fail("truncated: header of \(headerLength) bytes but only \(data.count - headerStart) present")
        }
        let headerBytes = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        guard let header = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("header is not text")
        }
        let parsed = try NumPyHeader(parsing: header, fail: fail)
        let decoder = NumPyArrayDecoder(descr: parsed.descr, shape: parsed.shape, fortranOrder: parsed.fortranOrder)
        return try data.withUnsafeBytes { raw in
            try decoder.decode(UnsafeRawBufferPointer(rebasing: raw[(headerStart + headerLength)...]), fail: fail)
        }
    }
}
