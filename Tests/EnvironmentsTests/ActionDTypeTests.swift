import Foundation
import Testing
@testable import Environments

/// The action's dtype in a step (docs/environments.md §1.3). Expected values were printed by
/// NumPy 1.26.4 (the numpy of D4RL's stack) for the expressions in each comment; the tolerance is
/// zero everywhere: these are bit patterns, not approximations.
@Suite struct ActionDTypeTests {
    private func hopper(_ id: String = "hopper-medium-v2") throws -> MuJoCoEnvironment {
        let env = try EnvironmentFactory.make(task: TaskRegistry.standard().task(id), seed: 0, physics: .v2_3_7)
        try env.reset(seed: 3)
        return env
    }

    /// `lb + (a + 1.) * 0.5 * (ub - lb)` then `np.clip(·, lb, ub)` with lb = −1, ub = 1 (float32),
    /// for `np.array(a, dtype)`: float32 rounds `a + 1` to float32, float64 to double.
    @Test func locomotionMappingFollowsNumPyInEachDType() throws {
        let env = try hopper()
        let actions = [0.1, -0.3, 1e-8, 0.7, -1.5]
        func mapped(_ dtype: ActionDType) -> [Double] {
            actions.map { env.normalizedBoxAction(dtype.represent($0), actuator: 0, dtype: dtype) }
        }
        #expect(mapped(.float32) == [0.10000002384185791, -0.30000001192092896, 0.0, 0.7000000476837158, -1.0])
        #expect(mapped(.float64) == [0.10000000000000009, -0.30000000000000004, 9.99999993922529e-09, 0.7, -1.0])
    }

    /// The ant's ±30 range: lb = −30, ub = 30, so `ub − lb` = 60 and the product rounds.
    @Test func antMazeMappingFollowsNumPyInEachDType() throws {
        let env = try EnvironmentFactory.make(task: TaskRegistry.standard().task("antmaze-umaze-v2"), seed: 0, physics: .v2_3_7)
        try env.reset(seed: 1)
        let actions = [0.1, -0.3, 0.123456789, 0.999, -0.77]
        func mapped(_ dtype: ActionDType) -> [Double] {
            actions.map { env.normalizedBoxAction(dtype.represent($0), actuator: 3, dtype: dtype) }
        }
        #expect(mapped(.float32) == [3.0, -9.0, 3.703704833984375, 29.970001220703125, -23.099998474121094])
        #expect(mapped(.float64) == [3.0, -9.0, 3.703703670000003, 29.970000000000006, -23.1])
    }

    /// `np.square(v).sum()` in float32 and float64, where v_i = ((i·c) mod 101 − 50)/51: below 8
    /// values one after the other, from 8 on NumPy's pairwise order (8 running sums, the tree, the
    /// rest; split above 128), which differs from a sequential float32 sum at every n ≥ 8 here.
    @Test(arguments: [(3, 37, 1.247597098350525, 1.247597078046905), (6, 37, 2.310649871826172, 2.310649750096117),
                      (8, 38, 2.684736728668213, 2.6847366397539405), (9, 38, 3.6078431606292725, 3.6078431372549016),
                      (24, 37, 8.101499557495117, 8.10149942329873), (30, 37, 9.797000885009766, 9.797001153402539),
                      (200, 37, 65.73433685302734, 65.73433294886583), (300, 38, 98.1591796875, 98.159169550173)])
    func sumOfSquaresFollowsNumPysOrder(n: Int, c: Int, float32Sum: Double, float64Sum: Double) {
        let values = (0..<n).map { Double((($0 * c) % 101) - 50) / 51 }
        #expect(Double(NumPyArithmetic.sumOfSquares(values.map { Float($0) })) == float32Sum)
        #expect(NumPyArithmetic.sumOfSquares(values) == float64Sum)
        if n >= 8 {
            var sequential: Float = 0
            for v in values.map({ Float($0) }) { sequential += v * v }
            #expect(Double(sequential) != float32Sum, "the case must tell pairwise from sequential")
        }
    }

    /// hopper: reward = Δx/dt + 1 − 1e-3·`np.square(a).sum()` of the mapped action, the sum in the
    /// action's dtype and `1e-3 * np.float32` promoted to float64 (NumPy 1.x). For a = (0.1, −0.3,
    /// 0.7): float32 maps to (0.10000002384185791, −0.30000001192092896, 0.7000000476837158) and
    /// costs 0.0005900000929832459; float64 maps to (0.10000000000000009, −0.30000000000000004,
    /// 0.7) and costs 0.00059; the float32 values stepped as float64 cost 0.0005899999907612803.
    @Test func controlCostIsChargedInTheActionsDType() throws {
        let a = [0.1, -0.3, 0.7]
        let env32 = try hopper(), env64 = try hopper()
        let single = try env32.step(a, dtype: .float32), double = try env64.step(a, dtype: .float64)
        #expect(env32.data.ctrl == [0.10000002384185791, -0.30000001192092896, 0.7000000476837158])
        #expect(env64.data.ctrl == [0.10000000000000009, -0.30000000000000004, 0.7])
        #expect(single.info.controlCost == 0.0005900000929832459)
        #expect(double.info.controlCost == 0.00059)
        #expect(single.reward == (single.info.forwardReward + 1) - 0.0005900000929832459)
        #expect(single.observation != double.observation, "the controls differ in the last bits, so does the state")
        let widened = try hopper().step(a.map { Double(Float($0)) }, dtype: .float64)
        #expect(widened.info.controlCost == 0.0005899999907612803)
    }

    /// gym's v3 ids write the raw action to ctrl (MuJoCo clamps it to the ctrlrange) and charge the
    /// cost on the raw action; the D4RL id clips first.
    @Test func gymV3IdsTakeTheRawAction() throws {
        let raw = try hopper("Hopper-v3"), wrapped = try hopper()
        let a = [1.5, -0.25, 0.5]
        let r = try raw.step(a, dtype: .float64), w = try wrapped.step(a, dtype: .float64)
        #expect(raw.data.ctrl == a && wrapped.data.ctrl == [1, -0.25, 0.5])
        #expect(r.info.controlCost == 1e-3 * (1.5 * 1.5 + 0.25 * 0.25 + 0.5 * 0.5))
        #expect(w.info.controlCost == 1e-3 * (1 + 0.25 * 0.25 + 0.5 * 0.5))
        #expect(r.observation == w.observation, "MuJoCo clamps the raw 1.5 to the same control")
        _ = try raw.step([0.1, 0.2, 0.3], dtype: .float32)
        #expect(raw.data.ctrl == [0.1, 0.2, 0.3].map { Double(Float($0)) })
    }

    /// A float32 step rounds each value to the nearest float32 first (what `astype(np.float32)`
    /// does to a float64 list); NaN still ends the step as unstable.
    @Test func float32StepsRoundTheirInput() throws {
        let x = 0.1 + 1e-12   // not a float32
        let a = try hopper().step([x, x, x], dtype: .float32), b = try hopper().step([0.1, 0.1, 0.1], dtype: .float32)
        #expect(a.observation == b.observation && a.reward == b.reward)
        #expect(try hopper().step([.nan, 0, 0], dtype: .float32).instability != nil)
    }

    /// `"action_dtype"` in a replay input: float32/float64, default float64.
    @Test func replayInputReadsTheActionDType() throws {
        func decode(_ json: String) throws -> ReplayInput { try JSONDecoder().decode(ReplayInput.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"seed": 1, "actions": []}"#).actionDType == .float64)
        #expect(try decode(#"{"seed": 1, "actions": [], "action_dtype": "float32"}"#).actionDType == .float32)
        #expect(try decode(#"{"seed": 1, "actions": [], "action_dtype": "float64"}"#).actionDType == .float64)
        #expect(throws: DecodingError.self) { try decode(#"{"seed": 1, "actions": [], "action_dtype": "float16"}"#) }
    }
}
