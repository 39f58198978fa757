import Foundation
import Randomness
import TensorArchives

/// A diffusion policy (EDP or Diffusion-QL) ready to act: noise network, schedule, sampler plan,
/// critics and action selection, with preallocated buffers reused across calls.
///
/// One `act` call for a batch of B observations: repeat each observation N times (N candidates;
/// N = 1 for `.single`), run the sampler on all B·N rows at once (every network layer runs on
/// the module's micro-kernel, rows split across `BLASThreading.threadCount` threads), score candidates with min(Q1, Q2) and pick one per row (docs/edp-inference.md §3, §4).
///
/// Sources of the settings: `configuration` (docs/edp-inference.md §7), optionally overridden at construction
/// (sampler, DPM steps, t_end, selection, N). The schedule comes from the tensors when they carry
/// it (EDP export `diffusion/*`, Diffusion-QL actor buffers; docs/edp-inference.md §8 item 4), else it is
/// recomputed in float32 exactly as the original does.
///
/// Not thread-safe (buffers); `makeCopy()` gives an independent instance sharing the weights.
public final class DiffusionPolicyModel: BatchedPolicy {
    public let configuration: DiffusionConfiguration
    public let network: NoisePredictionNetwork
    /// nil when the selection is `.single` and the tensors have no critics.
    public let critic: TwinCritic?
    public let schedule: DiffusionSchedule
    /// The DPM-Solver plan when the sampler is `.dpm`.
    public let dpmPlan: DPMSolverPlan?

    public var observationSize: Int { configuration.observationSize }
    public var actionSize: Int { configuration.actionSize }
    /// Candidates per observation (1 for `.single`).
    public var candidates: Int { configuration.actionSelection == .single ? 1 : configuration.candidates }

    let workspace = NetworkWorkspace()
    let state = ScratchBuffer(), epsilon = ScratchBuffer()
    let epsilon1 = ScratchBuffer(), epsilon2 = ScratchBuffer(), intermediate = ScratchBuffer()
    let noise = ScratchBuffer()
    let q1 = ScratchBuffer(), q2 = ScratchBuffer(), selectionNoise = ScratchBuffer()
    /// One network workspace per worker for samplers that run all their steps on a worker's rows
    /// in one parallel section (DPM-Solver); grown to `BLASThreading.threadCount`.
    var rowWorkspaces: [NetworkWorkspace] = []
    /// Rows of the latest `act` whose candidates' Q-values were not usable (`EnergySelection.problem`).
    public internal(set) var rowProblems: [Int: String] = [:]
    /// Test hook: sampler intermediates (DDPM x after each index, DPM ε per call and x per outer step).
    var trace: ((SamplerTraceEvent) -> Void)?

    /// Builds the policy. Overrides replace the configuration's sampler, DPM steps, DPM t_end,
    /// action selection and candidate count N. Throws `PolicyLoadingError` for missing or
    /// mis-shaped tensors, NaN weights, invalid sampler settings (e.g. t_end < 1/K), or sizes outside
    /// `PolicyConfiguration.Limits` (e.g. 10^12 candidates or 2^62 DPM steps).
    public init(tensors: TensorDictionary, configuration: DiffusionConfiguration,
                sampler: PolicyConfiguration.Sampler? = nil, dpmSteps: Int? = nil, dpmEndTime: Double? = nil,
                selection: PolicyConfiguration.ActionSelection? = nil, candidates: Int? = nil) throws {
        let config = configuration.overriding(sampler: sampler, dpmSteps: dpmSteps, dpmEndTime: dpmEndTime,
                                              selection: selection, candidates: candidates)
        guard config.candidates >= 1 else {
            throw PolicyLoadingError.invalidConfiguration("candidates N = \(config.candidates); need ≥ 1")
        }
        guard config.maxAction > 0, config.maxAction.isFinite else {
            throw PolicyLoadingError.invalidConfiguration("maxAction = \(config.maxAction); need a positive finite bound")
        }
        // Overrides and configurations from files: bound every size before anything is allocated.
        if let violation = config.limitViolation { throw PolicyLoadingError.invalidConfiguration(violation) }
        network = try NoisePredictionNetwork(tensors: tensors, configuration: config)
        let convention: DiffusionSchedule.Convention = config.family == .edp ? .edp : .diffusionQL
        if let stored = try DiffusionSchedule(tensors: tensors, prefix: config.family == .edp ? "diffusion/" : "",
                                              convention: convention, expectedSteps: config.diffusionSteps) {
            schedule = stored
        } else if config.family == .edp {
            schedule = try DiffusionSchedule.edp(config.schedule, steps: config.diffusionSteps)
        } else {
            schedule = try DiffusionSchedule.diffusionQL(config.schedule, steps: config.diffusionSteps)
        }
        switch config.sampler {
        case .dpm:
            guard config.family == .edp else {
                throw PolicyLoadingError.unsupported("DPM-Solver for Diffusion-QL (its code only samples with DDPM)")
            }
            dpmPlan = try DPMSolverPlan(schedule: schedule, steps: config.dpmSteps, endTime: config.dpmEndTime)
        case .ddim:
            guard config.family == .edp else { throw PolicyLoadingError.unsupported("DDIM for Diffusion-QL") }
            dpmPlan = nil
        case .ddpm:
            dpmPlan = nil
        }
        if config.actionSelection == .single {
            critic = try? TwinCritic(tensors: tensors, configuration: config)
        } else {
            critic = try TwinCritic(tensors: tensors, configuration: config)
        }
        self.configuration = config
    }

    private init(copying other: DiffusionPolicyModel) {
        configuration = other.configuration
        network = other.network
        critic = other.critic
        schedule = other.schedule
        dpmPlan = other.dpmPlan
    }

    public func makeCopy() -> BatchedPolicy { DiffusionPolicyModel(copying: self) }

    /// Network evaluations per sample (NFE): K for DDPM and DDIM, the plan's steps for DPM-Solver.
    public var functionEvaluations: Int {
        configuration.sampler == .dpm ? dpmPlan!.steps : schedule.count
    }

    public func usefulFlops(batch: Int) -> Double {
        let rows = Double(batch * candidates)
        var multiplyAdds = rows * Double(functionEvaluations) * Double(network.multiplyAddsPerRow)
        if configuration.actionSelection != .single, let critic { multiplyAdds += rows * Double(critic.multiplyAddsPerRow) }
        return 2 * multiplyAdds
    }

    public func act(observations: UnsafeBufferPointer<Float>, batch: Int, generators: UnsafeMutableBufferPointer<PolicyRandom>,
                    rows: [Int], into actions: UnsafeMutableBufferPointer<Float>) {
        precondition(rows.count >= batch && rows.prefix(batch).allSatisfy(generators.indices.contains),
                     "need one generator per batch row (\(batch)), got rows \(rows.prefix(batch)) of \(generators.count)")
        var source = GeneratorNoise(generators: generators, rows: rows)
        act(observations: observations, batch: batch, noise: &source, into: actions)
    }

    /// `act` with an explicit noise source (e.g. `RecordedNoise` to replay a fixture).
    public func act<Noise: PolicyNoiseSource>(observations: UnsafeBufferPointer<Float>, batch: Int, noise: inout Noise,
                                              into actions: UnsafeMutableBufferPointer<Float>) {
        precondition(observations.count >= batch * observationSize, "observations must hold batch × \(observationSize) floats")
        precondition(actions.count >= batch * actionSize, "actions must hold batch × \(actionSize) floats")
        rowProblems.removeAll(keepingCapacity: true)
        guard batch > 0 else { return }
        let n = candidates, a = actionSize
        let samples = sampleCandidates(observations: observations.baseAddress!, batch: batch, candidates: n, noise: &noise)
        if configuration.actionSelection == .single {
            actions.baseAddress!.update(from: samples, count: batch * a)
            return
        }
        let chosen = selectCandidates(observations: observations.baseAddress!, samples: samples, batch: batch, candidates: n, noise: &noise)
        for b in 0..<batch {
            (actions.baseAddress! + b * a).update(from: samples + (b * n + chosen[b]) * a, count: a)
        }
    }
}

/// Intermediate values reported by the samplers to `DiffusionPolicyModel.trace` (tests).
enum SamplerTraceEvent {
    case ddpmStep(index: Int, state: [Float])
    case dpmCall(call: Int, raw: [Float], clipped: [Float])
    case dpmOuterStep(step: Int, state: [Float])
    case scores(q1: [Float], q2: [Float])
}
