import Foundation
import MuJoCo

/// The Adroit pen model as D4RL builds it: `hand_manipulation_suite/assets/DAPG_pen.xml` of D4RL
/// 1.1 (installed by `Scripts/bootstrap`), compiled once per process, then per environment a
/// private copy whose actuators are retuned after mjrl's construction step (D4RL
/// `pen_v0.py` `__init__`; docs/environments.md §13.1).
enum PenModel {
    /// The model file, relative to the D4RL asset tree (`ProjectResources.d4rlAssets`).
    static let file = "hand_manipulation_suite/assets/DAPG_pen.xml"

    /// Every file the compile reads, relative to the D4RL asset tree: the pen XML, the two files
    /// it includes, and the meshes and textures `DAPG_assets.xml` names (its `meshdir` and
    /// `texturedir` are `../Adroit/resources/…`).
    static let sourceFiles: [String] = [file, "hand_manipulation_suite/assets/DAPG_Adroit.xml",
                                        "hand_manipulation_suite/assets/DAPG_assets.xml"]
        + ["forearm_simple", "wrist", "palm", "lfmetacarpal", "knuckle", "F3", "F2", "F1", "TH3_z", "TH2_z", "TH1_z"]
            .map { "hand_manipulation_suite/Adroit/resources/meshes/\($0).stl" }
        + ["wood", "square", "silverRaw", "woodb", "marble"]
            .map { "hand_manipulation_suite/Adroit/resources/textures/\($0).png" }

    /// The installed model file.
    static func url() throws -> URL { try ProjectResources.d4rlAsset(file) }

    /// The compiled model exactly as the XML describes it (shared, read-only; never edited).
    static func compiled(physics: MuJoCoPhysics) throws -> MjModel { try PenEnvironment.compiledModel(at: url(), physics: physics) }

    /// D4RL's actuator retuning, applied to `model` after construction: the two wrist actuators
    /// `A_WRJ1…A_WRJ0` become position servos with gain 10 (gainprm[:3] = (10, 0, 0),
    /// biasprm[:3] = (0, −10, 0)); the finger and thumb actuators `A_FFJ3…A_THJ0` gain 1
    /// (gainprm[:3] = (1, 0, 0), biasprm[:3] = (0, −1, 0)). Ranges are by actuator index,
    /// inclusive, as D4RL slices them.
    static let actuatorRetuning: [(first: String, last: String, gain: [Double], bias: [Double])] = [
        ("A_WRJ1", "A_WRJ0", [10, 0, 0], [0, -10, 0]),
        ("A_FFJ3", "A_THJ0", [1, 0, 0], [0, -1, 0]),
    ]

    /// Applies `actuatorRetuning` to `model` (a private copy).
    /// - Throws: `PenModelError.missingObject` when an actuator named there is not in the model.
    static func retuneActuators(_ model: MjModel) throws {
        for group in actuatorRetuning {
            let first = try index(of: .actuator, named: group.first, in: model)
            let last = try index(of: .actuator, named: group.last, in: model)
            for actuator in first...last {
                model.setActuatorGainParameters(actuator, group.gain)
                model.setActuatorBiasParameters(actuator, group.bias)
            }
        }
    }

    /// The index of a named object of the pen model.
    /// - Throws: `PenModelError.missingObject` naming the model file and the object.
    static func index(of type: MjModel.ObjectType, named name: String, in model: MjModel) throws -> Int {
        guard let id = model.id(of: type, named: name) else {
            throw PenModelError.missingObject(file: model.source, kind: "\(type)", name: name)
        }
        return id
    }
}

/// A pen model file that lacks an object the task reads.
public enum PenModelError: Error, CustomStringConvertible, Equatable {
    case missingObject(file: String, kind: String, name: String)

    public var description: String {
        switch self {
        case .missingObject(let file, let kind, let name):
            return "\(file) has no \(kind) named '\(name)' (D4RL's DAPG_pen.xml defines it; pen_v0.py reads it)"
        }
    }
}
