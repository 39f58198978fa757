import Foundation
@testable import DiffusionPolicy

/// Access to /work/shared/fixtures (outputs of the original EDP / Diffusion-QL code, see
/// fixtures/README.md), located relative to this file: repository root, then `../shared`.
enum Fixtures {
    static let shared: URL = {
        // Tests/DiffusionPolicyTests/Support/Fixtures.swift → repository root → ../shared
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let root = file.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("../shared").standardizedFileURL
    }()

    static func url(_ relative: String) -> URL { shared.appendingPathComponent(relative) }

    static let edpInit = GoldenSet(json: "fixtures/edp/edp_golden.json", params: "fixtures/edp/edp_params.npz")
    static let edpTrained = GoldenSet(json: "fixtures/edp/edp_trained_golden.json", params: "fixtures/edp/edp_trained_params.npz")

    /// The configuration of the fixtures' EDP agent (edp_golden.json "meta": obs 11, act 3,
    /// K = 1000 linear, E = 16, 256-256-256 Mish, dpm 15 steps to 1e-3).
    static func edpConfiguration(steps: Int = 1000, sampler: PolicyConfiguration.Sampler = .dpm,
                                 selection: PolicyConfiguration.ActionSelection = .energy,
                                 candidates: Int = 50) -> PolicyConfiguration {
        PolicyConfiguration(family: .edp, observationSize: 11, actionSize: 3, diffusionSteps: steps,
                            schedule: .linear, sampler: sampler, actionSelection: selection, candidates: candidates)
    }
}

/// One golden JSON + its npz of weights, loaded once.
final class GoldenSet: @unchecked Sendable {
    let jsonPath: String
    let paramsPath: String
    init(json: String, params: String) { jsonPath = json; paramsPath = params }

    lazy var json: [String: Any] = {
        let data = try! Data(contentsOf: Fixtures.url(jsonPath))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()
    lazy var tensors: TensorDictionary = try! NumPyArchive.read(contentsOf: Fixtures.url(paramsPath))
    private let lock = NSLock()

    /// The value at a '/'-separated path of the JSON ("dpm/plan/clip_index").
    func value(_ path: String) -> Any? {
        lock.lock(); defer { lock.unlock() }
        // Keys may themselves contain '/' ("base_net/TimeEmbedding_0/Dense_0"): try the longest match.
        func find(_ node: Any?, _ parts: ArraySlice<Substring>) -> Any? {
            guard let first = parts.first else { return node }
            guard let dict = node as? [String: Any] else { return nil }
            for end in stride(from: parts.endIndex, to: parts.startIndex, by: -1) {
                let key = parts[parts.startIndex..<end].joined(separator: "/")
                if let child = dict[key], let found = find(child, parts[end...]) { return found }
            }
            _ = first
            return nil
        }
        return find(json, path.split(separator: "/")[...])
    }

    func floats(_ path: String) -> [Float] { flatten(value(path)) }

    func loadedTensors() -> TensorDictionary {
        lock.lock(); defer { lock.unlock() }
        return tensors
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
