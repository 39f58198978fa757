import Checkpoints
import Foundation
import Randomness
import Testing
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// "Same seed, same results, whatever the thread count or batch width": a row's action must be
/// bit-identical whatever the batch size and composition, the row's position and the number of
/// threads (`BLASThreading.setThreadCount`). Every network layer runs on the module's micro-kernel
/// (`PackedLayer`: one FMA chain per output element over k in order), rows are split across
/// threads in contiguous chunks, and every row draws from its own generator.
@Suite(.serialized)
struct BatchInvarianceTests {
    /// Runs `model` on the pool rows `indices` (in that order) with `threads` threads; returns the
    /// actions and the generators after the call.
    static func act(_ model: DiffusionPolicyModel, pool: [Float], indices: [Int], threads: Int,
                    seed: UInt64 = 99) -> (actions: [Float], generators: [PolicyRandom]) {
        BLASThreading.setThreadCount(threads)
        defer { BLASThreading.setThreadCount(1) }
        let o = model.observationSize, a = model.actionSize
        let observations = indices.flatMap { pool[($0 * o)..<($0 * o + o)] }
        var generators = indices.map { PolicyRandom(seed: seed, stream: UInt64($0)) }
        var actions = [Float](repeating: .nan, count: indices.count * a)
        observations.withUnsafeBufferPointer { obs in actions.withUnsafeMutableBufferPointer { out in
            model.act(observations: obs, batch: indices.count, generators: &generators, into: out) } }
        return (actions, generators)
    }

    /// Reference: all 137 pool rows in one batch with 1 thread. Then batches of 1, 7, 50 and 137
    /// rows (rows at other positions, shuffled, repeated) with 1 and 2 threads must give every row
    /// the same bits, and advance its generator identically.
    static func checkInvariance(_ model: DiffusionPolicyModel, label: String) {
        let poolSize = 137, o = model.observationSize, a = model.actionSize
        var random = PolicyRandom(seed: 5)
        let pool = (0..<(poolSize * o)).map { _ in random.nextNormal() }
        let reference = act(model, pool: pool, indices: Array(0..<poolSize), threads: 1)
        #expect(reference.actions.allSatisfy { $0.isFinite }, "\(label): finite actions")
        var shuffler = PolicyRandom(seed: 17)
        let layouts: [[Int]] = [
            [0], [136], [68],
            [3, 130, 9, 77, 136, 1, 42],
            (0..<50).map { ($0 * 37 + 11) % poolSize },
            Array((0..<poolSize).shuffled(using: &shuffler)),
        ]
        var compared = 0, mismatches = 0
        for threads in [1, 2] {
            for indices in layouts {
                let run = act(model, pool: pool, indices: indices, threads: threads)
                for (position, row) in indices.enumerated() {
                    let got = Array(run.actions[(position * a)..<(position * a + a)])
                    let expected = Array(reference.actions[(row * a)..<(row * a + a)])
                    compared += 1
                    if got.map(\.bitPattern) != expected.map(\.bitPattern) { mismatches += 1 }
                    #expect(run.generators[position] == reference.generators[row],
                            "\(label): row \(row)'s generator advanced identically")
                }
            }
        }
        print("[invariance] \(label): \(compared) rows compared bitwise (batches 1, 7, 50, 137; threads 1, 2), \(mismatches) differ")
        #expect(mismatches == 0, "\(label): \(mismatches) of \(compared) rows not bit-identical")
    }

    @Test("EDP DPM-Solver 15 steps + EAS N=10: bit-identical across batch 1/7/50/137 and threads 1/2")
    func edpDPMEnergy() throws {
        let model = try DiffusionPolicyModel.randomEDP(observationSize: 17, actionSize: 6, seed: 11, candidates: 10)
        Self.checkInvariance(model, label: "EDP DPM + EAS")
    }

    @Test("DPM-Solver in one parallel section per call (each worker runs every step on its rows) gives the call-by-call path's bits")
    func dpmOneSectionMatchesCallByCall() throws {
        let model = try DiffusionPolicyModel.randomEDP(observationSize: 17, actionSize: 6, seed: 11, candidates: 10)
        let traced = model.makeCopy() as! DiffusionPolicyModel
        // A trace makes the sampler evaluate the network on all rows per call, one call at a time
        // (the path the golden tests check); without one, each worker runs all 15 steps on its rows.
        var tracedCalls = 0
        traced.trace = { if case .dpmCall = $0 { tracedCalls += 1 } }
        var random = PolicyRandom(seed: 5)
        let pool = (0..<(137 * 17)).map { _ in random.nextNormal() }
        for threads in [1, 2] {
            let oneSection = Self.act(model, pool: pool, indices: Array(0..<137), threads: threads)
            let callByCall = Self.act(traced, pool: pool, indices: Array(0..<137), threads: threads)
            #expect(oneSection.actions.map(\.bitPattern) == callByCall.actions.map(\.bitPattern),
                    "threads \(threads): actions differ between the two paths")
            #expect(oneSection.generators == callByCall.generators)
        }
        #expect(tracedCalls == 2 * model.functionEvaluations, "the traced model took the call-by-call path")
    }

    @Test("EDP DDPM K=50 single sample: bit-identical across batch 1/7/50/137 and threads 1/2")
    func edpDDPMSingle() throws {
        let model = try DiffusionPolicyModel.randomEDP(observationSize: 17, actionSize: 6, seed: 12, candidates: 10) {
            $0.sampler = .ddpm; $0.diffusionSteps = 50; $0.actionSelection = .single
        }
        Self.checkInvariance(model, label: "EDP DDPM single")
    }

    @Test("Diffusion-QL (trained actor_2000.pth) DDPM + EAS N=10: bit-identical across batch 1/7/50/137 and threads 1/2")
    func dqlDDPMEnergy() throws {
        let checkpoint = try Checkpoint.load(Fixtures.url("dql/trained/actor_2000.pth"))
        #expect(checkpoint.configuration.family == .diffusionQL)
        let model = try DiffusionPolicyModel(tensors: checkpoint.tensors,
                                             configuration: try #require(checkpoint.configuration.diffusionConfiguration),
                                             sampler: .ddpm, selection: .energy, candidates: 10)
        Self.checkInvariance(model, label: "DQL DDPM + EAS")
    }

    @Test("the micro-kernel computes each element as one FMA chain over k, at every row position, batch size and thread count")
    func kernelSummationOrder() throws {
        var random = PolicyRandom(seed: 3)
        let k = 37, width = 21
        let weights = (0..<(k * width)).map { _ in random.nextNormal() }
        let bias = (0..<width).map { _ in random.nextNormal() }
        let layer = PackedLayer(inputSize: k, outputSize: width, bias: bias) { i, j in weights[i * width + j] }
        let rows = 131
        let input = (0..<(rows * k)).map { _ in random.nextNormal() * 10 }
        // The reference order: acc = 0; acc = fma(x_k, w_kj, acc) for k = 0…K−1; + bias.
        var expected = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for j in 0..<width {
                var acc: Float = 0
                for i in 0..<k { acc = acc.addingProduct(input[r * k + i], weights[i * width + j]) }
                expected[r * width + j] = acc + bias[j]
            }
        }
        let stack = PackedStack(LayerStack(hidden: [DenseLayer(inputSize: k, outputSize: width, weights: weights,
                                                                layout: .inputMajor, bias: bias)],
                                           norms: [nil], activation: .identity,
                                           output: DenseLayer(inputSize: width, outputSize: 1,
                                                              weights: [Float](repeating: 0, count: width),
                                                              layout: .inputMajor, bias: [0])))
        #expect(stack.first.outputSize == width)
        var mismatches = 0
        let pad = UnsafeMutablePointer<Float>.allocate(capacity: PackedLayer.tileRows * k)
        defer { pad.deallocate() }
        // Every batch size 1…rows starting at every offset modulo the tile: positions differ.
        for offset in [0, 1, 5] {
            for count in [1, 2, 5, 6, 7, 13, 48, 64, rows - offset] {
                var out = [Float](repeating: 0, count: count * layer.paddedWidth)
                input.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
                    layer.apply(x.baseAddress! + offset * k, inputStride: k, rows: count, bias: nil, into: y.baseAddress!,
                                outputStride: layer.paddedWidth, pad: pad, activation: .identity) } }
                for r in 0..<count {
                    for j in 0..<width where out[r * layer.paddedWidth + j].bitPattern != expected[(offset + r) * width + j].bitPattern {
                        mismatches += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("same seed, same actions; different seeds differ")
    func determinism() throws {
        let model = try DiffusionPolicyModel.randomEDP(observationSize: 11, actionSize: 3, seed: 1, candidates: 10)
        let observations = [Float](repeating: 0.3, count: 22)
        func run(_ seed: UInt64) -> [Float] {
            var g = PolicyRandom.streams(seed: seed, count: 2)
            var out = [Float](repeating: 0, count: 6)
            observations.withUnsafeBufferPointer { o in out.withUnsafeMutableBufferPointer { model.act(observations: o, batch: 2, generators: &g, into: $0) } }
            return out
        }
        let first = run(3), again = run(3), other = run(4)
        #expect(first == again)
        #expect(first != other)
        #expect(first.allSatisfy { $0.isFinite })
    }
}
