// swift-tools-version:6.0
// edp-eval: evaluate diffusion policies (EDP, Diffusion-QL) and feed-forward baselines on the
// D4RL MuJoCo tasks. Layers, bottom up (see docs/architecture.md "Layers"):
//   CMuJoCoDoor <- CMuJoCo210Shims, CMuJoCo237Shims -> MuJoCo -> Environments; MuJoCo -> Rendering
//   (+ CMuJoCoRenderShims for GL contexts, CPNG; cameras and markers given by RolloutVideo)
//   Randomness (SplitMix64, PolicyRandom, NumPyRandom), Digests (SHA-256), SampleStatistics
//   TensorArchives (pickle, zip, npy/npz, safetensors, torch) -> DiffusionPolicy (networks, samplers;
//   Tensor from TensorArchives, no file I/O) -> Checkpoints (files → weights + configuration)
//   SGEMMCeiling (OpenBLAS sgemm, for `bench` and edp-bench)
//   Datasets (HDF5 + SampleStatistics); DatasetCheck (Datasets + Environments)
//   Evaluation (Environments + MuJoCo + DiffusionPolicy + Checkpoints); RolloutVideo (Evaluation + Rendering)
//   -> edp-eval (command-line tool)
import PackageDescription
import Foundation

// The policy networks' micro-kernel (Sources/DiffusionPolicy/Internals/PackedDense.swift) is
// written with SIMD8<Float> + addingProduct; compiled for x86-64 Haswell (AVX2 + FMA + F16C +
// BMI2, i.e. any x86-64-v3 CPU: Intel ≥ 2013, AMD Zen) they become vfmadd231ps on ymm registers.
// `EDP_EVAL_PORTABLE=1 swift build …` builds for baseline x86-64 instead (any x86-64 CPU, slower;
// same arithmetic: `addingProduct` is a fused multiply-add in both builds).
#if arch(x86_64)
let policyCodegen: [SwiftSetting] = ProcessInfo.processInfo.environment["EDP_EVAL_PORTABLE"] == "1"
    ? [] : [.unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux]))]
#else
let policyCodegen: [SwiftSetting] = []
#endif

let package = Package(
    name: "edp-eval",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "edp-eval", targets: ["edp-eval"]),
        .library(name: "MuJoCo", targets: ["MuJoCo"]),
        .library(name: "Environments", targets: ["Environments"]),
        .library(name: "DiffusionPolicy", targets: ["DiffusionPolicy"]),
        .library(name: "Checkpoints", targets: ["Checkpoints"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "DatasetCheck", targets: ["DatasetCheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // The door to physics: a version-neutral C interface (CMuJoCoDoor) and one shim per official
        // MuJoCo build, each compiled against that build's headers (installed by Scripts/bootstrap
        // under /usr/local/include) and opening its library with dlopen at run time: nothing links
        // MuJoCo, so 2.1.0 and 2.3.7 live side by side in one process (docs/physics.md).
        .target(name: "CMuJoCoDoor"),
        .target(name: "CMuJoCo210Shims", dependencies: ["CMuJoCoDoor"]),
        .target(name: "CMuJoCo237Shims", dependencies: ["CMuJoCoDoor"]),
        // OpenGL contexts from libraries loaded at run time (EGL, OSMesa, GLFW). Only Rendering
        // depends on it.
        .target(name: "CMuJoCoRenderShims"),
        .target(name: "MuJoCo", dependencies: ["CMuJoCoDoor", "CMuJoCo210Shims", "CMuJoCo237Shims"]),
        .target(name: "Environments", dependencies: ["MuJoCo", "Randomness"]),
        // Random number generators shared by the environments (NumPy's legacy streams), the
        // policies (PolicyRandom) and the evaluation (SplitMix64 episode seeds). Foundation only.
        .target(name: "Randomness"),
        // Summary statistics of a sample (mean, std, standard error, Student-t interval): the one
        // summary type, used by reports and by `dataset info`.
        .target(name: "SampleStatistics"),
        // The one SHA-256 helper (hex digests of data and files); the only target importing Crypto.
        .target(name: "Digests", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // Container formats: pickle machine + allow-list, ZIP, npy/npz, safetensors, torch archives.
        // The only target using ZIPFoundation (besides TestSupport).
        .target(name: "TensorArchives", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        // Networks, schedules, samplers and action selection: pure Swift, no file I/O. The only
        // target compiled with CPU-specific code generation.
        .target(name: "DiffusionPolicy", dependencies: ["TensorArchives", "Randomness"], swiftSettings: policyCodegen),
        // Checkpoint files → weights + PolicyConfiguration: one reader per source format.
        .target(name: "Checkpoints", dependencies: ["TensorArchives", "DiffusionPolicy", "Digests"]),
        // OpenBLAS (Debian libopenblas-dev): sgemm, the FLOP ceiling `edp-eval bench` and edp-bench
        // compare a policy against (the networks run on DiffusionPolicy's own batch-invariant
        // kernel). Only the SGEMMCeiling target calls OpenBLAS.
        .systemLibrary(name: "COpenBLAS"),
        .target(name: "SGEMMCeiling", dependencies: ["COpenBLAS"]),
        .target(name: "Evaluation", dependencies: [
            "Environments", "DiffusionPolicy", "Checkpoints", "MuJoCo", "Randomness", "Digests", "SGEMMCeiling", "SampleStatistics",
        ]),
        // libpng 1.6 (Debian libpng-dev, with zlib1g-dev) for PNG frames and contact sheets.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .target(name: "Rendering", dependencies: ["MuJoCo", "CMuJoCoRenderShims", "CPNG"]),
        // Rollouts recorded to video as they run (`record`, `evaluate --video`): the one place
        // where Evaluation's rollouts and the robots' cameras and goal markers meet Rendering.
        .target(name: "RolloutVideo", dependencies: ["Environments", "Evaluation", "Rendering"]),
        // HDF5 1.10+ (Debian libhdf5-dev, installed by Scripts/bootstrap), found through pkg-config:
        // D4RL's dataset files. Only Datasets/Internals/HDF5.swift calls it.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5"),
        // D4RL datasets read lazily (a pure HDF5 reader: no simulator).
        .target(name: "Datasets", dependencies: [
            "CHDF5", "SampleStatistics", "Digests",
        ]),
        // The one-step consistency check of a dataset against the simulator (`dataset check`), and
        // a dataset's widths checked against a task's environment.
        .target(name: "DatasetCheck", dependencies: ["Datasets", "Environments", "MuJoCo"]),
        .executableTarget(name: "edp-eval", dependencies: [
            "Environments", "DiffusionPolicy", "Checkpoints", "Evaluation", "Rendering", "RolloutVideo", "Datasets", "DatasetCheck",
            "MuJoCo", "SampleStatistics", "Randomness",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmarks that run a baseline and our code side by side and print the ratio.
        .executableTarget(name: "edp-bench", dependencies: [
            "Environments", "DiffusionPolicy", "Checkpoints", "Randomness", "SGEMMCeiling", "COpenBLAS", "Rendering", "RolloutVideo",
            "Datasets", "DatasetCheck", "MuJoCo",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/edp-bench"),

        // The one locator of Tests/Fixtures, shared by every test target (Foundation, plus
        // ZIPFoundation's deflate decoder for gzip-compressed fixtures).
        .target(name: "TestSupport", dependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")],
                path: "Tests/TestSupport"),
        .testTarget(name: "MuJoCoTests", dependencies: ["MuJoCo"]),
        .testTarget(name: "EnvironmentsTests", dependencies: [
            "Environments", "MuJoCo", "Randomness", "Digests", "TestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        // Fixture loaders and byte builders (npy, pickle, zip) shared by the three suites below.
        .target(name: "PolicyTestSupport", dependencies: ["TestSupport", "TensorArchives", "DiffusionPolicy"],
                path: "Tests/PolicyTestSupport"),
        .testTarget(name: "TensorArchivesTests", dependencies: ["TensorArchives", "PolicyTestSupport", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: [
            "Checkpoints", "TensorArchives", "DiffusionPolicy", "Digests", "PolicyTestSupport", "TestSupport",
        ]),
        .testTarget(name: "DiffusionPolicyTests", dependencies: [
            "DiffusionPolicy", "Checkpoints", "TensorArchives", "Randomness", "PolicyTestSupport", "TestSupport",
        ]),
        .testTarget(name: "EvaluationTests", dependencies: [
            "Evaluation", "Environments", "DiffusionPolicy", "Checkpoints", "Randomness", "SampleStatistics", "TestSupport",
        ]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CHDF5", "TestSupport"]),
        .testTarget(name: "DatasetCheckTests", dependencies: ["DatasetCheck", "Datasets", "Environments", "TestSupport"]),
        // Runs the built binary; `CommandParsingTests` also parses the commands in process.
        .testTarget(name: "CLITests", dependencies: [
            "edp-eval", "TestSupport", "Evaluation", "Rendering",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "RolloutVideo", "MuJoCo", "Environments", "Evaluation", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
