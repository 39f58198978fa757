// swift-tools-version:6.0
// edp-eval: evaluate diffusion policies (EDP, Diffusion-QL) and feed-forward baselines on the
// D4RL MuJoCo tasks. Layers, bottom up (see README "Architecture"):
//   CMuJoCo -> CMuJoCoShims -> MuJoCo -> Environments / Rendering
//   COpenBLAS -> DiffusionPolicy
//   Evaluation (Environments + DiffusionPolicy) -> edp-eval (command-line tool)
import PackageDescription

let package = Package(
    name: "edp-eval",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "edp-eval", targets: ["edp-eval"]),
        .library(name: "MuJoCo", targets: ["MuJoCo"]),
        .library(name: "Environments", targets: ["Environments"]),
        .library(name: "DiffusionPolicy", targets: ["DiffusionPolicy"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // MuJoCo 2.3.7 (official build, installed by Scripts/bootstrap), found through pkg-config.
        .systemLibrary(name: "CMuJoCo", pkgConfig: "mujoco"),
        // The one C shim: traps mju_error (setjmp/longjmp) and silences MUJOCO_LOG.TXT.
        .target(name: "CMuJoCoShims", dependencies: ["CMuJoCo"]),
        .target(name: "MuJoCo", dependencies: ["CMuJoCo", "CMuJoCoShims"]),
        .target(name: "Environments", dependencies: ["MuJoCo"]),
        // OpenBLAS (Debian libopenblas-dev): cblas_sgemm for batched network inference.
        .systemLibrary(name: "COpenBLAS"),
        .target(name: "DiffusionPolicy", dependencies: [
            "COpenBLAS", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Evaluation", dependencies: [
            "Environments", "DiffusionPolicy", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Rendering", dependencies: ["MuJoCo", "CMuJoCoShims"]),
        .executableTarget(name: "edp-eval", dependencies: [
            "Environments", "DiffusionPolicy", "Evaluation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmarks that run a baseline and our code side by side and print the ratio.
        .executableTarget(name: "edp-bench", dependencies: [
            "Environments", "DiffusionPolicy", "CMuJoCo", "COpenBLAS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
                          path: "Benchmarks/edp-bench"),

        .testTarget(name: "MuJoCoTests", dependencies: ["MuJoCo", "CMuJoCo"]),
        .testTarget(name: "EnvironmentsTests", dependencies: [
            "Environments", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "DiffusionPolicyTests", dependencies: ["DiffusionPolicy"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "CLITests", dependencies: ["edp-eval"]),
    ],
    swiftLanguageModes: [.v5]
)
