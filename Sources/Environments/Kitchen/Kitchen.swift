import Foundation
import MuJoCo

/// D4RL's Franka kitchen (`kitchen-{complete,partial,mixed}-v0`): `adept_envs` `KitchenV0` with
/// `kitchen_envs.py`'s `KitchenBase` on top, stepped through dm_control 1.0.14 as D4RL does, with
/// D4RL's semantics bit for bit on MuJoCo 2.3.7 (docs/environments.md §12).
///
/// - Model: D4RL 1.1's `franka_kitchen_jntpos_act_ab.xml` (installed by `Scripts/bootstrap`), nq 30,
///   nv 29, 9 position actuators; timestep 0.002 s, 40 substeps per step → 0.08 s.
/// - Action (9, nominally [−1, 1]): clipped to [−1, 1], read as a joint velocity 2·a (rad/s; m/s for
///   the fingers), clipped to ±10, and turned into a position target from the robot positions of the
///   LAST NOISY OBSERVATION: `target = observed + velocity · 0.08 s`, clipped to the calibration's
///   joint bounds; the targets are the actuators' controls (§12.4).
/// - Substep: dm_control's legacy step, `mj_step2` then `mj_step1` (§12.5).
/// - Observation (60): 9 robot joint positions + 21 object joint positions, each with uniform noise,
///   then the 30-value goal. Every observation draws 60 uniform numbers from `random` in D4RL's order
///   (robot positions, robot velocities, object positions, object velocities) even though the
///   velocities are not returned, and becomes the "last noisy observation" (§12.3).
/// - Reward: the number of task elements still to do whose noisy observed values are now within 0.3
///   (Euclidean) of their goal; those elements are removed. Terminated when none remain; the
///   registry's time limit (280) truncates (§12.6).
/// - Reset: dm_control's sequence (reset, forward without actuation, forward), then D4RL's robot
///   reset (the same reset, the start state written, forward), five observations into the robot's
///   cache, a forward, and the first observation: 6 × 60 draws (§12.7).
public final class Kitchen: RobotDescriptor {
    public static let robot = "kitchen"
    /// The task's elements in D4RL's order (`TASK_ELEMENTS`, from the registry's `task_elements`).
    public let elements: [KitchenTaskElement]
    /// Elements not yet completed in this episode, in D4RL's order.
    public private(set) var remainingElements: [KitchenTaskElement]
    /// The robot positions of the last observation, noise included (the robot's observation cache).
    public private(set) var lastObservedRobotPositions: [Double]
    /// The goal part of the observation (30 values: the elements' goals at their indices, else 0).
    public let goal: [Double]
    /// 40 dm_control legacy substeps (`mj_step2`, `mj_step1`).
    public let substeps = Substeps(FrankaKitchenRobot.frameSkip, .dmControlLegacy)
    /// D4RL's order: the observation first, then the reward read from it (`KitchenBase`).
    public let stepOrder = StepOrder.observationFirst
    /// 9 noisy robot positions + 21 noisy object positions + the 30-value goal.
    public let observationSize: Int

    private var targets: [Double]

    /// - Parameters:
    ///   - model: D4RL's kitchen model (`Kitchen.model(for:)`).
    /// - Throws: `KitchenError` when the model is not D4RL's kitchen or the task's elements are not
    ///   D4RL's element names.
    public init(task: TaskSpec, model: MjModel) throws {
        let robot = FrankaKitchenRobot.robotJoints
        guard model.nq == robot + FrankaKitchenRobot.objectJoints, model.nv == 29, model.nu == robot else {
            throw KitchenError.unexpectedModel(source: model.source, nq: model.nq, nv: model.nv, nu: model.nu)
        }
        elements = try Self.elements(of: task)
        remainingElements = elements
        lastObservedRobotPositions = [Double](repeating: 0, count: robot)
        targets = [Double](repeating: 0, count: robot)
        var goal = [Double](repeating: 0, count: model.nq)
        for element in elements {
            for (index, value) in zip(element.stateIndices, element.goal) { goal[index] = value }
        }
        self.goal = goal
        observationSize = model.nq + goal.count
    }

    /// The robot fields of a kitchen task entry.
    struct TaskData: Decodable {
        /// The task's elements in D4RL's order (`TASK_ELEMENTS`, e.g. "microwave", "kettle").
        let taskElements: [String]?
        enum CodingKeys: String, CodingKey { case taskElements = "task_elements" }
    }

    /// The task's `task_elements` as `KitchenTaskElement`s.
    static func elements(of task: TaskSpec) throws -> [KitchenTaskElement] {
        guard let names = try task.robotData.decode(TaskData.self, task: task.id).taskElements, !names.isEmpty else {
            throw KitchenError.noTaskElements(task: task.id)
        }
        return try names.map { name in
            guard let element = KitchenTaskElement(d4rlName: name) else {
                throw KitchenError.unknownTaskElement(task: task.id, name: name)
            }
            return element
        }
    }

    /// Number of task elements completed in this episode.
    public var completedCount: Int { elements.count - remainingElements.count }

    // MARK: Observation

    /// One noisy observation (`Robot.get_obs` with `robot_noise_ratio` 0.1, then `KitchenV0._get_obs`):
    /// draws 9 + 9 + 21 + 21 uniform numbers and updates `lastObservedRobotPositions`.
    public func observe(_ env: MuJoCoEnvironment, into observation: UnsafeMutableBufferPointer<Double>) {
        let robot = FrankaKitchenRobot.robotJoints, objects = FrankaKitchenRobot.objectJoints
        let data = env.data
        let firstObjectQpos = env.model.nq - objects
        let ratio = FrankaKitchenRobot.noiseRatio
        let amplitude = FrankaKitchenRobot.positionNoiseAmplitude
        for i in 0..<robot {
            observation[i] = data.qpos(i) + (ratio * amplitude[i]) * env.random.uniform(-1, 1)
        }
        for _ in 0..<robot { _ = env.random.uniform(-1, 1) }     // robot velocity noise (not returned)
        for j in 0..<objects {
            observation[robot + j] = data.qpos(firstObjectQpos + j) + (ratio * amplitude[robot + j]) * env.random.uniform(-1, 1)
        }
        for _ in 0..<objects { _ = env.random.uniform(-1, 1) }   // object velocity noise (not returned)
        for i in 0..<goal.count { observation[robot + objects + i] = goal[i] }
        for i in 0..<robot { lastObservedRobotPositions[i] = observation[i] }
    }

    // MARK: Step

    /// `KitchenV0.step` + `Robot_VelAct.ctrl_velocity_limits` + `ctrl_position_limits`: position
    /// targets from the last noisy observation, written as controls. Returns the targets.
    public func applyAction(_ env: MuJoCoEnvironment, _ action: [Double]) -> [Double] {
        for i in 0..<targets.count {
            let a = min(max(action[i], -1), 1)
            var velocity = 0 + a * FrankaKitchenRobot.actionAmplitude
            velocity = min(max(velocity, -FrankaKitchenRobot.velocityLimit), FrankaKitchenRobot.velocityLimit)
            let target = lastObservedRobotPositions[i] + velocity * env.dt
            targets[i] = min(max(target, FrankaKitchenRobot.positionLow[i]), FrankaKitchenRobot.positionHigh[i])
        }
        targets.withUnsafeBufferPointer { env.data.setControl($0) }
        return targets
    }

    /// The reward read from this step's observation; terminated when no element remains.
    public func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                             observation: UnsafeBufferPointer<Double>) -> StepEvaluation {
        let reward = Double(completeElements(observation: observation))
        return StepEvaluation(reward: reward, terminated: remainingElements.isEmpty)
    }

    public func isTerminal(_ env: MuJoCoEnvironment) -> Bool { remainingElements.isEmpty }

    /// `KitchenBase._get_reward_n_score`: removes and counts the remaining elements within the
    /// threshold on the noisy observation. The distance is `np.linalg.norm` as NumPy 1.26 computes
    /// it with OpenBLAS here: d₀², then one fused multiply-add per further component (matched on
    /// 3000 random 2- and 7-vectors; a plain sum differs in 8% and 16% of them).
    private func completeElements(observation: UnsafeBufferPointer<Double>) -> Int {
        let done = remainingElements.filter { element in
            var sum = 0.0
            for (k, (index, target)) in zip(element.stateIndices, element.goal).enumerated() {
                let difference = observation[index] - target
                sum = k == 0 ? difference * difference : sum.addingProduct(difference, difference)
            }
            return sum.squareRoot() < KitchenTaskElement.completionThreshold
        }
        remainingElements.removeAll { done.contains($0) }
        return done.count
    }

    // MARK: Reset

    /// Every reset restores all elements (`KitchenBase.reset_model`).
    public func willReset(_ env: MuJoCoEnvironment) {
        remainingElements = elements
    }

    /// `MujocoEnv._reset` → `KitchenV0.reset_model` → `Robot.reset` on dm_control (§12.7); the
    /// environment then takes the first observation.
    public func resetSimulation(_ env: MuJoCoEnvironment) throws {
        let data = env.data
        try PhysicsReset.dmControl(data)   // MujocoEnv._reset: sim.reset()
        try data.forward()                 //                   sim.forward()
        try PhysicsReset.dmControl(data)   // Robot.reset: sim.reset(), the start state, sim.forward()
        data.qpos = FrankaKitchenRobot.initialQpos
        data.qvel = [Double](repeating: 0, count: env.model.nv)
        try data.forward()
        var scratch = [Double](repeating: 0, count: observationSize)
        for _ in 0..<FrankaKitchenRobot.observationCacheSize {
            scratch.withUnsafeMutableBufferPointer { observe(env, into: $0) }
        }
        try data.forward()                 // KitchenV0.reset_model: sim.forward(), then _get_obs()
    }

    // MARK: Reports and videos

    /// `tasks_completed` (0…4) and `completion_rate` (completed / elements) of the episode.
    public var episodeMetrics: [String: Double] {
        ["tasks_completed": Double(completedCount), "completion_rate": Double(completedCount) / Double(elements.count)]
    }

    public var overlayLines: [String] {
        ["tasks \(completedCount)/\(elements.count)"]
    }

    // MARK: Descriptor

    /// D4RL runs the kitchen through dm_control 1.0.14's bindings, i.e. MuJoCo 2.3.7, not
    /// mujoco-py: its tasks default to 2.3.7 (docs/physics.md).
    public static let sourcePhysics = MuJoCoPhysics.v2_3_7

    /// The model file and the asset folders its includes, meshes and textures come from (D4RL 1.1's
    /// tree, installed by `Scripts/bootstrap`), in path order.
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] {
        let main = try ProjectResources.d4rlAsset(FrankaKitchenRobot.modelPath)
        var files: [URL] = []
        for folder in FrankaKitchenRobot.assetFolders {
            let root = try ProjectResources.d4rlAsset(folder)
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
            while let url = enumerator?.nextObject() as? URL {
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(url) }
            }
        }
        return [main] + files.sorted { $0.path < $1.path }
    }

    /// D4RL's kitchen model compiled from the installed XML (shared, read-only).
    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel {
        try compiledModel(at: ProjectResources.d4rlAsset(FrankaKitchenRobot.modelPath), physics: physics)
    }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        let model = try model(for: task, physics: physics)
        return try MuJoCoEnvironment(task: task, model: model, robot: Kitchen(task: task, model: model), seed: seed)
    }

    /// D4RL's viewer camera: `KitchenV0`'s `camera_settings` (distance 4.5 m, azimuth −66°,
    /// elevation −65°) looking at the point `adept_envs/simulation/renderer.py` `DMRenderer` picks,
    /// the per-axis median of `geom_xpos` when the model is loaded: (−0.0384, 0.582, 2.187) m, world
    /// frame (read from D4RL 1.1's renderer on mujoco 2.3.7). From above it shows mostly the
    /// cabinet tops, so videos use `defaultCamera`; `--camera free:4.5,-66,-65,-0.0384,0.582,2.187`
    /// gives this view.
    public static let d4rlViewerCamera = CameraView.free(distance: 4.5, azimuth: -66, elevation: -65,
                                                         lookat: SIMD3(-0.03841241123364699, 0.582, 2.187))

    /// Videos' view (docs/tasks.md "Franka kitchen"): 2.8 m from (−0.2, 0.6, 2.2) m, azimuth 70°, elevation −25°, facing
    /// the counter. Looked at on a contact sheet of a random-policy episode: the whole arm, the
    /// microwave (left), the kettle on the burners, the stove knobs and light switch, the sink and
    /// both upper cabinets (slide and hinge doors) are in view in every frame.
    public static let defaultCamera = CameraView.free(distance: 2.8, azimuth: 70, elevation: -25,
                                                      lookat: SIMD3(-0.2, 0.6, 2.2))

    /// EDP normalizes observations on kitchen (trainer.py:438-443).
    public static let edpNormalizedDomains = ["kitchen"]

    /// `edp-bench environments` measures the kitchen on its first task.
    public static let environmentBenchmarkTask: String? = "kitchen-complete-v0"
}

/// Errors building the kitchen environment, each naming what was expected.
public enum KitchenError: Error, CustomStringConvertible, Equatable {
    case unexpectedModel(source: String, nq: Int, nv: Int, nu: Int)
    case noTaskElements(task: String)
    case unknownTaskElement(task: String, name: String)

    public var description: String {
        switch self {
        case .unexpectedModel(let source, let nq, let nv, let nu):
            return "\(source) is not D4RL's kitchen model: expected nq 30, nv 29, nu 9, got nq \(nq), nv \(nv), nu \(nu)"
        case .noTaskElements(let task):
            return "envs/tasks.json: task \(task): task_elements is missing or empty: expected D4RL's element names"
        case .unknownTaskElement(let task, let name):
            let known = KitchenTaskElement.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            return "envs/tasks.json: task \(task): task_elements holds \"\(name)\": expected one of \(known)"
        }
    }
}
