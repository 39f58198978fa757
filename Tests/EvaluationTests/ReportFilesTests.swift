import Foundation
import Testing
@testable import Evaluation

/// `ReportFiles`: the set of files a report writes, and the earlier runs it refuses to replace.
@Suite struct ReportFilesTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("report-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func theFilesShareTheOutputsStem() {
        let json = URL(fileURLWithPath: "/runs/a.json"), bare = URL(fileURLWithPath: "/runs/a")
        #expect(ReportFiles.log(for: json).path == "/runs/a.jsonl")
        #expect(ReportFiles.csv(for: json).path == "/runs/a.csv")
        #expect(ReportFiles.lock(for: json) == ReportFiles.lock(for: bare))
        #expect(ReportFiles.lock(for: json).path == "/runs/a.lock")
        #expect(ReportFiles.all(for: json).map(\.path) == ["/runs/a.json", "/runs/a.csv", "/runs/a.jsonl"])
    }

    @Test func earlierRunsAreReplacedOnlyWhenAsked() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("report.json")
        try ReportFiles.refuseExisting(output, resume: false, overwrite: false)
        try ReportFiles.refuseExisting(output, resume: true, overwrite: false)

        // A report and its CSV: an earlier run; resuming it needs its log.
        try Data("{}".utf8).write(to: output)
        try Data().write(to: ReportFiles.csv(for: output))
        #expect(throws: ReportFilesError.earlierRun(file: output.path)) {
            try ReportFiles.refuseExisting(output, resume: false, overwrite: false)
        }
        #expect(throws: ReportFilesError.nothingToResume(report: output.path, log: ReportFiles.log(for: output).path)) {
            try ReportFiles.refuseExisting(output, resume: true, overwrite: false)
        }
        try ReportFiles.refuseExisting(output, resume: false, overwrite: true)

        // With the log, the log is named first and the run can be resumed.
        try Data().write(to: ReportFiles.log(for: output))
        #expect(throws: ReportFilesError.earlierRun(file: ReportFiles.log(for: output).path)) {
            try ReportFiles.refuseExisting(output, resume: false, overwrite: false)
        }
        try ReportFiles.refuseExisting(output, resume: true, overwrite: false)

        // Only the CSV left: still an earlier run.
        try FileManager.default.removeItem(at: output)
        try FileManager.default.removeItem(at: ReportFiles.log(for: output))
        #expect(throws: ReportFilesError.earlierRun(file: ReportFiles.csv(for: output).path)) {
            try ReportFiles.refuseExisting(output, resume: false, overwrite: false)
        }
    }

    @Test func theReportsNameMustNotBeItsCSVLogOrLock() throws {
        for name in ["runs/r.csv", "runs/r.jsonl", "runs/r.lock", "r.csv"] {
            #expect(throws: ReportFilesError.sharedName(output: name)) { try ReportFiles.checkName(name) }
        }
        for name in ["runs/r.json", "runs/r", "r.txt"] { try ReportFiles.checkName(name) }
    }

    /// The library speaks of resuming and replacing; edp-eval names --resume and --overwrite.
    @Test func messagesSpeakOfValues() {
        let errors: [ReportFilesError] = [.nothingToResume(report: "r.json", log: "r.jsonl"), .earlierRun(file: "r.jsonl"), .sharedName(output: "r.csv")]
        for error in errors { #expect(!error.description.contains("--"), "\(error)") }
        #expect(ReportFilesError.earlierRun(file: "r.jsonl").description == "r.jsonl already exists (an earlier run): resume it or replace it")
    }
}
