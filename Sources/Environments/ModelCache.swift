import Foundation
import MuJoCo

/// Compiled models shared by every environment of a process, keyed by file path or by the XML
/// text they were compiled from; thread-safe. Models are read-only once cached.
final class ModelCache: @unchecked Sendable {
    /// The process-wide cache (`RobotDescriptor.bundledModel`, `compiledModel`).
    static let shared = ModelCache()

    private var models: [String: MjModel] = [:]
    private let lock = NSLock()

    func model(at url: URL) throws -> MjModel {
        try model(key: url.path) { try MjModel(contentsOf: url) }
    }

    /// The model cached under `key` (for models built from text, the text itself), built once.
    func model(key: String, build: () throws -> MjModel) throws -> MjModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[key] { return model }
        let model = try build()
        models[key] = model
        return model
    }
}
