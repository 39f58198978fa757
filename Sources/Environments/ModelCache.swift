import Foundation
import MuJoCo

/// Compiled models shared by every environment of a process, keyed by MuJoCo build and by file path
/// or the XML text they were compiled from; thread-safe. Models are read-only once cached.
final class ModelCache: @unchecked Sendable {
    /// The process-wide cache (`RobotDescriptor.bundledModel`, `compiledModel`).
    static let shared = ModelCache()

    private var models: [Key: MjModel] = [:]

    struct Key: Hashable {
        let physics: MuJoCoPhysics
        let source: String
    }
    private let lock = NSLock()

    func model(at url: URL, physics: MuJoCoPhysics) throws -> MjModel {
        try model(key: Key(physics: physics, source: url.path)) { try MjModel(contentsOf: url, physics: physics) }
    }

    /// The model cached under `key` (for models built from text, the text itself), built once.
    func model(key: Key, build: () throws -> MjModel) throws -> MjModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[key] { return model }
        let model = try build()
        models[key] = model
        return model
    }
}
