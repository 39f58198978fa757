import Dispatch
import Foundation

/// The one way the tests run another program (the built `edp-eval`, Chromium): to completion,
/// with its standard output and standard error drained at the same time, so a child that fills
/// one pipe while the test reads the other cannot deadlock.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        /// Empty when `mergingOutput` sent standard error into `stdout`.
        public var stderr: String
        /// Wall time from start to exit.
        public var seconds: Double
    }

    /// Runs `program` with `arguments` in `folder` (default: the current folder) and `environment`
    /// (default: this process's), and waits for it.
    /// - Parameter mergingOutput: standard error goes into the same pipe as standard output (the
    ///   order a person would see on a terminal).
    public static func run(_ program: URL, _ arguments: [String], environment: [String: String]? = nil, in folder: URL? = nil,
                           mergingOutput: Bool = false) throws -> Output {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let folder { process.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = mergingOutput ? out : err
        let start = Date()
        try process.run()
        final class Box: @unchecked Sendable { var data = Data() }
        let errors = Box(), group = DispatchGroup()
        if !mergingOutput {
            DispatchQueue.global().async(group: group) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                      stderr: String(decoding: errors.data, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }
}
