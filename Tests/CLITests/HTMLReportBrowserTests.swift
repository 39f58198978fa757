import Foundation
import Rendering
import Testing
import TestSupport

/// `edp-eval report` loaded in a real browser: headless Chromium (Debian `chromium`, installed by
/// `Scripts/bootstrap`) renders the page; the rendered text must hold the numbers, the screenshot
/// must not be blank, and the browser must log no console message at all.
///
/// Console messages: with `--enable-logging=stderr --v=0` Chromium prints every console message of
/// the page (console.error, uncaught exceptions, failed resource loads, blocked loads) as a line
/// containing `:CONSOLE` on stderr (failed resource loads are not logged there; see the static check). The page has no script, so any such line is an error. That this
/// scan does catch errors is checked on a page with a deliberate script error (no DevTools needed).
@Suite(.serialized) struct HTMLReportBrowserTests {
    static func chromium() throws -> URL {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let url = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
        }
        throw FixtureError(path: "chromium", reason: "not on PATH: install Debian's chromium (Scripts/bootstrap does)")
    }

    /// Runs headless Chromium on `page` with `mode` (`--dump-dom` or `--screenshot=…`).
    static func browse(_ page: URL, _ mode: [String], profile: URL) throws -> (stdout: String, consoleLines: [String]) {
        let r = try ChildProcess.run(try chromium(), ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--enable-logging=stderr", "--v=0", "--window-size=1200,2400"] + mode + [page.absoluteString])
        let console = r.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return (r.stdout, console)
    }

    @Test func theReportRendersInChromiumWithItsNumbersAndNoConsoleError() throws {
        let folder = try AggregateAndPlotCLITests.reports()
        let ff = folder.appendingPathComponent("ff.json").path
        let agg = folder.appendingPathComponent("agg.json").path, verify = folder.appendingPathComponent("v.json").path
        _ = try CLI.run(["aggregate", "FF=\(ff)", "random=\(folder.appendingPathComponent("random.json").path)", "--reps", "300", "--output", agg])
        _ = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "1", "--output", verify] + ResultsCLITests.runs)
        let page = folder.appendingPathComponent("report.html")
        let r = try CLI.run(["report", ff, verify, agg, "--output", page.path])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        // Self-contained: nothing is fetched. Chromium does not log a failed resource load on
        // stderr, so this is checked on the page's text: no script, no element or CSS that loads
        // anything (the only URLs are the SVG namespaces, which are names, not fetches).
        for fetcher in ["<script", "<link", "<img", "<iframe", "<object", "<embed", "src=", "@import", "url(http", "href=\"http"] {
            #expect(!html.contains(fetcher), "the page contains '\(fetcher)'")
        }

        let profile = folder.appendingPathComponent("chromium-profile")
        let dom = try Self.browse(page, ["--dump-dom"], profile: profile)
        #expect(dom.consoleLines.isEmpty, "console messages: \(dom.consoleLines)")
        // The numbers, as written by the commands that made them.
        let v = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: verify))) as? [String: Any])?["verdicts"] as? [[String: Any]])
        let measured = String(format: "%.1f", try #require(v.first?["measured"] as? Double))
        let a = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: agg))) as? [String: Any])
        let iqm = try #require(((a["methods"] as? [[String: Any]])?.first?["point"] as? [String: Double])?["IQM"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ff))) as? [String: Any])
        let hash = try #require(((report["provenance"] as? [String: Any])?["checkpoints"] as? [[String: Any]])?.first?["sha256"] as? String)
        for text in ["Claimed vs measured", "98.6", measured, "NOT consistent", "arXiv:2305.20081", String(format: "%.1f", iqm),
                     "P(X &gt; Y)", "Provenance", hash, "hopper-medium-v2: normalized score per checkpoint (MuJoCo 2.3.7)"] {
            #expect(dom.stdout.contains(text), "rendered page lacks '\(text)'")
        }

        let shot = folder.appendingPathComponent("shot.png")
        let screenshot = try Self.browse(page, ["--screenshot=\(shot.path)"], profile: profile)
        #expect(screenshot.consoleLines.isEmpty, "console messages: \(screenshot.consoleLines)")
        let frame = try PNG.read(shot)
        var ink = 0, colours = Set<UInt32>()
        for i in stride(from: 0, to: frame.pixels.count, by: 3) {
            let (r, g, b) = (frame.pixels[i], frame.pixels[i + 1], frame.pixels[i + 2])
            if r < 200 || g < 200 || b < 200 { ink += 1 }
            colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
        }
        let fraction = Double(ink) / Double(frame.width * frame.height)
        #expect(frame.width == 1200 && fraction > 0.01 && colours.count > 20, "screenshot \(frame.width)x\(frame.height): \(fraction) ink, \(colours.count) colours")

        // The console scan catches errors: a page with a script error is caught.
        let broken = folder.appendingPathComponent("broken.html")
        try Data("<!DOCTYPE html><html><body><p>x</p><script>throw new Error('deliberate')</script></body></html>".utf8).write(to: broken)
        let caught = try Self.browse(broken, ["--dump-dom"], profile: profile)
        #expect(caught.consoleLines.contains { $0.contains("deliberate") }, "the scan missed a script error: \(caught.consoleLines)")
    }
}

extension HTMLReportBrowserTests {
    /// A run that recorded videos: the page links them (relative to the page), without embedding them.
    @Test(.enabled(if: RunIntegrityTests.canRecord)) func theReportLinksTheRunsVideos() throws {
        let folder = try temporaryFolder()
        let report = folder.appendingPathComponent("r.json"), page = folder.appendingPathComponent("page.html")
        let run = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--policy", "random", "--episodes", "1", "--video", "1",
                               "--mujoco", "2.3.7", "--output", report.path])
        #expect(run.status == 0, "\(run.stderr)")
        let r = try CLI.run(["report", report.path, "--output", page.path])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("<h2>Videos</h2>") && html.contains("<a href=\"videos/hopper-medium-v2-seed0-ep0.mp4\">"), "\(html.suffix(3000))")
    }
}
