import Foundation
import Testing
import TestSupport

/// The tests' one process runner drains both pipes at once: a child that writes more than a pipe
/// holds (64 KiB on Linux) to standard error before it writes to standard output would block
/// forever under a runner that reads standard output to the end first.
@Suite struct ChildProcessTests {
    @Test func aChattyChildOnStandardErrorDoesNotDeadlock() throws {
        let r = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "head -c 1000000 /dev/zero | tr '\\\\0' e >&2; echo done; exit 3"])
        #expect(r.status == 3 && r.stdout == "done\n" && r.stderr.count == 1_000_000)
        let merged = try ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo out; echo err >&2"], mergingOutput: true)
        #expect(merged.status == 0 && merged.stdout.contains("out") && merged.stdout.contains("err") && merged.stderr.isEmpty)
    }
}
