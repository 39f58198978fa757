import Foundation
import Testing
@testable import TensorArchives

/// `TensorArchiveError` is the one error of this module; each format's messages kept the text
/// they had as separate types (`<file>: [member "<m>": ]<message>`, message only where the caller
/// names the file). Exact strings, so a change in the shared description shows up here.
@Suite struct TensorArchiveErrorTests {
    @Test func descriptionsKeepEachFormatsShape() throws {
        let member = TensorArchiveError.numpy(file: "edp_params.npz", member: "w.npy", "unsupported dtype '>f4'")
        #expect(member.description == "edp_params.npz: member \"w.npy\": unsupported dtype '>f4'")
        let lone = TensorArchiveError.numpy(file: "x.npy", member: nil, "bad magic: expected '\\x93NUMPY'")
        #expect(lone.description == "x.npy: bad magic: expected '\\x93NUMPY'")
        #expect(TensorArchiveError.safetensors("header is not a JSON object").description == "header is not a JSON object")
        #expect(TensorArchiveError.zipLayout("no end-of-central-directory record").description == "no end-of-central-directory record")
        #expect(TensorArchiveError.array("array needs 16 bytes, found 8").description == "array needs 16 bytes, found 8")
        let torch = TensorArchiveError(.missingEntry, file: URL(fileURLWithPath: "/runs/actor_1.pth"), "member data.pkl is missing")
        #expect(torch.description == "/runs/actor_1.pth: member data.pkl is missing")
    }

    @Test func eachFormatThrowsItsKind() throws {
        let npz = #expect(throws: TensorArchiveError.self) { try NumPyArchive.read(archiveData: Data("hello".utf8), file: "x.npz") }
        #expect(npz?.kind == .numpy)
        let safetensors = #expect(throws: TensorArchiveError.self) { try SafeTensors.decode(Data([1, 2, 3])) }
        #expect(safetensors?.kind == .safetensors)
        let zip = #expect(throws: TensorArchiveError.self) { try ZipLayout.open(Data(repeating: 0, count: 40)) }
        #expect(zip?.kind == .zipLayout)
    }
}
