import Crypto
import Foundation

/// Lower-case hexadecimal SHA-256 digests (FIPS 180-4, computed by swift-crypto): the one place
/// the project hashes checkpoints, datasets, model files and statistics files.
public enum SHA256Digest {
    /// Hex digest of `data`.
    public static func hex(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Hex digest of the file at `url`, memory-mapped when safe; throws Foundation's read error.
    public static func hex(ofFile url: URL) throws -> String {
        hex(try Data(contentsOf: url, options: .mappedIfSafe))
    }

    /// Hex digest of everything `handle` still holds, read in blocks of `blockSize` bytes
    /// (4 MiB by default), so a file of any size is hashed in bounded memory.
    public static func hex(reading handle: FileHandle, blockSize: Int = 4 << 20) throws -> String {
        var hasher = SHA256()
        while let block = try handle.read(upToCount: blockSize), !block.isEmpty { hasher.update(data: block) }
        return hex(hasher.finalize())
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
