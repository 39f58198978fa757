import Foundation
import Testing
@testable import Environments

/// A robot's own task fields travel as a payload its descriptor decodes; maze maps and the ant's
/// MJCF are read once per process.
@Suite struct RobotTaskDataTests {
    /// Every registered task encodes back to the entry it was read from (the robot fields beside
    /// the shared ones), and each robot's fields decode to its own type.
    @Test func taskEntriesRoundTripWithTheirRobotFields() throws {
        let url = ProjectResources.envs.appendingPathComponent("tasks.json")
        let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let entries = try #require(file["tasks"] as? [[String: Any]])
        let registry = try TaskRegistry.standard()
        #expect(registry.tasks.count == entries.count)
        for (task, entry) in zip(registry.tasks, entries) {
            let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(task)) as? NSDictionary
            #expect(encoded == entry as NSDictionary, "\(task.id)")
        }
        let umaze = try registry.task("antmaze-umaze-v2")
        #expect(try AntMaze.taskFields(umaze) == (maze: "U_MAZE_TEST", goalResampledEachReset: true))
        #expect(try registry.task("hopper-medium-v2").robotData == RobotTaskData())
    }

    /// A robot field of the wrong type is an error naming the registry file and the task.
    @Test func aMistypedRobotFieldNamesTheTask() throws {
        let task = TaskSpec(id: "antmaze-x-v0", robot: "antmaze", dataset: "x", version: "v0", maxEpisodeSteps: 10,
                            referenceMinScore: 0, referenceMaxScore: 1, robotData: RobotTaskData(["maze": .number(3)]))
        let error = #expect(throws: RobotTaskDataError.self) { try AntMaze.mazeMap(for: task) }
        #expect(error?.description.hasPrefix("envs/tasks.json: task antmaze-x-v0: ") == true)
        let none = TaskSpec(id: "antmaze-y-v0", robot: "antmaze", dataset: "y", version: "v0", maxEpisodeSteps: 10,
                            referenceMinScore: 0, referenceMaxScore: 1)
        #expect(throws: MazeError.noMaze(task: "antmaze-y-v0")) { try AntMaze.mazeMap(for: none) }
    }

    /// A maze file is parsed once: after the first read the map comes from memory even when the
    /// file is gone; a file that could not be read is not remembered.
    @Test func mazeFilesAreParsedOncePerProcess() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("mazes-\(UUID().uuidString).json")
        #expect(throws: MazeError.self) { try MazeMap.named("U_MAZE_TEST", in: copy) }
        try FileManager.default.copyItem(at: MazeMap.standardFile, to: copy)
        let first = try MazeMap.named("U_MAZE_TEST", in: copy)
        try FileManager.default.removeItem(at: copy)
        #expect(try MazeMap.named("U_MAZE_TEST", in: copy) == first)
        #expect(try MazeMap.named("BIG_MAZE_TEST", in: copy).rowCount == 8)
    }
}
