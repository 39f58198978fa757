import Foundation
import Testing

/// `edp-eval dataset info/check` through the binary: reports, exit codes 0/1/64.
@Suite(.serialized) struct DatasetCLITests {
    let fixtures = "Tests/Fixtures/d4rl-datasets/"

    @Test func infoPrintsKeysEpisodesAndReturns() throws {
        let r = try CLI.run(["dataset", "info", "--dataset", fixtures + "hopper-small.hdf5", "--task", "hopper-medium-v2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("transitions  800") && r.stdout.contains("episodes     4 (0 by terminals, 4 by timeouts)"))
        #expect(r.stdout.contains("infos/qpos") && r.stdout.contains("(800, 6)") && r.stdout.contains("bool") && r.stdout.contains("normalized"))
        let json = try CLI.run(["dataset", "info", "--dataset", fixtures + "antmaze-umaze-small.hdf5", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["transitions"] as? Int == 708 && object["episodes"] as? Int == 3 && (object["sha256"] as? String)?.count == 64)
    }

    @Test func checkExitsZeroOnAFaithfulDatasetAndOneOnATamperedOne() throws {
        let folder = try temporaryFolder()
        let output = folder.appendingPathComponent("check.json")
        let ok = try CLI.run(["dataset", "check", "--task", "hopper-medium-v2", "--dataset", fixtures + "hopper-small.hdf5", "--output", output.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("800 of 800 transitions checked, 0 beyond the tolerance"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        for key in ["transitions", "checked", "mismatches", "mismatch_count", "max_abs_diff", "tolerance", "fields"] { #expect(report[key] != nil, "\(key)") }

        // -o is the short form of --output.
        let bad = try CLI.run(["dataset", "check", "--task", "hopper-medium-v2", "--dataset", fixtures + "hopper-small-tampered.hdf5", "-o", output.path, "--overwrite"])
        #expect(bad.status == 1, "\(bad.stderr)")
        let tampered = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let mismatched = try #require(tampered["mismatches"] as? [[String: Any]])
        let listed = Set(try mismatched.map { "\(try #require($0["index"] as? Int)) \(try #require($0["field"] as? String))" })
        #expect(listed == ["17 next_observations", "40 rewards", "100 terminals", "250 next_observations", "301 rewards"])
        let fields = try #require(tampered["fields"] as? [String: [String: Any]])
        #expect(fields["rewards"]?["differing"] as? Int == 2 && (fields["rewards"]?["quantiles"] as? [String: Double])?["100"] != nil)
    }

    @Test func badInputExits64WithFileAndKey() throws {
        let missing = try CLI.run(["dataset", "check", "--task", "hopper-medium-v2", "--dataset", fixtures + "bad-missing-rewards.hdf5"])
        #expect(missing.status == 64 && missing.stderr.contains("bad-missing-rewards.hdf5: rewards: missing"))
        let nan = try CLI.run(["dataset", "check", "--task", "hopper-medium-v2", "--dataset", fixtures + "bad-nan.hdf5"])
        #expect(nan.status == 64 && nan.stderr.contains("next_observations: row 7"))
        let width = try CLI.run(["dataset", "info", "--task", "halfcheetah-medium-v2", "--dataset", fixtures + "hopper-small.hdf5"])
        #expect(width.status == 64 && width.stderr.contains("observations: rows have 11 values"))
        let notHDF5 = try CLI.run(["dataset", "info", "--dataset", "README.md"])
        #expect(notHDF5.status == 64 && notHDF5.stderr.contains("README.md: not an HDF5 file"))
        let usage = try CLI.run(["dataset", "check", "--dataset", fixtures + "hopper-small.hdf5"])
        #expect(usage.status == 64)
    }

    /// --output and --threads are usage errors before any transition is stepped.
    @Test func checkValidatesOutputAndThreadsUpFront() throws {
        let folder = try temporaryFolder()
        let base = ["dataset", "check", "--task", "hopper-medium-v2", "--dataset", fixtures + "hopper-small.hdf5"]
        let intoFolder = try CLI.run(base + ["--output", folder.path])
        #expect(intoFolder.status == 64 && intoFolder.stderr.contains("is a folder"), "\(intoFolder.stderr)")
        #expect(!intoFolder.stderr.contains("transitions"), "the run must not start: \(intoFolder.stderr)")
        let underFile = try CLI.run(base + ["-o", "README.md/check.json"])
        #expect(underFile.status == 64 && underFile.stderr.contains("README.md is a file, not a folder"), "\(underFile.stderr)")
        for bad in ["0", "5000"] {
            let threads = try CLI.run(base + ["--threads", bad])
            #expect(threads.status == 64 && threads.stderr.contains("--threads must be between 1 and 4096, got \(bad)"), "\(threads.stderr)")
        }
    }
}
