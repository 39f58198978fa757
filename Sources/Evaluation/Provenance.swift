import Checkpoints
import Digests
import DiffusionPolicy
import Environments
import Foundation
import MuJoCo

/// Where a number came from: software versions, file hashes, seeds, settings and machine.
public struct Provenance: Codable, Equatable, Sendable {
    public struct File: Codable, Equatable, Sendable {
        public var path: String
        public var sha256: String
        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }
        /// A loaded checkpoint: its path (relative to the project when inside it) and hash.
        public init(_ checkpoint: Checkpoint) {
            self.init(path: Provenance.relativePath(checkpoint.url), sha256: checkpoint.sha256)
        }

        /// Every file a loaded checkpoint was read from (the file itself and siblings such as a
        /// Diffusion-QL critic or a `variant.json`, or an SB3 `vecnormalize.pkl` in a subfolder), at
        /// its real path, in name order: all of them decide actions.
        public static func all(_ checkpoint: Checkpoint) -> [File] {
            let folder = checkpoint.url.deletingLastPathComponent()
            return checkpoint.fileHashes.sorted { $0.key < $1.key }.map { name, hash in
                File(path: Provenance.relativePath(folder.appendingPathComponent(name)), sha256: hash)
            }
        }
    }

    public var package: String = EDPEvalVersion.current
    /// The MuJoCo build of every episode (`MuJoCoPhysics`, e.g. "2.1.0").
    public var mujocoVersion: String
    public var taskSemanticsVersion: Int
    /// Model files (MJCF, maze maps) of every task in the run, with SHA-256.
    public var modelFiles: [File]
    /// Checkpoint files used, with SHA-256.
    public var checkpoints: [File]
    public var seeds: [UInt64]
    public var episodesPerSeed: Int
    /// Policy settings (sampler, steps, candidates, preprocessing...) of the run's first policy;
    /// `policies` has every policy's.
    public var policy: [String: SettingValue]
    /// The run's tasks, in the order given (nil in reports of versions before 0.1.1).
    public var tasks: [String]?
    /// The run's policies, in the order given (for checkpoints: training order, which RAT/OMS
    /// follow), with their checkpoint hash and settings (nil in reports before 0.1.1).
    public var policies: [PolicyRecord]?
    /// Threads stepping environments; BLAS threads for the policy; environments in flight
    /// (`--environments`, or without it the widest default any group of this run used).
    public var threads: Int
    public var blasThreads: Int
    public var environmentsInFlight: Int
    public var machine: Machine
    public var commandLine: [String]
    public var startedAt: String
    public var shard: String?
    /// The Slurm job that made this report (nil when not run under Slurm); see `Scheduler`.
    /// In a merged report: the job that ran `merge`, if any (each shard's is in `mergedFrom`).
    public var scheduler: Scheduler?
    /// In a merged report: every report merged (shards of merged reports flattened), with the
    /// shard it ran, where and when, so each shard's job can be traced. Nil in `evaluate` reports.
    public var mergedFrom: [Source]?
    /// In a report merged with `--allow-incomplete`: the sweep items (task, policy, seed) that
    /// had missing episodes. Nil when the sweep was complete.
    public var missing: [SweepGaps.Item]?

    /// One report that went into a merged report.
    public struct Source: Codable, Equatable, Sendable {
        /// The file as given to `merge`.
        public var file: String
        public var shard: String?
        public var hostname: String
        public var startedAt: String
        public var scheduler: Scheduler?
        /// The shard's own command line, as it ran.
        public var commandLine: [String]

        enum CodingKeys: String, CodingKey {
            case file, shard, hostname, scheduler
            case startedAt = "started_at"
            case commandLine = "command_line"
        }

        public init(file: String, shard: String?, hostname: String, startedAt: String, scheduler: Scheduler?,
                    commandLine: [String]) {
            self.file = file
            self.shard = shard
            self.hostname = hostname
            self.startedAt = startedAt
            self.scheduler = scheduler
            self.commandLine = commandLine
        }
    }

    enum CodingKeys: String, CodingKey {
        case package, seeds, policy, threads, machine, checkpoints, shard, tasks, policies, scheduler, missing
        case mergedFrom = "merged_from"
        case mujocoVersion = "mujoco_version"
        case taskSemanticsVersion = "task_semantics_version"
        case modelFiles = "model_files"
        case episodesPerSeed = "episodes_per_seed"
        case blasThreads = "blas_threads"
        case environmentsInFlight = "environments_in_flight"
        case commandLine = "command_line"
        case startedAt = "started_at"
    }

    public init(physics: MuJoCoPhysics, taskSemanticsVersion: Int, modelFiles: [File], checkpoints: [File], seeds: [UInt64],
                episodesPerSeed: Int, policy: [String: SettingValue], threads: Int, blasThreads: Int,
                environmentsInFlight: Int, shard: String? = nil, tasks: [String]? = nil, policies: [PolicyRecord]? = nil,
                scheduler: Scheduler? = Scheduler.current) {
        self.mujocoVersion = physics.rawValue
        self.taskSemanticsVersion = taskSemanticsVersion
        self.modelFiles = modelFiles
        self.checkpoints = checkpoints
        self.seeds = seeds
        self.episodesPerSeed = episodesPerSeed
        self.policy = policy
        self.threads = threads
        self.blasThreads = blasThreads
        self.environmentsInFlight = environmentsInFlight
        self.machine = Machine.current
        self.commandLine = CommandLine.arguments
        self.startedAt = ISO8601DateFormatter().string(from: Date())
        self.shard = shard
        self.tasks = tasks
        self.policies = policies
        self.scheduler = scheduler
    }

    /// One policy of a run: its label (checkpoint path or `random`), checkpoint SHA-256 ("" for
    /// built-in policies) and inference settings; both nil when a shard of the sweep did not
    /// run this policy (so did not load it).
    public struct PolicyRecord: Codable, Equatable, Sendable {
        public var label: String
        public var sha256: String?
        public var settings: [String: SettingValue]?
        /// SHA-256 of every file of the checkpoint by file name, when it has several (a
        /// Diffusion-QL actor and critic): all of them decide the actions (nil for one file).
        public var files: [String: String]?
        public init(label: String, sha256: String?, settings: [String: SettingValue]?, files: [String: String]? = nil) {
            self.label = label
            self.sha256 = sha256
            self.settings = settings
            self.files = files
        }

        /// The identity a resumed log must match: the checkpoint hash, or with several files
        /// `name=sha256` of each, sorted by name.
        public var identity: String {
            guard let files, files.count > 1 else { return sha256 ?? "" }
            return files.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
    }

    /// The machine a run used.
    public struct Machine: Codable, Equatable, Sendable {
        public var hostname: String
        public var cpu: String
        public var logicalCores: Int
        public var memoryGiB: Double
        public var operatingSystem: String

        enum CodingKeys: String, CodingKey {
            case hostname, cpu
            case logicalCores = "logical_cores"
            case memoryGiB = "memory_gib"
            case operatingSystem = "operating_system"
        }

        public static var current: Machine {
            let info = ProcessInfo.processInfo
            let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
                .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
            return Machine(hostname: info.hostName, cpu: model, logicalCores: info.activeProcessorCount,
                           memoryGiB: (Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                           operatingSystem: info.operatingSystemVersionString)
        }
    }

    /// SHA-256 (hex) of a file's bytes.
    public static func sha256(of url: URL) throws -> String {
        try SHA256Digest.hex(ofFile: url)
    }

    /// Hashes of the model files a task is built from (MJCF files and any data the robot builds its model from, e.g. maze maps).
    public static func modelFiles(for task: TaskSpec) throws -> [File] {
        try EnvironmentFactory.modelSourceURLs(for: task).map { File(path: relativePath($0), sha256: try sha256(of: $0)) }
    }

    /// Path relative to the project root when inside it (reports stay comparable across machines).
    public static func relativePath(_ url: URL) -> String {
        let root = ProjectResources.root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}

/// The version of this package (bump on release; reports carry it).
public enum EDPEvalVersion {
    public static let current = "0.1.1"
    /// The MuJoCo builds this package drives.
    public static var mujoco: String { MuJoCoPhysics.allCases.map(\.rawValue).joined(separator: " and ") }
}
