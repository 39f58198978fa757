/// An RGB image, 3 bytes per pixel, rows top first (the order of image files and video).
public struct Frame: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// `width × height × 3` bytes: row 0 is the top row.
    public var pixels: [UInt8]

    /// A black frame.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        self.pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "an RGB frame of \(width)×\(height) needs \(width * height * 3) bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at column `x`, row `y` (0 = top).
    public subscript(x: Int, y: Int) -> SIMD3<UInt8> {
        get {
            let i = (y * width + x) * 3
            return SIMD3(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set {
            let i = (y * width + x) * 3
            pixels[i] = newValue.x
            pixels[i + 1] = newValue.y
            pixels[i + 2] = newValue.z
        }
    }
}
