import ArgumentParser
import Dispatch
import Environments
import Foundation
import MuJoCo
import Randomness
import Rendering
import RolloutVideo

/// Offscreen rendering speed on the CPU: frames per second in fast and quality mode, and the
/// slowdown of a rollout that records an MP4 (render + ffmpeg encode) against the same rollout
/// without. One GL backend per process (MuJoCo loads GL once): run again with `--gl osmesa`.
struct RenderingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rendering",
        abstract: "Frames/s at 480×480 (fast, quality) and the cost of recording video during a rollout."
    )

    @Option(help: "Frame size (square), pixels.")
    var size = 480
    @Option(help: "Frames per FPS measurement.")
    var frames = 200
    @Option(help: "Environment steps of the with/without-video rollout (hopper, random actions).")
    var steps = 1000
    @Option(help: "OpenGL backend: egl, osmesa (default: MUJOCO_GL, else EGL then OSMesa).")
    var gl: String?
    @Option(help: "MuJoCo build: 2.1.0 or 2.3.7.")
    var mujoco = "2.1.0"

    func run() throws {
        let backend = try gl.map { try GLBackend(userValue: $0) }
        let task = try TaskRegistry.standard().task("hopper-medium-v2")
        let environment = try EnvironmentFactory.make(task: task, physics: try MuJoCoPhysics(userValue: mujoco))
        try environment.reset(seed: 1)
        var random = NumPyRandom(seed: 5)
        let actions = (0..<steps).map { _ in (0..<environment.actionSize).map { _ in random.uniform(-1, 1) } }

        for quality in RenderQuality.allCases {
            let renderer = try Renderer(model: environment.model, robot: task.robot,
                                        options: RenderOptions(width: size, height: size, quality: quality, backend: backend))
            if quality == .fast { print("backend \(renderer.context.backend): \(renderer.context.description)") }
            _ = try renderer.render(environment.data)  // warm-up: shader compilation, texture upload
            let seconds = try measure { for _ in 0..<frames { _ = try renderer.render(environment.data) } }
            print("\(size)×\(size) \(quality.rawValue): \(String(format: "%.1f", Double(frames) / seconds)) frames/s (\(String(format: "%.2f", 1000 * seconds / Double(frames))) ms/frame)")
        }

        // A rollout without and with video (fast mode, every step rendered and encoded).
        func rollout(record: EpisodeRecording?, renderer: Renderer?) throws {
            try environment.reset(seed: 1)
            if let record, let renderer { try record.add(renderer.render(environment.data), step: 0) }
            for (k, action) in actions.enumerated() {
                _ = try environment.step(action)  // hopper keeps stepping after it falls: a fixed workload
                if let record, let renderer { try record.add(renderer.render(environment.data), step: k + 1) }
            }
        }
        let plain = try measure { try rollout(record: nil, renderer: nil) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edp-bench-video-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = RecordingOptions(render: RenderOptions(width: size, height: size, backend: backend))
        let renderer = try Renderer(model: environment.model, robot: task.robot, options: options.render)
        let video = try measure {
            let record = try EpisodeRecording(directory: folder, stem: "bench", options: options, stepSeconds: environment.dt)
            try rollout(record: record, renderer: renderer)
            _ = try record.finish(summary: [])
        }
        print("\(steps) hopper steps: \(String(format: "%.3f", plain)) s without video, \(String(format: "%.2f", video)) s with \(size)×\(size) MP4 "
              + "(×\(String(format: "%.0f", video / plain)); \(String(format: "%.1f", Double(steps + 1) / video)) recorded steps/s)")
    }

    private func measure(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
