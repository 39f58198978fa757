import Foundation

/// The one locator of the test fixtures, shared by every test target: the folder
/// `Tests/Fixtures` of this repository (found from this source file's path), and nothing outside
/// the repository. Each fixture folder there has a README naming the original code that produced
/// it, at which commit, and the tolerance the tests apply.
///
/// A missing or unreadable fixture is a thrown `FixtureError` naming the file, so the test that
/// needs it records an issue and the run goes on to its summary.
public enum TestFixtures {
    /// The repository root: `Tests/TestSupport/TestFixtures.swift` → `Tests` → root.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<repository>/Tests/Fixtures`.
    public static let folder: URL = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// The URL of `relative` under `Tests/Fixtures`, without checking that it exists (for writers,
    /// e.g. the rendering tests' update mode).
    public static func destination(_ relative: String) -> URL {
        folder.appendingPathComponent(relative)
    }

    /// The URL of an existing fixture file or folder `relative` to `Tests/Fixtures`.
    /// - Throws: `FixtureError` when it does not exist.
    public static func url(_ relative: String) throws -> URL {
        let url = destination(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError(path: "Tests/Fixtures/\(relative)", reason: "missing (see Tests/Fixtures/README.md)")
        }
        return url
    }

    /// The bytes of the fixture file `relative` to `Tests/Fixtures`.
    /// - Throws: `FixtureError` when it is missing or cannot be read.
    public static func data(_ relative: String) throws -> Data {
        let url = try url(relative)
        do {
            return try Data(contentsOf: url)
        } catch {
            throw FixtureError(path: "Tests/Fixtures/\(relative)", reason: "cannot be read: \(error.localizedDescription)")
        }
    }

    /// The fixture `Tests/Fixtures/<relative>` parsed as JSON of shape `T` (e.g. `[String: Any]`).
    /// - Throws: `FixtureError` naming the file when it is missing or not JSON of that shape.
    public static func json<T>(_ relative: String, _ type: T.Type) throws -> T {
        guard let value = try JSONSerialization.jsonObject(with: data(relative)) as? T else {
            throw FixtureError(path: "Tests/Fixtures/\(relative)", reason: "not JSON of the expected shape \(T.self)")
        }
        return value
    }

    /// A file of the repository outside `Tests/Fixtures` (bundled data such as `envs/` or
    /// `assets/`), by its path relative to the repository root.
    /// - Throws: `FixtureError` when it does not exist.
    public static func repositoryFile(_ relative: String) throws -> URL {
        let url = repositoryRoot.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError(path: relative, reason: "missing from the repository")
        }
        return url
    }
}

/// A test fixture that is missing, unreadable or not what the test expected.
public struct FixtureError: Error, CustomStringConvertible {
    /// The file, relative to the repository root.
    public let path: String
    /// What is wrong with it.
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "fixture \(path): \(reason)" }
}
