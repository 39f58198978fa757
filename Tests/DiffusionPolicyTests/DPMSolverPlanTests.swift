import Foundation
import Testing
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// The DPM-Solver plan against EDP's own numbers (fixture `dpm.plan`, Tests/Fixtures/reference/dpm_plan_K1000.txt).
struct DPMSolverPlanTests {
    let fixture: GoldenSet

    init() throws { fixture = try Fixtures.edpInit() }

    func schedule() throws -> DiffusionSchedule {
        try #require(try DiffusionSchedule(tensors: fixture.loadedTensors(), prefix: "diffusion/", convention: .edp))
    }

    @Test("clip indices equal EDP's float32 truncation (trap 1)")
    func clipIndices() throws {
        let plan = try DPMSolverPlan(schedule: try schedule(), steps: 15, endTime: 1e-3)
        #expect(plan.clipIndices == [999, 932, 865, 799, 732, 665, 599, 532, 466, 399, 332, 266, 199, 133, 66])
        #expect(plan.clipIndices == fixture.floats("dpm/plan/clip_index").map { Int($0) })
        #expect(plan.outerSteps.map(\.order) == [3, 3, 3, 3, 2, 1])
    }

    @Test("times, t_in, r1, r2 equal the fixture plan (tolerance 1e-6, expected exact)")
    func timesMatch() throws {
        let plan = try DPMSolverPlan(schedule: try schedule(), steps: 15, endTime: 1e-3)
        let calls = plan.outerSteps.flatMap(\.callTimes) + [plan.endTime]
        let tCont = fixture.floats("dpm/plan/t_cont")
        let e1 = maxAbsDifference(calls, tCont)
        let e2 = maxAbsDifference(plan.networkTimes, fixture.floats("dpm/plan/t_in"))
        report("dpm plan t_cont", e1, tolerance: 1e-6)
        report("dpm plan t_in", e2, tolerance: 1e-4)
        #expect(e1 <= 1e-6)
        #expect(e2 <= 1e-4)
        let outer = try #require(fixture.value("dpm/plan/outer") as? [[String: Any]])
        var worst: Float = 0
        for (step, expected) in zip(plan.outerSteps, outer) {
            #expect(step.order == (expected["order"] as? NSNumber)?.intValue)
            worst = max(worst, abs(step.s - ((expected["s"] as? NSNumber)?.floatValue ?? .infinity)))
            worst = max(worst, abs(step.t - ((expected["t"] as? NSNumber)?.floatValue ?? .infinity)))
            if let r1 = expected["r1"] as? NSNumber { worst = max(worst, abs((step.r1 ?? .infinity) - r1.floatValue)) } else { #expect(step.r1 == nil) }
            if let r2 = expected["r2"] as? NSNumber { worst = max(worst, abs((step.r2 ?? .infinity) - r2.floatValue)) } else { #expect(step.r2 == nil) }
        }
        report("dpm plan s/t/r1/r2", worst, tolerance: 1e-6)
        #expect(worst <= 1e-6)
        // log α, σ, λ at the 16 plan times.
        let ns = ContinuousNoiseSchedule(alphasCumprod: try schedule().alphasCumprod)
        let e3 = maxAbsDifference(tCont.map(ns.logMeanCoefficient), fixture.floats("dpm/plan/log_alpha"))
        let e4 = maxAbsDifference(tCont.map(ns.marginalStd), fixture.floats("dpm/plan/sigma"))
        let e5 = maxAbsDifference(tCont.map(ns.marginalLambda), fixture.floats("dpm/plan/lambda"))
        report("dpm plan log_alpha/sigma/lambda", max(e3, e4, e5), tolerance: 1e-5)
        #expect(max(e3, e4, e5) <= 1e-5)
    }

    @Test("r1, r2, h agree with reference/dpm_plan_K1000.txt (float64, printed to 6 digits: tolerance 2e-5)")
    func referenceFile() throws {
        let text = try String(contentsOf: Fixtures.url("reference/dpm_plan_K1000.txt"), encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("step") }
        let plan = try DPMSolverPlan(schedule: try schedule(), steps: 15, endTime: 1e-3)
        #expect(rows.count == plan.outerSteps.count)
        var worst: Float = 0
        for (row, step) in zip(rows, plan.outerSteps) {
            let f = row.split(separator: " ").map { Float(String($0)) ?? .nan }
            guard f.count == 13 else { Issue.record("dpm_plan_K1000.txt: row '\(row)' has \(f.count) columns, expected 13"); continue }
            // step order s t s1 s2 r1 r2 alpha_s sigma_s lambda_s lambda_t h
            #expect(Int(f[1]) == step.order)
            worst = max(worst, abs(f[2] - step.s), abs(f[3] - step.t), abs(f[12] - step.h))
            if step.order >= 2 { worst = max(worst, abs(f[6] - (step.r1 ?? .infinity)), abs(f[4] - step.callTimes[1])) }
            if step.order == 3 { worst = max(worst, abs(f[7] - (step.r2 ?? .infinity)), abs(f[5] - step.callTimes[2])) }
        }
        report("dpm plan vs reference txt", worst, tolerance: 2e-5)
        #expect(worst <= 2e-5)
    }

    @Test("t_end < 1/K is rejected with a clear error, never NaN (docs/edp-inference.md §3.3 Pitfall 1)")
    func rejectsSmallEndTime() throws {
        let k100 = try DiffusionSchedule.edp(.linear, steps: 100)
        #expect(throws: PolicyLoadingError.self) { try DPMSolverPlan(schedule: k100, steps: 15, endTime: 1e-3) }
        do {
            _ = try DPMSolverPlan(schedule: k100, steps: 15, endTime: 1e-3)
        } catch {
            #expect("\(error)".contains("t_end"))
        }
        #expect(throws: PolicyLoadingError.self) { try DPMSolverPlan(schedule: k100, steps: 0, endTime: 0.01) }
        #expect(throws: PolicyLoadingError.self) { try DPMSolverPlan(schedule: k100, steps: 15, endTime: 1.0) }
        #expect(throws: PolicyLoadingError.self) { try DPMSolverPlan(schedule: k100, steps: 15, endTime: .nan) }
        // t_end = 1/K exactly is accepted.
        let plan = try DPMSolverPlan(schedule: k100, steps: 15, endTime: 0.01)
        #expect(plan.clipIndices.allSatisfy { (0..<100).contains($0) })
    }
}
