import Environments
import Foundation
import Testing
@testable import Evaluation

/// `ClaimVerification`'s checks of a table against the checkpoints given, made before any
/// evaluation runs (`verify` reaches them through the binary; here in process).
@Suite struct ClaimVerificationTests {
    static let table = URL(fileURLWithPath: "/tables/claims.csv")

    static func claim(_ task: String, _ method: String, _ score: Double = 50) -> Claim {
        Claim(task: task, method: method, score: score, plusMinus: nil)
    }

    /// Checkpoint files that exist (only their existence is checked here).
    static func checkpoints() throws -> (folder: URL, a: String, b: String, c: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("claims-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let files = ["a.pkl", "b.pkl", "c.pkl"].map { folder.appendingPathComponent($0) }
        for file in files { try Data().write(to: file) }
        return (folder, files[0].path, files[1].path, files[2].path)
    }

    static func verification(_ claims: [Claim], method: String? = nil, _ arguments: [ClaimVerification.CheckpointArgument],
                             protocol series: SeriesProtocol? = nil) throws -> ClaimVerification {
        try ClaimVerification(declaration: nil, file: table, claims: claims, method: method, checkpoints: arguments,
                              seriesProtocol: series, registry: try TaskRegistry.standard())
    }

    @Test func checkpointArgumentsParseTaskRunAndPath() {
        #expect(ClaimVerification.CheckpointArgument("hopper-medium-v2=a.pkl") == .init(task: "hopper-medium-v2", run: nil, path: "a.pkl"))
        #expect(ClaimVerification.CheckpointArgument("hopper-medium-v2@2=a=b.pkl") == .init(task: "hopper-medium-v2", run: "2", path: "a=b.pkl"))
        for bad in ["a.pkl", "=a.pkl", "hopper-medium-v2=", "hopper-medium-v2@=a.pkl", "@1=a.pkl"] {
            #expect(ClaimVerification.CheckpointArgument(bad) == nil, "\(bad)")
        }
    }

    /// Rows without a checkpoint are not checked; runs and series are grouped per task in the
    /// order given.
    @Test func runsAndSeriesAreGroupedPerTask() throws {
        let (folder, a, b, c) = try Self.checkpoints()
        defer { try? FileManager.default.removeItem(at: folder) }
        let claims = [Self.claim("hopper-medium-v2", "EDP"), Self.claim("walker2d-medium-v2", "EDP")]
        let v = try Self.verification(claims, [.init(task: "hopper-medium-v2", run: "1", path: a),
                                               .init(task: "hopper-medium-v2", run: "1", path: b),
                                               .init(task: "hopper-medium-v2", run: "2", path: c),
                                               .init(task: "hopper-medium-v2", run: "1", path: a)], protocol: .rat)
        #expect(v.checked == [claims[0]])
        // A series may repeat a checkpoint (run 1 evaluates a twice); two runs may not share one.
        #expect(v.runs["hopper-medium-v2"] == [.init(label: "1", checkpoints: [a, b, a].map { URL(fileURLWithPath: $0) }),
                                               .init(label: "2", checkpoints: [URL(fileURLWithPath: c)])])
        #expect(v.seriesOverride == .rat)
    }

    @Test func checksRefuseWhatCannotBeCheckedAsAsked() throws {
        let (folder, a, b, _) = try Self.checkpoints()
        defer { try? FileManager.default.removeItem(at: folder) }
        let claims = [Self.claim("hopper-medium-v2", "EDP"), Self.claim("hopper-medium-v2", "IQL")]
        let hopper = { (run: String?, path: String) in ClaimVerification.CheckpointArgument(task: "hopper-medium-v2", run: run, path: path) }

        #expect(throws: ClaimVerificationError.noRowsForMethod("CQL", file: Self.table.path, methods: ["EDP", "IQL"])) {
            _ = try Self.verification(claims, method: "CQL", [hopper(nil, a)])
        }
        let missing = folder.appendingPathComponent("missing.pkl").path
        #expect(throws: ClaimVerificationError.noSuchCheckpoint(missing)) { _ = try Self.verification(claims, [hopper(nil, missing)]) }
        #expect(throws: ClaimVerificationError.noCheckableRow(tasks: ["hopper-medium-v2"])) {
            _ = try Self.verification(claims, [.init(task: "walker2d-medium-v2", run: nil, path: a)])
        }
        #expect(throws: ClaimVerificationError.repeatedCheckpoint(task: "hopper-medium-v2", path: a)) {
            _ = try Self.verification(claims, [hopper("1", a), hopper("2", a)])
        }
        #expect(throws: ClaimVerificationError.unknownProtocol(checkpoints: 2, task: "hopper-medium-v2", table: "claims.csv", method: "EDP")) {
            _ = try Self.verification(claims, [hopper(nil, a), hopper(nil, b)])
        }
        // gym's -v3 ids have no D4RL reference scores, so no normalized score to compare with.
        #expect(throws: ClaimVerificationError.noReferenceScores(task: "Hopper-v3", file: Self.table.path)) {
            _ = try Self.verification([Self.claim("Hopper-v3", "PPO")], [.init(task: "Hopper-v3", run: nil, path: a)])
        }
        #expect(throws: TaskRegistryError.self) { _ = try Self.verification(claims, [.init(task: "no-such-task-v0", run: nil, path: a)]) }
    }

    /// The library names what to give, not the flags (edp-eval's wording adds --method, --checkpoint, --protocol).
    @Test func messagesSpeakOfValues() {
        let errors: [ClaimVerificationError] = [
            .noRowsForMethod("CQL", file: "t.csv", methods: ["EDP"]), .noCheckableRow(tasks: ["t"]),
            .unknownProtocol(checkpoints: 2, task: "t", table: "x", method: "EDP"), .oneAgentTable(task: "t", table: "x"),
            .repeatedCheckpoint(task: "t", path: "a.pkl"),
        ]
        for error in errors { #expect(!error.description.contains("--"), "\(error)") }
    }
}
