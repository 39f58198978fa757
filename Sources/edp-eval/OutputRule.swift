import ArgumentParser
import Evaluation
import Foundation

/// The one output rule of every command that writes (docs/run-integrity.md "One output rule"): an existing output
/// is refused unless `--overwrite` (or, for `evaluate`, `--resume`); no command writes over one
/// of its inputs; files are written under a temporary name and renamed when complete
/// (`OutputPath.write`).
extension OutputPath {
    /// Refuses each of `paths` that exists, unless `overwrite` (usage error, exit 64).
    static func refuseExisting(_ paths: [String], overwrite: Bool, option: String = "--output") throws {
        guard !overwrite else { return }
        for path in paths where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(option): \(path) already exists; add --overwrite to replace it, or choose another path")
        }
    }

    /// Refuses an output that is one of the command's input files (the same path, a symbolic
    /// link to it or a hard link: compared by device and inode when both exist).
    /// - Parameters:
    ///   - outputs: every file the command would write.
    ///   - inputs: (option or argument name, path) of every file it reads; folders count with the
    ///     files directly inside them.
    static func refuseInputs(_ outputs: [String], inputs: [(name: String, path: String)], option: String = "--output") throws {
        for input in inputs {
            for file in filesOf(input.path) {
                for output in outputs where sameFile(output, file) {
                    throw ValidationError("\(option) \(output) is the input \(input.name) \(file): choose another output path (a command never writes over what it reads)")
                }
            }
        }
    }

    /// `path` itself, or the files directly inside it when it is a folder.
    private static func filesOf(_ path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        if stat(a, &sa) == 0, stat(b, &sb) == 0 { return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino }
        let resolve = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        return resolve(a) == resolve(b)
    }
}

extension OutputPath {
    /// Takes the lock of `output`'s stem (`ReportFiles.lock`, as `evaluate` does) for the rest of
    /// the command, then checks again, under the lock, that the output may be written (another
    /// command may have written it since `validate`).
    /// - Parameter files: every file the command writes at `output` (default: `output` alone).
    static func lock(_ output: String, files: [String]? = nil, overwrite: Bool) throws -> OutputLock {
        let url = URL(fileURLWithPath: output)
        try createFolder(of: url)
        let lock = try OutputLock(url: ReportFiles.lock(for: url))
        if let stale = lock.staleOwner {
            FileHandle.standardError.write(Data("note: took over a stale lock (\(stale), no longer running)\n".utf8))
        }
        try refuseExisting(files ?? [output], overwrite: overwrite)
        return lock
    }
}
