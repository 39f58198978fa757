import Foundation
import Randomness
import Testing
import TestSupport
import ZIPFoundation
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Deterministic mutation fuzzing of every checkpoint reader: each mutated input must either read
/// or throw one of the module's typed errors, naming the file when the reader was given one; what
/// the loaders accept must be finite tensors; a trap (crash) fails the whole run. Besides small byte edits, the zip formats (.npz,
/// .pth) get structural damage: large chunks deleted or duplicated, truncation (also inside the end
/// records), and size/offset fields of the central directory and local headers overwritten with
/// huge values, which must be refused before anything is allocated or extracted. Counts are
/// bounded so the suite runs in well under 30 s in a debug build.
@Suite struct FuzzCheckpointReaderTests {

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

    /// What a fuzz run saw: inputs read, inputs refused, and every breach of the readers' contract.
    struct Outcome {
        var accepted = 0
        var rejected = 0
        /// An untyped error, an error that does not name the file, or an accepted input holding a
        /// non-finite value.
        var violations: [String] = []

        /// Records one mutated input's result. `body` returns the tensors it decoded when the
        /// reader promises finite values (the `Checkpoint` loaders), nil otherwise.
        mutating func run(_ input: [UInt8], file: String?, _ body: ([UInt8]) throws -> TensorDictionary?) {
            do {
                let tensors = try body(input)
                accepted += 1
                for (key, tensor) in tensors ?? [:] where !tensor.values.allSatisfy(\.isFinite) {
                    violations.append("accepted with a non-finite value in \(key)")
                }
            } catch {
                rejected += 1
                if let problem = Self.problem(with: error, file: file) { violations.append(problem) }
            }
        }

        /// Nil when `error` is one of the module's typed errors and names `file` (when given).
        static func problem(with error: Error, file: String?) -> String? {
            let description: String
            switch error {
            case let error as PickleError: description = error.description
            case let error as CheckpointError: description = error.description
            case let error as TensorArchiveError: description = error.description
            default: return "untyped error \(type(of: error)): \(error)"
            }
            if let file, !description.contains(file) { return "error does not name \(file): \(description)" }
            return nil
        }
    }

    /// Runs `body` on `count` mutations of `input`. `file`: the name the reader was given, which
    /// every refusal must contain (nil for readers of bare bytes).
    static func fuzz(_ input: [UInt8], count: Int, seed: UInt64, region: Int? = nil, file: String?,
                     _ body: ([UInt8]) throws -> TensorDictionary?) -> Outcome {
        var rng = SplitMix64(state: seed)
        var outcome = Outcome()
        for _ in 0..<count { outcome.run(mutate(input, &rng, region: region), file: file, body) }
        return outcome
    }

    /// Expects a fuzz run to have kept the contract and to have reached the readers' error paths.
    static func expectContract(_ outcome: Outcome, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.violations.isEmpty, "\(label): \(outcome.violations.count) violations, e.g. \(outcome.violations.prefix(3))",
                sourceLocation: sourceLocation)
        #expect(outcome.rejected > 0, "\(label): no mutation was refused", sourceLocation: sourceLocation)
    }

    /// Values written over zip size and offset fields: zero, all ones, sign bits, the file size and
    /// its neighbours, and sizes no file here can back.
    static func interestingValues(fileSize: Int) -> [UInt64] {
        let n = UInt64(fileSize)
        return [0, 1, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, n - 1, n, n + 1, n * 2,
                1 << 31 + 1 << 30, 1 << 40, 1 << 62, 1 << 63, UInt64.max]
    }

    /// One structural mutation of a zip archive: a chunk of up to 128 KiB deleted or duplicated
    /// elsewhere, a truncation (anywhere, or within the last 300 bytes where the end records are), or a
    /// little-endian 2-, 4- or 8-byte field overwritten with an interesting value, in the central
    /// directory and end records (`directoryStart...`) or anywhere.
    static func mutateZip(_ input: [UInt8], _ rng: inout SplitMix64, directoryStart: Int) -> [UInt8] {
        var bytes = input
        let chunk = { (rng: inout SplitMix64) in 1 + rng.below(1 << (1 + rng.below(17))) }
        switch rng.below(6) {
        case 0:
            let at = rng.below(bytes.count)
            bytes.removeSubrange(at..<min(bytes.count, at + chunk(&rng)))
        case 1:
            let from = rng.below(bytes.count)
            let copied = bytes[from..<min(bytes.count, from + chunk(&rng))]
            bytes.insert(contentsOf: copied, at: rng.below(bytes.count))
        case 2:
            bytes.removeSubrange(rng.below(bytes.count)...)
        case 3:
            bytes.removeSubrange(max(0, bytes.count - 1 - rng.below(300))...)
        default:
            let width = [2, 4, 8][rng.below(3)]
            let low = rng.below(2) == 0 ? min(directoryStart, bytes.count - width) : 0
            let at = low + rng.below(bytes.count - width - low + 1)
            let values = interestingValues(fileSize: input.count)
            let value = values[rng.below(values.count)]
            for i in 0..<width { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        return bytes
    }

    /// Runs `body` on `count` structural zip mutations (see `fuzz` for `file` and `body`).
    static func fuzzZip(_ input: [UInt8], count: Int, seed: UInt64, file: String,
                        _ body: ([UInt8]) throws -> TensorDictionary?) throws -> Outcome {
        let directoryStart = Int(try ZipLayout(validating: Data(input)).centralDirectory.offset)
        var rng = SplitMix64(state: seed)
        var outcome = Outcome()
        for _ in 0..<count { outcome.run(mutateZip(input, &rng, directoryStart: directoryStart), file: file, body) }
        return outcome
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
            PickleSamples.sample().0,
            try Self.member(CheckpointFixtures.dqlTrainedActor, suffix: "data.pkl"),
            try Self.member(CheckpointFixtures.dqlTrainedCritic, suffix: "data.pkl"),
        ]
        for (i, input) in inputs.enumerated() {
            let r = Self.fuzz(input, count: 1000, seed: 0xC0FFEE + UInt64(i), file: nil) { bytes in
                let value = try PickleReader().read(bytes)
                // Exercise the consumers too: torch tensor rebuilding against a fake storage.
                for entry in value.dictEntries ?? [] {
                    _ = try? TorchArchive.rebuildTensor(entry.value, key: "k", url: url) { _, n in [Float](repeating: 0, count: n) }
                }
                return nil
            }
            Self.expectContract(r, "pickle \(i)")
        }
    }

    @Test func realEDPPickleSurvivesMutations() throws {
        let bytes = try CheckpointFixtures.bytes(CheckpointFixtures.edp42k)
        // Edits land in the first 70 KB, where the object structure (not the weight bytes) lives.
        let r = Self.fuzz(bytes, count: 30, seed: 42, region: 70_000, file: nil) { mutated in
            let value = try PickleReader().read(mutated)
            _ = try Checkpoint.EDPPickleReader.edpContents(value, url: URL(fileURLWithPath: "/fuzz/model_final.pkl"))
            return nil
        }
        // Refusals come from the pickle reader (bare bytes: a PickleError) or from the EDP layer
        // (a CheckpointError naming the file); either way typed.
        #expect(r.violations.isEmpty, "\(r.violations.prefix(3))")
        #expect(r.rejected > 0)
    }

    @Test func safeTensorsDecoderSurvivesMutations() throws {
        let small = try SafeTensors.encode([
            "a": Tensor(shape: [2, 2], values: [1, 2, 3, 4]),
            "b/c": Tensor(shape: [3], values: [5, 6, 7]),
            "z": Tensor(shape: [], values: [8]),
        ], metadata: ["edp_eval.family": "edp", "note": "fuzz \u{00e9}"])
        let small8 = [UInt8](small)
        let r1 = Self.fuzz(small8, count: 1500, seed: 7, file: nil) { _ = try SafeTensors.decode(Data($0)); return nil }
        // A full export, mutated in its header, through the facade's validation.
        let export = try Checkpoint.load(CheckpointFixtures.dqlInitActor)
        let full = [UInt8](try SafeTensors.encode(export.tensors, metadata: export.exportMetadata()))
        let url = URL(fileURLWithPath: "/fuzz/policy.safetensors")
        let r2 = Self.fuzz(full, count: 150, seed: 8, region: 6000, file: url.path) {
            try Checkpoint.SafeTensorsReader.read(data: Data($0), url: url).tensors
        }
        Self.expectContract(r1, "safetensors decoder")
        Self.expectContract(r2, "safetensors loader")
    }

    @Test func torchArchiveReaderSurvivesMutations() throws {
        let bytes = try CheckpointFixtures.bytes(CheckpointFixtures.dqlTrainedActor)
        let url = URL(fileURLWithPath: "/fuzz/actor_1.pth")
        // Edits anywhere (local headers, data, central directory at the end) and in the pickle.
        let read = { (bytes: [UInt8]) -> TensorDictionary? in _ = try TorchArchive.readStateDict(Data(bytes), url: url); return nil }
        let anywhere = Self.fuzz(bytes, count: 120, seed: 99, file: url.path, read)
        let pickleRegion = Self.fuzz(bytes, count: 120, seed: 100, region: 2700, file: url.path, read)
        #expect(anywhere.violations.isEmpty, "\(anywhere.violations.prefix(3))")
        Self.expectContract(pickleRegion, "torch archive, pickle region")
    }

    @Test func npzReaderSurvivesMutations() throws {
        let npy = NumPyBytes.self
        let small = [UInt8](ZipWriter.archive([
            ("a.npy", npy.npy(payload: npy.bytes([Float(1), 2])), false),
            ("b/c.npy", npy.npy(descr: "<f8", shape: "(1, 2)", payload: npy.bytes([3.0, 4.0])), true),
        ]))
        let schedule = try CheckpointFixtures.bytes(CheckpointFixtures.edpReference.appendingPathComponent("schedule.npz"))
        let read = { (bytes: [UInt8]) -> TensorDictionary? in _ = try NumPyArchive.read(archiveData: Data(bytes), file: "fuzz.npz"); return nil }
        let r1 = Self.fuzz(small, count: 3000, seed: 0x4E50_5A01, file: "fuzz.npz", read)
        // Edits in the schedule archive's last 3 KB: its central directory and end record.
        var rng = SplitMix64(state: 0x4E50_5A02)
        var r2 = Outcome()
        let directoryStart = schedule.count - 3_000
        for _ in 0..<300 {
            var bytes = schedule
            let directory = Array(bytes[directoryStart...])
            bytes.replaceSubrange(directoryStart..., with: Self.mutate(directory, &rng))
            r2.run(bytes, file: "fuzz.npz", read)
        }
        Self.expectContract(r1, "small npz")
        #expect(r1.accepted > 0, "some small edits (e.g. in stored payload bytes) still read")
        Self.expectContract(r2, "schedule.npz directory")
    }

    @Test func zipArchivesSurviveChunkDeletionsTruncationsAndHugeFields() throws {
        let params = try CheckpointFixtures.bytes(CheckpointFixtures.root.appendingPathComponent("edp/edp_trained_params.npz"))
        let schedule = try CheckpointFixtures.bytes(CheckpointFixtures.edpReference.appendingPathComponent("schedule.npz"))
        let actor = try CheckpointFixtures.bytes(CheckpointFixtures.dqlTrainedActor)
        let npzURL = URL(fileURLWithPath: "/fuzz/edp_trained_params.npz")
        let torchURL = URL(fileURLWithPath: "/fuzz/actor_1.pth")
        // Through format detection and the whole npz loader (configuration, shapes, finiteness).
        let npz = { (bytes: [UInt8]) -> TensorDictionary? in
            let data = Data(bytes)
            guard try Checkpoint.detectFormat(data, url: npzURL) == .npz else { return nil }
            return try Checkpoint.NumPyArchiveReader.read(data: data, url: npzURL).tensors
        }
        let torch = { (bytes: [UInt8]) -> TensorDictionary? in _ = try TorchArchive.readStateDict(Data(bytes), url: torchURL); return nil }
        let results = [
            ("edp_trained_params.npz", try Self.fuzzZip(params, count: 300, seed: 0x2170_0001, file: npzURL.path, npz)),
            ("schedule.npz", try Self.fuzzZip(schedule, count: 1000, seed: 0x2170_0002, file: "s.npz") {
                _ = try NumPyArchive.read(archiveData: Data($0), file: "s.npz"); return nil
            }),
            ("actor_2000.pth", try Self.fuzzZip(actor, count: 600, seed: 0x2170_0003, file: torchURL.path, torch)),
        ]
        for (label, r) in results { Self.expectContract(r, label) }
    }

    /// Every size or offset field of every member, set to a value no file here can back, is refused
    /// by the layout check, i.e. before a buffer of that size is reserved or a byte is extracted.
    @Test func hugeDeclaredSizesAreRefusedBeforeAllocation() throws {
        for (path, file) in [("edp-hopper-42k/schedule.npz", "schedule.npz"), ("dql/trained/actor_2000.pth", "actor_2000.pth")] {
            let original = try TestFixtures.data(path)
            let layout = try ZipLayout(validating: original)
            var position = Int(layout.centralDirectory.offset)
            var checked = 0
            for _ in layout.members {
                let nameLength = Int(original[position + 28]) | Int(original[position + 29]) << 8
                let variable = nameLength + (Int(original[position + 30]) | Int(original[position + 31]) << 8)
                    + (Int(original[position + 32]) | Int(original[position + 33]) << 8)
                // Compressed and uncompressed size (offsets 20, 24), local header offset (42).
                let n = UInt32(original.count)
                let edits: [[(Int, UInt32)]] = [
                    [(20, 0xFFFF_FFFE), (24, 0xFFFF_FFFE)], [(20, 0xFFFF_FFFF), (24, 0xFFFF_FFFF)],
                    [(20, n), (24, n)], [(42, 0x8000_0000)], [(42, n - 10)],
                ]
                for edit in edits {
                    var mutated = original
                    for (field, value) in edit {
                        for i in 0..<4 { mutated[position + field + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
                    }
                    #expect(throws: TensorArchiveError.self, "\(file): \(edit)") { try ZipLayout.open(mutated) }
                    if file.hasSuffix(".npz") {
                        let error = #expect(throws: TensorArchiveError.self) { try NumPyArchive.read(archiveData: mutated, file: file) }
                        #expect(error?.description.hasPrefix("\(file): unreadable zip archive:") == true)
                    } else {
                        let error = #expect(throws: TensorArchiveError.self) { try TorchArchive.readStateDict(mutated, url: URL(fileURLWithPath: "/fuzz/\(file)")) }
                        #expect(error?.description.hasPrefix("/fuzz/\(file): not a readable zip archive:") == true)
                    }
                    checked += 1
                }
                position += 46 + variable
            }
            #expect(checked == 5 * layout.members.count && checked > 0)
        }
    }

    /// Every integer of an exported configuration (sizes, K, DPM steps, N, each hidden width) set to
    /// 0, −1 or a value far beyond any real network must be refused with a message, never trap in the
    /// shape arithmetic or allocate a plan or buffer of that length.
    @Test func hugeConfigurationFieldsAreRefused() throws {
        let checkpoint = try Checkpoint.load(CheckpointFixtures.dqlInitActor)
        let metadata = try checkpoint.exportMetadata()
        let configuration = try #require(metadata[Checkpoint.MetadataKey.configuration])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(configuration.utf8)) as? [String: Any])
        let url = URL(fileURLWithPath: "/fuzz/limits.safetensors")
        var edits: [(String, [String: Any])] = []
        for value in [0, -1, 1 << 31, 1 << 40, 1 << 62, Int.max] {
            for (key, field) in json.sorted(by: { $0.key < $1.key }) {
                if field is Int, !(field is Bool) {
                    var edited = json
                    edited[key] = value
                    edits.append(("\(key) = \(value)", edited))
                } else if let widths = field as? [Int] {
                    for i in widths.indices {
                        var edited = json, changed = widths
                        changed[i] = value
                        edited[key] = changed
                        edits.append(("\(key)[\(i)] = \(value)", edited))
                    }
                }
            }
        }
        #expect(edits.count == 6 * 12)
        for (label, edited) in edits {
            var mutated = metadata
            mutated[Checkpoint.MetadataKey.configuration] = String(decoding: try JSONSerialization.data(withJSONObject: edited), as: UTF8.self)
            let data = try SafeTensors.encode(checkpoint.tensors, metadata: mutated)
            let error = #expect(throws: CheckpointError.self, "\(label)") { try Checkpoint.SafeTensorsReader.read(data: data, url: url) }
            #expect(error?.kind == .invalidConfiguration, "\(label): \(String(describing: error))")
        }
    }
}

extension SplitMix64 {
    /// A draw in 0..<n (0 when n ≤ 1; modulo bias is irrelevant for fuzzing).
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}
