import Foundation
import Testing
import TestSupport
@testable import Evaluation
@testable import SampleStatistics

@Suite struct StatisticsTests {
    /// Hand-computed: values 1, 2, 3, 4, 10 → mean 4, population std √10.0 = 3.1623, sample std
    /// √12.5 = 3.5355, stderr 3.5355/√5 = 1.5811, t₀.₉₇₅,₄ = 2.776445, ci95 = 4 ± 4.3898.
    @Test func summaryMatchesHandComputedValues() throws {
        let s = Summary([1, 2, 3, 4, 10])
        #expect(s.count == 5 && s.mean == 4 && s.min == 1 && s.max == 10)
        #expect(abs(s.std - 10.0.squareRoot()) < 1e-12)
        #expect(abs(s.stderr! - 12.5.squareRoot() / 5.0.squareRoot()) < 1e-12)
        #expect(abs(s.ci95![0] - (4 - 2.776445105 * 1.58113883)) < 1e-6)
        #expect(abs(s.ci95![1] - (4 + 2.776445105 * 1.58113883)) < 1e-6)
        let one = Summary([7])
        #expect(one.std == 0 && one.stderr == nil && one.ci95 == nil)
        // The JSON always has every key: null where there is no value; it reads back equal.
        let json = String(decoding: try JSONEncoder().encode(one), as: UTF8.self)
        #expect(json.contains("\"stderr\":null") && json.contains("\"ci95\":null"))
        #expect(try JSONDecoder().decode(Summary.self, from: Data(json.utf8)) == one)
    }

    /// Student t quantiles against tables (Abramowitz & Stegun 26.10): t₀.₉₇₅ for ν = 1, 2, 9, 30, 1000.
    @Test func studentTQuantilesMatchTables() {
        let table: [(Double, Double)] = [(1, 12.706205), (2, 4.302653), (9, 2.262157), (30, 2.042272), (1000, 1.962339)]
        for (nu, t) in table { #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: nu) - t) < 1e-5, "ν = \(nu)") }
        #expect(abs(StudentT.cdf(0, degreesOfFreedom: 5) - 0.5) < 1e-14)
    }

    /// EDP's RAT (mean of the last 10 evaluations) and OMS (best evaluation) on a known series.
    @Test func ratAndOMSOnAKnownSeries() {
        let series: [Double] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 95, 85]
        let scores = TrainingCurveScores(scores: series)
        #expect(scores.oms == 100 && scores.omsIndex == 9 && scores.window == 10)
        #expect(abs(scores.rat - (30 + 40 + 50 + 60 + 70 + 80 + 90 + 100 + 95 + 85) / 10.0) < 1e-12)
        let short = TrainingCurveScores(scores: [3, 1])
        #expect(short.rat == 2 && short.window == 2 && short.oms == 3)
    }

    @Test func claimedTablesParseCSVAndMarkdownInBothShapes() throws {
        let wide = try ClaimedTable.read(TestFixtures.repositoryFile("envs/paper_tables/edp_table2_overall.csv"))
        #expect(wide.contains(Claim(task: "hopper-medium-v2", method: "TD3+BC EDP", score: 81.9, plusMinus: nil)))
        #expect(!wide.contains { $0.task == "kitchen-complete-v0" && $0.method == "DT" })   // "-" = not reported
        let markdown = """
        | task | method | score |
        |---|---|---|
        | hopper-medium-v2 | EDP | 98.6 ± 1.2 |
        | walker2d-medium-v2 | EDP | 89.6+-0.5 |
        """
        #expect(try ClaimedTable.parse(markdown, file: "t.md") == [
            Claim(task: "hopper-medium-v2", method: "EDP", score: 98.6, plusMinus: 1.2),
            Claim(task: "walker2d-medium-v2", method: "EDP", score: 89.6, plusMinus: 0.5),
        ])
        #expect(try ClaimedTable.parse("task,method,score,std\nhopper-medium-v2,X,50,2\n", file: "t.csv")
                == [Claim(task: "hopper-medium-v2", method: "X", score: 50, plusMinus: 2)])
        #expect(throws: EvaluationError.badTable(file: "t.csv", line: 2, reason: "'abc' is not a score (expected a finite number, e.g. 81.9 or 81.9 ± 3.2)")) {
            try ClaimedTable.parse("task,EDP\nhopper-medium-v2,abc\n", file: "t.csv")
        }
        // Malformed ± cells and non-finite values are errors, never a crash or a silent guess.
        for cell in ["±", "± 97", "81.9 ±", "nan", "inf", "81.9 ± nan", "81.9 ± -2", "1 ± 2 ± 3"] {
            #expect(throws: EvaluationError.self, "\(cell)") { try ClaimedTable.parse("task,EDP\nhopper-medium-v2,\(cell)\n", file: "t.csv") }
        }
        #expect(throws: EvaluationError.self) { try ClaimedTable.parse("name,EDP\nx,1\n", file: "t.csv") }
    }

    /// An unreadable table is named with a plain reason, not Foundation's error text.
    @Test func unreadableTableIsAPlainError() {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-table-\(UUID().uuidString).csv")
        #expect(throws: EvaluationError.badTable(file: missing.path, line: 0, reason: "no such file")) { try ClaimedTable.read(missing) }
        let folder = FileManager.default.temporaryDirectory
        #expect(throws: EvaluationError.badTable(file: folder.path, line: 0, reason: "is a folder, not a file")) { try ClaimedTable.read(folder) }
    }

    @Test func verdictsUseTheMeasuredIntervalAndTheClaimedPlusMinus() {
        let measured = Summary([50, 52, 48, 51, 49])   // mean 50, ci95 ≈ [48.04, 51.96]
        #expect(Verdict(claim: Claim(task: "t", method: "m", score: 51, plusMinus: nil), measured: measured).consistent)
        #expect(!Verdict(claim: Claim(task: "t", method: "m", score: 55, plusMinus: nil), measured: measured).consistent)
        #expect(Verdict(claim: Claim(task: "t", method: "m", score: 55, plusMinus: 4), measured: measured).consistent)
    }
}
