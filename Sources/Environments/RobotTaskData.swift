import Foundation

/// The fields of a task entry (`envs/tasks.json`) that only its robot reads, e.g. AntMaze's
/// `maze` and `goal_resampled_each_reset` or the kitchen's `task_elements`: a JSON object the
/// robot's descriptor decodes into its own type (`decode(_:task:)`), so `TaskSpec` carries no
/// robot's optionals.
public struct RobotTaskData: Equatable, Sendable {
    /// Field name → JSON value.
    public private(set) var fields: [String: JSONValue]

    public init(_ fields: [String: JSONValue] = [:]) { self.fields = fields }

    /// The fields decoded as `T` (its `CodingKeys` name the JSON fields).
    /// - Throws: `RobotTaskDataError` naming the task and the decoding problem.
    public func decode<T: Decodable>(_ type: T.Type, task: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(JSONValue.object(fields)))
        } catch {
            throw RobotTaskDataError(task: task, reason: "\(error)")
        }
    }

    /// Every field of the decoder's object whose name is not in `excluding`.
    init(from decoder: Decoder, excluding: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var fields: [String: JSONValue] = [:]
        for key in container.allKeys where !excluding.contains(key.stringValue) {
            fields[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.fields = fields
    }

    /// Writes the fields into the encoder's object, beside the task's shared fields.
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        for (name, value) in fields { try container.encode(value, forKey: AnyKey(stringValue: name)) }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}

/// A robot's task fields that do not decode as its descriptor expects.
public struct RobotTaskDataError: Error, CustomStringConvertible, Equatable {
    public let task: String
    public let reason: String
    public var description: String { "envs/tasks.json: task \(task): \(reason)" }
}

/// A JSON value (the robot fields of a task entry).
public enum JSONValue: Codable, Equatable, Sendable {
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}
