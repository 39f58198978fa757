import Foundation
import Testing
import ZIPFoundation
@testable import DiffusionPolicy

/// Deterministic mutation fuzzing of every checkpoint reader: each mutated input must either read
/// or throw; a trap (crash) fails the whole run. Counts are bounded so the suite runs in well
/// under 30 s in a debug build.
@Suite struct FuzzCheckpointReaderTests {
    /// SplitMix64 (Steele, Lea, Flood 2014): small, fast, deterministic.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    }

    /// One random mutation: bit flips, interesting bytes, truncation, insertion, deletion, duplication.
    /// `region` limits where edits land (nil: anywhere).
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64, region: Int? = nil) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return [UInt8(truncatingIfNeeded: rng.next())] }
        let span = min(bytes.count, region ?? bytes.count)
        let edits = 1 + rng.below(4)
        for _ in 0..<edits {
            guard !bytes.isEmpty else { break }
            let at = rng.below(min(span, bytes.count))
            switch rng.below(6) {
            case 0:
                bytes[at] ^= UInt8(1 << rng.below(8))
            case 1:
                bytes[at] = [0x00, 0xFF, 0x7F, 0x80, 0x2E, 0x28, 0x94, 0x52][rng.below(8)]
            case 2:
                bytes.removeSubrange(at...)
            case 3:
                let count = 1 + rng.below(8)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            case 4:
                let end = min(bytes.count, at + 1 + rng.below(16))
                bytes.removeSubrange(at..<end)
            default:
                let end = min(bytes.count, at + 1 + rng.below(32))
                bytes.insert(contentsOf: bytes[at..<end], at: rng.below(bytes.count))
            }
        }
        return bytes
    }

    /// Runs `body` on `count` mutations; returns how many were read without error.
    static func fuzz(_ input: [UInt8], count: Int, seed: UInt64, region: Int? = nil,
                     _ body: ([UInt8]) throws -> Void) -> (accepted: Int, rejected: Int) {
        var rng = SplitMix64(state: seed)
        var accepted = 0, rejected = 0
        for _ in 0..<count {
            do {
                try body(mutate(input, &rng, region: region))
                accepted += 1
            } catch {
                rejected += 1
            }
        }
        return (accepted, rejected)
    }

    static func member(_ archive: URL, suffix: String) throws -> [UInt8] {
        let zip = try Archive(url: archive, accessMode: .read)
        guard let entry = zip.first(where: { $0.path.hasSuffix(suffix) }) else { throw CheckpointError(.missingEntry, file: archive, suffix) }
        var data = Data()
        _ = try zip.extract(entry) { data.append($0) }
        return [UInt8](data)
    }

    @Test func pickleReaderSurvivesMutations() throws {
        let url = URL(fileURLWithPath: "/fuzz.pkl")
        let inputs: [[UInt8]] = [
            PickleReaderTests.sample().0,
            try Self.member(CheckpointFixtures.dqlTrainedActor, suffix: "data.pkl"),
            try Self.member(CheckpointFixtures.dqlTrainedCritic, suffix: "data.pkl"),
        ]
        var total = (accepted: 0, rejected: 0)
        for (i, input) in inputs.enumerated() {
            let r = Self.fuzz(input, count: 1000, seed: 0xC0FFEE + UInt64(i)) { bytes in
                let value = try PickleReader().read(bytes)
                // Exercise the consumers too: torch tensor rebuilding against a fake storage.
                for entry in value.dictEntries ?? [] {
                    _ = try? TorchArchive.rebuildTensor(entry.value, key: "k", url: url) { _, n in [Float](repeating: 0, count: n) }
                }
            }
            total.accepted += r.accepted
            total.rejected += r.rejected
        }
        #expect(total.accepted + total.rejected == 3000)
        #expect(total.rejected > 0)
    }

    @Test func realEDPPickleSurvivesMutations() throws {
        let bytes = try CheckpointFixtures.bytes(CheckpointFixtures.edp42k)
        // Edits land in the first 70 KB, where the object structure (not the weight bytes) lives.
        let r = Self.fuzz(bytes, count: 30, seed: 42, region: 70_000) { mutated in
            let value = try PickleReader().read(mutated)
            _ = try Checkpoint.edpContents(value, url: URL(fileURLWithPath: "/fuzz/model_final.pkl"))
        }
        #expect(r.accepted + r.rejected == 30)
    }

    @Test func safeTensorsDecoderSurvivesMutations() throws {
        let small = try SafeTensors.encode([
            "a": Tensor(shape: [2, 2], values: [1, 2, 3, 4]),
            "b/c": Tensor(shape: [3], values: [5, 6, 7]),
            "z": Tensor(shape: [], values: [8]),
        ], metadata: ["edp_eval.family": "edp", "note": "fuzz \u{00e9}"])
        let small8 = [UInt8](small)
        let r1 = Self.fuzz(small8, count: 1500, seed: 7) { _ = try SafeTensors.decode(Data($0)) }
        // A full export, mutated in its header, through the facade's validation.
        let export = try Checkpoint.load(CheckpointFixtures.dqlInitActor)
        let full = [UInt8](try SafeTensors.encode(export.tensors, metadata: export.exportMetadata()))
        let url = URL(fileURLWithPath: "/fuzz/policy.safetensors")
        let r2 = Self.fuzz(full, count: 150, seed: 8, region: 6000) { _ = try Checkpoint.loadSafeTensors(data: Data($0), url: url) }
        #expect(r1.accepted + r1.rejected == 1500)
        #expect(r1.rejected > 0 && r2.rejected > 0)
    }

    @Test func torchArchiveReaderSurvivesMutations() throws {
        let bytes = try CheckpointFixtures.bytes(CheckpointFixtures.dqlTrainedActor)
        let url = URL(fileURLWithPath: "/fuzz/actor_1.pth")
        // Edits anywhere (local headers, data, central directory at the end) and in the pickle.
        let anywhere = Self.fuzz(bytes, count: 120, seed: 99) { _ = try TorchArchive.readStateDict(Data($0), url: url) }
        let pickleRegion = Self.fuzz(bytes, count: 120, seed: 100, region: 2700) { _ = try TorchArchive.readStateDict(Data($0), url: url) }
        #expect(anywhere.accepted + anywhere.rejected == 120)
        #expect(pickleRegion.rejected > 0)
    }
}
