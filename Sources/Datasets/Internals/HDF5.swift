import CHDF5
import Foundation

/// The one door to the HDF5 C library: a read-only file, its object tree, and row-range reads of
/// numeric datasets. HDF5's automatic error printing is switched off; every failure becomes a
/// `DatasetError` naming the file and the key. The Debian library is the serial (not
/// thread-safe) build, so one `HDF5File` is used from one thread at a time.
final class HDF5File {
    let url: URL
    private let id: hid_t

    /// `H5P_DEFAULT`, `H5S_ALL`, `H5E_DEFAULT` are `(hid_t)0` macros Swift does not import.
    private static let defaultProperties: hid_t = 0

    init(_ url: URL) throws {
        self.url = url
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DatasetError(file: url, key: nil, "no such file")
        }
        _ = Self.initialized
        // H5Fis_hdf5: > 0 yes, 0 no (truncated or another format), < 0 unreadable.
        guard H5Fis_hdf5(url.path) > 0 else {
            throw DatasetError(file: url, key: nil, "not an HDF5 file (or truncated: no valid HDF5 superblock)")
        }
        // H5F_ACC_RDONLY is 0.
        let file = H5Fopen(url.path, 0, Self.defaultProperties)
        guard file >= 0 else { throw DatasetError(file: url, key: nil, "HDF5 cannot open the file (truncated or damaged)") }
        id = file
    }

    deinit { H5Fclose(id) }

    /// H5open once, and HDF5's own error-stack printing off (our errors carry the context).
    private static let initialized: Bool = {
        H5open()
        H5Eset_auto2(0, nil, nil)
        return true
    }()

    /// Every object below the root, depth first: (path, is a dataset). A group reached again
    /// through another hard link (possibly its own descendant: a cycle) is listed but not
    /// entered twice; nesting deeper than `maxDepth` is not entered.
    func objects(_ group: String = "/") -> [(path: String, isDataset: Bool)] {
        var visited = Set<[UInt64]>()
        if let root = identity(of: group) { visited.insert(root) }
        return objects(group, visited: &visited, depth: 0)
    }

    static let maxDepth = 64

    private func identity(of path: String) -> [UInt64]? {
        let object = H5Oopen(id, path, Self.defaultProperties)
        guard object >= 0 else { return nil }
        defer { H5Oclose(object) }
        var words: [UInt64] = [0, 0]
        return chdf5_object_identity(object, &words) >= 0 ? words : nil
    }

    private func objects(_ group: String, visited: inout Set<[UInt64]>, depth: Int) -> [(path: String, isDataset: Bool)] {
        guard depth < Self.maxDepth else { return [] }
        let g = H5Gopen2(id, group, Self.defaultProperties)
        guard g >= 0 else { return [] }
        defer { H5Gclose(g) }
        var info = H5G_info_t()
        guard H5Gget_info(g, &info) >= 0 else { return [] }
        var result: [(String, Bool)] = []
        for i in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, Self.defaultProperties)
            guard length > 0 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(length) + 1, Self.defaultProperties)
            let name = String(cString: buffer)
            let path = group == "/" ? name : "\(group)/\(name)"
            let object = H5Oopen(id, path, Self.defaultProperties)
            guard object >= 0 else { continue }
            let type = H5Iget_type(object)
            var words: [UInt64] = [0, 0]
            let known = chdf5_object_identity(object, &words) >= 0
            H5Oclose(object)
            if type == H5I_GROUP {
                result.append((path, false))
                // Enter a group once; without an identity, enter it (the depth bound still holds).
                if !known || visited.insert(words).inserted {
                    result += objects(path, visited: &visited, depth: depth + 1)
                }
            } else if type == H5I_DATASET {
                result.append((path, true))
            }
        }
        return result
    }

    /// Whether `path` names a dataset.
    func hasDataset(_ path: String) -> Bool {
        // H5Lexists needs every intermediate group to exist: check the prefixes in order.
        let parts = path.split(separator: "/").map(String.init)
        for end in parts.indices {
            guard H5Lexists(id, parts[0...end].joined(separator: "/"), Self.defaultProperties) > 0 else { return false }
        }
        let object = H5Oopen(id, path, Self.defaultProperties)
        guard object >= 0 else { return false }
        defer { H5Oclose(object) }
        return H5Iget_type(object) == H5I_DATASET
    }

    /// Opens a dataset for reading.
    func dataset(_ path: String) throws -> HDF5Dataset {
        guard hasDataset(path) else { throw DatasetError(file: url, key: path, "missing (expected a dataset)") }
        let d = H5Dopen2(id, path, Self.defaultProperties)
        guard d >= 0 else { throw DatasetError(file: url, key: path, "HDF5 cannot open the dataset") }
        return try HDF5Dataset(id: d, path: path, file: self)
    }
}

/// An open dataset: shape, element type, and reads of row ranges converted to Double.
final class HDF5Dataset {
    let path: String
    let shape: [Int]
    /// NumPy-style name: float32, float64, int64, uint8, bool (h5py's enum of int8), …
    let dtype: String
    private let id: hid_t
    private let isEnum: Bool
    private let elementSize: Int
    private unowned let file: HDF5File

    fileprivate init(id: hid_t, path: String, file: HDF5File) throws {
        self.id = id
        self.path = path
        self.file = file
        let space = H5Dget_space(id)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        shape = rank > 0 ? dims.prefix(rank).map { Int($0) } : []
        let type = H5Dget_type(id)
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type)
        elementSize = Int(H5Tget_size(type))
        isEnum = typeClass == H5T_ENUM
        switch typeClass {
        case H5T_FLOAT: dtype = "float\(8 * elementSize)"
        case H5T_INTEGER: dtype = (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + "\(8 * elementSize)"
        case H5T_ENUM: dtype = elementSize == 1 ? "bool" : "enum\(8 * elementSize)"
        case H5T_STRING: dtype = "string"
        default: dtype = "other"
        }
    }

    deinit { H5Dclose(id) }

    var isNumeric: Bool { dtype.hasPrefix("float") || dtype.hasPrefix("int") || dtype.hasPrefix("uint") || dtype == "bool" }

    /// Elements per row (product of the trailing extents).
    var rowWidth: Int { shape.dropFirst().reduce(1, *) }

    /// Rows `range` (along the first axis) as Double, row-major; float32 values convert exactly.
    func rows(_ range: Range<Int>) throws -> [Double] {
        guard isNumeric, !shape.isEmpty else {
            throw DatasetError(file: file.url, key: path, "is \(dtype) of shape \(shape), expected a numeric array")
        }
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[0])
        let count = range.count * rowWidth
        guard count > 0 else { return [] }
        let fileSpace = H5Dget_space(id)
        defer { H5Sclose(fileSpace) }
        var start = [hsize_t](repeating: 0, count: shape.count)
        var extent = shape.map { hsize_t($0) }
        start[0] = hsize_t(range.lowerBound)
        extent[0] = hsize_t(range.count)
        H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, extent, nil)
        let memory = H5Screate_simple(Int32(shape.count), extent, nil)
        defer { H5Sclose(memory) }
        var status: herr_t
        var values: [Double]
        if isEnum {
            // h5py's bool is an enum over int8; HDF5 converts enums only to enums, so read the
            // bytes in the file type and widen them here.
            let type = H5Dget_type(id)
            defer { H5Tclose(type) }
            var bytes = [Int8](repeating: 0, count: count * elementSize)
            status = H5Dread(id, type, memory, fileSpace, 0, &bytes)
            values = stride(from: 0, to: bytes.count, by: elementSize).map { Double(bytes[$0]) }
        } else {
            values = [Double](repeating: 0, count: count)
            status = H5Dread(id, H5T_NATIVE_DOUBLE_g, memory, fileSpace, 0, &values)
        }
        guard status >= 0 else {
            throw DatasetError(file: file.url, key: path, "HDF5 read of rows \(range.lowerBound)..<\(range.upperBound) failed (truncated or corrupt data)")
        }
        return values
    }

    /// A scalar string dataset (D4RL's `metadata/*`), nil for other kinds.
    func stringValue() -> String? {
        guard dtype == "string", shape.isEmpty else { return nil }
        let type = H5Dget_type(id)
        defer { H5Tclose(type) }
        if H5Tis_variable_str(type) > 0 {
            var pointer: UnsafeMutablePointer<CChar>?
            let memoryType = H5Tcopy(H5T_C_S1_g)
            defer { H5Tclose(memoryType) }
            H5Tset_size(memoryType, -1)  // H5T_VARIABLE, ((size_t)-1)
            H5Tset_cset(memoryType, H5Tget_cset(type))  // h5py writes UTF-8
            guard H5Dread(id, memoryType, 0, 0, 0, &pointer) >= 0, let pointer else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        var buffer = [CChar](repeating: 0, count: elementSize + 1)
        guard H5Dread(id, type, 0, 0, 0, &buffer) >= 0 else { return nil }
        return String(cString: buffer)
    }
}
