import Foundation
import Testing
import TestSupport

/// `verify` with several training runs, the shipped tables' declarations and `--format`, driven through the built binary.
@Suite(.serialized) struct ResultsCLITests {
    /// Three different hopper policies stand for three training runs (tiny untrained networks: fast, and far below any claim).
    static let runs = ["hopper-medium-v2@0=Tests/Fixtures/ff-checkpoints/ff-relu.npz",
                       "hopper-medium-v2@1=Tests/Fixtures/ff-checkpoints/ff-elu-gaussian.safetensors",
                       "hopper-medium-v2@2=Tests/Fixtures/sb3-td3-synthetic/hopper-td3.zip"].flatMap { ["--checkpoint", $0] }

    @Test func verifyTestsSeveralRunsWithTheTablesStatistic() throws {
        let folder = try temporaryFolder()
        let output = folder.appendingPathComponent("v.json")
        let shipped = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "2", "--output", output.path] + Self.runs)
        #expect(shipped.status == 1, "\(shipped.stderr)")
        #expect(shipped.stdout.contains("two-sample t on run means") && shipped.stdout.contains("runs: 3 measured vs 5 in the table")
                && shipped.stdout.contains("physics 2.3.7") && shipped.stdout.contains("table physics: 2.1.0")
                && shipped.stdout.contains("arXiv:2305.20081"), "\(shipped.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let verdict = try #require((json["verdicts"] as? [[String: Any]])?.first)
        let values = try #require(verdict["run_values"] as? [Double])
        #expect(values.count == 3 && verdict["unit"] as? String == "runs" && verdict["measured_n"] as? Int == 3 && verdict["claimed_n"] as? Int == 5)
        let mean = values.reduce(0, +) / 3
        #expect(abs((verdict["measured"] as? Double ?? .nan) - mean) < 1e-9)

        // A claim written around the measured run mean (± a std over 5 seeds) passes Welch's t; one 30 points off fails it.
        let table = folder.appendingPathComponent("claims.csv")
        let spread = max(1, (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot())
        try Data("task,method,score,std\nhopper-medium-v2,X,\(mean) ,\(spread)\n".utf8).write(to: table)
        let near = try CLI.run(["verify", "--table", table.path, "--episodes", "2"] + Self.runs)
        #expect(near.status == 0 && near.stdout.contains("Welch t on run means") && near.stdout.contains(": consistent:"), "\(near.stdout) \(near.stderr)")
        try Data("task,method,score,std\nhopper-medium-v2,X,\(mean + 30),\(spread)\n".utf8).write(to: table)
        let far = try CLI.run(["verify", "--table", table.path, "--episodes", "2"] + Self.runs)
        #expect(far.status == 1 && far.stdout.contains("NOT consistent"), "\(far.stdout)")

        // One run against a table without ± over seeds: inconclusive, and the table in Markdown for an issue.
        let one = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "1", "--format", "markdown",
                               "--checkpoint", "hopper-medium-v2=Tests/Fixtures/ff-checkpoints/ff-relu.npz"])
        #expect(one.status == 0 && one.stdout.contains("| task | EDP claimed | EDP measured | EDP verdict |")
                && one.stdout.contains("| hopper-medium-v2 | 98.6 |") && one.stdout.contains("| inconclusive |"), "\(one.stdout)")
        let latex = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "1", "--format", "latex",
                                 "--checkpoint", "hopper-medium-v2=Tests/Fixtures/ff-checkpoints/ff-relu.npz"])
        #expect(latex.stdout.contains("\\begin{tabular}{lrrr}") && latex.stdout.contains("hopper-medium-v2 & 98.6 &"), "\(latex.stdout)")
    }

    @Test func verifyListShowsEachTablesDeclaration() throws {
        let list = try CLI.run(["verify", "--list"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("rl-zoo-mujoco (rl_zoo_mujoco.csv): 18 claims; methods: a2c, ars, ppo, sac, td3, tqc"))
        #expect(list.stdout.contains("raw returns; mean over the episodes of one agent; ± std over episodes (ddof 0)"))
        #expect(list.stdout.contains("physics 2.0 (runs on 2.1.0, the nearest available)"))
        #expect(list.stdout.contains("columns EDP+CRR average, EDP+IQL average, EDP+TD3 average: mean over 5 training seeds of the mean of the last 10 evaluations (RAT)") && list.stdout.contains("61a0d1349fa98ff3ee371c70cb4f1f45ec29f5b0"))
        let twice = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--checkpoint", "hopper-medium-v2@0=Tests/Fixtures/ff-checkpoints/ff-relu.npz",
                                 "--checkpoint", "hopper-medium-v2@1=Tests/Fixtures/ff-checkpoints/ff-relu.npz"])
        #expect(twice.status == 64 && twice.stderr.contains("is given for two runs of hopper-medium-v2"), "\(twice.stderr)")
    }
}

/// `aggregate` and `plot` through the built binary, on reports made by `evaluate` in the test.
@Suite(.serialized) struct AggregateAndPlotCLITests {
    static let series = ["Tests/Fixtures/ff-checkpoints/ff-relu.npz", "Tests/Fixtures/ff-checkpoints/ff-elu-gaussian.safetensors",
                         "Tests/Fixtures/sb3-td3-synthetic/hopper-td3.zip"].flatMap { ["--checkpoint", $0] }

    /// A folder with `ff.json` (3 checkpoints = 3 runs on hopper-medium-v2) and `random.json` (one run per task).
    static func reports() throws -> URL {
        let folder = try temporaryFolder()
        let ff = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--episodes", "3", "--output", folder.appendingPathComponent("ff.json").path] + series)
        let random = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "walker2d-medium-v2", "--policy", "random", "--episodes", "4",
                                  "--output", folder.appendingPathComponent("random.json").path])
        #expect(ff.status == 0 && random.status == 0, "\(ff.stderr) \(random.stderr)")
        return folder
    }

    @Test func aggregateGivesRliableMetricsWithIntervalsAndWarnsAboutEpisodes() throws {
        let folder = try Self.reports()
        let output = folder.appendingPathComponent("agg.json")
        let r = try CLI.run(["aggregate", "FF=\(folder.appendingPathComponent("ff.json").path)",
                             "random=\(folder.appendingPathComponent("random.json").path)", "--reps", "500", "--output", output.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("random: one run per task, so the replication unit is the episodes of one run"), "\(r.stderr)")
        #expect(r.stderr.contains("FF: a report holds a series of checkpoints for hopper-medium-v2"), "\(r.stderr)")
        #expect(r.stdout.contains("P(FF > random) =") && r.stdout.contains("stratified bootstrap") && r.stdout.contains("500 replications"), "\(r.stdout)")
        // The point estimates, recomputed here from the report's rows (3 runs of one task).
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("ff.json"))) as? [String: Any])
        let runs = try #require((report["tasks"] as? [[String: Any]])?.compactMap { ($0["normalized_score"] as? [String: Any])?["mean"] as? Double })
        #expect(runs.count == 3)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let methods = try #require(json["methods"] as? [[String: Any]])
        let ff = try #require(methods.first { $0["method"] as? String == "FF" })
        let point = try #require(ff["point"] as? [String: Double])
        #expect(abs(point["mean"]! - runs.reduce(0, +) / 3) < 1e-9 && abs(point["IQM"]! - runs.reduce(0, +) / 3) < 1e-9)
        #expect(abs(point["optimality gap"]! - (100 - runs.reduce(0, +) / 3)) < 1e-9)
        let ci = try #require((ff["ci95"] as? [String: [Double]])?["mean"])
        #expect(ci[0] >= runs.min()! - 1e-9 && ci[1] <= runs.max()! + 1e-9 && ci[0] <= ci[1])
        #expect(ff["unit"] as? String == "runs" && methods.last?["unit"] as? String == "episodes")
        let csv = try CLI.run(["aggregate", folder.appendingPathComponent("ff.json").path, "--reps", "200", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("method,tasks,runs,unit,mean,median,IQM,optimality gap,physics\nff,1,3,runs,"), "\(csv.stdout)")
        let bad = try CLI.run(["aggregate", folder.appendingPathComponent("agg.json").path])
        #expect(bad.status == 1 && bad.stderr.contains("agg.json") && bad.stderr.contains("not an edp-eval report"), "\(bad.stderr)")
    }

    @Test func plotWritesEachFigureWithItsScriptAndData() throws {
        let folder = try Self.reports()
        let ff = folder.appendingPathComponent("ff.json").path, agg = folder.appendingPathComponent("agg.json").path
        let verify = folder.appendingPathComponent("v.json").path
        _ = try CLI.run(["aggregate", "FF=\(ff)", "--reps", "200", "--output", agg])
        _ = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "1", "--output", verify]
                        + ResultsCLITests.runs)
        let figures = folder.appendingPathComponent("figures")
        let r = try CLI.run(["plot", ff, "--verify", verify, "--aggregate", agg, "--output", figures.path])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["curve-hopper-medium-v2", "returns-hopper-medium-v2", "claims", "profiles"] {
            for ext in ["svg", "png", "gp", "dat"] {
                #expect(FileManager.default.fileExists(atPath: figures.appendingPathComponent("\(name).\(ext)").path), "\(name).\(ext)")
            }
            let png = try Data(contentsOf: figures.appendingPathComponent("\(name).png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 5_000, "\(name).png: \(png.count) bytes")
        }
        let curve = try String(contentsOf: figures.appendingPathComponent("curve-hopper-medium-v2.svg"), encoding: .utf8)
        #expect(curve.contains("hopper-medium-v2: normalized score per checkpoint (MuJoCo 2.3.7)") && curve.contains("RAT window: last 3"))
        let returns = try String(contentsOf: figures.appendingPathComponent("returns-hopper-medium-v2.svg"), encoding: .utf8)
        #expect(returns.contains("REF_MAX 3234.3") && returns.contains("episode return (undiscounted)"))
        let claims = try String(contentsOf: figures.appendingPathComponent("claims.svg"), encoding: .utf8)
        #expect(claims.contains("measured, NOT consistent"))
        // The same checkpoints on the other physics: the physics comparison is drawn.
        let other = folder.appendingPathComponent("ff-210.json")
        let run210 = try CLI.run(["evaluate", "--task", "hopper-medium-v2", "--episodes", "3", "--mujoco", "2.1.0", "--output", other.path] + Self.series)
        #expect(run210.status == 0, "\(run210.stderr)")
        let relabelled = other
        let both = try CLI.run(["plot", ff, relabelled.path, "--output", figures.path])
        #expect(both.status == 0 && both.stdout.contains("physics-hopper-medium-v2.svg"), "\(both.stdout) \(both.stderr)")
        let physics = try String(contentsOf: figures.appendingPathComponent("physics-hopper-medium-v2.svg"), encoding: .utf8)
        #expect(physics.contains("MuJoCo 2.1.0") && physics.contains("MuJoCo 2.3.7") && physics.contains("mean 2.1.0 − 2.3.7 = "))
        // --figures on verify and aggregate draw the same figures without a separate plot.
        let direct = folder.appendingPathComponent("direct")
        _ = try CLI.run(["verify", "--table", "edp-table4", "--method", "EDP", "--episodes", "1", "--figures", direct.path] + ResultsCLITests.runs)
        _ = try CLI.run(["aggregate", "FF=\(ff)", "--reps", "200", "--figures", direct.path])
        for name in ["claims.svg", "claims.png", "profiles.svg", "returns-hopper-medium-v2.png"] {
            #expect(FileManager.default.fileExists(atPath: direct.appendingPathComponent(name).path), "--figures: \(name)")
        }
        let missing = try CLI.run(["plot", "--aggregate", "/nonexistent/agg.json", "--output", figures.path])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/agg.json"))
    }
}
