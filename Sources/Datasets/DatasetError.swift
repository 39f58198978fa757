import Foundation

/// A dataset file that cannot be used: the file, the key (HDF5 path) when one is concerned, and
/// what is wrong or what was expected.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String?
    public var message: String

    public init(file: URL, key: String?, _ message: String) {
        self.file = file.path
        self.key = key
        self.message = message
    }

    public var description: String {
        key.map { "\(file): \($0): \(message)" } ?? "\(file): \(message)"
    }
}
