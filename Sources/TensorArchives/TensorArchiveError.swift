import Foundation

/// Why a container could not be read or written, for every format of this module. The
/// description is `<file>: [member "<member>": ]<message>`, with the parts that are known:
/// torch archives and whole-file reads name the file; `.npy`/`.npz` the file and the member;
/// safetensors, zip layout and pickled-array problems only the message (their callers add the
/// file). `Checkpoints` turns it into a `CheckpointError` (the `CheckpointError(_:)` initializer
/// for torch archives and file reads; its readers word the others).
public struct TensorArchiveError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Equatable, Sendable {
        /// The file, or the zip container, cannot be read.
        case unreadable
        /// The archive lacks a member the reader needs.
        case missingEntry
        /// A tensor or member is malformed: wrong dtype or shape, bytes outside its storage, ...
        case invalidTensor
        /// The pickle inside could not be read; see `pickleError`.
        case pickle
        /// An `.npy` or `.npz` file is malformed (`NumPyArchive`).
        case numpy
        /// A safetensors header or layout is invalid, or a tensor set cannot be encoded (`SafeTensors`).
        case safetensors
        /// A zip archive's records point outside the data or use an unsupported feature (`ZipLayout`).
        case zipLayout
        /// A pickled numpy array cannot become the requested tensor (`PickleArray.float32Tensor`).
        case array
    }

    public var kind: Kind
    /// The file concerned, when the reader knows it.
    public var file: String?
    /// The archive member concerned (`.npz` members).
    public var member: String?
    public var message: String
    /// The underlying pickle error, for `.pickle`.
    public var pickleError: PickleError?

    public init(_ kind: Kind, file: URL, _ message: String, pickleError: PickleError? = nil) {
        self.init(kind, path: file.path, message, pickleError: pickleError)
    }

    public init(_ kind: Kind, path: String?, member: String? = nil, _ message: String, pickleError: PickleError? = nil) {
        self.kind = kind
        self.file = path
        self.member = member
        self.message = message
        self.pickleError = pickleError
    }

    /// An invalid `.npy`/`.npz` (`file` as given, `member` nil for a lone `.npy`).
    public static func numpy(file: String, member: String?, _ reason: String) -> TensorArchiveError {
        TensorArchiveError(.numpy, path: file, member: member, reason)
    }

    /// An invalid safetensors file or an unencodable tensor set; the caller names the file.
    public static func safetensors(_ message: String) -> TensorArchiveError {
        TensorArchiveError(.safetensors, path: nil, message)
    }

    /// A refused zip layout (which record or member, what was expected); the caller names the file.
    static func zipLayout(_ reason: String) -> TensorArchiveError {
        TensorArchiveError(.zipLayout, path: nil, reason)
    }

    /// A pickled array that cannot become the requested tensor; the caller names the file.
    static func array(_ message: String) -> TensorArchiveError {
        TensorArchiveError(.array, path: nil, message)
    }

    public var description: String {
        var text = file.map { "\($0): " } ?? ""
        if let member { text += "member \"\(member)\": " }
        return text + message
    }
}

/// Whole-file reads with an error that says why a path cannot be read.
public enum ArchiveFile {
    /// The bytes of `url`, or a `.unreadable` error naming the reason (missing, a folder, a
    /// device, no permission) and asking for a checkpoint file or folder.
    public static func read(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            var info = stat()
            let reason: String
            if stat(url.path, &info) != 0 {
                reason = String(cString: strerror(errno))
            } else if (info.st_mode & S_IFMT) != S_IFREG {
                reason = (info.st_mode & S_IFMT) == S_IFDIR ? "is a folder without a checkpoint" : "not a regular file (a device, pipe or socket)"
            } else {
                reason = access(url.path, R_OK) == 0 ? "the file cannot be read" : "permission denied"
            }
            throw TensorArchiveError(.unreadable, file: url, "cannot read it: \(reason); give a checkpoint file or folder")
        }
    }
}
