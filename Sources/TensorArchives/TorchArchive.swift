import Foundation
import ZIPFoundation

/// Reads a `state_dict` saved by `torch.save` in the zip format (PyTorch ≥ 1.6,
/// `torch/serialization.py` `_save`): `<archive>/data.pkl` is a protocol-2 pickle of the dict
/// whose tensors are `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride,
/// requires_grad, backward_hooks[, metadata])` and whose storages are persistent ids
/// `('storage', storage_type, key, location, numel)`; the bytes of storage `key` are the member
/// `<archive>/data/<key>` (raw elements in the order given by `<archive>/byteorder`, little by
/// default). `torch._utils._rebuild_parameter(tensor, requires_grad, hooks)` wraps `nn.Parameter`s.
///
/// Only float32 storages (`torch.FloatStorage`) are accepted. Strided views are gathered into C
/// order; every element a view addresses must lie inside its storage.
public enum TorchArchive {
    /// Largest member read (guards against zip bombs).
    static let maxMemberBytes: UInt64 = 2 << 30

    /// Reads a file into (key, tensor) pairs in the state_dict's order.
    public static func readStateDict(_ url: URL) throws -> [(key: String, tensor: Tensor)] {
        try readStateDict(ArchiveFile.read(url), url: url)
    }

    /// Reads archive bytes into (key, tensor) pairs in the state_dict's order; `url` names the file in errors.
    public static func readStateDict(_ data: Data, url: URL) throws -> [(key: String, tensor: Tensor)] {
        let (archive, members) = try open(data, url: url)
        let byPath = Dictionary(members.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        func archiveMember(_ path: String) -> Entry? { byPath[path] }
        guard let pickleEntry = members.first(where: { $0.path == "data.pkl" || $0.path.hasSuffix("/data.pkl") }) else {
            throw TensorArchiveError(.missingEntry, file: url, "torch archive has no data.pkl")
        }
        let prefix = String(pickleEntry.path.dropLast("data.pkl".count))
        var bigEndian = false
        if let order = archiveMember("\(prefix)byteorder") {
            let text = String(decoding: try extract(order, from: archive, url: url), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard text == "little" || text == "big" else {
                throw TensorArchiveError(.invalidTensor, file: url, "torch archive byteorder is \(text.prefix(20).debugDescription)")
            }
            bigEndian = text == "big"
        }
        let root: PickleValue
        do {
            root = try PickleReader().read(try extract(pickleEntry, from: archive, url: url))
        } catch let error as PickleError {
            throw TensorArchiveError(.pickle, file: url, "unreadable \(pickleEntry.path): \(error)", pickleError: error)
        }
        guard let entries = root.dictEntries else {
            throw TensorArchiveError(.invalidTensor, file: url, "\(pickleEntry.path) holds \(PickleValue.kindDescription(root)), not a state_dict")
        }
        var storages: [String: [Float]] = [:]
        var result: [(key: String, tensor: Tensor)] = []
        for entry in entries {
            guard let key = entry.key.stringValue else {
                throw TensorArchiveError(.invalidTensor, file: url, "state_dict key \(PickleValue.kindDescription(entry.key)) is not a string")
            }
            let tensor = try rebuildTensor(entry.value, key: key, url: url) { storageKey, numel in
                if let cached = storages[storageKey] { return cached }
                let path = "\(prefix)data/\(storageKey)"
                guard let member = archiveMember(path) else {
                    throw TensorArchiveError(.missingEntry, file: url, "tensor \(key): storage \(path) is missing from the archive")
                }
                let expected = UInt64(numel) * 4
                guard member.uncompressedSize >= expected else {
                    throw TensorArchiveError(.invalidTensor, file: url, "tensor \(key): storage \(path) has \(member.uncompressedSize) bytes, needs \(expected) for \(numel) float32")
                }
                let bytes = try extract(member, from: archive, url: url)
                guard UInt64(bytes.count) >= expected else {
                    throw TensorArchiveError(.invalidTensor, file: url, "tensor \(key): storage \(path) has \(bytes.count) bytes, needs \(expected)")
                }
                var values = [Float](repeating: 0, count: numel)
                values.withUnsafeMutableBytes { dst in
                    bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0..<Int(expected)])) }
                }
                if bigEndian {
                    for i in values.indices { values[i] = Float(bitPattern: values[i].bitPattern.byteSwapped) }
                }
                storages[storageKey] = values
                return values
            }
            result.append((key, tensor))
        }
        return result
    }

    /// Names of all members (used to tell torch archives from npz files).
    public static func entryNames(_ data: Data, url: URL) throws -> [String] {
        try open(data, url: url).entries.map(\.path)
    }

    /// The members of a zip container (for example a Stable-Baselines3 agent), opened with the
    /// same layout checks and extracted with the same size guards as a torch archive.
    public struct Members {
        let archive: Archive
        let entries: [Entry]
        let url: URL

        /// Member paths in directory order.
        public var names: [String] { entries.map(\.path) }

        /// The bytes of the first member named `name`, or nil when there is none.
        public func data(_ name: String) throws -> Data? {
            guard let entry = entries.first(where: { $0.path == name }) else { return nil }
            return try TorchArchive.extract(entry, from: archive, url: url)
        }
    }

    /// Opens `data` as a zip; `url` names the file in errors.
    public static func members(_ data: Data, url: URL) throws -> Members {
        let (archive, entries) = try open(data, url: url)
        return Members(archive: archive, entries: entries, url: url)
    }

    /// Opens the zip after `ZipLayout` has checked that every offset and size in it lies inside
    /// `data` (ZIPFoundation traps on offsets past the end); its members in directory order.
    static func open(_ data: Data, url: URL) throws -> (archive: Archive, entries: [Entry]) {
        do {
            return try ZipLayout.open(data)
        } catch let error as TensorArchiveError where error.kind == .zipLayout {
            throw TensorArchiveError(.unreadable, file: url, "not a readable zip archive: \(error.message)")
        }
    }

    static func extract(_ entry: Entry, from archive: Archive, url: URL) throws -> Data {
        // Deflate expands at most ~1032:1, so a larger declared size is a lie.
        let declared = entry.uncompressedSize
        let (inflated, overflow) = entry.compressedSize.multipliedReportingOverflow(by: 1032)
        guard declared <= maxMemberBytes, declared == entry.compressedSize || (!overflow && declared <= inflated) else {
            throw TensorArchiveError(.invalidTensor, file: url, "archive member \(entry.path) claims \(declared) bytes from \(entry.compressedSize) compressed")
        }
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard UInt64(data.count + chunk.count) <= declared else {
                    throw TensorArchiveError(.invalidTensor, file: url, "archive member \(entry.path) is larger than its declared \(declared) bytes")
                }
                data.append(chunk)
            }
        } catch let error as TensorArchiveError {
            throw error
        } catch {
            throw TensorArchiveError(.unreadable, file: url, "cannot extract \(entry.path): \(error)")
        }
        guard UInt64(data.count) == declared else {
            throw TensorArchiveError(.invalidTensor, file: url, "archive member \(entry.path) is truncated: \(data.count) of \(declared) bytes")
        }
        return data
    }

    /// `_rebuild_tensor_v2` / `_rebuild_parameter` placeholders → a C-order float32 tensor.
    static func rebuildTensor(_ value: PickleValue, key: String, url: URL,
                              storage: (String, Int) throws -> [Float]) throws -> Tensor {
        func invalid(_ message: String) -> TensorArchiveError {
            TensorArchiveError(.invalidTensor, file: url, "tensor \(key): \(message)")
        }
        guard let object = value.objectValue else { throw invalid("value is \(PickleValue.kindDescription(value)), not a tensor") }
        switch object.className {
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let inner = object.arguments.first else { throw invalid("_rebuild_parameter without data") }
            return try rebuildTensor(inner, key: key, url: url, storage: storage)
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            break
        default:
            throw invalid("constructor \(object.className ?? "(built in the pickle)") is not a known tensor constructor")
        }
        let args = object.arguments
        guard args.count >= 4, case .persistentID(let pid) = args[0], let parts = pid.sequenceElements,
              parts.count == 5, parts[0].stringValue == "storage" else {
            throw invalid("storage is not a persistent id ('storage', type, key, location, numel)")
        }
        guard case .global(let storageType) = parts[1] else { throw invalid("storage type is \(PickleValue.kindDescription(parts[1]))") }
        guard storageType.module == "torch", storageType.name == "FloatStorage" else {
            throw invalid("storage type \(storageType) is not supported (only float32, torch.FloatStorage)")
        }
        guard let storageKey = parts[2].stringValue, !storageKey.contains("/"), !storageKey.contains("..") else {
            throw invalid("storage key is not a plain name")
        }
        guard case .int(let numel) = parts[4], numel >= 0, numel <= Int(maxMemberBytes / 4) else {
            throw invalid("storage size is not a valid element count")
        }
        guard case .int(let offset) = args[1], offset >= 0 else { throw invalid("storage offset is invalid") }
        guard let size = intTuple(args[2]), let strides = intTuple(args[3]), size.count == strides.count else {
            throw invalid("size/stride are not integer tuples of one rank")
        }
        guard size.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw invalid("negative size or stride (size \(size), stride \(strides))")
        }
        var count = 1
        for d in size {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= numel || d == 0 else { throw invalid("size \(size) exceeds its storage of \(numel) elements") }
            count = p
        }
        let values = try storage(storageKey, numel)
        if count == 0 { return Tensor(shape: size, values: []) }
        // Last element addressed: offset + Σ (size_i − 1)·stride_i must be inside the storage.
        var last = offset
        for (d, s) in zip(size, strides) {
            let (p, o1) = (d - 1).multipliedReportingOverflow(by: s)
            let (q, o2) = last.addingReportingOverflow(p)
            guard !o1, !o2 else { throw invalid("size \(size) with stride \(strides) overflows") }
            last = q
        }
        guard last < numel else {
            throw invalid("size \(size), stride \(strides), offset \(offset) reach element \(last) of a storage of \(numel)")
        }
        // Contiguous fast path: every axis of extent > 1 has its C-order stride.
        let contiguous = StridedGather.rowMajorStrides(size)
        if zip(zip(size, strides), contiguous).allSatisfy({ $0.0.0 == 1 || $0.0.1 == $0.1 }) {
            return Tensor(shape: size, values: Array(values[offset..<(offset + count)]))
        }
        return Tensor(shape: size, values: StridedGather.gather(values, shape: size, strides: strides, offset: offset, count: count))
    }

    static func intTuple(_ value: PickleValue) -> [Int]? {
        guard let elements = value.sequenceElements else { return nil }
        var out: [Int] = []
        for e in elements {
            guard case .int(let i) = e else { return nil }
            out.append(i)
        }
        return out
    }
}
