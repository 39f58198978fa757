/// A built-in 5×7 pixel font for frame overlays: digits, capital letters (lower case is drawn as
/// capitals) and the punctuation the overlay needs. Drawn straight into the RGB buffer, so an
/// overlay needs no font file, no fontconfig and no ffmpeg `drawtext` filter (which Debian's
/// ffmpeg may lack a font for). Glyphs were drawn for this project: each is 7 rows, top first,
/// each row 5 bits with the leftmost pixel in bit 4.
public enum BitmapFont {
    /// Glyph cell in font pixels: 5 wide + 1 spacing, 7 high + 2 line spacing.
    public static let glyphWidth = 5, glyphHeight = 7, advance = 6, lineHeight = 9

    static let glyphs: [Character: [UInt8]] = [
        "0": [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        "1": [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "2": [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        "3": [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
        "4": [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        "5": [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
        "6": [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
        "7": [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
        "8": [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
        "9": [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
        "A": [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001],
        "B": [0b11110, 0b10001, 0b10001, 0b11110, 0b10001, 0b10001, 0b11110],
        "C": [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110],
        "D": [0b11100, 0b10010, 0b10001, 0b10001, 0b10001, 0b10010, 0b11100],
        "E": [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111],
        "F": [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000],
        "G": [0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111],
        "H": [0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001],
        "I": [0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        "J": [0b00111, 0b00010, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100],
        "K": [0b10001, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b10001],
        "L": [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111],
        "M": [0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001],
        "N": [0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001],
        "O": [0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
        "P": [0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000],
        "Q": [0b01110, 0b10001, 0b10001, 0b10001, 0b10101, 0b10010, 0b01101],
        "R": [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001],
        "S": [0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110],
        "T": [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100],
        "U": [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
        "V": [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100],
        "W": [0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010],
        "X": [0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001],
        "Y": [0b10001, 0b10001, 0b10001, 0b01010, 0b00100, 0b00100, 0b00100],
        "Z": [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b11111],
        " ": [0, 0, 0, 0, 0, 0, 0],
        ".": [0, 0, 0, 0, 0, 0b01100, 0b01100],
        ",": [0, 0, 0, 0, 0b01100, 0b00100, 0b01000],
        ":": [0, 0b01100, 0b01100, 0, 0b01100, 0b01100, 0],
        "-": [0, 0, 0, 0b11111, 0, 0, 0],
        "+": [0, 0b00100, 0b00100, 0b11111, 0b00100, 0b00100, 0],
        "/": [0, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0],
        "(": [0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00100, 0b00010],
        ")": [0b01000, 0b00100, 0b00010, 0b00010, 0b00010, 0b00100, 0b01000],
        "%": [0b11000, 0b11001, 0b00010, 0b00100, 0b01000, 0b10011, 0b00011],
        "=": [0, 0, 0b11111, 0, 0b11111, 0, 0],
        "_": [0, 0, 0, 0, 0, 0, 0b11111],
        "#": [0b01010, 0b01010, 0b11111, 0b01010, 0b11111, 0b01010, 0b01010],
        "'": [0b00100, 0b00100, 0b01000, 0, 0, 0, 0],
        "?": [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0, 0b00100],
        "!": [0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0, 0b00100],
        "<": [0b00010, 0b00100, 0b01000, 0b10000, 0b01000, 0b00100, 0b00010],
        ">": [0b01000, 0b00100, 0b00010, 0b00001, 0b00010, 0b00100, 0b01000],
    ]

    /// The glyph rows of a character (lower case maps to upper case; unknown characters to "?").
    public static func glyph(_ character: Character) -> [UInt8] {
        let upper = Character(character.uppercased())
        return glyphs[upper] ?? glyphs["?"]!
    }

    /// Width in frame pixels of `text` drawn at `scale`.
    public static func width(of text: String, scale: Int) -> Int {
        text.isEmpty ? 0 : (text.count * advance - 1) * scale
    }
}

extension Frame {
    /// Draws `text` with its top-left corner at (`x`, `y`) (pixels, y down), each font pixel a
    /// `scale` × `scale` square of `color`; pixels outside the frame are skipped.
    public mutating func draw(text: String, x: Int, y: Int, scale: Int = 1, color: SIMD3<UInt8> = SIMD3(255, 255, 255)) {
        var penX = x
        for character in text {
            let rows = BitmapFont.glyph(character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (1 << (4 - column)) != 0 {
                    fill(x: penX + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }

    /// Fills a rectangle (clipped to the frame).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: SIMD3<UInt8>) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for column in x0..<x1 { self[column, row] = color }
        }
    }

    /// Darkens a rectangle to `keep`/256 of its brightness (a backdrop that keeps text readable).
    public mutating func darken(x: Int, y: Int, width w: Int, height h: Int, keep: Int = 96) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            for i in ((row * width + x0) * 3)..<((row * width + x1) * 3) {
                pixels[i] = UInt8(Int(pixels[i]) * keep / 256)
            }
        }
    }

    /// Prints `lines` in the top-left corner on a darkened backdrop, at a scale that keeps the text
    /// about 1/40 of the frame height tall (1 font pixel per 240 frame rows, at least 1).
    public mutating func overlay(lines: [String]) {
        let scale = max(1, height / 240)
        let margin = 2 * scale
        let textWidth = lines.map { BitmapFont.width(of: $0, scale: scale) }.max() ?? 0
        let textHeight = lines.count * BitmapFont.lineHeight * scale - 2 * scale
        darken(x: 0, y: 0, width: textWidth + 2 * margin, height: textHeight + 2 * margin)
        for (i, line) in lines.enumerated() {
            draw(text: line, x: margin, y: margin + i * BitmapFont.lineHeight * scale, scale: scale)
        }
    }
}
