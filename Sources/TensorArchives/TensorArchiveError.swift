import Foundation

/// A torch archive (or a file read for one) that could not be read. The description names the
/// file and the problem; `Checkpoints` turns it into a `CheckpointError` of the same kind and text.
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
    }

    public var kind: Kind
    /// The file concerned.
    public var file: String
    public var message: String
    /// The underlying pickle error, for `.pickle`.
    public var pickleError: PickleError?

    public init(_ kind: Kind, file: URL, _ message: String, pickleError: PickleError? = nil) {
        self.kind = kind
        self.file = file.path
        self.message = message
        self.pickleError = pickleError
    }

    public var description: String { "\(file): \(message)" }
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
