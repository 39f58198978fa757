import Foundation
import TensorArchives
import Testing
import TestSupport
@testable import DiffusionPolicy

/// The policy fixtures: outputs of the original EDP / Diffusion-QL code under Tests/Fixtures
/// (`edp/`, `dql/`, `edp-hopper-42k/`, `reference/`; see the README in each folder), found through
/// the shared locator `TestFixtures`. Every loader throws `FixtureError` (or the reader's own
/// error, which names the file) instead of trapping.
enum Fixtures {
    /// An existing fixture file, relative to Tests/Fixtures.
    static func url(_ relative: String) throws -> URL { try TestFixtures.url(relative) }

    /// The tensors of a fixture `.npz`, relative to Tests/Fixtures.
    static func npz(_ relative: String) throws -> TensorDictionary {
        try NumPyArchive.read(contentsOf: url(relative))
    }

    /// EDP "init" golden set (edp/edp_golden.json + edp/edp_params.npz), loaded once.
    static func edpInit() throws -> GoldenSet {
        try cache.set(json: "edp/edp_golden.json", params: "edp/edp_params.npz")
    }

    /// EDP "trained" golden set (edp/edp_trained_golden.json + edp/edp_trained_params.npz), loaded once.
    static func edpTrained() throws -> GoldenSet {
        try cache.set(json: "edp/edp_trained_golden.json", params: "edp/edp_trained_params.npz")
    }

    /// Diffusion-QL golden values of `dql/<variant>/golden.json` (weights come from the .pth files).
    static func dqlGolden(_ variant: String) throws -> GoldenSet {
        try cache.set(json: "dql/\(variant)/golden.json", params: nil)
    }

    /// The configuration of the fixtures' EDP agent (edp_golden.json "meta": obs 11, act 3,
    /// K = 1000 linear, E = 16, 256-256-256 Mish, dpm 15 steps to 1e-3).
    static func edpConfiguration(steps: Int = 1000, sampler: PolicyConfiguration.Sampler = .dpm,
                                 selection: PolicyConfiguration.ActionSelection = .energy,
                                 candidates: Int = 50) -> DiffusionConfiguration {
        DiffusionConfiguration(family: .edp, observationSize: 11, actionSize: 3, diffusionSteps: steps,
                               schedule: .linear, sampler: sampler, actionSelection: selection, candidates: candidates)
    }

    private static let cache = GoldenCache()
}

/// Golden sets loaded once per process (the JSON files are ~0.4 MB each).
private final class GoldenCache: @unchecked Sendable {
    private let lock = NSLock()
    private var sets: [String: GoldenSet] = [:]

    func set(json: String, params: String?) throws -> GoldenSet {
        lock.lock(); defer { lock.unlock() }
        if let set = sets[json] { return set }
        let set = try GoldenSet(json: json, params: params)
        sets[json] = set
        return set
    }
}

/// One golden JSON (and the npz of weights it was computed with), read eagerly and immutable after.
final class GoldenSet: @unchecked Sendable {
    /// The JSON file, relative to Tests/Fixtures.
    let jsonPath: String
    private let json: [String: Any]
    private let tensors: TensorDictionary

    /// - Throws: `FixtureError` when a file is missing or the JSON is not an object; the npz
    ///   reader's error (naming the file) when the weights are malformed.
    init(json: String, params: String?) throws {
        jsonPath = json
        let data = try TestFixtures.data(json)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FixtureError(path: "Tests/Fixtures/\(json)", reason: "is not a JSON object")
        }
        self.json = object
        tensors = try params.map { try Fixtures.npz($0) } ?? [:]
    }

    /// The value at a '/'-separated path of the JSON ("dpm/plan/clip_index"), nil when absent.
    func value(_ path: String) -> Any? {
        // Keys may themselves contain '/' ("base_net/TimeEmbedding_0/Dense_0"): try the longest match.
        func find(_ node: Any?, _ parts: ArraySlice<Substring>) -> Any? {
            guard !parts.isEmpty else { return node }
            guard let dict = node as? [String: Any] else { return nil }
            for end in stride(from: parts.endIndex, to: parts.startIndex, by: -1) {
                let key = parts[parts.startIndex..<end].joined(separator: "/")
                if let child = dict[key], let found = find(child, parts[end...]) { return found }
            }
            return nil
        }
        return find(json, path.split(separator: "/")[...])
    }

    /// The numbers at `path`, flattened to float32. A missing path records an issue naming the
    /// file and returns [] (which then fails any comparison: `maxAbsDifference` is ∞).
    func floats(_ path: String) -> [Float] {
        guard let node = value(path) else {
            Issue.record("Tests/Fixtures/\(jsonPath): no value at \(path)")
            return []
        }
        return flatten(node)
    }

    /// A list of arrays at `path` (e.g. the per-step noises "ddpm/noise"), each flattened.
    /// - Throws: `FixtureError` when the path is absent or not a list.
    func arrays(_ path: String) throws -> [[Float]] {
        guard let list = value(path) as? [Any] else {
            throw FixtureError(path: "Tests/Fixtures/\(jsonPath)", reason: "no list at \(path)")
        }
        return list.map { flatten($0) }
    }

    /// The weights of the set (empty for the Diffusion-QL sets, whose weights are the .pth files).
    func loadedTensors() -> TensorDictionary { tensors }
}

extension Dictionary where Key == String, Value == Tensor {
    /// The values of the tensor `key` of a golden npz.
    /// - Throws: `FixtureError` naming `file` when the key is absent.
    func values(_ key: String, in file: String) throws -> [Float] {
        guard let tensor = self[key] else {
            throw FixtureError(path: "Tests/Fixtures/\(file)", reason: "has no array \(key)")
        }
        return tensor.values
    }
}

/// Flattens nested JSON arrays of numbers to float32 (NaN for null).
func flatten(_ value: Any?) -> [Float] {
    if let array = value as? [Any] { return array.flatMap { flatten($0) } }
    if let number = value as? NSNumber { return [number.floatValue] }
    if value is NSNull { return [.nan] }
    return []
}

/// max |a − b| over equal-length arrays (∞ on a length mismatch, NaN-aware).
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        if x.isNaN != y.isNaN { return .infinity }
        if !x.isNaN { worst = max(worst, abs(x - y)) }
    }
    return worst
}

/// Records measured errors so the report can quote them (printed by each test).
func report(_ name: String, _ error: Float, tolerance: Float) {
    print("[measure] \(name): max error \(error) (tolerance \(tolerance))")
}
