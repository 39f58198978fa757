import Environments
import Foundation
import MuJoCo

/// A toy robot written outside the Environments module with its public API only, to show what a
/// new robot is: this file, one catalog line (`RobotCatalog.register(ToyCart.self)`, for a built-in
/// robot a line in `RobotCatalog.builtIn`) and one registry file (`Tests/Fixtures/toy-robot/tasks.json`).
///
/// A 1 kg cart on a rail (slide joint x, motor ctrlrange ±1 N, timestep 0.01 s, 2 substeps) that
/// must bring x within 0.05 m of the task's `goal_x` (m). Observation [x, ẋ, goal_x]; reward 1 and
/// terminated on reaching the goal; reset x, ẋ ~ U[−0.01, 0.01).
final class ToyCart: GymReset, GoalReaching, RobotDescriptor {
    static let xml = """
    <mujoco model="toy-cart">
      <option timestep="0.01"/>
      <worldbody><body name="cart"><joint name="x" type="slide" axis="1 0 0"/>
        <geom type="box" size="0.1 0.1 0.1" mass="1"/></body></worldbody>
      <actuator><motor joint="x" ctrlrange="-1 1" ctrllimited="true"/></actuator>
    </mujoco>
    """
    static let robot = "toy-cart"
    static let defaultCamera = CameraView.free(distance: 2, azimuth: 90, elevation: -20, lookat: nil)
    static let reportsGoalSuccess = true
    static let goalRadius = 0.05
    static func modelSourceURLs(for task: TaskSpec) throws -> [URL] { [] }
    static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel {
        try compiledModel(xml: xml, name: "toy-cart.xml", physics: physics)
    }
    /// The robot's field of a task entry (its payload).
    private struct Fields: Decodable { let goal_x: Double }
    static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment {
        let goal = try task.robotData.decode(Fields.self, task: task.id).goal_x
        return try MuJoCoEnvironment(task: task, model: model(for: task, physics: physics), robot: ToyCart(goal: goal), seed: seed)
    }

    private(set) var goal: Double
    init(goal: Double) { self.goal = goal }
    let observationSize = 3
    let substeps = Substeps(2)

    func observe(_ env: MuJoCoEnvironment, into observation: UnsafeMutableBufferPointer<Double>) {
        observation[0] = env.data.qpos(0)
        observation[1] = env.data.qvel(0)
        observation[2] = goal
    }
    func sampleInitialState(_ env: MuJoCoEnvironment) -> (qpos: [Double], qvel: [Double]) { env.uniformInitialState(scale: 0.01) }
    func evaluateStep(_ env: MuJoCoEnvironment, xBefore: Double, appliedAction: [Double],
                      observation: UnsafeBufferPointer<Double>) -> StepEvaluation {
        var info = StepInfo()
        info.distanceToGoal = abs(env.data.qpos(0) - goal)
        info.success = isTerminal(env)
        return StepEvaluation(reward: info.success ? 1 : 0, terminated: info.success, info: info)
    }
    func isTerminal(_ env: MuJoCoEnvironment) -> Bool { abs(env.data.qpos(0) - goal) < Self.goalRadius }

    var goalReaching: GoalReaching? { self }
    var goalPosition: [Double] { [goal, 0] }
    func fixGoal(_ goal: SIMD2<Double>) { self.goal = goal.x }
    var goalMarker: GoalMarker? { GoalMarker(x: goal, y: 0, radius: Self.goalRadius) }
}
