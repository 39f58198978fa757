import CPNG
import Foundation

/// PNG files of RGB frames, written and read by libpng (Debian `libpng-dev`; zlib deflate at
/// libpng's default compression level), through its simplified API (`png_image_*`, libpng 1.6):
/// errors come back as a message in the `png_image`, never as a `longjmp`.
///
/// Sizes: a 480×480 MuJoCo frame is ~30–100 KB (it was 692 KB with uncompressed stored blocks).
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file bytes of `frame` (8-bit RGB, no interlace).
    /// - Throws: `RenderingError.badPNG` with libpng's message if encoding fails.
    public static func encode(_ frame: Frame) throws -> [UInt8] {
        var image = Self.image(width: frame.width, height: frame.height)
        let stride = Int32(frame.width * 3)
        var size = 0
        // First call: the size needed; second: the bytes.
        let sized = frame.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&image, nil, &size, 0, pixels.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else { throw RenderingError.badPNG(path: "-", reason: message(image)) }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { memory in
            frame.pixels.withUnsafeBytes { pixels in
                png_image_write_to_memory(&image, memory.baseAddress, &size, 0, pixels.baseAddress, stride, nil)
            }
        }
        guard written != 0 else { throw RenderingError.badPNG(path: "-", reason: message(image)) }
        return Array(out.prefix(size))
    }

    /// Writes `frame` as a PNG file.
    /// - Throws: `RenderingError.cannotWrite`.
    public static func write(_ frame: Frame, to url: URL) throws {
        let bytes: [UInt8]
        do {
            bytes = try encode(frame)
        } catch let error as RenderingError {
            throw RenderingError.cannotWrite(path: url.path, reason: error.description)
        }
        // Written under a temporary name in the same folder, then renamed: never a truncated PNG
        // under the final name.
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.deletingPathExtension().lastPathComponent).partial-\(getpid()).png")
        guard FileManager.default.createFile(atPath: partial.path, contents: Data(bytes)) else {
            throw RenderingError.cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard rename(partial.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partial.path)
            throw RenderingError.cannotWrite(path: url.path, reason: reason)
        }
    }

    /// Reads any PNG libpng reads, converted to 8-bit RGB (alpha dropped over black, grey expanded).
    /// - Throws: `RenderingError.badPNG` naming the file and libpng's reason.
    public static func read(_ url: URL) throws -> Frame {
        func fail(_ reason: String) -> RenderingError { .badPNG(path: url.path, reason: reason) }
        guard let data = try? Data(contentsOf: url) else { throw fail("cannot read the file") }
        guard data.count > 8, Array(data.prefix(8)) == signature else { throw fail("missing PNG signature") }
        var image = Self.image(width: 0, height: 0)
        let begun = data.withUnsafeBytes { bytes in
            png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count)
        }
        guard begun != 0 else { throw fail(message(image)) }
        image.format = UInt32(PNG_FORMAT_RGB)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
            png_image_free(&image)
            throw fail("image size \(width)×\(height) is outside 1…32768")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let finished = pixels.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * 3), nil)
        }
        guard finished != 0 else { throw fail(message(image)) }
        return Frame(width: width, height: height, pixels: pixels)
    }

    private static func image(width: Int, height: Int) -> png_image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_RGB)
        return image
    }

    private static func message(_ image: png_image) -> String {
        var text = image.message
        return withUnsafeBytes(of: &text) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
