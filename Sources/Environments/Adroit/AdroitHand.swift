import MuJoCo

/// What D4RL's Adroit hand tasks share (`hand_manipulation_suite`: pen, door, hammer, relocate;
/// D4RL 1.1 on mjrl's `MujocoEnv`, 3871d937): mjrl's construction step, the actuator retuning each
/// task's `__init__` applies after it, the action mapping and EDP's observation normalization.
/// A new hand task is a robot in this folder that calls `construct` and `mapAction`.
public enum AdroitHand {
    /// MuJoCo steps per environment step in every hand task (`frame_skip=5`).
    public static let frameSkip = 5

    /// EDP normalizes observations on every Adroit domain (trainer.py:438-443), whether or not
    /// this build implements its environment yet: a checkpoint naming one needs statistics.
    public static let edpNormalizedDomains = ["pen", "hammer", "door", "relocate"]

    /// D4RL's actuator retuning, applied to a private copy of the model after construction: the
    /// two wrist actuators `A_WRJ1…A_WRJ0` become position servos with gain 10 (gainprm[:3] =
    /// (10, 0, 0), biasprm[:3] = (0, −10, 0)); the finger and thumb actuators `A_FFJ3…A_THJ0` gain 1
    /// (gainprm[:3] = (1, 0, 0), biasprm[:3] = (0, −1, 0)). Ranges are by actuator index,
    /// inclusive, as D4RL slices them (the same lines in pen_v0, door_v0, hammer_v0, relocate_v0).
    public static let actuatorRetuning: [(first: String, last: String, gain: [Double], bias: [Double])] = [
        ("A_WRJ1", "A_WRJ0", [10, 0, 0], [0, -10, 0]),
        ("A_FFJ3", "A_THJ0", [1, 0, 0], [0, -1, 0]),
    ]

    /// mjrl's constructor steps once (`frameSkip` × `mj_step`, zero controls), then D4RL retunes
    /// the actuators of `env.model` (the environment's private copy; docs/environments.md §13.1).
    /// - Throws: `PenModelError.missingObject` when an actuator of `actuatorRetuning` is missing.
    public static func construct(_ env: MuJoCoEnvironment) throws {
        try env.data.step(count: frameSkip)
        try retuneActuators(env.model)
    }

    /// Applies `actuatorRetuning` to `model` (a private copy).
    static func retuneActuators(_ model: MjModel) throws {
        for group in actuatorRetuning {
            let first = try PenModel.index(of: .actuator, named: group.first, in: model)
            let last = try PenModel.index(of: .actuator, named: group.last, in: model)
            for actuator in first...last {
                model.setActuatorGainParameters(actuator, group.gain)
                model.setActuatorBiasParameters(actuator, group.bias)
            }
        }
    }

    /// Per actuator: centre and half-width of the control range (D4RL's `act_mid`, `act_rng`):
    /// numpy's mean over the two bounds, (low + high)/2, and 0.5·(high − low).
    public static func actuatorMidAndHalfRange(_ model: MjModel) -> (mid: [Double], halfRange: [Double]) {
        let ranges = model.actuatorControlRange
        return (ranges.map { ($0.lowerBound + $0.upperBound) / 2 }, ranges.map { 0.5 * ($0.upperBound - $0.lowerBound) })
    }

    /// The hand tasks' action mapping: clip to [−1, 1], then `mid + a · halfRange`, written into
    /// `control` and the controls.
    public static func mapAction(_ action: [Double], mid: [Double], halfRange: [Double], control: inout [Double], data: MjData) {
        for i in 0..<control.count {
            control[i] = mid[i] + min(max(action[i], -1), 1) * halfRange[i]
        }
        control.withUnsafeBufferPointer { data.setControl($0) }
    }
}
