import Foundation
import MuJoCo
import Randomness

/// One cell of a maze map: row `row` (maps to +y), column `column` (maps to +x).
public struct MazeCell: Hashable, Sendable, CustomStringConvertible {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    public var description: String { "(\(row),\(column))" }
}

/// A D4RL AntMaze map (`d4rl/locomotion/maze_env.py`; docs/environments.md §6.3), read from `envs/mazes.json`.
///
/// Frames: cell (i, j) has its centre at world (j·s − torso_x, i·s − torso_y) in metres, where s is
/// `scaling` and (torso_x, torso_y) = (j·s, i·s) of the first `"r"` cell in row-major order
/// (`MazeEnv._find_robot`), so the robot starts at the world origin.
public struct MazeMap: Sendable, Equatable {
    /// What a cell holds (`1`, `0`, `"r"`, `"g"` in D4RL's maps).
    public enum Cell: Sendable, Equatable {
        /// `1`: a static wall block.
        case wall
        /// `0`: free floor.
        case free
        /// `"r"`: free floor; the first one is the robot's start cell.
        case robot
        /// `"g"`: free floor the evaluation goal is drawn from.
        case goal
    }

    /// Name of the map in `envs/mazes.json`, e.g. `U_MAZE_TEST`.
    public let name: String
    /// The cells, row-major; `cells[i][j]` is row i, column j.
    public let cells: [[Cell]]
    /// D4RL `maze_size_scaling`: metres per cell side (4.0 for every registered task).
    public let scaling: Double
    /// D4RL `maze_height` (0.5): walls are `height · scaling` metres tall.
    public let height: Double

    /// Builds a map; every row must have the same length and one cell must be `.robot`.
    public init(name: String, cells: [[Cell]], scaling: Double, height: Double) throws {
        guard let width = cells.first?.count, width > 0, cells.allSatisfy({ $0.count == width }) else {
            throw MazeError.malformed(maze: name, reason: "rows must be non-empty and of equal length")
        }
        guard cells.contains(where: { $0.contains(.robot) }) else {
            throw MazeError.malformed(maze: name, reason: "no \"r\" (robot start) cell")
        }
        guard scaling > 0, height > 0 else {
            throw MazeError.malformed(maze: name, reason: "scaling and height must be positive")
        }
        self.name = name
        self.cells = cells
        self.scaling = scaling
        self.height = height
    }

    /// Number of rows (extent along y).
    public var rowCount: Int { cells.count }
    /// Number of columns (extent along x).
    public var columnCount: Int { cells[0].count }

    /// All cells of a kind in row-major order (D4RL's iteration order).
    public func cells(where predicate: (Cell) -> Bool) -> [MazeCell] {
        var result: [MazeCell] = []
        for (i, row) in cells.enumerated() {
            for (j, cell) in row.enumerated() where predicate(cell) { result.append(MazeCell(row: i, column: j)) }
        }
        return result
    }

    /// The robot's start cell: the first `"r"` in row-major order (`MazeEnv._find_robot`).
    public var robotCell: MazeCell { cells(where: { $0 == .robot })[0] }

    /// (torso_x, torso_y) = (j·s, i·s) of the robot cell, in metres: the offset subtracted from
    /// every cell position so that the robot cell lies at the world origin.
    public var torsoOffset: SIMD2<Double> {
        SIMD2(Double(robotCell.column) * scaling, Double(robotCell.row) * scaling)
    }

    /// The world position (m) of a cell's centre: (j·s − torso_x, i·s − torso_y)
    /// (`MazeEnv._rowcol_to_xy` without noise).
    public func position(of cell: MazeCell) -> SIMD2<Double> {
        SIMD2(Double(cell.column) * scaling - torsoOffset.x, Double(cell.row) * scaling - torsoOffset.y)
    }

    /// The cells goals are drawn from (`MazeEnv.goal_sampler`): the `"g"` cells if there are any,
    /// otherwise every free cell (`0`, `"r"`, `"g"`), in row-major order.
    public var goalCandidates: [MazeCell] {
        let goals = cells(where: { $0 == .goal })
        return goals.isEmpty ? cells(where: { $0 != .wall }) : goals
    }

    /// Draws an evaluation goal exactly as D4RL's `MazeEnv.goal_sampler` (docs/environments.md §6.5), in metres:
    /// `cell = candidates[choice(n)]`; `x = col·s − torso_x + U(0, s/4)`, `y = row·s − torso_y +
    /// U(0, s/4)`; then `x += U(0, 0.5)·0.25·s`, `y += U(0, 0.5)·0.25·s`; goal = (max(x, 0),
    /// max(y, 0)). Draw order: choice, U_x, U_y, U_x, U_y. With one candidate (every `*_TEST` map)
    /// the choice consumes no draw, as NumPy's bounded integers return at once for a range of one;
    /// with several it is Swift's unbiased bounded draw on this stream (D4RL draws from the legacy
    /// global `np.random`, whose stream is not reproduced anyway; docs/environments.md §11).
    public func sampleGoal(using random: inout NumPyRandom) -> SIMD2<Double> {
        let candidates = goalCandidates
        let index = candidates.count == 1 ? 0 : Int(random.next(upperBound: UInt64(candidates.count)))
        let centre = position(of: candidates[index])
        let x = centre.x + random.uniform(0, scaling * 0.25)
        let y = centre.y + random.uniform(0, scaling * 0.25)
        let extraX = random.uniform(0, 0.5) * 0.25 * scaling
        let extraY = random.uniform(0, 0.5) * 0.25 * scaling
        return SIMD2(max(x + extraX, 0), max(y + extraY, 0))
    }

    // MARK: Loading

    /// `envs/mazes.json` of this repository.
    public static var standardFile: URL { ProjectResources.envs.appendingPathComponent("mazes.json") }

    /// The map named `name` in `file` (default `envs/mazes.json`), the file read and parsed once
    /// per process (`ParsedFileCache`).
    public static func named(_ name: String, in file: URL = standardFile) throws -> MazeMap {
        let decoded: MazeFile = try ParsedFileCache.value(at: file) { url in
            do {
                return try JSONDecoder().decode(MazeFile.self, from: Data(contentsOf: url))
            } catch {
                throw MazeError.unreadable(file: url.path, reason: "\(error)")
            }
        }
        guard let rows = decoded.mazes[name] else {
            throw MazeError.unknownMaze(name: name, known: decoded.mazes.keys.sorted())
        }
        return try MazeMap(name: name, cells: rows.map { $0.map(\.cell) },
                           scaling: decoded.mazeSizeScaling, height: decoded.mazeHeight)
    }

    private struct MazeFile: Decodable {
        let mazeSizeScaling: Double
        let mazeHeight: Double
        let mazes: [String: [[JSONCell]]]
        enum CodingKeys: String, CodingKey {
            case mazes
            case mazeSizeScaling = "maze_size_scaling"
            case mazeHeight = "maze_height"
        }
    }

    /// A cell as D4RL writes it: the integers 1 and 0 or the strings "r" and "g".
    private struct JSONCell: Decodable {
        let cell: Cell
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self), number == 0 || number == 1 {
                cell = number == 1 ? .wall : .free
            } else if let text = try? container.decode(String.self), text == "r" || text == "g" {
                cell = text == "r" ? .robot : .goal
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a maze cell is 0, 1, \"r\" or \"g\"")
            }
        }
    }
}

/// Builds the MJCF of an AntMaze: the ant model plus one static box per wall cell, as D4RL's
/// `MazeEnv.__init__` does (docs/environments.md §6.3).
public enum AntMazeModel {
    /// The wall geoms of `maze`, row-major (so geom ids follow D4RL's order). For each wall cell
    /// (i, j): `<geom name="block_i_j" pos="j·s − torso_x  i·s − torso_y  (h/2)·s"
    /// size="s/2 s/2 (h/2)·s" type="box" material="" contype="1" conaffinity="1"
    /// rgba="0.7 0.5 0.3 1.0" />`, numbers written with C `%f` as D4RL's Python does (`"%f %f %f"`).
    /// For the registered maps: centres (4j − 4, 4i − 4, 1.0) m, half-sizes (2, 2, 1) m.
    public static func wallGeoms(of maze: MazeMap) -> String {
        let s = maze.scaling
        let torso = maze.torsoOffset
        let halfHeight = maze.height / 2 * s
        let size = String(format: "%f %f %f", 0.5 * s, 0.5 * s, halfHeight)
        var text = ""
        for cell in maze.cells(where: { $0 == .wall }) {
            let pos = String(format: "%f %f %f", Double(cell.column) * s - torso.x, Double(cell.row) * s - torso.y, halfHeight)
            text += "<geom name=\"block_\(cell.row)_\(cell.column)\" pos=\"\(pos)\" size=\"\(size)\" type=\"box\" "
                + "material=\"\" contype=\"1\" conaffinity=\"1\" rgba=\"0.7 0.5 0.3 1.0\" />"
        }
        return text
    }

    /// `antXML` with the wall geoms of `maze` appended to its `<worldbody>` (inserted just before
    /// the closing tag, where ElementTree's `append` puts them).
    /// - Throws: `MazeError.malformedModel` unless the text has exactly one `</worldbody>`.
    public static func xml(antXML: String, maze: MazeMap) throws -> String {
        let closing = "</worldbody>"
        let ranges = antXML.ranges(of: closing)
        guard ranges.count == 1, let range = ranges.first else {
            throw MazeError.malformedModel(reason: "expected exactly one \(closing), found \(ranges.count)")
        }
        return String(antXML[..<range.lowerBound]) + wallGeoms(of: maze) + String(antXML[range.lowerBound...])
    }

    /// The MJCF text of the maze model built from `assets/models/ant.xml` (read once per process).
    public static func xml(for maze: MazeMap) throws -> String {
        let antXML: String = try ParsedFileCache.value(at: ProjectResources.model("ant.xml")) { url in
            do {
                return try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw MuJoCoError.modelFileNotFound(path: url.path)
            }
        }
        return try xml(antXML: antXML, maze: maze)
    }
}

/// Problems reading maze maps or building maze models.
public enum MazeError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case unknownMaze(name: String, known: [String])
    case malformed(maze: String, reason: String)
    case malformedModel(reason: String)
    case noMaze(task: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read the maze maps \(file): \(reason)"
        case .unknownMaze(let name, let known):
            return "no maze named '\(name)' (known: \(known.joined(separator: ", ")))"
        case .malformed(let maze, let reason):
            return "maze \(maze) is malformed: \(reason)"
        case .malformedModel(let reason):
            return "cannot add maze walls to the ant model: \(reason)"
        case .noMaze(let task):
            return "task \(task) names no maze map (field \"maze\" in envs/tasks.json)"
        }
    }
}
