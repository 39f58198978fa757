import DiffusionPolicy
import Foundation
import TensorArchives

/// A checkpoint that could not be loaded or written. The description names the file and the problem.
public struct CheckpointError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Equatable, Sendable {
        /// The file (or a sibling it needs) cannot be read.
        case unreadable
        /// The content matches no supported format.
        case unrecognizedFormat
        /// The pickle inside could not be read; see `pickleError`.
        case pickle
        /// The pickle or archive lacks an entry the loader needs.
        case missingEntry
        /// A tensor is malformed: wrong dtype, wrong shape, bytes outside its storage, ...
        case invalidTensor
        /// A weight or schedule value is NaN or infinite.
        case nonFinite
        /// The configuration is inconsistent with itself or with the tensors.
        case invalidConfiguration
        /// A safetensors header or layout is invalid.
        case safetensors
        /// Writing failed.
        case unwritable
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

    /// The same failure, reported by the container reader of `TensorArchives`.
    public init(_ error: TensorArchiveError) {
        switch error.kind {
        case .unreadable: kind = .unreadable
        case .missingEntry: kind = .missingEntry
        case .invalidTensor: kind = .invalidTensor
        case .pickle: kind = .pickle
        // Readers word these themselves (with their file); a stray one keeps its kind's sense.
        case .numpy, .array: kind = .invalidTensor
        case .safetensors: kind = .safetensors
        case .zipLayout: kind = .unreadable
        }
        file = error.file ?? ""
        message = error.message
        pickleError = error.pickleError
    }

    public var description: String { "\(file): \(message)" }
}
