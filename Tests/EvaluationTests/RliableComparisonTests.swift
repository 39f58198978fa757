import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// `AggregateMetrics` against `rliable` 1.2.0 itself on the same score matrices
/// (`Tests/Fixtures/rliable/`, made by `Tools/fixtures/make_rliable_fixture.py`).
///
/// Point estimates are deterministic: equal within 1e-12 (P(X > Y): 1e-12 too).
/// Interval endpoints are Monte Carlo estimates (50,000 replications each side, different random
/// streams), so they can only agree up to the bootstrap's own noise. The fixture measures that
/// noise for rliable itself: the largest spread of each endpoint over 5 bootstrap seeds
/// (`seed_spread`). Our endpoints must lie within 3 × that spread (+1e-9) of rliable's: a real
/// difference in the method (e.g. resampling all runs instead of within tasks, or another
/// percentile rule) moves them by more. Profile bands are multiples of 1/N (N scores), where
/// rliable's endpoints did not move at all; there one step 1/N is allowed.
@Suite struct RliableComparisonTests {
    struct Fixture: Decodable {
        struct Estimates: Decodable { var point: [Double]; var ci: [[Double]] }
        struct Improvement: Decodable { var point: Double; var ci: [Double] }
        struct Spread: Decodable { var aggregates: Double; var probability_of_improvement: Double; var profiles: Double }
        var replications: Int
        var taus: [Double]
        var scores: [String: [[Double]]]
        var aggregates: [String: Estimates]
        var probability_of_improvement: Improvement
        var profiles: [String: Estimates]
        var seed_spread: Spread
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: TestFixtures.data("rliable/rliable_fixture.json"))
    }

    static func table(_ f: Fixture, _ method: String) -> ScoreTable {
        let runs = f.scores[method]!
        return ScoreTable(method: method, tasks: runs.indices.map { "task\($0)" }, runs: runs)
    }

    @Test func pointEstimatesEqualRliable() throws {
        let f = try Self.fixture()
        for method in ["A", "B"] {
            let ours = AggregateMetrics.point(Self.table(f, method))
            for (k, theirs) in f.aggregates[method]!.point.enumerated() {
                #expect(abs(ours[k] - theirs) < 1e-12, "\(method) \(AggregateMetrics.names[k]): \(ours[k]) vs rliable \(theirs)")
            }
            let profile = AggregateMetrics.profile(Self.table(f, method), taus: f.taus)
            for (k, theirs) in f.profiles[method]!.point.enumerated() { #expect(abs(profile[k] - theirs) < 1e-12, "\(method) τ=\(f.taus[k])") }
        }
        let poi = AggregateMetrics.probabilityOfImprovement(Self.table(f, "A"), Self.table(f, "B"))
        #expect(abs(poi - f.probability_of_improvement.point) < 1e-12, "P(A > B) \(poi) vs \(f.probability_of_improvement.point)")
    }

    @Test func intervalsAgreeWithinTheBootstrapsOwnNoise() throws {
        let f = try Self.fixture()
        let reps = f.replications
        var worst: [String: Double] = [:]
        for method in ["A", "B"] {
            let t = Self.table(f, method)
            let ours = AggregateMetrics.interval(replications: reps, seed: 7) { rng in AggregateMetrics.point(AggregateMetrics.resample(t, &rng)) }
            let tolerance = 3 * f.seed_spread.aggregates + 1e-9
            for k in ours.indices {
                for side in 0..<2 {
                    let d = abs(ours[k][side] - f.aggregates[method]!.ci[k][side])
                    worst["aggregates", default: 0] = max(worst["aggregates", default: 0], d)
                    #expect(d <= tolerance, "\(method) \(AggregateMetrics.names[k]) side \(side): \(ours[k][side]) vs rliable \(f.aggregates[method]!.ci[k][side]) (tolerance \(tolerance))")
                }
            }
            let band = AggregateMetrics.interval(replications: reps, seed: 8) { rng in AggregateMetrics.profile(AggregateMetrics.resample(t, &rng), taus: f.taus) }
            for k in band.indices {
                for side in 0..<2 {
                    let d = abs(band[k][side] - f.profiles[method]!.ci[k][side])
                    worst["profiles", default: 0] = max(worst["profiles", default: 0], d)
                    // A profile value is a multiple of 1/N (N scores); rliable's endpoints did not move over
                    // 5 seeds, so one step of 1/N is the resolution allowed.
                    let step = 1 / Double(t.runs.flatMap { $0 }.count)
                    #expect(d <= max(3 * f.seed_spread.profiles, step) + 1e-9, "\(method) profile τ=\(f.taus[k]) side \(side): \(band[k][side]) vs \(f.profiles[method]!.ci[k][side])")
                }
            }
        }
        let a = Self.table(f, "A"), b = Self.table(f, "B")
        let poi = AggregateMetrics.interval(replications: reps, seed: 9) { rng in
            [AggregateMetrics.probabilityOfImprovement(AggregateMetrics.resample(a, &rng), AggregateMetrics.resample(b, &rng))]
        }
        for side in 0..<2 {
            let d = abs(poi[0][side] - f.probability_of_improvement.ci[side])
            worst["poi"] = max(worst["poi", default: 0], d)
            #expect(d <= 3 * f.seed_spread.probability_of_improvement + 1e-9, "P(A > B) side \(side): \(poi[0][side]) vs \(f.probability_of_improvement.ci[side])")
        }
        print("largest |ours − rliable| per group: \(worst); rliable's own seed spread: \(f.seed_spread)")
    }
}
