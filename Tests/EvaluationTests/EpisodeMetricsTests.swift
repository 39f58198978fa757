import Foundation
import Testing
@testable import Evaluation

@Suite struct EpisodeMetricsTests {
    private func episode(_ index: Int, metrics: [String: Double]?) -> EpisodeResult {
        EpisodeResult(task: "t-v0", seed: 0, episode: index, return: Double(index), length: 10, normalizedScore: 0,
                      end: .truncated, success: nil, timeToGoal: nil, goal: nil, metrics: metrics, detail: nil)
    }

    /// A task report summarizes each metric over the episodes that carry it (mean exact to 1e-15).
    @Test func reportSummarizesEachMetricOverTheEpisodesThatHaveIt() throws {
        let episodes = [episode(0, metrics: ["tasks_completed": 1, "completion": 0.25]),
                        episode(1, metrics: ["tasks_completed": 3, "completion": 0.75]),
                        episode(2, metrics: nil)]
        let report = TaskReport(task: "t-v0", policy: "random", policySummary: "", episodes: episodes,
                                timing: RolloutTiming(), flopsPerAction: 0)
        let metrics = try #require(report.metrics)
        #expect(Set(metrics.keys) == ["tasks_completed", "completion"])
        #expect(metrics["tasks_completed"]?.count == 2 && metrics["tasks_completed"]?.mean == 2)
        #expect(abs((metrics["completion"]?.mean ?? .nan) - 0.5) < 1e-15)
        let plain = TaskReport(task: "t-v0", policy: "random", policySummary: "", episodes: [episode(0, metrics: nil)],
                               timing: RolloutTiming(), flopsPerAction: 0)
        #expect(plain.metrics == nil)
    }

    /// Episodes without metrics write no `metrics` key (reports of the other robots are unchanged);
    /// with metrics the key round-trips.
    @Test func metricsAreWrittenOnlyWhenPresent() throws {
        let without = try JSONSerialization.jsonObject(with: JSONEncoder().encode(episode(0, metrics: nil))) as? [String: Any]
        #expect(without?["metrics"] == nil && without?["return"] != nil)
        let with = episode(1, metrics: ["tasks_completed": 4])
        #expect(try JSONDecoder().decode(EpisodeResult.self, from: JSONEncoder().encode(with)) == with)
    }
}
