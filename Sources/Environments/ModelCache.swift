import Foundation
import MuJoCo

/// Compiled models shared by every environment of a process, keyed by MuJoCo build and by file path
/// or the XML text they were compiled from. Models are read-only once cached.
enum ModelCache {
    struct Key: Hashable {
        let physics: MuJoCoPhysics
        let source: String
    }
    private static let shared = ProcessCache<Key, MjModel>()

    static func model(at url: URL, physics: MuJoCoPhysics) throws -> MjModel {
        try model(key: Key(physics: physics, source: url.path)) { try MjModel(contentsOf: url, physics: physics) }
    }

    /// The model cached under `key` (for models built from text, the text itself), built once.
    static func model(key: Key, build: () throws -> MjModel) throws -> MjModel {
        try shared.value(for: key, make: build)
    }
}
