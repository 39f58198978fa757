import Evaluation
import Foundation

/// Reading `evaluate`/`merge` reports given on the command line (`aggregate`, `plot`, `report`).
enum ReportInput {
    /// A report as read from a file, with the physics its provenance names.
    struct Loaded {
        var file: String
        var report: EvaluationReport
        var physics: String
    }

    /// The report at `path` with its physics (`RunPhysics`, read from the file's own JSON).
    static func loadWithPhysics(_ path: String) throws -> Loaded {
        let report = try load(path)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        return Loaded(file: path, report: report, physics: RunPhysics.of(reportJSON: data) ?? RunPhysics.of(report))
    }

    /// The report at `path`, or a `CLIError.badInput` naming the file and what is wrong.
    static func load(_ path: String) throws -> EvaluationReport {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError.badInput(file: path, reason: ReadProblem.describe(path))
        }
        do { return try JSONDecoder().decode(EvaluationReport.self, from: data) } catch let error as DecodingError {
            throw CLIError.badInput(file: path, reason: "not an edp-eval report (expected the JSON of `evaluate --output` or `merge --output`): " + JSONText.explain(error))
        }
    }

    /// `NAME=FILE` or `FILE` (the method named by the file's base name) → (method, file).
    static func methodAndFile(_ argument: String) -> (method: String, file: String) {
        if let eq = argument.firstIndex(of: "="), !FileManager.default.fileExists(atPath: argument) {
            let name = String(argument[..<eq]), file = String(argument[argument.index(after: eq)...])
            if !name.isEmpty && !file.isEmpty { return (name, file) }
        }
        return (URL(fileURLWithPath: argument).deletingPathExtension().lastPathComponent, argument)
    }
}
