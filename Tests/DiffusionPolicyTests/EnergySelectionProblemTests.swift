import Foundation
import Testing
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// Q-values that cannot drive energy-based selection (docs/evaluate.md "evaluate": such an episode ends `unstable`). The CLI test uses a
/// ±3e38 kernel, which overflows to ±∞; this checks the finite but absurd case on its own.
@Suite struct EnergySelectionProblemTests {
    static func problem(_ q1: [Float], _ q2: [Float]) -> String? {
        q1.withUnsafeBufferPointer { a in q2.withUnsafeBufferPointer { b in
            EnergySelection.problem(q1: a.baseAddress!, q2: b.baseAddress!, count: q1.count)
        } }
    }

    @Test func finiteButAbsurdQIsAProblem() {
        // Finite (so not caught as NaN/∞) but |Q| = 1e7 > 1e6: beyond any D4RL return.
        let absurd = Self.problem([1, 2, 1e7], [1, 2, 3])
        #expect(absurd?.contains("critic Q1 of candidate 2") == true && absurd?.contains("beyond any plausible return") == true, "\(absurd ?? "nil")")
        let negative = Self.problem([1, 2, 3], [1, -1e7, 3])
        #expect(negative?.contains("critic Q2 of candidate 1") == true && negative?.contains("beyond any plausible return") == true)
        #expect(Self.problem([.infinity], [0])?.contains("is inf") == true)
    }

    @Test func plausibleQIsNotAProblem() {
        #expect(Self.problem([1e6, -1e6, 0, 1234.5], [3, 2, 1, -5]) == nil)
    }
}
