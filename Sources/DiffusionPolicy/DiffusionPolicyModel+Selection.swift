import Foundation

extension DiffusionPolicyModel {
    /// Scores the B·N candidates with min(Q1, Q2) and returns the chosen candidate per row
    /// (docs/edp-inference.md §4): `.energy` draws from softmax(q) — EDP by Gumbel-max (jax `categorical`:
    /// argmax(q + g), N Gumbel draws per row), Diffusion-QL by inverse CDF of softmax(q − max q)
    /// with one uniform per row (torch `multinomial`); `.argmax` takes the first maximum.
    func selectCandidates<Noise: PolicyNoiseSource>(observations: UnsafePointer<Float>, samples: UnsafePointer<Float>,
                                                   batch: Int, candidates n: Int, noise: inout Noise) -> [Int] {
        let rows = batch * n
        let v1 = q1.reserve(rows), v2 = q2.reserve(rows)
        critic!.evaluate(observations: observations, actions: samples, rows: rows, group: n, workspace: workspace,
                         q1: v1, q2: v2)
        if let trace {
            trace(.scores(q1: Array(UnsafeBufferPointer(start: v1, count: rows)), q2: Array(UnsafeBufferPointer(start: v2, count: rows))))
        }
        let gumbels = selectionNoise.reserve(n)
        var chosen = [Int](repeating: 0, count: batch)
        var logits = [Float](repeating: 0, count: n)
        for b in 0..<batch {
            for j in 0..<n { logits[j] = min(v1[b * n + j], v2[b * n + j]) }
            if let problem = EnergySelection.problem(q1: v1 + b * n, q2: v2 + b * n, count: n) { rowProblems[b] = problem }
            switch configuration.actionSelection {
            case .argmax, .single:
                chosen[b] = EnergySelection.argmax(logits)
            case .energy:
                if configuration.family == .edp {
                    noise.fillGumbels(row: b, into: UnsafeMutableBufferPointer(start: gumbels, count: n))
                    chosen[b] = EnergySelection.gumbelMax(logits: logits, gumbels: UnsafeBufferPointer(start: gumbels, count: n))
                } else {
                    chosen[b] = EnergySelection.inverseCDF(probabilities: EnergySelection.softmax(logits), uniform: noise.uniform(row: b))
                }
            }
        }
        return chosen
    }
}

/// The categorical draws of energy-based action selection (docs/edp-inference.md §4), as plain functions.
public enum EnergySelection {
    /// Largest |Q| taken as a real value estimate. Returns are bounded by r_max / (1 − γ): with
    /// D4RL's largest per-step rewards (~12, a locomotion task) and γ = 0.99 that is ~1.2e3; 1e6 leaves
    /// room for any reward scaling, while values like 3e38 (a corrupted critic) saturate softmax.
    public static let maxPlausibleQ: Float = 1e6

    /// Why a row's candidate Q-values cannot drive a selection (NaN, ±∞, or |Q| > `maxPlausibleQ`), or nil.
    static func problem(q1: UnsafePointer<Float>, q2: UnsafePointer<Float>, count: Int) -> String? {
        for j in 0..<count {
            for (name, value) in [("Q1", q1[j]), ("Q2", q2[j])] where !value.isFinite || abs(value) > maxPlausibleQ {
                return value.isFinite
                    ? "critic \(name) of candidate \(j) is \(value), beyond any plausible return (|Q| > \(maxPlausibleQ))"
                    : "critic \(name) of candidate \(j) is \(value)"
            }
        }
        return nil
    }

    /// softmax(q) with the maximum subtracted first (distribution unchanged), float32.
    public static func softmax(_ logits: [Float]) -> [Float] {
        let top = logits.max() ?? 0
        let weights = logits.map { Float(exp(Double($0 - top))) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// jax `categorical`: argmax(q + g) with g ~ Gumbel(0, 1) (first index on ties).
    public static func gumbelMax(logits: [Float], gumbels: UnsafeBufferPointer<Float>) -> Int {
        var best = 0, bestValue = -Float.infinity
        for j in logits.indices {
            let value = logits[j] + gumbels[j]
            if value > bestValue { bestValue = value; best = j }
        }
        return best
    }

    /// The first index whose cumulative probability exceeds `uniform` (last index if rounding
    /// leaves the total below it).
    public static func inverseCDF(probabilities: [Float], uniform: Double) -> Int {
        var cumulative = 0.0
        for (j, p) in probabilities.enumerated() {
            cumulative += Double(p)
            if uniform < cumulative { return j }
        }
        return probabilities.count - 1
    }

    /// First index of the largest value.
    public static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for j in values.indices where values[j] > values[best] { best = j }
        return best
    }
}
