import ArgumentParser
import Environments
import Evaluation
import Foundation
import MuJoCo

extension EvaluateCommand {
    /// `evaluate --mujoco A --mujoco B`: the same plan (same seeds, same episodes) run on each build
    /// in turn; one table per build, then the comparison. With `--output X.json`, each build's report
    /// is written as soon as it is complete (`X-mujoco<version>.json`), then the comparison to X.json.
    func compare(_ plan: EvaluationPlan, on builds: [MuJoCoPhysics], registry: TaskRegistry) throws {
        guard !resume, shard == nil, video == nil else {
            throw ValidationError("--resume, --shard and --video run on one MuJoCo build; give --mujoco once")
        }
        guard builds.count == 2 else { throw ValidationError("--mujoco compares two builds, got \(builds.count)") }
        let outputURL = output.map { URL(fileURLWithPath: $0) }
        let lock = try output.map { try OutputPath.lock($0, overwrite: overwrite) }
        defer { lock?.release() }
        var reports: [EvaluationReport] = []
        for physics in builds {
            var run = plan
            run.physics = physics
            let progress = ProgressLine()
            let report = try EvaluationRunner(plan: run, registry: registry).run(logURL: nil, resume: false, progress: progress.update)
            progress.finish()
            print(ReportText.render(report))
            if let outputURL { try OutputPath.write(report, to: Self.buildReportURL(outputURL, physics)) }
            reports.append(report)
        }
        let comparison = PhysicsComparison(reports[0], reports[1])
        print(comparison.text)
        if let outputURL {
            try OutputPath.write(try JSONText.encode(comparison, pretty: true) + "\n", to: outputURL)
        }
    }

    /// `X.json` → `X-mujoco2.1.0.json`.
    static func buildReportURL(_ output: URL, _ physics: MuJoCoPhysics) -> URL {
        let stem = output.deletingPathExtension().lastPathComponent
        return output.deletingLastPathComponent().appendingPathComponent("\(stem)-mujoco\(physics.rawValue).json")
    }
}
