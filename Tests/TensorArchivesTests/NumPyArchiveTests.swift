import Foundation
import Testing
@testable import PolicyTestSupport
@testable import TensorArchives

/// The .npy/.npz reader: real fixtures, dtype conversion, deflated members and every malformed
/// input producing a `TensorArchiveError` (kind `.numpy`) that names the file, member and expectation.
struct NumPyArchiveTests {
    /// An .npy byte string with the given header fields and payload.
    func npy(descr: String = "<f4", fortran: String = "False", shape: String = "(2,)", payload: [UInt8]) -> Data {
        NumPyBytes.npy(descr: descr, fortran: fortran, shape: shape, payload: payload)
    }

    func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test("fixture archives: all keys and shapes (edp_params.npz, golden_trained.npz with int32/uint32)")
    func fixtures() throws {
        let params = try Fixtures.npz("edp/edp_params.npz")
        #expect(params.count == 37)
        #expect(params["policy/params/base_net/Dense_0/kernel"]?.shape == [30, 256])
        #expect(params["diffusion/alphas_cumprod"]?.shape == [1000])
        let golden = try Fixtures.npz("edp-hopper-42k/golden_trained.npz")
        #expect(golden["eas_argmax_idx"]?.values == [30])
        #expect(golden["dpm_key"]?.values == [0, 2024])
    }

    @Test("float64, int and bool arrays convert to float32")
    func conversions() throws {
        let f64 = try NumPyArchive.decode(npy: npy(descr: "<f8", payload: bytes([1.5, -2.25] as [Double])), file: "t.npy")
        #expect(f64.values == [1.5, -2.25])
        let i64 = try NumPyArchive.decode(npy: npy(descr: "<i8", shape: "(2, 1)", payload: bytes([7, -3] as [Int64])), file: "t.npy")
        #expect(i64.values == [7, -3] && i64.shape == [2, 1])
        let b = try NumPyArchive.decode(npy: npy(descr: "|b1", payload: [1, 0]), file: "t.npy")
        #expect(b.values == [1, 0])
        let scalar = try NumPyArchive.decode(npy: npy(shape: "()", payload: bytes([Float(4)])), file: "t.npy")
        #expect(scalar.shape == [] && scalar.values == [4])
    }

    @Test("Fortran order and big-endian .npy arrays decode to C-order float32 (one decoder with pickled arrays)")
    func fortranOrderAndByteOrder() throws {
        // np.arange(6).reshape(2, 3) stored column-major: the bytes hold 0, 3, 1, 4, 2, 5.
        let columnMajor: [Float] = [0, 3, 1, 4, 2, 5]
        let expected = Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])
        let f4 = try NumPyArchive.decode(npy: npy(fortran: "True", shape: "(2, 3)", payload: bytes(columnMajor)), file: "t.npy")
        #expect(f4 == expected)
        let f8 = try NumPyArchive.decode(npy: npy(descr: "<f8", fortran: "True", shape: "(2, 3)",
                                                  payload: bytes(columnMajor.map(Double.init))), file: "t.npy")
        #expect(f8 == expected)
        let bigF4 = try NumPyArchive.decode(npy: npy(descr: ">f4", payload: bytes([Float(1.5), -2].map { $0.bitPattern.byteSwapped })), file: "t.npy")
        #expect(bigF4.values == [1.5, -2])
        let bigI2 = try NumPyArchive.decode(npy: npy(descr: ">i2", fortran: "True", shape: "(2, 3)",
                                                     payload: bytes(columnMajor.map { Int16($0).byteSwapped })), file: "t.npy")
        #expect(bigI2 == expected)
        // A 1-D array is the same in both orders; a 3-D one reverses its axis order.
        let vector = try NumPyArchive.decode(npy: npy(fortran: "True", shape: "(3,)", payload: bytes([Float(7), 8, 9])), file: "t.npy")
        #expect(vector.values == [7, 8, 9])
        let cube = try NumPyArchive.decode(npy: npy(fortran: "True", shape: "(2, 2, 2)",
                                                    payload: bytes([Float(0), 4, 2, 6, 1, 5, 3, 7])), file: "t.npy")
        #expect(cube == Tensor(shape: [2, 2, 2], values: [0, 1, 2, 3, 4, 5, 6, 7]))
    }

    @Test("pickled arrays: float64, integers and bools in C or Fortran order decode like .npy; other dtypes throw")
    func pickledArrayDtypes() throws {
        let columnMajor: [Double] = [0, 3, 1, 4, 2, 5]
        let expected = Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])
        let f8Fortran = PickleArray(dtype: "<f8", shape: [2, 3], fortranOrder: true, data: bytes(columnMajor))
        #expect(try f8Fortran.float32Tensor() == expected)
        let f8BigEndian = PickleArray(dtype: ">f8", shape: [2, 3], fortranOrder: true,
                                      data: bytes(columnMajor.map { $0.bitPattern.byteSwapped }))
        #expect(try f8BigEndian.float32Tensor() == expected)
        let i4 = PickleArray(dtype: "<i4", shape: [3], fortranOrder: false, data: bytes([Int32(-5), 0, 16_777_216]))
        #expect(try i4.float32Tensor().values == [-5, 0, 16_777_216])
        let u1Fortran = PickleArray(dtype: "|u1", shape: [2, 3], fortranOrder: true, data: [0, 3, 1, 4, 2, 5])
        #expect(try u1Fortran.float32Tensor() == expected)
        let flags = PickleArray(dtype: "|b1", shape: [2], fortranOrder: false, data: [0, 1])
        #expect(try flags.float32Tensor().values == [0, 1])
        let complex = PickleArray(dtype: "<c8", shape: [1], fortranOrder: false, data: [UInt8](repeating: 0, count: 8))
        let refused = #expect(throws: TensorArchiveError.self) { try complex.float32Tensor() }
        #expect(refused?.description.contains("unsupported dtype '<c8'") == true)
        let short = PickleArray(dtype: "<f8", shape: [2], fortranOrder: false, data: bytes([1.0]))
        let mismatch = #expect(throws: TensorArchiveError.self) { try short.float32Tensor() }
        #expect(mismatch?.description.contains("needs 16 bytes, found 8") == true)
    }

    @Test("malformed .npy: bad magic, dtype, fortran order flag, truncation, size mismatch — clear errors")
    func malformedArrays() {
        let good = bytes([Float(1), 2])
        let cases: [(Data, String)] = [
            (Data("not numpy at all".utf8), "bad magic"),
            (npy(descr: "|f4", payload: good), "unsupported dtype '|f4'"),
            (npy(descr: "<c8", payload: good), "unsupported dtype"),
            (npy(fortran: "Maybe", payload: good), "fortran_order"),
            (npy(payload: Array(good.prefix(6))), "truncated"),
            (npy(payload: good + [0, 0, 0, 0]), "size mismatch"),
            (npy(shape: "(3, -1)", payload: good), "invalid shape"),
            (Data(npy(payload: good).prefix(20)), "truncated"),
        ]
        for (data, expected) in cases {
            do {
                _ = try NumPyArchive.decode(npy: data, file: "bad.npz", member: "w.npy")
                Issue.record("no error for case '\(expected)'")
            } catch let error as TensorArchiveError {
                #expect(error.description.contains(expected), "\(error)")
                #expect(error.description.hasPrefix("bad.npz: member \"w.npy\""))
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }

    @Test("zip handling: stored and deflated members, not-a-zip, corrupt member")
    func archives() throws {
        let array = npy(payload: bytes([Float(1), 2]))
        let zip = ZipWriter.archive([("a.npy", array, false), ("nested/b.npy", array, true)])
        let tensors = try NumPyArchive.read(archiveData: zip, file: "ok.npz")
        #expect(tensors["a"]?.values == [1, 2])
        #expect(tensors["nested/b"]?.values == [1, 2])
        #expect(throws: TensorArchiveError.self) { try NumPyArchive.read(archiveData: Data("hello".utf8), file: "x.npz") }
        var corrupt = zip
        corrupt[40] ^= 0xFF   // inside the first member's data: CRC mismatch
        do {
            _ = try NumPyArchive.read(archiveData: corrupt, file: "corrupt.npz")
            Issue.record("corrupt member accepted")
        } catch let error as TensorArchiveError {
            #expect(error.description.contains("corrupt.npz"))
        }
        #expect(throws: TensorArchiveError.self) {
            try NumPyArchive.read(contentsOf: URL(fileURLWithPath: "/nonexistent/file.npz"))
        }
    }
}
