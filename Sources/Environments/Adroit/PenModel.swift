import Foundation
import MuJoCo

/// The Adroit pen model as D4RL builds it: `hand_manipulation_suite/assets/DAPG_pen.xml` of D4RL
/// 1.1 (installed by `Scripts/bootstrap`), compiled once per process, then per environment a
/// private copy whose actuators are retuned after mjrl's construction step (`AdroitHand`;
/// D4RL `pen_v0.py` `__init__`; docs/environments.md §13.1).
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
    static func compiled(physics: MuJoCoPhysics) throws -> MjModel { try Pen.compiledModel(at: url(), physics: physics) }

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
