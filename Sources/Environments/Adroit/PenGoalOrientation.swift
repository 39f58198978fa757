import Foundation
import Randomness

/// The pen task's goal: a target orientation drawn at every reset and written into the `target`
/// body's quaternion (D4RL 1.1 `hand_manipulation_suite/pen_v0.py`, `reset_model`;
/// docs/environments.md §13.3).
enum PenGoalOrientation {
    /// Roll and pitch are drawn in this order, each `uniform(low: -1, high: 1)` (rad) from the
    /// environment's generator; yaw is 0.
    static let angleBound = 1.0

    /// Draws (roll, pitch) from `random` and returns the target quaternion (w, x, y, z).
    static func draw(from random: inout NumPyRandom) -> [Double] {
        let roll = random.uniform(-angleBound, angleBound)
        let pitch = random.uniform(-angleBound, angleBound)
        return quaternion(roll: roll, pitch: pitch, yaw: 0)
    }

    /// Euler angles (rad; static x-y-z axes, as D4RL's `d4rl/utils/quatmath.py` `euler2quat`) to a
    /// quaternion (w, x, y, z). The arithmetic follows that function term by term so the result is
    /// bit-identical: half angles (z, −y, x)/2, then products of their sines and cosines.
    static func quaternion(roll: Double, pitch: Double, yaw: Double) -> [Double] {
        let ai = yaw / 2, aj = -pitch / 2, ak = roll / 2
        let si = sin(ai), sj = sin(aj), sk = sin(ak)
        let ci = cos(ai), cj = cos(aj), ck = cos(ak)
        let cc = ci * ck, cs = ci * sk
        let sc = si * ck, ss = si * sk
        let w = cj * cc + sj * ss
        let z = cj * sc - sj * cs
        let y = -(cj * ss + sj * cc)
        let x = cj * cs - sj * sc
        return [w, x, y, z]
    }
}
