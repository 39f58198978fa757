import Foundation

/// The user manual as the tests read it: `README.md` (the overview) and every page of `docs/`
/// (`docs/*.md`, sorted by name). Tests that check what the documentation says, or run its
/// examples, read these pages rather than one file, so text can move between the README and
/// `docs/` without a test losing sight of it.
public enum ManualPages {
    /// `README.md`, then `docs/*.md` by name, as paths relative to the repository root.
    public static func paths() throws -> [String] {
        let docs = TestFixtures.repositoryRoot.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return ["README.md"] + names.map { "docs/" + $0 }
    }

    /// The text of the page at `path` (relative to the repository root).
    /// - Throws: `FixtureError` naming the page when it cannot be read.
    public static func text(_ path: String) throws -> String {
        do {
            return try String(contentsOf: TestFixtures.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
        } catch {
            throw FixtureError(path: path, reason: "cannot be read as UTF-8 text")
        }
    }

    /// Every page's text, one after another (README first).
    public static func allText() throws -> String {
        try paths().map(text).joined(separator: "\n")
    }
}
