import Foundation
import MuJoCo
import Randomness

/// D4RL's AntMaze evaluation environment (`d4rl/locomotion/ant.py` `AntMazeEnv` with
/// `eval=True`, `reward_type='sparse'`, `maze_size_scaling=4.0`, `non_zero_reset=False`; docs/environments.md §6).
///
/// - Model: `assets/models/ant.xml` (D4RL's ant, RK4, timestep 0.02 s) plus one static wall box per
///   wall cell of the task's map (`AntMazeModel`, docs/environments.md §6.3); frame skip 5 → dt 0.1 s.
/// - Action: 8 values, nominally in [−1, 1], in D4RL's actuator order (hip_4, ankle_4, hip_1,
///   ankle_1, hip_2, ankle_2, hip_3, ankle_3); D4RL's `NormalizedBoxEnv` maps them onto the ±30
///   control range, `clip(−30 + (a + 1)·0.5·60, −30, 30)` in the action's dtype (docs/environments.md §1.2-1.3).
/// - Observation (29): qpos[0…14] (torso x, y, z in m, world frame; torso quaternion w, x, y, z,
///   not renormalized; 8 joint angles in rad) then qvel[0…13] (linear velocity m/s world frame,
///   angular velocity rad/s body frame, 8 joint velocities), no clipping. The goal is not included.
/// - Reward: 1 if the torso's xy (qpos[0…1], not the centre of mass) is within 0.5 m of the goal,
///   inclusive, else 0; evaluated after the 5 substeps. The episode terminates on that first
///   success (so the return is 0 or 1); nothing else terminates it (no flip or height check). Time
///   limit from the registry: 700 steps (umaze), 1000 (medium, large).
/// - Reset: `qpos = qpos0 + U[−0.1, 0.1)¹⁵`, then `qvel = 0.1·N(0, 1)¹⁴` (draw order as listed),
///   from `random`. The environment does not renormalize the noisy quaternion; MuJoCo 2.3.7's
///   `mj_forward` (run by every reset) writes it back normalized, with the official bindings too,
///   so the first observation holds a unit quaternion (measured; docs/environments.md §6.5 assumes the raw one).
/// - Goal (docs/environments.md §6.5, `MazeMap.sampleGoal`): v0 and v1 draw one goal when the environment is
///   built; v2 (`goalResampledEachReset`) draws a new one at the start of every reset. D4RL draws
///   goals from NumPy's global stream, separate from the env's reset stream; here they come from
///   `goalRandom`, a second generator seeded from the construction seed (`goalSeed(for:)`), so the
///   reset noise is the same stream as an environment without goals, and `reset(seed:)` re-seeds
///   only the reset noise (as `env.seed()` leaves D4RL's global stream alone).
public final class AntMazeEnvironment: MuJoCoEnvironment {
    static let frameSkip = 5
    /// `AntEnv.reset_model`: U(−0.1, 0.1) on qpos, 0.1·randn on qvel.
    static let resetNoiseScale = 0.1
    /// `GoalReachingEnv.step`: success iff ‖xy − goal‖ ≤ 0.5 m.
    public static let goalRadius = 0.5

    /// The maze map this environment was built from.
    public let maze: MazeMap
    /// The current goal, m, world frame (x, y).
    public private(set) var goal: SIMD2<Double>
    /// Whether `setGoal` fixed the goal; a fixed goal is never re-drawn.
    public private(set) var goalIsFixed = false
    /// The generator goals are drawn from (NumPy PCG64-compatible), independent of `random`.
    public var goalRandom: NumPyRandom
    /// Steps from the last reset to the first success in this episode (the step count at which the
    /// episode terminated), or nil while the goal has not been reached.
    public private(set) var successStep: Int?

    /// Whether a new goal is drawn at every reset (D4RL `v2_resets`, the -v2 tasks).
    public var resamplesGoalEachReset: Bool { task.goalResampledEachReset ?? false }
    /// Whether the goal has been reached in the current episode.
    public var reachedGoal: Bool { successStep != nil }
    /// Time to goal in seconds (`successStep × dt`), or nil if not reached.
    public var timeToGoal: Double? { successStep.map { Double($0) * dt } }

    /// The goal generator's seed for a construction seed: `seed XOR 0x9E3779B97F4A7C15` (the
    /// 64-bit golden-ratio constant), so the goal stream differs from the reset stream of the same
    /// seed; NumPy's SeedSequence hashing makes the two streams independent.
    public static func goalSeed(for seed: UInt64) -> UInt64 { seed ^ 0x9E37_79B9_7F4A_7C15 }

    /// - Parameters:
    ///   - model: the compiled maze model (`EnvironmentFactory.mazeModel(for:)`).
    ///   - seed: seeds `random` (reset noise) and, through `goalSeed(for:)`, `goalRandom`.
    /// The first goal is drawn here (D4RL's `AntMazeEnv.__init__` calls `set_target()`).
    public init(task: TaskSpec, model: MjModel, maze: MazeMap, seed: UInt64 = 0) throws {
        self.maze = maze
        var goalRandom = NumPyRandom(seed: Self.goalSeed(for: seed))
        self.goal = maze.sampleGoal(using: &goalRandom)
        self.goalRandom = goalRandom
        try super.init(task: task, model: model, frameSkip: Self.frameSkip, seed: seed)
        precondition(model.nq == 15 && model.nv == 14 && model.nu == 8, "\(model.source) is not D4RL's ant")
    }

    /// nq + nv = 15 + 14 = 29.
    public override var observationSize: Int { model.nq + model.nv }

    public override func observation() -> [Double] {
        let nq = model.nq, nv = model.nv
        var obs = [Double](repeating: 0, count: nq + nv)
        for i in 0..<nq { obs[i] = data.qpos(i) }
        for i in 0..<nv { obs[nq + i] = data.qvel(i) }
        return obs
    }

    /// v2: draws the episode's goal (D4RL calls `set_target()` before the physics reset).
    public override func willReset() {
        successStep = nil
        if resamplesGoalEachReset && !goalIsFixed {
            goal = maze.sampleGoal(using: &goalRandom)
        }
    }

    public override var goalPosition: [Double]? { [goal.x, goal.y] }

    /// The goal and its success radius, drawn into videos.
    public override var goalMarker: GoalMarker? { GoalMarker(x: goal.x, y: goal.y, radius: Self.goalRadius) }

    /// Positions the goal stream as in an instance built with `instanceSeed` that has already been
    /// reset `episode` times: the construction draw, then (v2) one draw per earlier reset; the
    /// coming `reset` makes the episode's own draw. So v0/v1 use one goal per seed (D4RL: one per
    /// environment instance) and v2 a new goal for every episode, whatever environment runs it.
    public override func prepareEpisode(_ episode: Int, instanceSeed: UInt64) {
        guard !goalIsFixed else { return }
        goalRandom = NumPyRandom(seed: Self.goalSeed(for: instanceSeed))
        goal = maze.sampleGoal(using: &goalRandom)
        if resamplesGoalEachReset {
            for _ in 0..<max(0, episode) { goal = maze.sampleGoal(using: &goalRandom) }
        }
    }

    public override func sampleInitialState() -> (qpos: [Double], qvel: [Double]) {
        let qpos = uniformNoise(around: initialQpos, scale: Self.resetNoiseScale)
        let qvel = initialQvel.map { $0 + random.standardNormal() * Self.resetNoiseScale }
        return (qpos, qvel)
    }

    /// Fixes the goal (m, world frame, `[x, y]`) for this and all later episodes of this instance;
    /// no goal is drawn any more (`edp-eval replay`'s `"goal"`).
    public override func setGoal(_ goal: [Double]) throws {
        guard goal.count == 2 else { throw ReplayError.wrongLength(field: "goal", expected: 2, got: goal.count) }
        guard goal.allSatisfy(\.isFinite) else { throw ReplayError.notFinite(field: "goal") }
        self.goal = SIMD2(goal[0], goal[1])
        goalIsFixed = true
    }

    /// Distance (m) from the torso's xy to the goal: `sqrt(dx² + dy²)`, the same operations as
    /// NumPy's `np.linalg.norm(xy − goal)` for two values.
    public var distanceToGoal: Double {
        let dx = data.qpos(0) - goal.x, dy = data.qpos(1) - goal.y
        return (dx * dx + dy * dy).squareRoot()
    }

    public override func evaluateStep(xBefore: Double, action: [Double]) -> (reward: Double, terminated: Bool, info: StepInfo) {
        var info = StepInfo()
        info.xPosition = data.qpos(0)
        info.xVelocity = (info.xPosition - xBefore) / dt
        info.distanceToGoal = distanceToGoal
        info.success = info.distanceToGoal <= Self.goalRadius
        if info.success && successStep == nil { successStep = elapsedSteps }
        return (info.success ? 1.0 : 0.0, info.success, info)
    }
}

extension AntMazeEnvironment: RobotDescriptor {
    public static let robot = "antmaze"
    /// D4RL's ant in `assets/models/` (PROVENANCE.md); the walls come from the task's maze map.
    static let modelFile = "ant.xml"

    /// The ant's MJCF plus `envs/mazes.json` (the walls come from the map named `task.maze`).
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] {
        [ProjectResources.model(modelFile), MazeMap.standardFile]
    }

    /// The ant plus the walls of the task's maze.
    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel {
        try model(for: EnvironmentFactory.mazeMap(for: task), physics: physics)
    }

    /// `assets/models/ant.xml` plus the maze's wall geoms (`AntMazeModel`), compiled once per
    /// distinct XML text (shared, read-only).
    static func model(for maze: MazeMap, physics: MuJoCoPhysics) throws -> MjModel {
        try compiledModel(xml: AntMazeModel.xml(for: maze), name: "antmaze_\(maze.name).xml", physics: physics)
    }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        let maze = try EnvironmentFactory.mazeMap(for: task)
        return try AntMazeEnvironment(task: task, model: model(for: maze, physics: physics), maze: maze, seed: seed)
    }

    /// Top-down over the whole maze.
    public static let defaultCamera = CameraView.topDownStaticWorld

    /// Episodes report success, time to goal and the goal; tasks a success rate.
    public static let reportsGoalSuccess = true

    /// EDP normalizes observations on antmaze (trainer.py:438-443).
    public static let edpNormalizesObservations = true
}
