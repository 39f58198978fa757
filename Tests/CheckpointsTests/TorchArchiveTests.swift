import Foundation
import Testing
import TestSupport
import ZIPFoundation
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

@Suite struct TorchArchiveTests {
    static let variants = ["init", "trained"]

    static func actor(_ variant: String) -> URL {
        CheckpointFixtures.root.appendingPathComponent("dql/\(variant)/actor_2000.pth")
    }

    /// The golden values of `dql/<variant>/golden.json`.
    /// - Throws: `FixtureError` when the file is missing or not a JSON object.
    static func golden(_ variant: String) throws -> [String: Any] {
        let path = "dql/\(variant)/golden.json"
        guard let object = (try? JSONSerialization.jsonObject(with: TestFixtures.data(path))) as? [String: Any] else {
            throw FixtureError(path: "Tests/Fixtures/\(path)", reason: "is missing or not a JSON object")
        }
        return object
    }

    /// A JSON object inside the golden values. - Throws: `FixtureError` naming `what` otherwise.
    static func object(_ any: Any?, _ what: String) throws -> [String: Any] {
        guard let object = any as? [String: Any] else { throw FixtureError(path: "Tests/Fixtures/dql/*/golden.json", reason: "\(what) is not an object") }
        return object
    }

    /// A JSON matrix of numbers. - Throws: `FixtureError` naming `what` otherwise.
    static func matrix(_ any: Any?, _ what: String) throws -> [[Double]] {
        guard let rows = any as? [[Any]] else { throw FixtureError(path: "Tests/Fixtures/dql/*/golden.json", reason: "\(what) is not a matrix") }
        return try rows.map { row in
            try row.map { value in
                guard let number = value as? NSNumber else {
                    throw FixtureError(path: "Tests/Fixtures/dql/*/golden.json", reason: "\(what) holds a non-number")
                }
                return number.doubleValue
            }
        }
    }

    /// Row `row` of the matrix `what`. - Throws: `FixtureError` when it has fewer rows.
    static func row(_ matrix: [[Double]], _ row: Int, _ what: String) throws -> [Double] {
        guard matrix.indices.contains(row) else { throw FixtureError(path: "Tests/Fixtures/dql/*/golden.json", reason: "\(what) has no row \(row)") }
        return matrix[row]
    }

    /// torch `Linear`: y = W·x + b with W (out, in).
    /// - Throws: `FixtureError` when the checkpoint lacks the layer or its width does not fit `x`.
    static func linear(_ t: TensorDictionary, _ prefix: String, _ x: [Double]) throws -> [Double] {
        guard let w = t["\(prefix).weight"], let b = t["\(prefix).bias"], w.shape.count == 2, w.shape[1] == x.count,
              b.values.count == w.shape[0] else {
            throw FixtureError(path: "Tests/Fixtures/dql/*/actor_2000.pth", reason: "no layer \(prefix) taking \(x.count) inputs")
        }
        let (rows, cols) = (w.shape[0], w.shape[1])
        return (0..<rows).map { r in
            var s = Double(b.values[r])
            for c in 0..<cols { s += Double(w.values[r * cols + c]) * x[c] }
            return s
        }
    }

    static func mish(_ v: [Double]) -> [Double] {
        v.map { x in x * tanh(max(x, 0) + log1p(exp(-abs(x)))) }
    }

    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * (1 + abs($1)) }
    }

    @Test(arguments: variants)
    func keysShapesAndConfigurationFollowTheSpec(_ variant: String) throws {
        let checkpoint = try Checkpoint.load(Self.actor(variant))
        let t = checkpoint.tensors
        #expect(checkpoint.format == .torchPair)
        #expect(t.count == 12 + 12 + 16)   // 12 schedule buffers, 12 actor parameters, 16 critic parameters
        for name in Checkpoint.diffusionQLBuffers { #expect(t[name]?.shape == [5], "\(name)") }
        #expect(t["model.time_mlp.1.weight"]?.shape == [32, 16])
        #expect(t["model.time_mlp.3.weight"]?.shape == [16, 32])
        #expect(t["model.mid_layer.0.weight"]?.shape == [256, 11 + 3 + 16])
        #expect(t["model.mid_layer.4.bias"]?.shape == [256])
        #expect(t["model.final_layer.weight"]?.shape == [3, 256])
        for q in ["q1_model", "q2_model"] {
            #expect(t["\(q).0.weight"]?.shape == [256, 14])
            #expect(t["\(q).6.weight"]?.shape == [1, 256])
            #expect(t["\(q).6.bias"]?.shape == [1])
        }
        let c = try #require(checkpoint.configuration.diffusionConfiguration)
        #expect(c.family == .diffusionQL)
        #expect(c.observationSize == 11 && c.actionSize == 3)
        #expect(c.diffusionSteps == 5)
        #expect(c.schedule == .vp)
        #expect(c.sampler == .ddpm)
        #expect(c.actionSelection == .energy && c.candidates == 50)
        #expect(c.policyHiddenSizes == [256, 256, 256] && c.criticHiddenSizes == [256, 256, 256])
        // VP β (docs/edp-inference.md §2.2).
        let betas = try #require(t["betas"]).values
        #expect(Self.close(betas.map(Double.init), [0.195875, 0.458818, 0.635781, 0.754878, 0.835031], 1e-5))
    }

    @Test(arguments: variants)
    func weightsReproduceTheGoldenIntermediates(_ variant: String) throws {
        let t = try Checkpoint.load(Self.actor(variant)).tensors
        let golden = try Self.golden(variant)
        let eps = try Self.object(golden["eps"], "eps")
        let inter = try Self.object(eps["intermediates"], "eps/intermediates")
        let obs = try Self.matrix(eps["obs"], "eps/obs"), action = try Self.matrix(eps["noisy_action"], "eps/noisy_action")
        let out = try Self.matrix(eps["eps"], "eps/eps")
        #expect(obs.count > 0)
        for row in 0..<obs.count {
            let m = { (name: String) in try Self.row(try Self.matrix(inter[name], "eps/intermediates/\(name)"), row, name) }
            #expect(Self.close(try Self.linear(t, "model.time_mlp.1", try m("time_mlp.0")), try m("time_mlp.1")))
            #expect(Self.close(try Self.linear(t, "model.time_mlp.3", try m("time_mlp.2")), try m("time_mlp.3")))
            // Diffusion-QL input order: [action, time embedding, state].
            let input = try Self.row(action, row, "eps/noisy_action") + m("time_mlp.3") + obs[row]
            #expect(Self.close(try Self.linear(t, "model.mid_layer.0", input), try m("mid_layer.0")))
            #expect(Self.close(try Self.linear(t, "model.mid_layer.2", try m("mid_layer.1")), try m("mid_layer.2")))
            #expect(Self.close(try Self.linear(t, "model.mid_layer.4", try m("mid_layer.3")), try m("mid_layer.4")))
            #expect(Self.close(try Self.linear(t, "model.final_layer", try m("mid_layer.5")), try Self.row(out, row, "eps/eps")))
        }
        // Critics: Q(s, a) = Linear(Mish(Linear(Mish(Linear(Mish(Linear([s, a])))))))
        let q = try Self.object(golden["q"], "q")
        let qObs = try Self.matrix(q["obs"], "q/obs"), qAction = try Self.matrix(q["action"], "q/action")
        #expect(qObs.count > 0)
        for (head, key) in [("q1_model", "q1"), ("q2_model", "q2")] {
            let expected = try Self.matrix(q[key], "q/\(key)")
            for row in 0..<qObs.count {
                var h = qObs[row] + (try Self.row(qAction, row, "q/action"))
                for layer in [0, 2, 4] { h = Self.mish(try Self.linear(t, "\(head).\(layer)", h)) }
                #expect(Self.close(try Self.linear(t, "\(head).6", h), try Self.row(expected, row, "q/\(key)")), "\(variant) \(key) row \(row)")
            }
        }
    }

    @Test func eitherFileOfThePairLoadsTheSameCheckpoint() throws {
        let fromActor = try Checkpoint.load(CheckpointFixtures.dqlTrainedActor)
        let fromCritic = try Checkpoint.load(CheckpointFixtures.dqlTrainedCritic)
        #expect(fromActor.tensors == fromCritic.tensors)
        #expect(fromActor.fileHashes == [
            "actor_2000.pth": "baffcefe4c6874eace8814491e30e2ac16ce5797852364b3fda58a20cc3a41e4",
            "critic_2000.pth": "cc95cbbd255689729328825cf406069c96086037ddd4afaac4565edd0b098af6",
        ])
        #expect(fromActor.sha256 == fromActor.fileHashes["actor_2000.pth"])
        #expect(fromCritic.sha256 == fromActor.fileHashes["critic_2000.pth"])
    }

    @Test func missingSiblingIsReported() throws {
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lonely = folder.appendingPathComponent("actor_7.pth")
        try FileManager.default.copyItem(at: CheckpointFixtures.dqlTrainedActor, to: lonely)
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(lonely) }
        #expect(error?.description.contains("critic_7.pth") == true)
    }

    /// Copies `source` member by member into a new zip, letting `transform` drop or change members.
    static func rewrite(_ source: URL, to destination: URL, transform: (String, Data) -> Data?) throws {
        let input = try Archive(url: source, accessMode: .read)
        let output = try Archive(url: destination, accessMode: .create)
        for entry in input {
            var data = Data()
            _ = try input.extract(entry) { data.append($0) }
            guard let replacement = transform(entry.path, data) else { continue }
            try output.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(replacement.count)) { position, size in
                replacement.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    @Test func missingStorageIsAClearError() throws {
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let actor = folder.appendingPathComponent("actor_1.pth")
        try Self.rewrite(CheckpointFixtures.dqlTrainedActor, to: actor) { path, data in
            path.hasSuffix("/data/16") ? nil : data
        }
        try FileManager.default.copyItem(at: CheckpointFixtures.dqlTrainedCritic, to: folder.appendingPathComponent("critic_1.pth"))
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.load(actor) }
        #expect(error?.kind == .missingEntry)
        #expect(error?.description.contains("data/16") == true)
        #expect(error?.description.contains("actor_1.pth") == true)
    }

    @Test func shortStorageAndNaNWeightsAreRejected() throws {
        let folder = try CheckpointFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: CheckpointFixtures.dqlTrainedCritic, to: folder.appendingPathComponent("critic_1.pth"))
        try FileManager.default.copyItem(at: CheckpointFixtures.dqlTrainedCritic, to: folder.appendingPathComponent("critic_2.pth"))
        // A storage cut short: size × stride now reaches outside it.
        let short = folder.appendingPathComponent("actor_1.pth")
        try Self.rewrite(CheckpointFixtures.dqlTrainedActor, to: short) { path, data in
            path.hasSuffix("/data/16") ? data.prefix(100) : data
        }
        let shortError = #expect(throws: CheckpointError.self) { try Checkpoint.load(short) }
        #expect(shortError?.kind == .invalidTensor)
        // A NaN in the first hidden layer's weights.
        let nan = folder.appendingPathComponent("actor_2.pth")
        try Self.rewrite(CheckpointFixtures.dqlTrainedActor, to: nan) { path, data in
            guard path.hasSuffix("/data/16") else { return data }
            var copy = data
            withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { copy.replaceSubrange(40..<44, with: $0) }
            return copy
        }
        let nanError = #expect(throws: CheckpointError.self) { try Checkpoint.load(nan) }
        #expect(nanError?.kind == .nonFinite)
        #expect(nanError?.description.contains("model.mid_layer.0.weight") == true)
    }

    @Test func stridedStoragesAreGathered() throws {
        // A 2×3 view with stride (1, 2) over a storage of 6 (a transposed 3×2 tensor), offset 0.
        let storage: [Float] = [0, 1, 2, 3, 4, 5]
        let pid: PickleValue = .persistentID(.tuple([.string("storage"), .global(PickleGlobal(module: "torch", name: "FloatStorage")),
                                                     .string("0"), .string("cpu"), .int(6)]))
        func tensor(offset: Int, size: [Int], stride: [Int]) throws -> Tensor {
            let object = PickleObject(callable: .global(PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")),
                                      construction: .reduce,
                                      arguments: [pid, .int(offset), .tuple(size.map(PickleValue.int)),
                                                  .tuple(stride.map(PickleValue.int)), .bool(false), .dict([])])
            return try TorchArchive.rebuildTensor(.object(object), key: "x", url: URL(fileURLWithPath: "/x.pth")) { _, _ in storage }
        }
        #expect(try tensor(offset: 0, size: [2, 3], stride: [1, 2]) == Tensor(shape: [2, 3], values: [0, 2, 4, 1, 3, 5]))
        #expect(try tensor(offset: 1, size: [5], stride: [1]) == Tensor(shape: [5], values: [1, 2, 3, 4, 5]))
        #expect(throws: TensorArchiveError.self) { try tensor(offset: 1, size: [2, 3], stride: [3, 1]) }   // reaches element 6
        #expect(throws: TensorArchiveError.self) { try tensor(offset: 0, size: [7], stride: [1]) }
    }
}
