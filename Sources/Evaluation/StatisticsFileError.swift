import Foundation

/// An observation-statistics input (a statistics JSON file, a `vecnormalize.pkl` without
/// statistics, or a dataset of the wrong width) that cannot be used. The description names the
/// file and the problem: `<path>: <message>`.
public struct StatisticsFileError: Error, Equatable, CustomStringConvertible {
    /// The file concerned.
    public var file: String
    public var message: String

    public init(file: URL, _ message: String) {
        self.file = file.path
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
