import Foundation
import Testing
@testable import Evaluation
#if canImport(Glibc)
import Glibc
#endif

/// `OutputLock`: one run at a time per output stem.
@Suite struct OutputLockTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("output-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A second lock on a held file is refused naming the holder (this process, written into the
    /// file); released, the file is gone and the lock can be taken again.
    @Test func aHeldLockRefusesASecondTakerUntilReleased() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("report.lock")
        let first = try OutputLock(url: url)
        #expect(first.staleOwner == nil)
        let owner = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(owner.hasPrefix("PID \(getpid()) on host "), "\(owner)")
        #expect(throws: EvaluationError.outputInUse(file: url.path, owner: owner)) { _ = try OutputLock(url: url) }
        first.release()
        #expect(!FileManager.default.fileExists(atPath: url.path))
        let second = try OutputLock(url: url)
        #expect(second.staleOwner == nil)
        second.release()
    }

    /// A lock file left by a run that died (no process holds it) is taken over; its text is kept
    /// as the stale owner for the report.
    @Test func aStaleLockFileIsTakenOver() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("report.lock")
        try "PID 1 on host elsewhere, started 2020-01-01T00:00:00Z\n".write(to: url, atomically: true, encoding: .utf8)
        let lock = try OutputLock(url: url)
        #expect(lock.staleOwner == "PID 1 on host elsewhere, started 2020-01-01T00:00:00Z")
        #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix("PID \(getpid()) "))
    }

    @Test func aFolderThatCannotHoldTheLockIsNamed() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("missing/report.lock")
        #expect(throws: OutputLockError(file: url.path, reason: "No such file or directory")) { _ = try OutputLock(url: url) }
        #expect(!OutputLockError(file: url.path, reason: "x").description.contains("--"))
    }
}
