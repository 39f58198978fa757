import Foundation
import Testing
@testable import Rendering

/// The end card of an `--overlay` video (docs/record.md "record") is drawn on the last frame without its
/// per-step overlay, so no ghost of the old text (a second "STEPS…", a grey duplicate score) shows.
@Suite struct EndCardTests {
    @Test func endCardIsDrawnOnTheFrameWithoutItsOverlay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edp-end-card-\(UUID().uuidString)")
        var options = RecordingOptions(render: RenderOptions(width: 64, height: 64), overlay: true)
        options.video = false
        options.contactSheet = true
        let recording = try EpisodeRecording(directory: folder, stem: "card", options: options, stepSeconds: 0.008)
        var clean = Frame(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 { clean[x, y] = SIMD3(UInt8(x * 3), UInt8(y * 3), 90) } }
        var annotated = clean
        annotated.overlay(lines: ["step 219", "return 812.5  score 25.6"])
        try recording.add(annotated, step: 219, background: clean)
        let summary = ["steps 220 (terminated)", "return 812.5"]
        var expected = clean
        expected.overlay(lines: summary)
        #expect(recording.closingFrame(summary: summary) == expected)
        var ghost = annotated
        ghost.overlay(lines: summary)
        #expect(expected != ghost, "the old overlay would change the card")
    }

    /// The path the recorders take (`add(rendered:step:overlayLines:)`): the card must be drawn on
    /// the frame as rendered, whatever overlay the step's frame carried. Fails if the annotated
    /// frame is kept as the card's background.
    @Test func recordersKeepTheRenderedFrameAsTheCardsBackground() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("edp-end-card-\(UUID().uuidString)")
        var options = RecordingOptions(render: RenderOptions(width: 64, height: 64), overlay: true)
        options.video = false
        options.contactSheet = true
        let recording = try EpisodeRecording(directory: folder, stem: "card", options: options, stepSeconds: 0.008)
        var rendered = Frame(width: 64, height: 64)
        for y in 0..<64 { for x in 0..<64 { rendered[x, y] = SIMD3(UInt8(x * 3), UInt8(y * 3), 90) } }
        let stepLines = ["STEPS 2219", "return 812.5  score 25.6"]
        try recording.add(rendered: rendered, step: 219, overlayLines: stepLines)
        let summary = ["steps 220 (terminated)", "return 812.5"]
        var expected = rendered
        expected.overlay(lines: summary)
        var ghost = rendered
        ghost.overlay(lines: stepLines)
        ghost.overlay(lines: summary)
        #expect(expected != ghost, "the step's overlay must change the card if it were kept")
        #expect(recording.closingFrame(summary: summary) == expected)
        // Without --overlay the frame is stored as rendered, with no text.
        options.overlay = false
        let plain = try EpisodeRecording(directory: folder, stem: "plain", options: options, stepSeconds: 0.008)
        try plain.add(rendered: rendered, step: 0, overlayLines: stepLines)
        #expect(plain.closingFrame(summary: summary) == expected)
    }
}
