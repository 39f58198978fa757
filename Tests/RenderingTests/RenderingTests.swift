import Environments
import Evaluation
import Foundation
import MuJoCo
import Rendering
import RolloutVideo
import Testing
import TestSupport

/// Where GL tests can run. MuJoCo loads GL functions once per process, so this test process
/// renders with one backend (EGL when it works, else OSMesa); the OSMesa reference images are
/// checked in a separate process through `edp-eval record --gl osmesa`.
enum GLTestSupport {
    /// The in-process context: nil reason when a context can be made.
    static let inProcess: (backend: GLBackend?, reason: String) = {
        do {
            let context = try GLContext(width: 16, height: 16)
            return (context.backend, "")
        } catch {
            return (nil, "\(error)")
        }
    }()
    static var available: Bool {
        if inProcess.backend == nil { print("RenderingTests: GL tests skipped: \(inProcess.reason)") }
        return inProcess.backend != nil
    }
    static var eglInProcess: Bool {
        let ok = available && inProcess.backend == .egl
        if !ok { print("RenderingTests: EGL reference test skipped: in-process backend is \(inProcess.backend?.rawValue ?? "none")") }
        return ok
    }

    /// The built `edp-eval` next to the test bundle (`swift build --build-tests` builds it).
    static var binary: URL? {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let url = folder.appendingPathComponent("edp-eval")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }
    static var osmesaSubprocess: Bool {
        let library = GLBackend.osmesa.libraryLoads
        if binary == nil { print("RenderingTests: OSMesa test skipped: edp-eval binary not built next to the tests") }
        if !library.ok { print("RenderingTests: OSMesa test skipped: \(library.reason)") }
        return binary != nil && library.ok
    }
    static var ffmpeg: Bool {
        let ok = (try? VideoWriter.ffmpegPath()) != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe")
        if !ok { print("RenderingTests: video test skipped: ffmpeg/ffprobe not installed") }
        return ok
    }

    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        // The reference frames are MuJoCo 2.3.7's unless a test asks for another build.
        let environment = ProcessInfo.processInfo.environment.merging(["EDP_EVAL_MUJOCO": "2.3.7"].merging(extra) { $1 }) { $1 }
        let r = try ChildProcess.run(binary!, arguments, environment: environment, mergingOutput: true)
        return (r.status, r.stdout)
    }

    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edp-render-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The tasks whose first frame is a reference image, one per robot.
let referenceTasks = ["hopper-medium-v2", "walker2d-medium-v2", "halfcheetah-medium-v2", "antmaze-umaze-v0"]
/// Set to 1 to rewrite the reference images (Tests/Fixtures/rendering) from this machine's frames.
let updateReferenceImages = ProcessInfo.processInfo.environment["EDP_UPDATE_RENDER_FIXTURES"] == "1"

/// Per-pixel comparison: mean absolute difference over all channels, and the fraction of pixels
/// whose largest channel difference is within `level`. Frames of different sizes are as far apart
/// as can be (∞, 0).
func compare(_ a: Frame, _ b: Frame, level: Int = 16) -> (meanAbs: Double, withinLevel: Double) {
    guard a.width == b.width && a.height == b.height else { return (.infinity, 0) }
    var total = 0, within = 0
    for p in 0..<(a.width * a.height) {
        var largest = 0
        for c in 0..<3 {
            let d = abs(Int(a.pixels[3 * p + c]) - Int(b.pixels[3 * p + c]))
            total += d
            largest = max(largest, d)
        }
        if largest <= level { within += 1 }
    }
    return (Double(total) / Double(a.pixels.count), Double(within) / Double(a.width * a.height))
}

/// The reference tolerance: mean |diff| ≤ 2 levels and ≥ 99% of pixels within 16 levels. llvmpipe
/// is deterministic for one Mesa version, but other versions (or SIMD widths) may rasterize edge
/// pixels differently; 1% of a 96×96 frame is 92 pixels, about the robot's outline. A shifted camera,
/// a flipped image, a wrong colour or a missing robot moves far more pixels than that.
func matchesReference(_ frame: Frame, task: String, backend: String) throws {
    let relative = "rendering/\(task).png"
    if updateReferenceImages {
        // Update mode compares nothing (the frame would match itself): say so with a recorded
        // issue, so an update run can never be read as a passing check.
        try PNG.write(frame, to: TestFixtures.destination(relative))
        print("RenderingTests: \(task) [\(backend)]: UPDATED Tests/Fixtures/\(relative)")
        Issue.record("updated Tests/Fixtures/\(relative) (EDP_UPDATE_RENDER_FIXTURES=1: not compared; review the image and rerun without it)")
        return
    }
    let reference = try PNG.read(TestFixtures.url(relative))
    let (meanAbs, within) = compare(frame, reference)
    print("RenderingTests: \(task) [\(backend)]: mean |diff| \(String(format: "%.3f", meanAbs)), \(String(format: "%.2f", 100 * within))% of pixels within 16 levels")
    #expect(meanAbs <= 2.0, "\(task) [\(backend)] mean |diff| \(meanAbs)")
    #expect(within >= 0.99, "\(task) [\(backend)] only \(within) of pixels within 16 levels")
}

/// The reference state: the first state of episode 0 of seed 0, as `evaluate`/`record` start it.
func referenceEnvironment(_ taskID: String) throws -> MuJoCoEnvironment {
    let task = try TaskRegistry.standard().task(taskID)
    let environment = try EnvironmentFactory.make(task: task, physics: .v2_3_7)
    try environment.reset(seed: EpisodeID(seed: 0, episode: 0).environmentSeed)
    return environment
}

func markers(for environment: MuJoCoEnvironment) -> [SceneMarker] {
    guard let ant = environment.robot(as: AntMaze.self) else { return [] }
    return SceneMarker.goal(x: ant.goal.x, y: ant.goal.y, radius: AntMaze.goalRadius)
}

/// Pixels that differ from `background` by more than 24 levels in some channel.
func foreground(_ frame: Frame, background: Frame) -> [(x: Int, y: Int)] {
    var points: [(Int, Int)] = []
    for y in 0..<frame.height {
        for x in 0..<frame.width {
            let a = frame[x, y], b = background[x, y]
            let d = max(abs(Int(a.x) - Int(b.x)), abs(Int(a.y) - Int(b.y)), abs(Int(a.z) - Int(b.z)))
            if d > 24 { points.append((x, y)) }
        }
    }
    return points
}

@Suite(.serialized) struct RenderingGLTests {
    @Test(.enabled(if: GLTestSupport.eglInProcess), arguments: referenceTasks)
    func referenceFrameEGL(task: String) throws {
        let environment = try referenceEnvironment(task)
        let renderer = try Renderer(model: environment.model, robot: environment.task.robot,
                                    options: RenderOptions(width: 96, height: 96, backend: .egl))
        let frame = try renderer.render(environment.data, markers: markers(for: environment))
        try matchesReference(frame, task: task, backend: "EGL")
    }

    @Test(.enabled(if: GLTestSupport.osmesaSubprocess), arguments: referenceTasks)
    func referenceFrameOSMesa(task: String) throws {
        let out = GLTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try GLTestSupport.run(["record", "--task", task, "--policy", "random", "--episodes", "1", "--seed", "0",
                                            "--out", out.path, "--width", "96", "--height", "96", "--gl", "osmesa",
                                            "--no-video", "--png-frames", "--max-frames", "1"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("osmesa: OSMesa"), "\(result.output)")
        let frame = try PNG.read(out.appendingPathComponent("\(task)-seed0-ep0/frame-00000.png"))
        try matchesReference(frame, task: task, backend: "OSMesa")
    }

    /// The tracking camera puts the torso at the image centre: the robot's pixels (the frame minus
    /// the same view with the robot moved 50 m away) surround the centre.
    @Test(.enabled(if: GLTestSupport.available), arguments: ["hopper-medium-v2", "walker2d-medium-v2", "halfcheetah-medium-v2"])
    func trackingCameraCentresTheRobot(task: String) throws {
        let environment = try referenceEnvironment(task)
        let renderer = try Renderer(model: environment.model, robot: environment.task.robot, options: RenderOptions(width: 96, height: 96))
        let frame = try renderer.render(environment.data)
        let pose = renderer.cameraPose
        // Same camera, fixed in space; robot moved away along y (out of view) on a copy of the state.
        let data = try MjData(model: environment.model)
        var qpos = environment.data.qpos
        qpos[0] += 50
        data.qpos = qpos
        try data.forward()
        let fixed = try Renderer(model: environment.model, robot: nil, options: RenderOptions(
            width: 96, height: 96, camera: .free(distance: pose.distance, azimuth: pose.azimuth, elevation: pose.elevation, lookat: pose.lookat)))
        let background = try fixed.render(data)
        let robot = foreground(frame, background: background)
        #expect(robot.count > 100, "\(task): only \(robot.count) robot pixels")
        let cx = Double(robot.map(\.x).reduce(0, +)) / Double(robot.count)
        let minY = robot.map(\.y).min()!, maxY = robot.map(\.y).max()!
        print("RenderingTests: \(task): \(robot.count) robot pixels, centroid x \(String(format: "%.1f", cx)), rows \(minY)...\(maxY)")
        #expect(abs(cx - 48) < 10, "\(task): robot centroid x \(cx), expected near 48")
        #expect(minY < 48 && maxY > 48, "\(task): robot rows \(minY)...\(maxY) do not span the centre row")
    }

    /// The AntMaze top-down view: the ant's pixels lie where the torso's (x, y) projects.
    @Test(.enabled(if: GLTestSupport.available))
    func topDownViewPlacesTheAnt() throws {
        let environment = try referenceEnvironment("antmaze-umaze-v0")
        let model = environment.model
        let renderer = try Renderer(model: model, robot: "antmaze", options: RenderOptions(width: 96, height: 96))
        // Move the ant to the middle of cell (3, 1) of U_MAZE (free), so it is away from the start.
        let data = try MjData(model: model)
        var qpos = environment.data.qpos
        qpos[0] = 0; qpos[1] = 8
        data.qpos = qpos
        try data.forward()
        let frame = try renderer.render(data)
        let pose = renderer.cameraPose
        qpos[0] = 500
        data.qpos = qpos
        try data.forward()
        let background = try renderer.render(data)
        let ant = foreground(frame, background: background)
        #expect(ant.count > 10)
        let cx = Double(ant.map(\.x).reduce(0, +)) / Double(ant.count), cy = Double(ant.map(\.y).reduce(0, +)) / Double(ant.count)
        // Pinhole projection: focal length (pixels) = (H/2) / tan(fovy/2); the torso is 0.75 m
        // above the floor, the camera `distance` above the lookat (z = 0); +x right, +y up.
        let f = 48 / tan(45.0 / 2 * .pi / 180)
        let depth = pose.distance - 0.75
        let ex = 48 + (0 - pose.lookat.x) * f / depth, ey = 48 - (8 - pose.lookat.y) * f / depth
        print("RenderingTests: ant centroid (\(String(format: "%.1f", cx)), \(String(format: "%.1f", cy))), projected (\(String(format: "%.1f", ex)), \(String(format: "%.1f", ey)))")
        #expect(abs(cx - ex) < 3 && abs(cy - ey) < 3)
    }

    /// Rows come out top first: a red box high above the floor is in the top half, the floor in
    /// the bottom rows, and a green box at −x on the left (no mirroring either way).
    @Test(.enabled(if: GLTestSupport.available))
    func rowOrderIsTopDown() throws {
        let xml = """
        <mujoco><worldbody><light pos="0 -2 4" dir="0 0.5 -1"/>
          <geom type="plane" size="10 10 0.1" rgba="0.2 0.2 0.9 1"/>
          <geom type="box" pos="0 0 2.2" size="0.3 0.3 0.3" rgba="1 0 0 1"/>
          <geom type="box" pos="-1.0 0 1.0" size="0.2 0.2 0.2" rgba="0 1 0 1"/>
        </worldbody></mujoco>
        """
        let model = try MjModel(xml: xml, physics: .v2_3_7)
        let data = try MjData(model: model)
        try data.forward()
        let renderer = try Renderer(model: model, robot: nil, options: RenderOptions(
            width: 64, height: 64, camera: .free(distance: 5, azimuth: 90, elevation: 0, lookat: SIMD3(0, 0, 1.2))))
        let frame = try renderer.render(data)
        func mean(_ test: (SIMD3<UInt8>) -> Bool) -> (x: Double, y: Double, n: Int) {
            var sx = 0, sy = 0, n = 0
            for y in 0..<64 { for x in 0..<64 where test(frame[x, y]) { sx += x; sy += y; n += 1 } }
            return (Double(sx) / Double(max(n, 1)), Double(sy) / Double(max(n, 1)), n)
        }
        let red = mean { $0.x > 120 && $0.y < 60 && $0.z < 60 }
        let green = mean { $0.y > 120 && $0.x < 60 && $0.z < 60 }
        let floor = mean { $0.z > 2 * Int($0.x) + 10 && $0.z > 40 }
        print("RenderingTests: row order: red box y \(red.y) (n \(red.n)), green box x \(green.x) (n \(green.n)), floor y \(floor.y)")
        #expect(red.n > 20 && red.y < 24)
        #expect(green.n > 10 && green.x < 28)
        #expect(floor.n > 100 && floor.y > 40)
    }

    /// Rendering reads the simulation only: the state, controls, accelerations, time and every
    /// body's position are the same before and after a frame.
    @Test(.enabled(if: GLTestSupport.available))
    func renderingDoesNotWriteTheSimulation() throws {
        for task in referenceTasks {
            let environment = try referenceEnvironment(task)
            let d = environment.data
            func snapshot() -> [Double] {
                d.qpos + d.qvel + d.act + d.ctrl + d.qacc + [d.time]
                    + (0..<d.model.nbody).flatMap { b in let p = d.bodyPosition(b); return [p.x, p.y, p.z] }
            }
            let before = snapshot()
            let renderer = try Renderer(model: environment.model, robot: environment.task.robot, options: RenderOptions(width: 64, height: 64, quality: .quality))
            _ = try renderer.render(environment.data, markers: markers(for: environment))
            #expect(before == snapshot(), "\(task): rendering changed mjData")
        }
    }

    /// Same episode results with and without rendering every step (exact equality).
    @Test(.enabled(if: GLTestSupport.available))
    func sameReturnsWithAndWithoutRendering() throws {
        for taskID in ["hopper-medium-v2", "antmaze-umaze-v0"] {
            let task = try TaskRegistry.standard().task(taskID)
            let probe = try EnvironmentFactory.make(task: task, physics: .v2_3_7)
            let policy = UniformRandomPolicy(observationSize: probe.observationSize, actionSize: probe.actionSize)
            let ids = (0..<3).map { EpisodeID(seed: 7, episode: $0) }
            var plain: [EpisodeResult] = [], rendered: [EpisodeResult] = []
            _ = try RolloutEngine(task: task, physics: .v2_3_7, policy: policy, width: 2, threads: 2).run(episodes: ids, onEpisode: { plain.append($0) })
            let renderer = try Renderer(model: EnvironmentFactory.model(for: task, physics: .v2_3_7), robot: task.robot, options: RenderOptions(width: 32, height: 32))
            var frames = 0
            let maxSteps = taskID.hasPrefix("antmaze") ? 40 : Int.max
            _ = try RolloutEngine(task: task, physics: .v2_3_7, policy: policy, width: 2, threads: 2).run(episodes: ids, onEpisode: { rendered.append($0) },
                observer: { _, step, environment in
                    if step < maxSteps { _ = try renderer.render(environment.data, markers: markers(for: environment)); frames += 1 }
                })
            print("RenderingTests: \(taskID): \(frames) frames rendered; returns \(rendered.map(\.return))")
            #expect(frames > 10)
            #expect(plain == rendered)
        }
    }

    /// A 30-step video checked with ffprobe: H.264, 31 frames (reset + 30 steps), 1/dt fps, size.
    @Test(.enabled(if: GLTestSupport.available && GLTestSupport.ffmpeg))
    func shortVideoHasTheRightStream() throws {
        let environment = try referenceEnvironment("hopper-medium-v2")
        let out = GLTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let options = RecordingOptions(render: RenderOptions(width: 96, height: 64), contactSheet: true)
        let renderer = try Renderer(model: environment.model, robot: "hopper", options: options.render)
        let recording = try EpisodeRecording(directory: out, stem: "clip", options: options, stepSeconds: environment.dt)
        try recording.add(renderer.render(environment.data), step: 0)
        for step in 1...30 {
            _ = try environment.step([Double](repeating: 0, count: environment.actionSize))
            try recording.add(renderer.render(environment.data), step: step)
        }
        let files = try recording.finish(summary: [])
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        probe.arguments = ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                           "stream=codec_name,width,height,r_frame_rate,nb_read_frames,pix_fmt", "-of", "default=nw=1", files.video!.path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        print("RenderingTests: ffprobe: \(text.split(separator: "\n").joined(separator: ", "))")
        #expect(environment.dt == 0.008)
        for line in ["codec_name=h264", "width=96", "height=64", "pix_fmt=yuv420p", "r_frame_rate=125/1", "nb_read_frames=31"] {
            #expect(text.contains(line), "missing \(line) in \(text)")
        }
        let sheet = try PNG.read(files.contactSheet!)
        #expect(sheet.width == 4 * 96 + 5 * 2 && sheet.height == 3 * 64 + 4 * 2)
    }
}

@Suite struct RenderingErrorTests {
    /// A forced backend that cannot work names itself and its Debian package (fresh process, so
    /// the test process's own backend does not interfere).
    @Test(.enabled(if: GLTestSupport.binary != nil && !GLBackend.glfw.libraryLoads.ok))
    func unavailableBackendNamesPackage() throws {
        let result = try GLTestSupport.run(["record", "--task", "hopper-medium-v2", "--policy", "random", "--out",
                                            GLTestSupport.temporaryFolder().path, "--gl", "glfw"])
        print("RenderingTests: forced glfw: \(result.output)")
        #expect(result.status != 0)
        #expect(result.output.contains("tried glfw") && result.output.contains("libglfw3"))
    }

    @Test func messageListsEveryAttempt() {
        let error = RenderingError.noContext(attempts: [.init(backend: .egl, reason: "cannot load libEGL.so.1"),
                                                        .init(backend: .osmesa, reason: "cannot load libOSMesa.so.8")], forced: false)
        let text = error.description
        #expect(text.contains("tried egl, osmesa"))
        #expect(text.contains("libegl1 and libgl1-mesa-dri") && text.contains("libosmesa6"))
        // The library words the remedy without options; edp-eval names --gl (CommandLineWordingTests).
        #expect(text.contains("(egl|osmesa|glfw) with MUJOCO_GL") && !text.contains("--gl"))
    }

    @Test func unknownBackendValue() throws {
        #expect(throws: RenderingError.unknownBackend("vulkan")) { try GLBackend.fromEnvironment(["MUJOCO_GL": "vulkan"]) }
        #expect(try GLBackend.fromEnvironment(["MUJOCO_GL": "EGL"]) == .egl)
        #expect(try GLBackend.fromEnvironment([:]) == nil)
    }

    @Test func unwritableFolderIsAClearError() throws {
        let file = GLTestSupport.temporaryFolder().appendingPathComponent("a-file")
        FileManager.default.createFile(atPath: file.path, contents: Data("x".utf8))
        let target = file.appendingPathComponent("videos")
        do {
            try EpisodeRecording.prepare(directory: target)
            Issue.record("expected an error")
        } catch let error as RenderingError {
            print("RenderingTests: unwritable: \(error)")
            #expect(error.description == "cannot write to \(target.path): \(file.path) is a file, not a folder")
        }
    }

    @Test func oddSizeIsRejectedForVideo() {
        #expect(throws: RenderingError.self) { try RecordingOptions(render: RenderOptions(width: 95, height: 96)).validate() }
    }
}

@Suite struct FrameFileTests {
    /// Our PNG writer's output decodes to the same pixels with ffmpeg (an independent decoder),
    /// and with our reader.
    @Test(.enabled(if: GLTestSupport.ffmpeg))
    func pngRoundTripsThroughFFmpeg() throws {
        var frame = Frame(width: 300, height: 230)  // > 65 535 bytes: several stored blocks
        for y in 0..<frame.height { for x in 0..<frame.width { frame[x, y] = SIMD3(UInt8(x & 255), UInt8(y & 255), UInt8((x * y) & 255)) } }
        let folder = GLTestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("t.png")
        try PNG.write(frame, to: url)
        #expect(try PNG.read(url) == frame)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try VideoWriter.ffmpegPath())
        process.arguments = ["-v", "error", "-i", url.path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let bytes = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(bytes == frame.pixels)
    }

    @Test func overlayTextIsDrawnWithKnownGlyphs() {
        var frame = Frame(width: 120, height: 40)
        frame.draw(text: "1", x: 0, y: 0)
        // "1" row 0 is 00100: only column 2 lit; row 6 is 01110.
        #expect(frame[2, 0] == SIMD3(255, 255, 255) && frame[1, 0] == SIMD3(0, 0, 0))
        #expect(frame[1, 6] == SIMD3(255, 255, 255) && frame[0, 6] == SIMD3(0, 0, 0))
        for character in "hopper-medium-v2 seed 0 ep 1 step 12 t 0.10s return -3.5 score 1.2 (terminated) goal reached" {
            #expect(character == " " || BitmapFont.glyph(character) != BitmapFont.glyph("?") || character == "?", "no glyph for \(character)")
        }
    }

    @Test func frameRateIsOneOverDt() {
        #expect(VideoWriter.frameRate(forStep: 0.008) == (125, 1))
        #expect(VideoWriter.frameRate(forStep: 0.05) == (20, 1))
        #expect(VideoWriter.frameRate(forStep: 0.1) == (10, 1))
        #expect(VideoWriter.frameRate(forStep: 0.03) == (33_333, 1000))
    }
}
