import Foundation
import MuJoCo

/// D4RL's Adroit pen (`pen-human-v1`, `pen-cloned-v1`, …): D4RL 1.1
/// `hand_manipulation_suite/pen_v0.py` on mjrl's `MujocoEnv` (3871d937), reproduced bit for bit
/// on MuJoCo 2.3.7 (docs/environments.md §13).
///
/// - Model: D4RL's `DAPG_pen.xml`, a private copy per environment (the goal is written into it).
///   Construction as mjrl does it: one step of 5 substeps with zero controls, then the actuator
///   retuning (`AdroitHand.actuatorRetuning`), then the pen and target lengths measured once.
/// - Action (24): clip to [−1, 1], then `mid + a · halfRange` of each actuator's control range.
///   Frame skip 5 × `mj_step` (timestep 0.002 s) → dt 0.01 s.
/// - Observation (45): qpos[0..<24] (hand), pen position (m, world), pen velocity (qvel[24..<30]),
///   pen axis and target axis (unit-length by the construction lengths), pen − goal-site position,
///   pen axis − target axis.
/// - Reward: −‖pen − goal site‖ + pen axis · target axis; +10 if distance < 0.075 m and similarity
///   > 0.9, another +50 if similarity > 0.95; −5 and terminated when the pen's height < 0.075 m.
/// - Reset: mjrl's order (`mj_resetData`, forward, write the initial state, forward), then roll and
///   pitch ~ U(−1, 1) from the generator → the `target` body's quaternion, forward.
public final class Pen: RobotDescriptor {
    public static let robot = "pen"
    /// Distance (m) below which the orientation bonuses apply (`pen_v0.py`).
    static let bonusDistance = 0.075
    /// Orientation similarities (cosines) above which +10 and +50 are paid (`pen_v0.py`).
    static let smallBonusSimilarity = 0.9
    static let largeBonusSimilarity = 0.95
    static let smallBonus = 10.0
    static let largeBonus = 50.0
    /// Pen height (m, world z of the `Object` body) below which the pen counts as dropped.
    static let dropHeight = 0.075
    static let dropPenalty = 5.0

    private let sites: PenSites
    /// The pen's and the target's length (m, top site to bottom site), measured once after the
    /// construction step, as D4RL does; the axes in the observation are divided by them.
    public private(set) var penLength = 1.0
    public private(set) var targetLength = 1.0
    /// Per actuator: centre and half-width of the control range (D4RL's `act_mid`, `act_rng`).
    private let actuatorMid: [Double]
    private let actuatorHalfRange: [Double]
    private var control: [Double]
    /// The pen model (the environment's private copy, whose `target` body holds the goal).
    private let model: MjModel
    public let substeps = Substeps(AdroitHand.frameSkip)
    /// 45 = the hand's coordinates (nq − 6) + pen position 3 + pen velocities 6 + 4 × 3 (pen axis,
    /// target axis, position error, axis error).
    public let observationSize: Int

    /// The pen robot on `model`, its own copy of the compiled model.
    init(model: MjModel) throws {
        self.model = model
        sites = try PenSites(model: model)
        (actuatorMid, actuatorHalfRange) = AdroitHand.actuatorMidAndHalfRange(model)
        control = [Double](repeating: 0, count: model.nu)
        observationSize = model.nq - 6 + 3 + 6 + 12
    }

    /// A pen environment for `task` with its generator seeded with `seed` (call `reset()` next),
    /// on its own copy of the compiled model, constructed as mjrl and D4RL do (`AdroitHand.construct`),
    /// then the lengths measured from that state (docs/environments.md §13.1).
    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        let model = try PenModel.compiled(physics: physics).copy()
        let pen = try Pen(model: model)
        let env = try MuJoCoEnvironment(task: task, model: model, robot: pen, seed: seed)
        try AdroitHand.construct(env)
        pen.penLength = norm(env.data.sitePosition(pen.sites.penTop) - env.data.sitePosition(pen.sites.penBottom))
        pen.targetLength = norm(env.data.sitePosition(pen.sites.targetTop) - env.data.sitePosition(pen.sites.targetBottom))
        return env
    }

    /// The target orientation (w, x, y, z) of the current episode (the `target` body's quaternion).
    public var goalQuaternion: [Double] {
        Array(model.bodyQuaternion[4 * sites.targetBody..<4 * sites.targetBody + 4])
    }

    public func applyAction(_ env: MuJoCoEnvironment, _ action: [Double]) -> [Double] {
        AdroitHand.mapAction(action, mid: actuatorMid, halfRange: actuatorHalfRange, control: &control, data: env.data)
        return control
    }

    /// mjrl's order (`mj_resetData`, forward, the initial state written, forward), then the goal
    /// orientation drawn into the `target` body, forward.
    public func resetSimulation(_ env: MuJoCoEnvironment) throws {
        try PhysicsReset.mujoco(env.data)
        try env.data.forward()
        try env.writeState(qpos: env.initialQpos, qvel: env.initialQvel)
        model.setBodyQuaternion(sites.targetBody, PenGoalOrientation.draw(from: &env.random))
        try env.data.forward()
    }

    /// `[hand qpos, pen position, pen velocities, pen axis, target axis, pen − goal, pen axis −
    /// target axis]` (D4RL `get_obs`; docs/environments.md §13.2).
    public func observe(_ env: MuJoCoEnvironment, into obs: UnsafeMutableBufferPointer<Double>) {
        let data = env.data, hand = model.nq - 6, nv = model.nv
        for i in 0..<hand { obs[i] = data.qpos(i) }
        let pen = penPosition(data), goal = data.sitePosition(sites.goal)
        let penAxis = self.penAxis(data), targetAxis = self.targetAxis(data)
        for k in 0..<6 { obs[hand + 3 + k] = data.qvel(nv - 6 + k) }
        for k in 0..<3 {
            obs[hand + k] = pen[k]
            obs[hand + 9 + k] = penAxis[k]
            obs[hand + 12 + k] = targetAxis[k]
            obs[hand + 15 + k] = pen[k] - goal[k]
            obs[hand + 18 + k] = penAxis[k] - targetAxis[k]
        }
    }

    public func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                             observation: UnsafeBufferPointer<Double>) -> StepEvaluation {
        let data = env.data, pen = penPosition(data)
        let distance = Self.norm(pen - data.sitePosition(sites.goal))
        let similarity = Self.dot(penAxis(data), targetAxis(data))
        var reward = -distance
        reward += similarity
        if distance < Self.bonusDistance && similarity > Self.smallBonusSimilarity { reward += Self.smallBonus }
        if distance < Self.bonusDistance && similarity > Self.largeBonusSimilarity { reward += Self.largeBonus }
        var terminated = false
        if pen.z < Self.dropHeight {
            reward -= Self.dropPenalty
            terminated = true
        }
        var info = StepInfo()
        info.distanceToGoal = distance
        return StepEvaluation(reward: reward, terminated: terminated, info: info)
    }

    /// The pen dropped: its height below `dropHeight`.
    public func isTerminal(_ env: MuJoCoEnvironment) -> Bool { penPosition(env.data).z < Self.dropHeight }

    /// World position (m) of the pen body's frame.
    private func penPosition(_ data: MjData) -> SIMD3<Double> { data.bodyPosition(sites.penBody) }
    /// Pen axis, bottom site → top site, divided by the construction length.
    private func penAxis(_ data: MjData) -> SIMD3<Double> {
        (data.sitePosition(sites.penTop) - data.sitePosition(sites.penBottom)) / penLength
    }
    /// Target axis, bottom site → top site, divided by the construction length.
    private func targetAxis(_ data: MjData) -> SIMD3<Double> {
        (data.sitePosition(sites.targetTop) - data.sitePosition(sites.targetBottom)) / targetLength
    }

    /// NumPy's `dot` of two 3-vectors as the reference run computed it: rounded products summed
    /// in index order, `(a₀b₀ + a₁b₁) + a₂b₂`, no fused multiply-add (all 498 fixture rewards agree
    /// with this form; a fused form, which some OpenBLAS kernels use, misses a third of them).
    static func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        (a.x * b.x + a.y * b.y) + a.z * b.z
    }

    /// `np.linalg.norm` of a 3-vector: `sqrt(dot(v, v))`.
    static func norm(_ v: SIMD3<Double>) -> Double { dot(v, v).squareRoot() }

    // MARK: Descriptor

    /// D4RL's pen XML, its includes, meshes and textures (installed by `Scripts/bootstrap`).
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] {
        try PenModel.sourceFiles.map(ProjectResources.d4rlAsset)
    }

    /// `DAPG_pen.xml` as compiled, before D4RL's retuning and any goal (every environment edits
    /// its own copy).
    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel { try PenModel.compiled(physics: physics) }

    /// D4RL's viewer (`pen_v0.py` `mj_viewer_setup`): azimuth −45°, distance 1.0 m, on mujoco_py's
    /// free camera, whose elevation is MuJoCo's default −45° and whose lookat is the median of the
    /// geom positions when the viewer opens (mujoco_py `MjRenderContext._init_camera`; measured
    /// after a reset: (0.0086, −0.1747, 0.2005) m).
    public static let d4rlViewerCamera = CameraView.free(distance: 1.0, azimuth: -45, elevation: -45,
                                                         lookat: SIMD3(0.0086, -0.1747, 0.2005))

    /// Videos' view (docs/tasks.md "Adroit pen"; D4RL's viewer above put the hand in the top third and showed the
    /// goal pen as a dot): 0.6 m from (0.12, −0.15, 0.25) m, azimuth −90°, elevation −20°. Looked
    /// at on a contact sheet of a random-policy episode: the hand holding the pen fills the
    /// centre-right, the green goal pen is a pen (its orientation readable) on the left, the table
    /// edge along the bottom.
    public static let defaultCamera = CameraView.free(distance: 0.6, azimuth: -90, elevation: -20,
                                                      lookat: SIMD3(0.12, -0.15, 0.25))

    /// EDP normalizes observations on the Adroit tasks (trainer.py:438-443).
    public static let edpNormalizedDomains = AdroitHand.edpNormalizedDomains

    /// `edp-bench environments` measures the pen on its human-demonstration task.
    public static let environmentBenchmarkTask: String? = "pen-human-v1"
}
