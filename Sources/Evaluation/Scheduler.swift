import Foundation

/// The batch scheduler a run was started by, read from the environment it puts in place for
/// its jobs. Only Slurm is recognized: a process is a Slurm job when `SLURM_JOB_ID` is set
/// (Slurm's `sbatch`/`srun` manual pages, "OUTPUT ENVIRONMENT VARIABLES").
public struct Scheduler: Codable, Equatable, Sendable {
    /// `"slurm"`.
    public var kind: String
    /// `SLURM_JOB_ID`: the job's own id (for an array task, its own job id, not the array's).
    public var jobID: String
    /// `SLURM_ARRAY_JOB_ID`: the array's job id (the `%A` of `--output` patterns); nil outside arrays.
    public var arrayJobID: String?
    /// `SLURM_ARRAY_TASK_ID`: the array index (the `%a` of `--output` patterns); nil outside arrays.
    public var arrayTaskID: Int?
    /// `SLURMD_NODENAME`: the node the job step ran on.
    public var node: String?
    /// CPUs the job was given for this task: `SLURM_CPUS_PER_TASK` (set when `--cpus-per-task` was
    /// requested), else `SLURM_CPUS_ON_NODE` (CPUs allocated on this node).
    public var cpus: Int?

    enum CodingKeys: String, CodingKey {
        case kind, node, cpus
        case jobID = "job_id"
        case arrayJobID = "array_job_id"
        case arrayTaskID = "array_task_id"
    }

    /// Job ids are numbers in Slurm; they are written as JSON numbers
    /// (docs/commands.md "Conventions": numbers are numbers), and read back from numbers or, for reports of earlier builds, strings.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try Self.encodeID(jobID, to: &c, forKey: .jobID)
        if let arrayJobID { try Self.encodeID(arrayJobID, to: &c, forKey: .arrayJobID) }
        try c.encodeIfPresent(arrayTaskID, forKey: .arrayTaskID)
        try c.encodeIfPresent(node, forKey: .node)
        try c.encodeIfPresent(cpus, forKey: .cpus)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        jobID = try Self.decodeID(c, forKey: .jobID) ?? ""
        arrayJobID = try Self.decodeID(c, forKey: .arrayJobID)
        arrayTaskID = try c.decodeIfPresent(Int.self, forKey: .arrayTaskID)
        node = try c.decodeIfPresent(String.self, forKey: .node)
        cpus = try c.decodeIfPresent(Int.self, forKey: .cpus)
    }

    private static func encodeID(_ id: String, to c: inout KeyedEncodingContainer<CodingKeys>, forKey key: CodingKeys) throws {
        if let number = UInt64(id) { try c.encode(number, forKey: key) } else { try c.encode(id, forKey: key) }
    }

    private static func decodeID(_ c: KeyedDecodingContainer<CodingKeys>, forKey key: CodingKeys) throws -> String? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        if let number = try? c.decode(UInt64.self, forKey: key) { return String(number) }
        return try c.decode(String.self, forKey: key)
    }

    public init(kind: String, jobID: String, arrayJobID: String? = nil, arrayTaskID: Int? = nil, node: String? = nil, cpus: Int? = nil) {
        self.kind = kind
        self.jobID = jobID
        self.arrayJobID = arrayJobID
        self.arrayTaskID = arrayTaskID
        self.node = node
        self.cpus = cpus
    }

    /// The Slurm job described by `environment`, or nil when `SLURM_JOB_ID` is not set (or empty).
    /// Variables that are set but malformed (a non-integer task id or CPU count) are left out
    /// rather than guessed; `defaultThreads` reports a malformed `SLURM_CPUS_PER_TASK` as an error.
    public init?(environment: [String: String]) {
        guard let job = Self.value("SLURM_JOB_ID", in: environment) else { return nil }
        self.init(kind: "slurm", jobID: job,
                  arrayJobID: Self.value("SLURM_ARRAY_JOB_ID", in: environment),
                  arrayTaskID: Self.value("SLURM_ARRAY_TASK_ID", in: environment).flatMap { Int($0) },
                  node: Self.value("SLURMD_NODENAME", in: environment),
                  cpus: (Self.value("SLURM_CPUS_PER_TASK", in: environment) ?? Self.value("SLURM_CPUS_ON_NODE", in: environment))
                      .flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil })
    }

    /// The scheduler of this process (nil when not started by Slurm).
    public static var current: Scheduler? { Scheduler(environment: ProcessInfo.processInfo.environment) }

    /// The default thread count of a run: `SLURM_CPUS_PER_TASK` when Slurm set it (the CPUs the
    /// job asked for per task, which may be fewer than the node's cores), else `cores`.
    /// - Throws: `SchedulerError.badVariable` when `SLURM_CPUS_PER_TASK` is set but is not a
    ///   positive integer.
    public static func defaultThreads(environment: [String: String], cores: Int) throws -> Int {
        guard let text = value("SLURM_CPUS_PER_TASK", in: environment) else { return cores }
        guard let cpus = Int(text), cpus >= 1 else {
            throw SchedulerError.badVariable(name: "SLURM_CPUS_PER_TASK", value: text, expected: "a positive integer (CPUs per task)")
        }
        return cpus
    }

    private static func value(_ name: String, in environment: [String: String]) -> String? {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}

/// A scheduler variable that cannot be used.
public enum SchedulerError: Error, CustomStringConvertible, Equatable {
    case badVariable(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .badVariable(let name, let value, let expected):
            return "environment variable \(name)='\(value)': expected \(expected)"
        }
    }
}
