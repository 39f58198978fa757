import MuJoCo

/// Indices of the objects of D4RL's pen model that the task reads (names from `DAPG_pen.xml`, as
/// `pen_v0.py` looks them up).
struct PenSites {
    /// The `Object` body (the pen; its frame position is "the pen's position").
    let penBody: Int
    /// The `target` body (the goal pen; its quaternion holds the goal orientation).
    let targetBody: Int
    /// `eps_ball`: the desired pen position.
    let goal: Int
    /// `object_top`, `object_bottom`: the pen's ends.
    let penTop: Int
    let penBottom: Int
    /// `target_top`, `target_bottom`: the goal pen's ends.
    let targetTop: Int
    let targetBottom: Int

    /// - Throws: `PenModelError.missingObject` naming the model file and the missing object.
    init(model: MjModel) throws {
        func find(_ type: MjModel.ObjectType, _ name: String) throws -> Int {
            try PenModel.index(of: type, named: name, in: model)
        }
        penBody = try find(.body, "Object")
        targetBody = try find(.body, "target")
        goal = try find(.site, "eps_ball")
        penTop = try find(.site, "object_top")
        penBottom = try find(.site, "object_bottom")
        targetTop = try find(.site, "target_top")
        targetBottom = try find(.site, "target_bottom")
    }
}
