import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// The shipped tables' declarations and the tests `verify` makes with them.
@Suite struct ClaimStatisticTests {
    /// Reference values from SciPy 1.17.1 (`scipy.stats.ttest_ind_from_stats(..., equal_var=False)`
    /// and `t.ppf`), computed once by hand; tolerance 1e-9 (our t CDF is accurate to ~1e-12).
    @Test func welchAndPredictionIntervalMatchSciPy() {
        let w = ClaimTest.welch(measured: [80, 84, 79], claimedMean: 81.9, claimedStd: 4, claimedN: 5)
        #expect(abs(w.t! - -0.38260363585396906) < 1e-9 && abs(w.p! - 0.715648569988452) < 1e-9 && w.consistent)
        let zoo = ClaimTest.welch(measured: [3750, 3760, 3741, 3755], claimedMean: 3754.199,
                                  claimedStd: ClaimTest.sampleStd(8.276, n: 150, ddof: 0), claimedN: 150)
        #expect(abs(zoo.t! - -0.6569974410850127) < 1e-9 && abs(zoo.p! - 0.5557588080326828) < 1e-9)
        let pi = ClaimTest.predictionInterval(measured: 90, measuredStderr: nil, claimedMean: 81.9, claimedStd: 4, claimedN: 5)
        #expect(abs(pi.interval![1] - (81.9 + 12.165772910333082)) < 1e-9 && pi.consistent)
        #expect(!ClaimTest.predictionInterval(measured: 95, measuredStderr: nil, claimedMean: 81.9, claimedStd: 4, claimedN: 5).consistent)
        #expect(!ClaimTest.welch(measured: [60, 61, 62], claimedMean: 81.9, claimedStd: 4, claimedN: 5).consistent)
    }

    @Test func everyShippedTableIsDeclaredAndParses() throws {
        let tables = try ClaimedTableCatalog.load(TestFixtures.repositoryFile("envs/paper_tables/tables.json"))
        #expect(Set(tables.map(\.name)) == ["edp-table2", "edp-table4", "edp-table5", "diffusion-ql", "rl-zoo-mujoco"])
        for table in tables {
            let claims = try ClaimedTable.read(TestFixtures.repositoryFile("envs/paper_tables/\(table.file)"))
            #expect(!claims.isEmpty, "\(table.name)")
            for column in (table.columns ?? [:]).keys { #expect(claims.contains { $0.method == column }, "\(table.name): \(column)") }
        }
        let t2 = try #require(tables.first { $0.name == "edp-table2" })
        #expect(t2.statistic(for: "TD3+BC EDP").seriesProtocol == .rat && t2.statistic(for: "TD3+BC EDP").k == 10)
        for baseline in ["BC", "CQL", "TD3+BC FF", "IQL FF", "DT"] { #expect(t2.statistic(for: baseline).seriesProtocol == nil) }
        #expect(tables.first { $0.name == "edp-table4" }?.statistic(for: "CQL").seriesProtocol == .oms)
        let dql = try #require(tables.first { $0.name == "diffusion-ql" })
        #expect(dql.physics == "2.0" && dql.physicsToRun == "2.1.0")
        let zoo = try #require(tables.first { $0.name == "rl-zoo-mujoco" })
        #expect(zoo.values == .return && zoo.statistic.unit == .episodes && zoo.source.commit?.count == 40)
        let rows = try ClaimedTable.read(TestFixtures.repositoryFile("envs/paper_tables/rl_zoo_mujoco.csv"))
        #expect(rows.count == 18 && Set(rows.map(\.method)) == ["a2c", "ars", "ppo", "sac", "td3", "tqc"])
        #expect(rows.first { $0.task == "Hopper-v3" && $0.method == "tqc" } == Claim(task: "Hopper-v3", method: "tqc", score: 3754.199, plusMinus: 8.276, count: 150))
    }

    @Test func badCountColumnIsNamed() {
        #expect(throws: EvaluationError.badTable(file: "t.csv", line: 2, reason: "column 'n': 'many' is not a count (expected a whole number ≥ 1)")) {
            try ClaimedTable.parse("task,method,score,std,n\nHopper-v3,tqc,1,2,many\n", file: "t.csv")
        }
    }

    @Test func checkpointArgumentsNameTheirRun() {
        #expect(ClaimVerification.CheckpointArgument("hopper-medium-v2@3=a/b.pkl") == .init(task: "hopper-medium-v2", run: "3", path: "a/b.pkl"))
        #expect(ClaimVerification.CheckpointArgument("hopper-medium-v2=a@b=c.pkl") == .init(task: "hopper-medium-v2", run: nil, path: "a@b=c.pkl"))
        for bad in ["hopper", "@1=x", "hopper@=x", "hopper="] { #expect(ClaimVerification.CheckpointArgument(bad) == nil, "\(bad)") }
    }

    @Test func formatsRenderTheGrid() {
        let header = ["task", "EDP claimed", "EDP measured"], rows = [["hopper_x", "81.9 ± 2.0", "80.0"]]
        #expect(ResultTableFormat.markdown.render(header: header, rows: rows) == "| task | EDP claimed | EDP measured |\n|---|---:|---:|\n| hopper_x | 81.9 ± 2.0 | 80.0 |")
        #expect(ResultTableFormat.latex.render(header: header, rows: rows).contains("hopper\\_x & 81.9 $\\pm$ 2.0 & 80.0 \\\\"))
        #expect(ResultTableFormat.csv.render(header: header, rows: [["a,b", "1", "2"]]) == "task,EDP claimed,EDP measured\n\"a,b\",1,2")
    }
}

/// `Verdict.checking` on hand-made rows: which test each kind of table gets.
@Suite struct VerdictCheckingTests {
    static func row(_ task: String, _ policy: String, scores: [Double], returns: [Double]? = nil) -> TaskReport {
        let episodes = scores.enumerated().map { i, s in
            EpisodeResult(task: task, seed: 0, episode: i, return: returns?[i] ?? s * 10, length: 1000, normalizedScore: s, end: .truncated)
        }
        return TaskReport(task: task, policy: policy, policySummary: "", episodes: episodes, timing: RolloutTiming(), flopsPerAction: 0)
    }
    static let seeds = TableStatistic(unit: .trainingSeeds, n: 5, perRun: .lastKMean, k: 2, dispersion: .std, ddof: 0, description: nil)

    @Test func severalRunsGetWelchOnTheirRATValues() {
        // Run 1: checkpoints 70, 80, 90 → RAT over the last 2 = 85; run 2: 75, 85, 95 → 90.
        let runs = [MeasuredRun(label: "0", rows: [Self.row("t", "a", scores: [70, 70]), Self.row("t", "b", scores: [80, 80]), Self.row("t", "c", scores: [90, 90])]),
                    MeasuredRun(label: "1", rows: [Self.row("t", "d", scores: [75, 75]), Self.row("t", "e", scores: [85, 85]), Self.row("t", "f", scores: [95, 95])])]
        let v = Verdict.checking(Claim(task: "t", method: "m", score: 86, plusMinus: 3), runs: runs, statistic: Self.seeds,
                                 values: .normalizedScore, override: nil, physics: "2.1.0", tablePhysics: "2.1.0")
        #expect(v.runValues == [85, 90] && v.measured == 87.5 && v.unit == "runs" && v.measuredN == 2 && v.claimedN == 5)
        let expected = ClaimTest.welch(measured: [85, 90], claimedMean: 86, claimedStd: ClaimTest.sampleStd(3, n: 5, ddof: 0), claimedN: 5)
        #expect(v.outcome == .consistent && expected.consistent && v.test.contains("Welch t on run means") && v.basis?.hasPrefix("RAT of the last 2 of 3") == true)
        #expect(v.explanation.contains("runs: 2 measured vs 5 in the table; physics 2.1.0"))
    }

    @Test func oneRunGetsAPredictionIntervalOrIsInconclusive() {
        let run = [MeasuredRun(label: "1", rows: [Self.row("t", "a", scores: [80, 82, 84])])]
        let withStd = Verdict.checking(Claim(task: "t", method: "m", score: 90, plusMinus: 3), runs: run, statistic: Self.seeds,
                                       values: .normalizedScore, override: nil, physics: "2.3.7", tablePhysics: "2.1.0")
        // 90 ± t(0.975, 4) · √(s²(1 + 1/5) + se²) with s = 3·√(5/4), se = 2/√3: [78.6, 101.4] holds 82.
        #expect(withStd.outcome == .consistent && withStd.test.contains("prediction interval") && withStd.explanation.contains("(table: 2.1.0)"))
        let far = Verdict.checking(Claim(task: "t", method: "m", score: 100, plusMinus: 3), runs: run, statistic: Self.seeds,
                                   values: .normalizedScore, override: nil, physics: "2.3.7", tablePhysics: nil)
        #expect(far.outcome == .notConsistent)
        let noStd = Verdict.checking(Claim(task: "t", method: "m", score: 82, plusMinus: nil), runs: run, statistic: Self.seeds,
                                     values: .normalizedScore, override: nil, physics: "2.3.7", tablePhysics: nil)
        #expect(noStd.outcome == .inconclusive && !noStd.consistent)
    }

    @Test func episodeTablesGetWelchOnTheEpisodesRawReturns() {
        let zoo = TableStatistic(unit: .episodes, n: nil, perRun: .selected, k: nil, dispersion: .std, ddof: 0, description: nil)
        let run = [MeasuredRun(label: "1", rows: [Self.row("Hopper-v3", "tqc", scores: [0, 0, 0, 0], returns: [3750, 3760, 3741, 3755])])]
        let v = Verdict.checking(Claim(task: "Hopper-v3", method: "tqc", score: 3754.199, plusMinus: 8.276, count: 150), runs: run,
                                 statistic: zoo, values: .return, override: nil, physics: "2.1.0", tablePhysics: "2.1.0")
        // SciPy: t = −0.657, p = 0.556 (see welchAndPredictionIntervalMatchSciPy).
        #expect(v.outcome == .consistent && v.unit == "episodes" && v.measuredN == 4 && v.claimedN == 150 && v.measured == 3751.5)
        #expect(v.test.contains("Welch t on episode returns") && v.test.contains("p = 0.556"))
        let off = Verdict.checking(Claim(task: "Hopper-v3", method: "tqc", score: 3254, plusMinus: 8.276, count: 150), runs: run,
                                   statistic: zoo, values: .return, override: nil, physics: "2.3.7", tablePhysics: "2.1.0")
        #expect(off.outcome == .notConsistent)
    }
}
