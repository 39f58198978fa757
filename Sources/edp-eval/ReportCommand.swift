import ArgumentParser
import Evaluation
import Foundation

/// `edp-eval report`: one self-contained HTML page for a run's results.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page (inline CSS and SVG figures, no network) for reports, verify and aggregate results.",
        discussion: """
        Each RESULT is a JSON file written by evaluate/merge (a report), verify --output or aggregate \
        --output; the kind is recognized from its keys. The page holds the claimed-vs-measured table \
        with verdicts (verify), the aggregates and P(X > Y) (aggregate), the figures of `plot` inline \
        as SVG, per-task episode tables, the provenance (versions, physics, hashes, command line, \
        scheduler) and links to videos and contact sheets found in a videos/ folder beside a report. \
        Needs gnuplot for the figures (as `plot`).

        Examples:
          edp-eval report run/report.json --output report.html
          edp-eval report verify.json agg.json --output results.html
        """
    )

    @Argument(help: "Result files (report, verify or aggregate JSON).")
    var results: [String]

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output: String

    func validate() throws {
        if results.isEmpty { throw ValidationError("give at least one result file") }
        try OutputPath.check(output)
    }

    func run() throws {
        var reports: [String] = [], verify: String?, aggregate: String?
        for file in results {
            switch try Self.kind(of: file) {
            case "verify":
                if verify != nil { throw ValidationError("give at most one verify result (\(file) is the second)") }
                verify = file
            case "aggregate":
                if aggregate != nil { throw ValidationError("give at most one aggregate result (\(file) is the second)") }
                aggregate = file
            default: reports.append(file)
            }
        }
        let inputs = try FigureInputs.load(reports: reports, verify: verify, aggregate: aggregate)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("edp-eval-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var figures: [(String, String)] = []
        for figure in try inputs.figures() {
            let svg = try Gnuplot.render(figure, into: scratch).first { $0.pathExtension == "svg" }!
            figures.append((figure.name, try String(contentsOf: svg, encoding: .utf8)))
        }
        let outputURL = URL(fileURLWithPath: output)
        let html = HTMLReport(inputs: inputs, figures: figures, videos: Self.videos(besides: reports, page: outputURL),
                              generatedAt: ISO8601DateFormatter().string(from: Date()), commandLine: CommandLine.arguments).render()
        try OutputPath.write(html, to: outputURL)
        print("wrote \(output) (\(html.utf8.count / 1024) KiB, \(figures.count) figures)")
    }

    /// "verify" (has `verdicts`), "aggregate" (has `methods` and `improvements`) or "report".
    static func kind(of file: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw CLIError.badInput(file: file, reason: ReadProblem.describe(file))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError.badInput(file: file, reason: "not JSON (expected a report, verify or aggregate result)")
        }
        if object["verdicts"] != nil { return "verify" }
        if object["methods"] != nil && object["improvements"] != nil { return "aggregate" }
        return "report"
    }

    /// MP4 files and contact sheets in `videos/` beside each report, linked relative to the page when possible.
    static func videos(besides reports: [String], page: URL) -> [(String, String)] {
        var found: [(String, String)] = []
        let pageFolder = page.deletingLastPathComponent().standardizedFileURL.path
        for report in reports {
            let folder = URL(fileURLWithPath: report).deletingLastPathComponent().appendingPathComponent("videos")
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            for name in names where name.hasSuffix(".mp4") || name.contains("contact") {
                let path = folder.appendingPathComponent(name).standardizedFileURL.path
                let href = path.hasPrefix(pageFolder + "/") ? String(path.dropFirst(pageFolder.count + 1)) : URL(fileURLWithPath: path).absoluteString
                found.append((name, href))
            }
        }
        return found
    }
}
