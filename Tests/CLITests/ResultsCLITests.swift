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
