import Foundation

/// Why a file could not be read, in plain words (Foundation's error text on Linux is raw, e.g.
/// "The operation could not be completed"): checks the path itself.
public enum ReadProblem {
    public static func describe(_ path: String) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "no such file" }
        if isFolder.boolValue { return "is a folder, not a file" }
        guard FileManager.default.isReadableFile(atPath: path) else { return "cannot be read (permission denied)" }
        return "cannot be read"
    }
}
