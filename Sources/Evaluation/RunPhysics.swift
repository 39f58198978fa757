import Foundation

/// The physics (MuJoCo version, e.g. "2.1.0") a report's episodes ran on, read as a plain string
/// from its provenance: `provenance.physics` when the report has one, else
/// `provenance.mujoco_version` (reports that predate the physics field), else "unknown".
public enum RunPhysics {
    private struct Fields: Decodable {
        var physics: String?
        var mujocoVersion: String?
        enum CodingKeys: String, CodingKey { case physics; case mujocoVersion = "mujoco_version" }
    }

    public static func of(_ report: EvaluationReport) -> String {
        guard let data = try? JSONEncoder().encode(report.provenance) else { return report.provenance.mujocoVersion }
        return of(provenanceJSON: data) ?? report.provenance.mujocoVersion
    }

    /// From a report file's JSON (its `provenance`), so a field this version of `Provenance` does
    /// not decode is still read; nil when there is none.
    public static func of(reportJSON data: Data) -> String? {
        struct File: Decodable { var provenance: Fields }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else { return nil }
        return file.provenance.physics ?? file.provenance.mujocoVersion
    }

    /// From a provenance object's JSON; nil when neither field is there.
    public static func of(provenanceJSON data: Data) -> String? {
        guard let fields = try? JSONDecoder().decode(Fields.self, from: data) else { return nil }
        return fields.physics ?? fields.mujocoVersion
    }
}
