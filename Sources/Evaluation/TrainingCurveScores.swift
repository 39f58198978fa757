/// EDP's two protocols over a series of evaluations of one training run (docs/edp-inference.md §6.1):
/// RAT, the running average of the last 10 evaluations (`average_10_normalized_return`), and
/// OMS, the best evaluation (`best_normalized_return`).
public struct TrainingCurveScores: Codable, Equatable, Sendable {
    /// Mean normalized score of the last `window` evaluations (all of them if fewer).
    public var rat: Double
    /// Highest normalized score among the evaluations.
    public var oms: Double
    /// Index (in series order) of the OMS evaluation.
    public var omsIndex: Int
    /// Evaluations averaged for RAT.
    public var window: Int

    enum CodingKeys: String, CodingKey { case rat, oms, window; case omsIndex = "oms_index" }

    /// - Parameter scores: mean normalized score of each evaluation, in training order.
    public init(scores: [Double], window: Int = 10) {
        precondition(!scores.isEmpty && window >= 1)
        let tail = scores.suffix(window)
        rat = tail.reduce(0, +) / Double(tail.count)
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        oms = scores[best]
        omsIndex = best
        self.window = tail.count
    }
}
