import Foundation
import Testing
import TestSupport
@testable import Datasets
import CHDF5

/// `Tests/Fixtures/d4rl-datasets` (Tools/fixtures/make_d4rl_datasets.py; see its README).
private enum DatasetFixtures {
    static func data(_ name: String) throws -> Data { try TestFixtures.data("d4rl-datasets/\(name)") }
    static func json<T>(_ name: String, _ type: T.Type) throws -> T { try TestFixtures.json("d4rl-datasets/\(name)", type) }
    static func open(_ name: String) throws -> D4RLDataset { try D4RLDataset(url: TestFixtures.url("d4rl-datasets/\(name)")) }
}

@Suite struct DatasetsTests {
    @Test func readsTheD4RLLayoutLazily() throws {
        let d = try DatasetFixtures.open("hopper-small.hdf5")
        #expect(d.transitions == 800 && d.observationSize == 11 && d.actionSize == 3)
        #expect(d.dtype("observations") == "float32" && d.dtype("terminals") == "bool" && d.dtype("infos/qpos") == "float64")
        #expect(d.shape("infos/qvel") == [800, 6])
        let rows = try d.read("observations", 10..<12)
        #expect(rows.count == 22)
        #expect(d.metadata()["mujoco"] == "2.3.7")
        let episodes = try d.episodes()
        #expect(episodes.count == 4 && episodes.allSatisfy { $0.length == 200 && $0.finished && !$0.terminal })
    }

    /// A hard link that makes a group its own descendant: the listing terminates and the file
    /// still opens (before: unbounded recursion).
    @Test func hardLinkCycleIsListedOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("d4rl-cycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("cycle.hdf5")
        try DatasetFixtures.data("hopper-small.hdf5").write(to: url)
        let file = H5Fopen(url.path, 1, 0)  // H5F_ACC_RDWR (a macro Swift does not import)
        try #require(file >= 0)
        let infos = H5Gopen2(file, "infos", 0)
        try #require(infos >= 0)
        #expect(H5Lcreate_hard(infos, ".", infos, "loop", 0, 0) >= 0)
        H5Gclose(infos)
        H5Fclose(file)
        let d = try D4RLDataset(url: url)
        #expect(d.transitions == 800 && d.has("infos/qpos") && !d.has("infos/loop/qpos"))
    }

    /// Declared extents are bounded when the file opens (no allocation or product from them).
    @Test func hugeDeclaredDimensionsAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("d4rl-huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, rows: UInt64, width: UInt64) throws -> URL {
            let url = folder.appendingPathComponent(name)
            _ = H5open()
            let file = H5Fcreate(url.path, 2, 0, 0)  // H5F_ACC_TRUNC
            try #require(file >= 0)
            for (key, dims) in [("observations", [rows, width]), ("actions", [rows, 3]), ("rewards", [rows]), ("terminals", [rows])] {
                let space = H5Screate_simple(Int32(dims.count), dims, nil)
                let dataset = H5Dcreate2(file, key, H5T_NATIVE_FLOAT_g, space, 0, 0, 0)
                try #require(dataset >= 0, "\(key)")
                H5Dclose(dataset)
                H5Sclose(space)
            }
            H5Fclose(file)
            return url
        }
        let tall = try write("tall.hdf5", rows: 1 << 40, width: 11)
        #expect { try D4RLDataset(url: tall) } throws: { "\($0)".contains("tall.hdf5") && "\($0)".contains("declares 1099511627776 rows") }
        let wide = try write("wide.hdf5", rows: 10, width: 1 << 40)
        #expect { try D4RLDataset(url: wide) } throws: { "\($0)".contains("observations") && "\($0)".contains("expected 1 to 10000") }
    }

    @Test(arguments: ["hopper-small.hdf5", "antmaze-umaze-small.hdf5"])
    func observationStatisticsMatchNumPy(file: String) throws {
        let reference = try DatasetFixtures.json("observation-stats.json", [String: [String: Any]].self)
        let numpy = try #require(reference[file])
        let globalMean = try #require(numpy["global_mean"] as? Double), globalStd = try #require(numpy["global_std"] as? Double)
        let mean = try #require(numpy["mean"] as? [Double]), std = try #require(numpy["std"] as? [Double])
        func close(_ ours: Float, _ theirs: Double) -> Bool { abs(Double(ours) - theirs) <= 1e-6 * abs(theirs) }
        let dataset = try DatasetFixtures.open(file)
        let global = try DatasetObservationStatistics.global(dataset)
        #expect(close(global.mean, globalMean), "mean \(global.mean) vs \(globalMean)")
        #expect(close(global.std, globalStd), "std \(global.std) vs \(globalStd)")
        let perDimension = try DatasetObservationStatistics.perDimension(dataset)
        #expect(perDimension.mean.count == mean.count && perDimension.std.count == std.count)
        #expect(zip(perDimension.mean, mean).allSatisfy { close($0, $1) || abs(Double($0) - $1) < 1e-9 })
        #expect(zip(perDimension.std, std).allSatisfy { close($0, $1) })
    }

    @Test func pairwiseSummationFollowsNumPysTree() throws {
        // Leaf (< 8), one block (128), a split just above it, and the whole file, each against a
        // float64 sum of the same float32 values (pairwise float32 error stays ~1e-7 relative).
        let dataset = try DatasetFixtures.open("hopper-small.hdf5")
        let reader = DatasetObservationStatistics.FlatReader(dataset: dataset, key: "observations", width: 11)
        for n in [7, 128, 129, 8800] {
            let ours = try DatasetObservationStatistics.pairwiseSum(n, offset: 0, reader: reader, transform: { $0 })
            let exact = try dataset.read("observations", 0..<800).prefix(n).reduce(0, +)
            #expect(abs(Double(ours) - exact) <= 1e-5 * max(1, abs(exact)), "n \(n)")
        }
    }
}
