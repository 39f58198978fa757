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
/// - Goal success is recorded by the environment (`MuJoCoEnvironment.successStep`).
public final class AntMaze: GymReset, GoalReaching, RobotDescriptor {
    public static let robot = "antmaze"
    /// D4RL's ant in `assets/models/` (PROVENANCE.md); the walls come from the task's maze map.
    static let modelFile = "ant.xml"
    static let frameSkip = 5
    /// `AntEnv.reset_model`: U(−0.1, 0.1) on qpos, 0.1·randn on qvel.
    static let resetNoiseScale = 0.1
    /// `GoalReachingEnv.step`: success iff ‖xy − goal‖ ≤ 0.5 m.
    public static let goalRadius = 0.5
    /// Top-down over the whole maze.
    public static let defaultCamera = CameraView.topDownStaticWorld
    /// Episodes report success, time to goal and the goal; tasks a success rate.
    public static let reportsGoalSuccess = true
    /// EDP normalizes observations on antmaze (trainer.py:438-443).
    public static let edpNormalizedDomains = ["antmaze"]

    /// The maze map this environment was built from.
    public let maze: MazeMap
    /// Whether a new goal is drawn at every reset (D4RL `v2_resets`, the -v2 tasks).
    public let resamplesGoalEachReset: Bool
    /// The current goal, m, world frame (x, y).
    public private(set) var goal: SIMD2<Double>
    /// Whether `fixGoal` fixed the goal; a fixed goal is never re-drawn.
    public private(set) var goalIsFixed = false
    /// The generator goals are drawn from (NumPy PCG64-compatible), independent of the
    /// environment's `random`.
    public var goalRandom: NumPyRandom
    public let substeps = Substeps(frameSkip)
    /// nq + nv = 15 + 14 = 29.
    public let observationSize = 29

    /// The goal generator's seed for a construction seed: `seed XOR 0x9E3779B97F4A7C15` (the
    /// 64-bit golden-ratio constant), so the goal stream differs from the reset stream of the same
    /// seed; NumPy's SeedSequence hashing makes the two streams independent.
    public static func goalSeed(for seed: UInt64) -> UInt64 { seed ^ 0x9E37_79B9_7F4A_7C15 }

    /// - Parameters:
    ///   - seed: the environment's construction seed; seeds `goalRandom` through `goalSeed(for:)`.
    /// The first goal is drawn here (D4RL's `AntMazeEnv.__init__` calls `set_target()`).
    public init(maze: MazeMap, resamplesGoalEachReset: Bool, seed: UInt64) {
        self.maze = maze
        self.resamplesGoalEachReset = resamplesGoalEachReset
        var goalRandom = NumPyRandom(seed: Self.goalSeed(for: seed))
        self.goal = maze.sampleGoal(using: &goalRandom)
        self.goalRandom = goalRandom
    }

    public func observe(_ env: MuJoCoEnvironment, into observation: UnsafeMutableBufferPointer<Double>) {
        let nq = env.model.nq, nv = env.model.nv, data = env.data
        for i in 0..<nq { observation[i] = data.qpos(i) }
        for i in 0..<nv { observation[nq + i] = data.qvel(i) }
    }

    /// v2: draws the episode's goal (D4RL calls `set_target()` before the physics reset).
    public func willReset(_ env: MuJoCoEnvironment) {
        if resamplesGoalEachReset && !goalIsFixed {
            goal = maze.sampleGoal(using: &goalRandom)
        }
    }

    public var goalReaching: GoalReaching? { self }
    public var goalPosition: [Double] { [goal.x, goal.y] }

    /// The goal and its success radius, drawn into videos.
    public var goalMarker: GoalMarker? { GoalMarker(x: goal.x, y: goal.y, radius: Self.goalRadius) }

    /// Positions the goal stream as in an instance built with `instanceSeed` that has already been
    /// reset `episode` times: the construction draw, then (v2) one draw per earlier reset; the
    /// coming `reset` makes the episode's own draw. So v0/v1 use one goal per seed (D4RL: one per
    /// environment instance) and v2 a new goal for every episode, whatever environment runs it.
    public func prepareEpisode(_ episode: Int, instanceSeed: UInt64) {
        guard !goalIsFixed else { return }
        goalRandom = NumPyRandom(seed: Self.goalSeed(for: instanceSeed))
        goal = maze.sampleGoal(using: &goalRandom)
        if resamplesGoalEachReset {
            for _ in 0..<max(0, episode) { goal = maze.sampleGoal(using: &goalRandom) }
        }
    }

    public func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double]) {
        env.uniformPositionsNormalVelocities(scale: Self.resetNoiseScale)
    }

    /// Fixes the goal (m, world frame) for this and all later episodes of this instance; no goal
    /// is drawn any more (`edp-eval replay`'s `"goal"`).
    public func fixGoal(_ goal: SIMD2<Double>) {
        self.goal = goal
        goalIsFixed = true
    }

    /// Distance (m) from the torso's xy to the goal: `sqrt(dx² + dy²)`, the same operations as
    /// NumPy's `np.linalg.norm(xy − goal)` for two values.
    public func distanceToGoal(_ env: MuJoCoEnvironment) -> Double {
        let dx = env.data.qpos(0) - goal.x, dy = env.data.qpos(1) - goal.y
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Reward 1 and terminated on success (the environment records the first success step).
    public func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                             observation: UnsafeBufferPointer<Double>) -> StepEvaluation {
        var info = StepInfo()
        info.xPosition = env.data.qpos(0)
        info.xVelocity = (info.xPosition - xBefore) / env.dt
        info.distanceToGoal = distanceToGoal(env)
        info.success = info.distanceToGoal <= Self.goalRadius
        return StepEvaluation(reward: info.success ? 1.0 : 0.0, terminated: info.success, info: info)
    }

    public func isTerminal(_ env: MuJoCoEnvironment) -> Bool { distanceToGoal(env) <= Self.goalRadius }

    // MARK: Descriptor

    /// The robot fields of an AntMaze task entry.
    struct TaskData: Decodable {
        /// Name of the maze map in `envs/mazes.json`.
        let maze: String?
        /// Whether a new goal is drawn at every reset (D4RL `v2_resets`, the -v2 tasks).
        let goalResampledEachReset: Bool?
        enum CodingKeys: String, CodingKey {
            case maze
            case goalResampledEachReset = "goal_resampled_each_reset"
        }
    }

    /// The task's `maze` and `goal_resampled_each_reset` fields.
    public static func taskFields(_ task: TaskSpec) throws -> (maze: String?, goalResampledEachReset: Bool) {
        let data = try task.robotData.decode(TaskData.self, task: task.id)
        return (data.maze, data.goalResampledEachReset ?? false)
    }

    /// The maze map of a maze task (`maze` in `envs/mazes.json`), read once per process.
    /// - Throws: `MazeError.noMaze` when the task names none.
    public static func mazeMap(for task: TaskSpec) throws -> MazeMap {
        guard let name = try taskFields(task).maze else { throw MazeError.noMaze(task: task.id) }
        return try MazeMap.named(name)
    }

    /// The ant's MJCF plus `envs/mazes.json` (the walls come from the map named by the task).
    public static func modelSourceURLs(for task: TaskSpec) throws -> [URL] {
        [ProjectResources.model(modelFile), MazeMap.standardFile]
    }

    /// The ant plus the walls of the task's maze.
    public static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel {
        try model(for: mazeMap(for: task), physics: physics)
    }

    /// `assets/models/ant.xml` plus the maze's wall geoms (`AntMazeModel`), compiled once per
    /// distinct XML text (shared, read-only).
    public static func model(for maze: MazeMap, physics: MuJoCoPhysics) throws -> MjModel {
        try compiledModel(xml: AntMazeModel.xml(for: maze), name: "antmaze_\(maze.name).xml", physics: physics)
    }

    public static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        let maze = try mazeMap(for: task)
        let model = try model(for: maze, physics: physics)
        precondition(model.nq == 15 && model.nv == 14 && model.nu == 8, "\(model.source) is not D4RL's ant")
        let robot = AntMaze(maze: maze, resamplesGoalEachReset: try taskFields(task).goalResampledEachReset, seed: seed)
        return try MuJoCoEnvironment(task: task, model: model, robot: robot, seed: seed)
    }
}
