import Foundation
import Randomness
import Testing
import TestSupport
import ZIPFoundation
@testable import Environments
@testable import MuJoCo

// AntMaze (docs/environments.md §6): model construction, physics parity with the official bindings, goal
// sampling, reward/termination semantics, registry entries.

/// The environment for an antmaze task id, with its robot.
private func antMaze(_ id: String, seed: UInt64 = 0) throws -> AntMazeUnderTest {
    let env = try EnvironmentFactory.make(task: TaskRegistry.standard().task(id), seed: seed, physics: .v2_3_7)
    return AntMazeUnderTest(env: env, ant: try #require(env.robot(as: AntMaze.self)))
}

/// An AntMaze environment read together with its robot: the environment's members directly, the
/// robot's goal state through the properties below.
@dynamicMemberLookup
private struct AntMazeUnderTest {
    let env: MuJoCoEnvironment
    let ant: AntMaze

    subscript<T>(dynamicMember keyPath: KeyPath<MuJoCoEnvironment, T>) -> T { env[keyPath: keyPath] }
    subscript<T>(dynamicMember keyPath: ReferenceWritableKeyPath<MuJoCoEnvironment, T>) -> T {
        get { env[keyPath: keyPath] }
        nonmutating set { env[keyPath: keyPath] = newValue }
    }

    var goal: SIMD2<Double> { ant.goal }
    var goalIsFixed: Bool { ant.goalIsFixed }
    var resamplesGoalEachReset: Bool { ant.resamplesGoalEachReset }
    var distanceToGoal: Double { ant.distanceToGoal(env) }
    func sampleInitialState() -> (qpos: [Double], qvel: [Double]) { ant.sampleInitialState(env) }

    @discardableResult func reset(seed: UInt64? = nil) throws -> [Double] { try env.reset(seed: seed) }
    @discardableResult func reset(qpos: [Double], qvel: [Double]) throws -> [Double] { try env.reset(qpos: qpos, qvel: qvel) }
    func step(_ action: [Double]) throws -> StepResult { try env.step(action) }
    func setGoal(_ goal: [Double]) throws { try env.setGoal(goal) }
    func replay(_ input: ReplayInput) throws -> ReplayOutput { try env.replay(input) }
}

/// (maze map, reference file, geom count from docs/environments.md §6.3, a -v2 task using it, goal cell xy and
/// goal mean from the docs/environments.md §6.5 table).
private let mazes: [(map: String, file: String, geoms: Int, task: String, cell: SIMD2<Double>, mean: SIMD2<Double>)] = [
    ("U_MAZE_TEST", "antmaze_umaze.xml", 32, "antmaze-umaze-v2", SIMD2(0, 8), SIMD2(0.75, 8.75)),
    ("BIG_MAZE_TEST", "antmaze_medium.xml", 52, "antmaze-medium-play-v2", SIMD2(20, 20), SIMD2(20.75, 20.75)),
    ("HARDEST_MAZE_TEST", "antmaze_large.xml", 76, "antmaze-large-diverse-v2", SIMD2(32, 24), SIMD2(32.75, 24.75)),
]

/// Episodes of `Tests/Fixtures/antmaze/antmaze-<maze>.zip` (Tools/fixtures/generate_antmaze.py).
private struct AntMazeFixture {
    struct Expected: RecordedEpisode {
        let observations: [[Double]]
        let rewards: [Double]
        let terminated: [Bool]
        let truncated: [Bool]
        let controller: String
        let seed: UInt64
        let wall_contact_steps: Int
    }

    static func episodes(maze: String) throws -> [(name: String, input: ReplayInput, expected: Expected)] {
        try Fixtures.episodes(archive: "antmaze/antmaze-\(maze).zip", label: maze)
    }
}

@Suite struct AntMazeModelTests {
    /// The maze model built from ant.xml + envs/mazes.json compiles to the same mjModel as the
    /// reference XML D4RL's MazeEnv writes (Tests/Fixtures/reference/models), field by field, exact.
    @Test(arguments: [0, 1, 2])
    func compiledMazeMatchesReference(index: Int) throws {
        let (map, file, geoms, _, _, _) = mazes[index]
        let ours = try AntMaze.model(for: MazeMap.named(map), physics: .v2_3_7)
        let reference = try MjModel(contentsOf: Fixtures.referenceModel(file), physics: .v2_3_7)
        #expect(ours.ngeom == geoms && reference.ngeom == geoms, "\(map) geom count")
        let sizes = [ours.nq, ours.nv, ours.nu, ours.na, ours.nbody, ours.njnt, ours.ngeom]
        #expect(sizes == [reference.nq, reference.nv, reference.nu, reference.na, reference.nbody, reference.njnt, reference.ngeom])
        #expect(ours.names(of: .geom) == reference.names(of: .geom))
        #expect(ours.names(of: .body) == reference.names(of: .body))
        #expect(ours.names(of: .joint) == reference.names(of: .joint))
        #expect(ours.geomType == reference.geomType)
        #expect(ours.geomBody == reference.geomBody)
        #expect(ours.geomPosition == reference.geomPosition)
        #expect(ours.geomQuaternion == reference.geomQuaternion)
        #expect(ours.geomSize == reference.geomSize)
        #expect(ours.geomContype == reference.geomContype)
        #expect(ours.geomConaffinity == reference.geomConaffinity)
        #expect(ours.geomFriction == reference.geomFriction)
        #expect(ours.geomSolref == reference.geomSolref)
        #expect(ours.geomSolimp == reference.geomSolimp)
        #expect(ours.geomMargin == reference.geomMargin)
        #expect(ours.geomCondim == reference.geomCondim)
        #expect(ours.geomRGBA == reference.geomRGBA)
        #expect(ours.bodyMass == reference.bodyMass)
        #expect(ours.bodyPosition == reference.bodyPosition)
        #expect(ours.bodyQuaternion == reference.bodyQuaternion)
        #expect(ours.bodyInertia == reference.bodyInertia)
        #expect(ours.bodyInertialPosition == reference.bodyInertialPosition)
        #expect(ours.bodyParent == reference.bodyParent)
        #expect(ours.jointType == reference.jointType)
        #expect(ours.jointRange == reference.jointRange)
        #expect(ours.jointLimited == reference.jointLimited)
        #expect(ours.jointAxis == reference.jointAxis)
        #expect(ours.jointPosition == reference.jointPosition)
        #expect(ours.dofDamping == reference.dofDamping)
        #expect(ours.dofArmature == reference.dofArmature)
        #expect(ours.actuatorGearVector == reference.actuatorGearVector)
        #expect(ours.actuatorJoint == reference.actuatorJoint)
        #expect(ours.actuatorControlRange == reference.actuatorControlRange)
        #expect(ours.actuatorControlLimited == reference.actuatorControlLimited)
        #expect(ours.timestep == reference.timestep && ours.integrator == reference.integrator)
        #expect(ours.gravity == reference.gravity && ours.qpos0 == reference.qpos0)
    }

    /// docs/environments.md §6.3, independently of the reference files: one box per wall cell named block_i_j,
    /// centred at (4j − 4, 4i − 4, 1.0) m with half-sizes (2, 2, 1) m, static (world body), colliding
    /// (contype = conaffinity = 1).
    @Test(arguments: [0, 1, 2])
    func wallsAreD4RLsBlocks(index: Int) throws {
        let maze = try MazeMap.named(mazes[index].map)
        let m = try AntMaze.model(for: maze, physics: .v2_3_7)
        let walls = maze.cells(where: { $0 == .wall })
        #expect(walls.count == mazes[index].geoms - 14)   // the ant file has 14 geoms (floor + ant)
        #expect(maze.robotCell == MazeCell(row: 1, column: 1) && maze.torsoOffset == SIMD2(4, 4))
        for cell in walls {
            let g = try #require(m.id(of: .geom, named: "block_\(cell.row)_\(cell.column)"))
            #expect(m.geomType[g] == 6)   // mjGEOM_BOX
            #expect(m.geomBody[g] == 0)
            #expect(Array(m.geomPosition[3 * g..<3 * g + 3]) == [4 * Double(cell.column) - 4, 4 * Double(cell.row) - 4, 1.0])
            #expect(Array(m.geomSize[3 * g..<3 * g + 3]) == [2, 2, 1])
            #expect(m.geomContype[g] == 1 && m.geomConaffinity[g] == 1)
        }
        // Free cells have no block.
        for cell in maze.cells(where: { $0 != .wall }) {
            #expect(m.id(of: .geom, named: "block_\(cell.row)_\(cell.column)") == nil)
        }
    }

    /// (docs/environments.md §6.2) nq 15, nv 14, nu 8; RK4, timestep 0.02 s, frame skip 5 → dt 0.1 s; motors with
    /// gear 1, ctrlrange ±30 in D4RL's order; qpos0 = (0, 0, 0.75, 1, 0…).
    @Test func antModelAndTiming() throws {
        let env = try antMaze("antmaze-umaze-v0")
        let m = env.model
        #expect(m.nq == 15 && m.nv == 14 && m.nu == 8)
        #expect(m.integrator == .rk4 && m.timestep == 0.02)
        #expect(env.frameSkip == 5 && abs(env.dt - 0.1) < 1e-15)
        #expect(m.actuatorControlRange.allSatisfy { $0 == -30...30 })
        #expect(m.actuatorGear == [Double](repeating: 1, count: 8))
        let order = m.actuatorJoint.map { m.name(of: .joint, id: $0) }
        #expect(order == ["hip_4", "ankle_4", "hip_1", "ankle_1", "hip_2", "ankle_2", "hip_3", "ankle_3"])
        #expect(m.qpos0 == [0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(env.observationSize == 29 && env.actionSize == 8)
    }

    @Test func bundledAntIsD4RLsFileAndProvenanceCoversTheMaze() throws {
        let bundled = try Data(contentsOf: ProjectResources.model("ant.xml"))
        let reference = try TestFixtures.data("reference/models/ant.xml")
        #expect(bundled == reference)
        let task = try TaskRegistry.standard().task("antmaze-large-play-v2")
        let sources = try EnvironmentFactory.modelSourceURLs(for: task).map(\.lastPathComponent)
        #expect(sources == ["ant.xml", "mazes.json"])
        let hopper = try TaskRegistry.standard().task("hopper-medium-v2")
        #expect(try EnvironmentFactory.modelSourceURLs(for: hopper).map(\.lastPathComponent) == ["hopper.xml"])
    }

    @Test func mazeModelsAreCompiledOncePerMaze() throws {
        let a = try antMaze("antmaze-medium-play-v0"), b = try antMaze("antmaze-medium-diverse-v2")
        let c = try antMaze("antmaze-umaze-v2")
        #expect(a.model === b.model)
        #expect(a.model !== c.model)
    }

    @Test func mazeFileHoldsTheReferenceMaps() throws {
        struct Reference: Decodable { let U_MAZE_TEST: [[AnyCell]]; let BIG_MAZE_TEST: [[AnyCell]]; let HARDEST_MAZE_TEST: [[AnyCell]] }
        struct AnyCell: Decodable, Equatable {
            let text: String
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let number = try? c.decode(Int.self) { text = String(number) } else { text = try c.decode(String.self) }
            }
        }
        let reference = try JSONDecoder().decode(Reference.self, from: TestFixtures.data("reference/maze_maps.json"))
        func letters(_ maze: MazeMap) -> [[String]] {
            maze.cells.map { $0.map { cell in ["1", "0", "r", "g"][[MazeMap.Cell.wall, .free, .robot, .goal].firstIndex(of: cell)!] } }
        }
        #expect(letters(try MazeMap.named("U_MAZE_TEST")) == reference.U_MAZE_TEST.map { $0.map(\.text) })
        #expect(letters(try MazeMap.named("BIG_MAZE_TEST")) == reference.BIG_MAZE_TEST.map { $0.map(\.text) })
        #expect(letters(try MazeMap.named("HARDEST_MAZE_TEST")) == reference.HARDEST_MAZE_TEST.map { $0.map(\.text) })
        #expect(throws: MazeError.self) { try MazeMap.named("NO_SUCH_MAZE") }
        #expect(throws: MazeError.self) { try AntMazeModel.xml(antXML: "<mujoco/>", maze: MazeMap.named("U_MAZE_TEST")) }
    }
}

/// Bit-exact parity with the official `mujoco` 2.3.7 bindings stepping the reference maze XMLs
/// (fixtures from Tools/fixtures/generate_antmaze.py). Tolerance: none. Same binary, same
/// sequence of `mj_resetData`, state writes, `mj_forward`, `ctrl` writes and `mj_step` calls, and a
/// model text that compiles to the identical mjModel, so every double must be identical.
@Suite struct AntMazeParityTests {
    @Test(arguments: [("umaze", "antmaze-umaze-v2"), ("medium", "antmaze-medium-diverse-v2"), ("large", "antmaze-large-play-v0")])
    func replayReproducesEveryStepBitForBit(maze: String, task: String) throws {
        let episodes = try AntMazeFixture.episodes(maze: maze)
        #expect(episodes.count == 3)
        let env = try antMaze(task)
        var steps = 0
        for (name, input, expected) in episodes {
            #expect(input.goal != nil, "\(name): the fixture fixes the goal")
            steps += try expectBitIdenticalReplay(env.env, input, expected, name)
            #expect(env.goal == SIMD2(input.goal![0], input.goal![1]), "\(name): goal")
        }
        #expect(steps >= 650, "fixtures should exercise long episodes")
    }

    /// The fixtures reach a goal (return 1, terminated on that step), push against walls, and start
    /// from the reset noise of docs/environments.md §6.5: a generator seeded with s draws the same qpos and qvel as
    /// NumPy's `qpos0 + default_rng(s).uniform(-0.1, 0.1, 15)`, then `standard_normal(14) * 0.1`, used by the generator.
    @Test(arguments: ["umaze", "medium", "large"])
    func fixturesCoverSuccessWallsAndResetNoise(maze: String) throws {
        let episodes = try AntMazeFixture.episodes(maze: maze)
        let success = try #require(episodes.first { $0.expected.controller == "gait-goal" })
        #expect(success.expected.rewards.reduce(0, +) == 1 && success.expected.terminated.last == true)
        #expect(success.expected.rewards.count > 100)
        #expect(episodes.contains { $0.expected.wall_contact_steps > 0 })
        let env = try antMaze("antmaze-umaze-v0")
        for episode in episodes where episode.expected.controller != "wall" {   // "wall" starts shifted in y
            env.random = NumPyRandom(seed: episode.expected.seed)
            let start = env.sampleInitialState()
            #expect(start.qpos == episode.input.qpos, "\(episode.name): drawn qpos")
            #expect(start.qvel == episode.input.qvel, "\(episode.name): drawn qvel (NumPy's ziggurat normal)")
        }
    }

    /// Success ends the episode with return 1, and the environment reports when.
    @Test func successEndsTheEpisodeWithReturnOneAndRecordsTheTimeToGoal() throws {
        let (_, input, expected) = try #require(try AntMazeFixture.episodes(maze: "umaze").first { $0.expected.controller == "gait-goal" })
        let env = try antMaze("antmaze-umaze-v0")
        try env.setGoal(try #require(input.goal))
        try env.reset(qpos: try #require(input.qpos), qvel: try #require(input.qvel))
        var total = 0.0, steps = 0
        var last: StepResult?
        for action in input.actions {
            let result = try env.step(action)
            total += result.reward
            steps += 1
            last = result
            if result.isDone { break }
            #expect(!result.info.success && result.info.distanceToGoal > 0.5)
        }
        let final = try #require(last)
        #expect(total == 1 && final.terminated && !final.truncated && final.info.success)
        #expect(final.info.distanceToGoal <= 0.5 && final.info.distanceToGoal == env.distanceToGoal)
        #expect(steps == expected.rewards.count)
        #expect(env.successStep == steps && env.reachedGoal)
        #expect(env.timeToGoal == Double(steps) * env.dt)
        try env.reset()
        #expect(env.successStep == nil && env.timeToGoal == nil)
    }
}

@Suite struct AntMazeGoalTests {
    /// Over 2000 resets of a -v2 task the goal per axis is cell + U(0,1) + U(0,0.5): range
    /// [cell, cell + 1.5], mean cell + 0.75 (docs/environments.md §6.5 table), std sqrt(1/12 + 0.25/12) = 0.3227 m.
    /// Tolerance for the mean: 0.03 m ≈ 4.2 standard errors (0.3227/√2000 = 0.0072 m); std within 5%.
    @Test(arguments: [0, 1, 2])
    func goalDistributionMatchesTheSpecTable(index: Int) throws {
        let (_, _, _, task, cell, mean) = mazes[index]
        let env = try antMaze(task, seed: 21)
        let n = 2000
        var goals: [SIMD2<Double>] = []
        for _ in 0..<n {
            try env.reset()
            goals.append(env.goal)
        }
        let expectedStd = (1.0 / 12 + 0.25 / 12).squareRoot()
        for axis in 0..<2 {
            let values = goals.map { $0[axis] }
            let m = values.reduce(0, +) / Double(n)
            let std = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)).squareRoot()
            #expect(abs(m - mean[axis]) < 0.03, "\(task) axis \(axis) mean \(m)")
            #expect(abs(std / expectedStd - 1) < 0.05, "\(task) axis \(axis) std \(std)")
            #expect(values.allSatisfy { cell[axis] <= $0 && $0 <= cell[axis] + 1.5 }, "\(task) axis \(axis) range")
            print("goal \(task) axis \(axis): mean \(m) (docs/environments.md §6.5: \(mean[axis])), std \(std), range [\(values.min() ?? .nan), \(values.max() ?? .nan)]")
        }
        #expect(Set(goals.map { [$0.x, $0.y] }).count == n)   // a new goal at every reset
    }

    /// v0 (and v1) draw one goal when built and keep it; v2 draws a new one at every reset.
    @Test func v0KeepsOneGoalAndV2RedrawsIt() throws {
        for id in ["antmaze-umaze-v0", "antmaze-medium-play-v1", "antmaze-large-diverse-v0"] {
            let env = try antMaze(id, seed: 3)
            let first = env.goal
            for _ in 0..<20 {
                try env.reset()
                #expect(env.goal == first, "\(id)")
            }
            #expect(!env.resamplesGoalEachReset)
        }
        let v2 = try antMaze("antmaze-umaze-v2", seed: 3)
        #expect(v2.resamplesGoalEachReset)
        var previous = v2.goal
        for _ in 0..<20 {
            try v2.reset()
            #expect(v2.goal != previous)
            previous = v2.goal
        }
        // Different construction seeds give different v0 goals; the same seed the same goal.
        #expect(try antMaze("antmaze-umaze-v0", seed: 1).goal != antMaze("antmaze-umaze-v0", seed: 2).goal)
        #expect(try antMaze("antmaze-umaze-v0", seed: 1).goal == antMaze("antmaze-umaze-v0", seed: 1).goal)
    }

    /// Goals come from their own stream: v0 and v2 environments with the same seed draw the same
    /// reset noise although v2 draws goals in between.
    @Test func goalDrawsDoNotDisturbTheResetNoise() throws {
        let v0 = try antMaze("antmaze-large-play-v0", seed: 8), v2 = try antMaze("antmaze-large-play-v2", seed: 8)
        for _ in 0..<5 {
            #expect(try v0.reset() == v2.reset())
        }
        #expect(v0.goal != v2.goal)
    }

    /// Draw order and arithmetic of `goal_sampler` for a one-goal map (docs/environments.md §6.5): no draw for the
    /// choice, then U_x(0, 1), U_y(0, 1), U_x(0, 0.5)·0.25·4, U_y(0, 0.5)·0.25·4, from the cell at
    /// (col·4 − 4, row·4 − 4).
    @Test func goalSamplerDrawOrder() throws {
        let maze = try MazeMap.named("BIG_MAZE_TEST")
        var random = NumPyRandom(seed: 77)
        let goal = maze.sampleGoal(using: &random)
        var replay = NumPyRandom(seed: 77)
        let r = (0..<4).map { _ in replay.random() }
        let x = (20 + (0 + 1.0 * r[0])) + (0 + 0.5 * r[2]) * 0.25 * 4
        let y = (20 + (0 + 1.0 * r[1])) + (0 + 0.5 * r[3]) * 0.25 * 4
        #expect(goal == SIMD2(x, y))
        #expect(random.next() == replay.next())   // exactly four draws consumed
        // The environment's first goal is the first draw of its goal generator.
        let env = try antMaze("antmaze-medium-play-v0", seed: 5)
        var expected = NumPyRandom(seed: AntMaze.goalSeed(for: 5))
        #expect(env.goal == maze.sampleGoal(using: &expected))
    }

    /// Without 'g' cells every free cell is a candidate (row-major), and max(·, 0) clamps goals in
    /// cells left of / below the robot cell.
    @Test func mapsWithoutGoalCellsUseEveryFreeCell() throws {
        let maze = try MazeMap(name: "test", cells: [[.wall, .wall, .wall, .wall], [.wall, .free, .robot, .wall], [.wall, .wall, .wall, .wall]],
                               scaling: 4, height: 0.5)
        #expect(maze.goalCandidates == [MazeCell(row: 1, column: 1), MazeCell(row: 1, column: 2)])
        var random = NumPyRandom(seed: 4)
        var xs: [Double] = []
        for _ in 0..<400 {
            let goal = maze.sampleGoal(using: &random)
            #expect(goal.y >= 0 && goal.y <= 1.5)
            xs.append(goal.x)
        }
        // Cell (1,1) lies at x = −4: its goals clamp to 0. Cell (1,2) at x = 0 gives (0, 1.5].
        #expect(xs.contains(0) && xs.contains { $0 > 0.5 })
        #expect(xs.allSatisfy { $0 >= 0 && $0 <= 1.5 })
        let zeros = xs.filter { $0 == 0 }.count
        #expect(zeros > 150 && zeros < 250, "about half the draws pick the clamped cell: \(zeros)")
    }

    @Test func setGoalFixesTheGoalEvenForV2AndReplayUsesIt() throws {
        let env = try antMaze("antmaze-umaze-v2", seed: 2)
        try env.setGoal([5.5, -1.25])
        for _ in 0..<3 {
            try env.reset()
            #expect(env.goal == SIMD2(5.5, -1.25) && env.goalIsFixed)
        }
        #expect(throws: ReplayError.wrongLength(field: "goal", expected: 2, got: 3)) { try env.setGoal([1, 2, 3]) }
        #expect(throws: ReplayError.notFinite(field: "goal")) { try env.setGoal([.nan, 2]) }
        // Through the replay API: the goal in the input is the one scored against.
        let replayed = try antMaze("antmaze-large-play-v2", seed: 2)
        let output = try replayed.replay(ReplayInput(qpos: replayed.model.qpos0, qvel: [Double](repeating: 0, count: 14),
                                                     actions: [[Double]](repeating: [Double](repeating: 0, count: 8), count: 2),
                                                     goal: [0.2, 0.1]))
        #expect(replayed.goal == SIMD2(0.2, 0.1))
        #expect(output.rewards == [1] && output.terminated == [true])   // starts 0.22 m from the goal
        #expect(throws: ReplayError.wrongLength(field: "goal", expected: 2, got: 1)) {
            try replayed.replay(ReplayInput(qpos: replayed.model.qpos0, qvel: [Double](repeating: 0, count: 14), actions: [], goal: [1]))
        }
    }
}

@Suite struct AntMazeSemanticsTests {
    /// The threshold is inclusive: a goal exactly 0.5 m away (as computed) succeeds, the next
    /// representable goal farther away does not.
    @Test func exactlyHalfAMetreAwayCountsAsSuccess() throws {
        let env = try antMaze("antmaze-umaze-v0")
        let start = (qpos: env.model.qpos0, qvel: [Double](repeating: 0, count: 14))
        let action = [Double](repeating: 0, count: 8)
        try env.reset(qpos: start.qpos, qvel: start.qvel)
        _ = try env.step(action)
        let x = env.data.qpos(0), y = env.data.qpos(1)
        // A goal straight along +x whose computed offset is exactly 0.5 m.
        var gx = x + 0.5
        var tries = 0
        while (x - gx) != -0.5 && tries < 8 { gx = (x - gx) > -0.5 ? gx.nextUp : gx.nextDown; tries += 1 }
        #expect(x - gx == -0.5)
        func outcome(goal: [Double]) throws -> StepResult {
            try env.setGoal(goal)
            try env.reset(qpos: start.qpos, qvel: start.qvel)
            return try env.step(action)
        }
        let boundary = try outcome(goal: [gx, y])
        #expect(env.data.qpos(0) == x && env.data.qpos(1) == y)   // deterministic: same end state
        #expect(boundary.info.distanceToGoal == 0.5)
        #expect(boundary.reward == 1 && boundary.terminated && boundary.info.success)
        let outside = try outcome(goal: [gx.nextUp, y])
        #expect(outside.info.distanceToGoal > 0.5)
        #expect(outside.reward == 0 && !outside.terminated && !outside.info.success)
    }

    /// No termination for flipping or leaving AntEnv's 0.2 ≤ z ≤ 1.0 band (docs/environments.md §6.5): start upside
    /// down 1.5 m up, drive the legs for 100 steps.
    @Test func flippingDoesNotTerminate() throws {
        let env = try antMaze("antmaze-medium-play-v2")
        var qpos = env.model.qpos0
        qpos[2] = 1.5
        qpos[3] = 0; qpos[4] = 1   // quaternion (0, 1, 0, 0): 180° about x
        try env.reset(qpos: qpos, qvel: [Double](repeating: 0, count: 14))
        var heights: [Double] = []
        for t in 0..<100 {
            let action = (0..<8).map { sin(Double(t) / 3 + Double($0)) }
            let result = try env.step(action)
            #expect(!result.terminated && !result.truncated && result.instability == nil && result.reward == 0)
            heights.append(env.data.qpos(2))
        }
        #expect(heights.contains { $0 > 1.0 })   // AntEnv's own check would have ended the episode
        let q = Array(env.data.qpos[3..<7])
        let upZ = 1 - 2 * (q[1] * q[1] + q[2] * q[2])   // world z of the torso's z axis
        #expect(upZ < -0.5, "still upside down: \(upZ)")
        #expect(heights.allSatisfy { $0.isFinite })
    }

    /// Time limits from the registry: 700 steps for umaze, 1000 for medium/large; truncated, not
    /// terminated, on exactly that step.
    @Test(arguments: [("antmaze-umaze-v0", 700), ("antmaze-umaze-diverse-v2", 700), ("antmaze-large-play-v2", 1000)])
    func timeLimitTruncates(id: String, limit: Int) throws {
        let env = try antMaze(id, seed: 4)
        try env.reset()
        var steps = 0
        var result: StepResult
        repeat {
            result = try env.step([Double](repeating: 0, count: 8))
            steps += 1
        } while !result.isDone
        #expect(steps == limit && result.truncated && !result.terminated)
    }

    /// ctrl = clip(30·a, −30, 30) (docs/environments.md §1.2, §6.5).
    @Test func actionsAreScaledBy30AndClipped() throws {
        let env = try antMaze("antmaze-umaze-v2")
        try env.reset(seed: 0)
        _ = try env.step([0.5, -2, 1, -1, 0.25, -0.125, 1.5, .infinity])
        #expect(env.data.ctrl == [15, -30, 30, -30, 7.5, -3.75, 30, 30])
    }

    /// Observation = qpos[0…14] + qvel[0…13], unclipped.
    ///
    /// The environment does not renormalize the noisy reset quaternion (docs/environments.md §6.5), but MuJoCo 2.3.7's
    /// `mj_forward` writes the normalized quaternion back into qpos (measured with the official
    /// bindings too: the parity fixtures' first observations hold it), so the first observation has
    /// the drawn x, y, z and joint angles exactly and the drawn quaternion scaled to unit norm.
    @Test func observationIsTheFullUnclippedState() throws {
        let env = try antMaze("antmaze-umaze-v2")
        var qvel = [Double](repeating: 0, count: 14)
        qvel[8] = 25
        qvel[0] = -12
        let obs = try env.reset(qpos: env.model.qpos0, qvel: qvel)
        #expect(obs == env.model.qpos0 + qvel)
        let first = try env.reset(seed: 6)
        #expect(first == env.data.qpos + env.data.qvel)
        env.random = NumPyRandom(seed: 6)
        let drawn = env.sampleInitialState()
        #expect(Array(first[0..<3]) == Array(drawn.qpos[0..<3]) && Array(first[7..<15]) == Array(drawn.qpos[7..<15]))
        #expect(Array(first[15..<29]) == drawn.qvel)
        let raw = Array(drawn.qpos[3..<7])
        let rawNorm = raw.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(abs(rawNorm - 1) > 1e-3, "the drawn quaternion is not unit: \(rawNorm)")
        for k in 0..<4 { #expect(abs(first[3 + k] - raw[k] / rawNorm) < 1e-15) }
    }

    /// Reset noise: qpos U[−0.1, 0.1)¹⁵ then qvel 0.1·N(0, 1)¹⁴ (docs/environments.md §6.5), as drawn by the
    /// environment: over 4000 draws the mean is within 4 standard errors of 0, the std within 5%
    /// and uniform draws inside the range.
    @Test func resetNoiseHasTheSpecifiedDistribution() throws {
        let env = try antMaze("antmaze-medium-diverse-v0", seed: 17)
        let n = 4000
        var qpos: [[Double]] = [], qvel: [[Double]] = []
        for _ in 0..<n {
            let start = env.sampleInitialState()
            qpos.append(zip(start.qpos, env.initialQpos).map { $0 - $1 })
            qvel.append(start.qvel)
        }
        for (samples, uniform) in [(qpos, true), (qvel, false)] {
            for j in 0..<samples[0].count {
                let column = samples.map { $0[j] }
                let mean = column.reduce(0, +) / Double(n)
                let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
                let expectedStd = uniform ? 0.2 / 12.0.squareRoot() : 0.1
                #expect(abs(mean) < 4 * expectedStd / Double(n).squareRoot(), "mean \(j)")
                #expect(abs(std / expectedStd - 1) < 0.05, "std \(j)")
                if uniform { #expect(column.allSatisfy { -0.1 <= $0 && $0 < 0.1 }, "range \(j)") }
            }
        }
    }

    @Test func registryHoldsTheEighteenAntMazeTasks() throws {
        let registry = try TaskRegistry.standard()
        let antmaze = registry.tasks.filter { $0.robot == "antmaze" }
        #expect(antmaze.count == 18)
        let datasets: [(String, String, Int)] = [
            ("umaze", "U_MAZE_TEST", 700), ("umaze-diverse", "U_MAZE_TEST", 700),
            ("medium-play", "BIG_MAZE_TEST", 1000), ("medium-diverse", "BIG_MAZE_TEST", 1000),
            ("large-play", "HARDEST_MAZE_TEST", 1000), ("large-diverse", "HARDEST_MAZE_TEST", 1000),
        ]
        for (dataset, maze, limit) in datasets {
            for version in ["v0", "v1", "v2"] {
                let task = try registry.task("antmaze-\(dataset)-\(version)")
                #expect(try AntMaze.taskFields(task).maze == maze && task.maxEpisodeSteps == limit, "\(task.id)")
                #expect(task.referenceMinScore == 0 && task.referenceMaxScore == 1, "\(task.id)")
                #expect(try AntMaze.taskFields(task).goalResampledEachReset == (version == "v2"), "\(task.id)")
                #expect(task.normalizedScore(return: 1) == 100 && task.normalizedScore(return: 0) == 0)
            }
        }
        #expect(throws: TaskRegistryError.self) { try registry.task("antmaze-umaze-v3") }
    }
}
