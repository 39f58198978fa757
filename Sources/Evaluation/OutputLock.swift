import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An exclusive lock on a run's output files: `<output>.lock`, holding the owner's PID, host and
/// start time for the message another run gets.
///
/// The lock itself is `flock(2)` on that file, so the kernel releases it however the owner ends
/// (normal exit, error, `kill -9`, a Slurm preemption); a lock file whose lock nobody holds is a
/// stale one left by a dead run and is taken over (`staleOwner` says whose it was). On Linux NFS
/// mounts `flock` is carried over as an NFS lock, so runs on different nodes also exclude each other.
public final class OutputLock {
    public let url: URL
    /// The text of a stale lock file this lock took over (its dead owner), if any.
    public let staleOwner: String?
    private var descriptor: Int32

    /// Takes the lock or throws `EvaluationError.outputInUse` naming the running owner.
    public init(url: URL) throws {
        self.url = url
        var attempts = 0
        while true {
            attempts += 1
            let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw OutputLockError(file: url.path, reason: String(cString: strerror(errno))) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let owner = Self.text(of: fd)
                close(fd)
                throw EvaluationError.outputInUse(file: url.path, owner: owner.isEmpty ? "another run" : owner)
            }
            // The owner before us may have removed the file between our open and flock: then we
            // hold a lock on a deleted file; open it again.
            var held = stat(), named = stat()
            if fstat(fd, &held) == 0, stat(url.path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev {
                let previous = Self.text(of: fd)
                staleOwner = previous.isEmpty ? nil : previous
                descriptor = fd
                break
            }
            close(fd)
            if attempts >= 5 { throw EvaluationError.outputInUse(file: url.path, owner: "the lock file keeps being replaced") }
        }
        let owner = "PID \(getpid()) on host \(ProcessInfo.processInfo.hostName), started \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = owner.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        _ = fsync(descriptor)
    }

    /// Removes the lock file and releases the lock (also done when the lock is deallocated).
    public func release() {
        guard descriptor >= 0 else { return }
        unlink(url.path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    private static func text(of fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return "" }
        return String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The lock file cannot be created (a read-only or pseudo file system, a missing permission):
/// the output cannot be written there at all.
public struct OutputLockError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// The system's reason (`strerror`).
    public var reason: String
    public var description: String {
        "cannot create the lock file \(file) (\(reason)): the output's folder cannot be written; choose another output"
    }
}
