import Foundation
import Testing
import TestSupport
@testable import Checkpoints
@testable import DiffusionPolicy
@testable import PolicyTestSupport
@testable import TensorArchives

/// The zip layout check that runs before ZIPFoundation: real archives pass with the members Python's
/// zipfile lists, and every record pointing outside the data (which made ZIPFoundation's in-memory
/// archive trap) is refused with an error naming the file and the record.
@Suite struct ZipLayoutTests {
    static func le16(_ v: UInt64) -> [UInt8] { (0..<2).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }
    static func le32(_ v: UInt64) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }

    static func patch(_ data: inout Data, at offset: Int, _ bytes: [UInt8]) {
        data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }

    /// A one-member stored archive "a.npy" of `content`; `flags` go into both headers, `descriptor`
    /// (compressed, uncompressed) is written after the data, `centralExtra` into the central entry.
    static func single(_ content: Data, flags: UInt64 = 0, descriptor: (UInt64, UInt64)? = nil,
                       centralExtra: [UInt8] = [], central32: (compressed: UInt64, uncompressed: UInt64, offset: UInt64)? = nil,
                       versionNeeded: UInt64 = 20) -> Data {
        let name = Array("a.npy".utf8)
        let crc = UInt64(ZipWriter.crc32(content))
        let size = UInt64(content.count)
        var out = Data([0x50, 0x4B, 0x03, 0x04] + le16(versionNeeded) + le16(flags) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                       + le32(size) + le32(size) + le16(UInt64(name.count)) + le16(0) + name)
        out.append(content)
        if let descriptor {
            out.append(contentsOf: [0x50, 0x4B, 0x07, 0x08] + le32(crc) + le32(descriptor.0) + le32(descriptor.1))
        }
        let sizes = central32 ?? (size, size, 0)
        let centralOffset = UInt64(out.count)
        let central = [0x50, 0x4B, 0x01, 0x02] + le16(20) + le16(versionNeeded) + le16(flags) + le16(0) + le16(0) + le16(0x21)
            + le32(crc) + le32(sizes.compressed) + le32(sizes.uncompressed) + le16(UInt64(name.count))
            + le16(UInt64(centralExtra.count)) + le16(0) + le16(0) + le16(0) + le32(0) + le32(sizes.offset) + name + centralExtra
        out.append(contentsOf: central)
        out.append(contentsOf: [0x50, 0x4B, 0x05, 0x06] + le16(0) + le16(0) + le16(1) + le16(1)
                   + le32(UInt64(central.count)) + le32(centralOffset) + le16(0))
        return out
    }

    /// A one-element float32 `.npy`.
    static let array = NumPyBytes.npy(shape: "(1,)", payload: [0, 0, 0x80, 0x3F])

    /// The reason `ZipLayout.open` gives, or nil when it accepts the data.
    static func refusal(_ data: Data) -> String? {
        do {
            _ = try ZipLayout.open(data)
            return nil
        } catch let error as TensorArchiveError where error.kind == .zipLayout {
            return error.message
        } catch {
            return "unexpected error type: \(error)"
        }
    }

    @Test func realArchivesPassWithAllTheirMembers() throws {
        let expected = [
            "dql/init/actor_2000.pth": 30, "dql/init/critic_2000.pth": 22,
            "dql/trained/actor_2000.pth": 30, "dql/trained/critic_2000.pth": 22,
            "edp/edp_params.npz": 37, "edp/edp_trained_params.npz": 37,
            "edp-hopper-42k/params.npz": 28, "edp-hopper-42k/schedule.npz": 9,
            "edp-hopper-42k/golden_trained.npz": 19,
        ]
        for (path, count) in expected {
            let data = try TestFixtures.data(path)
            let layout = try ZipLayout(validating: data)
            #expect(layout.members.count == count, "\(path)")
            #expect(try ZipLayout.open(data).entries.map(\.path) == layout.members.map(\.name), "\(path)")
        }
        let small = Self.single(Self.array)
        #expect(Self.refusal(small) == nil)
        #expect(try NumPyArchive.read(archiveData: small, file: "ok.npz")["a"]?.values == [1])
    }

    @Test func endRecordsPointingOutsideTheDataAreRefused() throws {
        var good = Self.single(Self.array)
        let end = good.count - 22
        // The reviewer's eocd.npz: central directory offset 0x7FFFFFFF.
        var farDirectory = good
        Self.patch(&farDirectory, at: end + 16, Self.le32(0x7FFF_FFFF))
        #expect(Self.refusal(farDirectory)?.contains("central directory at offset 2147483647") == true)
        // A directory size larger than what precedes the end record.
        var bigDirectory = good
        Self.patch(&bigDirectory, at: end + 12, Self.le32(0xFFFF_FF00))
        #expect(Self.refusal(bigDirectory)?.contains("central directory") == true)
        // More entries announced than the directory holds.
        var moreEntries = good
        Self.patch(&moreEntries, at: end + 10, Self.le16(5))
        #expect(Self.refusal(moreEntries)?.contains("central directory entry 1") == true)
        // A comment longer than the bytes left.
        var comment = good
        Self.patch(&comment, at: end + 20, Self.le16(40))
        #expect(Self.refusal(comment)?.contains("comment") == true)
        // No end record at all, and too short for one.
        #expect(Self.refusal(good.prefix(end))?.contains("no end-of-central-directory record") == true)
        #expect(Self.refusal(Data([0x50, 0x4B, 0x03, 0x04]))?.contains("cannot hold") == true)
        // A ZIP64 record whose directory offset is 2^63 (ZIPFoundation would trap converting it to off_t).
        let record = [0x50, 0x4B, 0x06, 0x06] + Self.le64(44) + Self.le16(45) + Self.le16(45) + Self.le32(0) + Self.le32(0)
            + Self.le64(1) + Self.le64(1) + Self.le64(51) + Self.le64(1 << 63)
        let locator = [0x50, 0x4B, 0x06, 0x07] + Self.le32(0) + Self.le64(UInt64(end)) + Self.le32(1)
        good.insert(contentsOf: record + locator, at: end)
        let refusal = Self.refusal(good)
        #expect(refusal?.contains("ZIP64 end-of-central-directory record puts the central directory at offset 9223372036854775808") == true, "\(refusal ?? "accepted")")
    }

    @Test func membersPointingOutsideTheDataAreRefused() throws {
        let size = UInt64(Self.array.count)
        // Local header offset past the end (32-bit, then through a ZIP64 extra field).
        let farLocal = Self.single(Self.array, central32: (size, size, 0x00FF_FFFF))
        #expect(Self.refusal(farLocal)?.contains("local header offset 16777215") == true)
        let zip64Extra = Self.le16(1) + Self.le16(8) + Self.le64(1 << 62)
        let farLocal64 = Self.single(Self.array, centralExtra: zip64Extra, central32: (size, size, 0xFFFF_FFFF))
        #expect(Self.refusal(farLocal64)?.contains("local header offset 4611686018427387904") == true)
        // A ZIP64 extra field of the wrong length is ignored (as ZIPFoundation does): 0xFFFFFFFF stays.
        let badExtra = Self.single(Self.array, centralExtra: Self.le16(1) + Self.le16(4) + Self.le32(0), central32: (size, size, 0xFFFF_FFFF))
        #expect(Self.refusal(badExtra)?.contains("local header offset 4294967295") == true)
        // Member data running past the directory (the reviewer's bigsize.npz: 1.8 GB claimed).
        let bigData = Self.single(Self.array, central32: (1_879_048_192, 1_879_048_192, 0))
        #expect(Self.refusal(bigData)?.contains("its 1879048192 bytes of data") == true)
        // Stored with different sizes; encrypted; unknown method.
        let mismatch = Self.single(Self.array, central32: (size, size + 1, 0))
        #expect(Self.refusal(mismatch)?.contains("is stored but its compressed size") == true)
        #expect(Self.refusal(Self.single(Self.array, flags: 1))?.contains("encrypted") == true)
        var method = Self.single(Self.array)
        let centralStart = 30 + 5 + Self.array.count
        Self.patch(&method, at: centralStart + 10, Self.le16(12))
        #expect(Self.refusal(method)?.contains("compression method 12") == true)
        // Local header missing where the directory points.
        var noLocal = Self.single(Self.array)
        Self.patch(&noLocal, at: 0, [0, 0, 0, 0])
        #expect(Self.refusal(noLocal)?.contains("no local header") == true)
        // A data descriptor that disagrees with the central directory.
        let descriptorOK = Self.single(Self.array, flags: 8, descriptor: (size, size))
        #expect(Self.refusal(descriptorOK) == nil)
        let descriptorBad = Self.single(Self.array, flags: 8, descriptor: (size + 1000, size + 1000))
        #expect(Self.refusal(descriptorBad)?.contains("data descriptor") == true)
    }

    @Test func damagedRealArchivesGiveErrorsNamingTheFile() throws {
        let npz = try Data(contentsOf: CheckpointFixtures.root.appendingPathComponent("edp/edp_params.npz"))
        let pth = try Data(contentsOf: CheckpointFixtures.dqlInitActor)
        let url = URL(fileURLWithPath: "/damaged/edp_params.npz")
        // The reviewer's del.npz: 17 KB cut out of the middle, and a cut near the end.
        for (from, to) in [(1_000, 18_000), (npz.count - 5_000, npz.count - 3_000 - 22)] {
            var cut = npz
            cut.removeSubrange(from..<to)
            let error = #expect(throws: CheckpointError.self) { try Checkpoint.detectFormat(cut, url: url) }
            #expect(error?.description.hasPrefix("/damaged/edp_params.npz: not a readable zip archive:") == true, "\(String(describing: error))")
            let npzError = #expect(throws: TensorArchiveError.self) { try NumPyArchive.read(archiveData: cut, file: "edp_params.npz") }
            #expect(npzError?.description.hasPrefix("edp_params.npz: unreadable zip archive:") == true)
        }
        // A torch archive cut in its data, and its first data descriptor made to lie.
        var cutTorch = pth
        cutTorch.removeSubrange(100_000..<120_000)
        let torchURL = URL(fileURLWithPath: "/damaged/actor_2000.pth")
        let torchError = #expect(throws: TensorArchiveError.self) { try TorchArchive.readStateDict(cutTorch, url: torchURL) }
        #expect(torchError?.description.contains("actor_2000.pth: not a readable zip archive: the ZIP64 end-of-central-directory record") == true)
        var lyingDescriptor = pth
        Self.patch(&lyingDescriptor, at: 64 + 2547 + 8, Self.le32(99_999))   // after actor_2000/data.pkl
        let descriptorError = #expect(throws: TensorArchiveError.self) { try TorchArchive.readStateDict(lyingDescriptor, url: torchURL) }
        #expect(descriptorError?.description.contains("member \"actor_2000/data.pkl\": its data descriptor gives 99999 compressed") == true)
    }
}
