import Foundation
import MuJoCo

/// Everything that makes one robot family (the `robot` field of `envs/tasks.json`) what it is,
/// in one type: the `Robot` class itself conforms, so its file holds the substeps, action
/// mapping, observation, reset, reward, termination and goal handling (the `Robot` members)
/// beside the static facts below (how the model is built, default camera, what an episode
/// reports). Registered once in `RobotCatalog.all`; the rest of the code asks the descriptor and
/// never names a robot (docs/architecture.md "A new environment").
public protocol RobotDescriptor: Robot {
    /// The `robot` field of the tasks this type implements (`envs/tasks.json`, written by
    /// `Tools/generate_registry.py` from `Tools/registry/<robot>.json`).
    static var robot: String { get }

    /// Every file the task's compiled model is built from, for provenance hashes (MJCF files,
    /// included files, data such as maze maps).
    static func modelSourceURLs(for task: TaskSpec) throws -> [URL]

    /// The compiled model for `task` as it is before any episode-specific edit, shared and
    /// read-only (renderers and size checks use it). An environment that edits its model (e.g. a
    /// goal written into a body) builds its own copy in `makeEnvironment`.
    static func model(for task: TaskSpec, physics: MuJoCoPhysics) throws -> MjModel

    /// A fresh environment for `task` with its generator seeded with `seed` (call `reset()` next),
    /// simulated by `physics`.
    static func makeEnvironment(task: TaskSpec, seed: UInt64, physics: MuJoCoPhysics) throws -> MuJoCoEnvironment

    /// The MuJoCo build the task's source ran on, and so the default physics of its tasks: the
    /// build that reproduces the source's numbers (docs/physics.md). Default: 2.1.0, the build
    /// mujoco-py ran for D4RL's locomotion, AntMaze and Adroit environments and for gym's.
    static var sourcePhysics: MuJoCoPhysics { get }

    /// The camera videos use unless the user picks one (`edp-eval record --camera default`).
    static var defaultCamera: CameraView { get }

    /// Whether episodes report `success` and `time_to_goal` (from `StepInfo.success`) and the
    /// report a success rate. Default: false.
    static var reportsGoalSuccess: Bool { get }

    /// The task-id prefixes ("domains") on which EDP's trainer normalizes observations when its
    /// variant sets `obs_norm` (EDP trainer.py:438-443; docs/edp-inference.md) that this robot
    /// family stands for (Adroit: every hand task, implemented or not). Default: none.
    static var edpNormalizedDomains: [String] { get }

    /// The task `edp-bench environments` measures this robot on, or nil to leave it out. Default nil.
    static var environmentBenchmarkTask: String? { get }
}

extension RobotDescriptor {
    public static var reportsGoalSuccess: Bool { false }
    public static var edpNormalizedDomains: [String] { [] }
    public static var environmentBenchmarkTask: String? { nil }
    public static var sourcePhysics: MuJoCoPhysics { .v2_1_0 }

    /// Whether EDP's trainer normalizes observations on some of this robot's tasks.
    public static var edpNormalizesObservations: Bool { !edpNormalizedDomains.isEmpty }

    /// The compiled model of a file under `assets/models/`, compiled once per process and shared.
    public static func bundledModel(_ file: String, physics: MuJoCoPhysics) throws -> MjModel {
        try ModelCache.model(at: ProjectResources.model(file), physics: physics)
    }

    /// The compiled model of an MJCF file anywhere (e.g. an asset folder installed by
    /// `Scripts/bootstrap`, whose `<include>`s resolve next to it), compiled once per path and shared.
    public static func compiledModel(at url: URL, physics: MuJoCoPhysics) throws -> MjModel {
        try ModelCache.model(at: url, physics: physics)
    }

    /// A compiled model built from `xml` (e.g. a generated variant of a bundled file), compiled
    /// once per distinct text and shared; `name` labels it in messages.
    public static func compiledModel(xml: String, name: String, physics: MuJoCoPhysics) throws -> MjModel {
        try ModelCache.model(key: ModelCache.Key(physics: physics, source: xml)) {
            try MjModel(xml: xml, name: name, physics: physics)
        }
    }
}
