import DiffusionPolicy
import Foundation
import TensorArchives

/// One source format of checkpoints. A new format is one new file: a type conforming to this
/// protocol, listed in `CheckpointReaders.all`.
public protocol CheckpointReader {
    /// The format the reader's checkpoints report (`Checkpoint.format`).
    static var format: Checkpoint.Format { get }
    /// True when the file's first bytes (and, for a zip, its member names) are this format's.
    static func matches(_ probe: CheckpointProbe) -> Bool
    /// Reads, validates and hashes the checkpoint whose bytes are `data` (the file at `url`;
    /// sibling files, such as a Diffusion-QL critic or a `variant.json`, are read beside it).
    static func read(data: Data, url: URL) throws -> Checkpoint
}

/// What the readers look at to recognize a file: its first 16 bytes and, when it is a zip, the
/// names of its members (listed once, after `ZipLayout`'s checks).
public struct CheckpointProbe {
    public let url: URL
    /// The whole file.
    public let data: Data
    /// Its first (up to) 16 bytes.
    public let head: [UInt8]
    /// Member paths of a zip file (local file header signature `PK\3\4`, PKWARE APPNOTE.TXT
    /// §4.3.7), nil for any other file.
    public let zipMembers: [String]?

    /// Lists the members of a zip; throws a `CheckpointError` for a zip that cannot be read.
    public init(data: Data, url: URL) throws {
        self.url = url
        self.data = data
        head = [UInt8](data.prefix(16))
        zipMembers = head.count >= 4 && head.prefix(4).elementsEqual(ZipLayout.localSignatureBytes)
            ? try Checkpoint.archiveReading { try TorchArchive.entryNames(data, url: url) }
            : nil
    }

    /// True for a pickle of protocol 2-5 (`80 0x`: `PickleOpcode.PROTO`, then the version).
    public var isSupportedPickle: Bool {
        head.count >= 2 && head[0] == PickleOpcode.PROTO.rawValue && (2...5).contains(head[1])
    }
}

/// The registry of checkpoint formats.
public enum CheckpointReaders {
    /// Every reader, in the order they are tried (the first that matches reads the file).
    public static let all: [CheckpointReader.Type] = [
        Checkpoint.EDPPickleReader.self,
        Checkpoint.TorchPairReader.self,
        Checkpoint.NumPyArchiveReader.self,
        Checkpoint.StableBaselinesReader.self,
        Checkpoint.SafeTensorsReader.self,
    ]

    /// The reader of `probe`'s file, or an error saying why none applies.
    public static func reader(for probe: CheckpointProbe) throws -> CheckpointReader.Type {
        if let reader = all.first(where: { $0.matches(probe) }) { return reader }
        throw unrecognized(probe)
    }

    /// Why no reader matches: a zip of unknown members, a safetensors header longer than the
    /// file, an unsupported pickle protocol, or unknown first bytes.
    static func unrecognized(_ probe: CheckpointProbe) -> CheckpointError {
        let head = probe.head, url = probe.url, data = probe.data
        if probe.zipMembers != nil {
            return CheckpointError(.unrecognizedFormat, file: url, "zip archive is neither a torch checkpoint (no data.pkl), an npz (no .npy members) nor a Stable-Baselines3 agent (no data and policy.pth members)")
        }
        if head.count >= 9, head[8] == UInt8(ascii: "{") {
            let length = Checkpoint.SafeTensorsReader.headerLength(head)
            return CheckpointError(.safetensors, file: url, "safetensors header claims \(length) bytes but the file has \(data.count - 8) after the length field")
        }
        if head.count >= 2, head[0] == PickleOpcode.PROTO.rawValue {
            return CheckpointError(.unrecognizedFormat, file: url, "pickle protocol \(head[1]) is not supported (2-5)")
        }
        return CheckpointError(.unrecognizedFormat, file: url, "not a pickle, torch zip, npz or safetensors file (first bytes \(head.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")))")
    }
}
