import Crypto
import Foundation

enum CheckpointHashing {
    /// Lower-case hex SHA-256 (FIPS 180-4) of `data`, via swift-crypto.
    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
