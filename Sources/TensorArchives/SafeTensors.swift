import Foundation

/// The safetensors format (huggingface/safetensors, "Format" section of its README): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON
/// `{"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"<key>": "<string>"}}`, then the tensor bytes (little-endian, C order), with
/// offsets relative to the end of the header.
///
/// This project reads and writes F32 only. Reading validates everything the reference
/// implementation validates: the header length against the file size (and at most 100 MB), a
/// strict JSON header without duplicate names, dtype, non-negative shapes, offsets consistent with
/// shape × 4, and offsets that tile the data section exactly (each tensor starts where the
/// previous ended, none overlap, the last ends at the end of the file).
public enum SafeTensors {
    /// Upper bound on the header (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    /// Decodes a file's bytes.
    public static func decode(_ data: Data) throws -> (tensors: TensorDictionary, metadata: [String: String]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw TensorArchiveError.safetensors("file has \(bytes.count) bytes, less than the 8-byte header length") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 8) else {
            throw TensorArchiveError.safetensors("header length \(length) exceeds the \(bytes.count - 8) bytes after it")
        }
        guard length <= UInt64(maxHeaderBytes) else { throw TensorArchiveError.safetensors("header length \(length) exceeds \(maxHeaderBytes)") }
        let headerEnd = 8 + Int(length)
        let json: SafeTensorsJSON
        do {
            json = try SafeTensorsJSON.parse(Array(bytes[8..<headerEnd]))
        } catch let error as SafeTensorsJSON.ParseError {
            throw TensorArchiveError.safetensors(error.description)
        }
        guard case .object(let members) = json else { throw TensorArchiveError.safetensors("header is not a JSON object") }
        let dataLength = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var layout: [TensorEntry] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let entries) = value else { throw TensorArchiveError.safetensors("__metadata__ is not an object") }
                for (key, v) in entries {
                    guard case .string(let s) = v else { throw TensorArchiveError.safetensors("__metadata__ value for \(key) is not a string") }
                    metadata[key] = s
                }
                continue
            }
            layout.append(try tensorEntry(name, value, dataLength: dataLength))
        }
        try requireTiling(layout, dataLength: dataLength)
        var tensors: TensorDictionary = [:]
        for entry in layout {
            var values = [Float](repeating: 0, count: (entry.end - entry.begin) / 4)
            values.withUnsafeMutableBytes { dst in
                bytes.withUnsafeBytes { src in
                    dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[(headerEnd + entry.begin)..<(headerEnd + entry.end)]))
                }
            }
            #if _endian(big)
            for i in values.indices { values[i] = Float(bitPattern: UInt32(littleEndian: values[i].bitPattern)) }
            #endif
            tensors[entry.name] = Tensor(shape: entry.shape, values: values)
        }
        return (tensors, metadata)
    }

    /// One tensor's header entry: its name, shape and byte range in the data section.
    typealias TensorEntry = (name: String, shape: [Int], begin: Int, end: Int)

    /// Reads a header entry `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}` and
    /// checks it against the data section's length.
    static func tensorEntry(_ name: String, _ value: SafeTensorsJSON, dataLength: Int) throws -> TensorEntry {
        guard case .object(let fields) = value else { throw TensorArchiveError.safetensors("entry \(name) is not an object") }
        var dtype: String?, shape: [Int]?, offsets: [Int]?
        for (field, v) in fields {
            switch field {
            case "dtype":
                guard case .string(let s) = v else { throw TensorArchiveError.safetensors("tensor \(name): dtype is not a string") }
                dtype = s
            case "shape":
                shape = try integers(v, "tensor \(name): shape")
            case "data_offsets":
                offsets = try integers(v, "tensor \(name): data_offsets")
            default:
                throw TensorArchiveError.safetensors("tensor \(name): unknown field \(field)")
            }
        }
        guard let dtype, let shape, let offsets else {
            throw TensorArchiveError.safetensors("tensor \(name): needs dtype, shape and data_offsets")
        }
        guard dtype == "F32" else { throw TensorArchiveError.safetensors("tensor \(name): dtype \(dtype) is not supported (F32 only)") }
        guard offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= dataLength else {
            throw TensorArchiveError.safetensors("tensor \(name): data_offsets \(offsets) are not within the \(dataLength)-byte data section")
        }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= dataLength else { throw TensorArchiveError.safetensors("tensor \(name): shape \(shape) is larger than the file") }
            count = p
        }
        guard offsets[1] - offsets[0] == count * 4 else {
            throw TensorArchiveError.safetensors("tensor \(name): data_offsets \(offsets) span \(offsets[1] - offsets[0]) bytes but shape \(shape) needs \(count * 4)")
        }
        return (name, shape, offsets[0], offsets[1])
    }

    /// Throws unless the entries' byte ranges tile the data section exactly (no gap, no overlap).
    static func requireTiling(_ layout: [TensorEntry], dataLength: Int) throws {
        var expected = 0
        for entry in layout.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard entry.begin == expected else {
                throw TensorArchiveError.safetensors(entry.begin < expected
                                       ? "tensor \(entry.name) overlaps the previous tensor (starts at \(entry.begin), previous ends at \(expected))"
                                       : "gap before tensor \(entry.name) (starts at \(entry.begin), previous ends at \(expected))")
            }
            expected = entry.end
        }
        guard expected == dataLength else {
            throw TensorArchiveError.safetensors("tensors cover \(expected) bytes but the data section has \(dataLength)")
        }
    }

    /// Encodes tensors (sorted by name, contiguous, F32 little-endian) and string metadata. The
    /// header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
    public static func encode(_ tensors: TensorDictionary, metadata: [String: String] = [:]) throws -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(SafeTensorsJSON.quote($0)):\(SafeTensorsJSON.quote(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
        }
        let names = tensors.keys.sorted()
        var offset = 0
        for name in names {
            guard name != "__metadata__", !name.isEmpty else { throw TensorArchiveError.safetensors("tensor name \(name.debugDescription) is reserved") }
            let tensor = tensors[name]!
            let end = offset + tensor.count * 4
            parts.append("\(SafeTensorsJSON.quote(name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        // Pad the header with spaces to an 8-byte boundary, as the safetensors format spec allows.
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        var out = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for name in names {
            tensors[name]!.values.withUnsafeBytes { raw in
                #if _endian(big)
                for v in tensors[name]!.values { var le = v.bitPattern.littleEndian; withUnsafeBytes(of: &le) { out.append(contentsOf: $0) } }
                #else
                out.append(contentsOf: raw)
                #endif
            }
        }
        return out
    }

    static func integers(_ value: SafeTensorsJSON, _ what: String) throws -> [Int] {
        guard case .array(let elements) = value else { throw TensorArchiveError.safetensors("\(what) is not an array") }
        return try elements.map {
            guard case .number(let text) = $0, let i = Int(text), i >= 0 else {
                throw TensorArchiveError.safetensors("\(what) holds \($0), not a non-negative integer")
            }
            return i
        }
    }
}

