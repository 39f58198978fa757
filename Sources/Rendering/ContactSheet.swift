/// A grid of frames sampled evenly across an episode, labelled with their step, for reports.
///
/// Frames arrive one at a time and the episode length is not known in advance, so thumbnails are
/// kept at a stride that doubles whenever `capacity` are held (keeping every other one): memory is
/// bounded by `capacity` thumbnails, and at the end the kept ones still cover the whole episode
/// evenly, from which `columns × rows` are picked (the last frame always included).
public struct ContactSheet {
    public let columns: Int
    public let rows: Int
    /// Frame pixels per thumbnail pixel (box filter).
    public let reduction: Int
    private var kept: [(step: Int, frame: Frame)] = []
    private var stride = 1
    private var seen = 0
    private var last: (step: Int, frame: Frame)?
    private let capacity: Int

    /// - Parameters:
    ///   - frameWidth: width of the frames, used to choose `reduction` so thumbnails are ≤ 240 pixels wide.
    public init(columns: Int = 4, rows: Int = 3, frameWidth: Int) {
        precondition(columns >= 1 && rows >= 1)
        self.columns = columns
        self.rows = rows
        self.reduction = max(1, (frameWidth + 239) / 240)
        self.capacity = max(2 * columns * rows, 64)
    }

    /// Offers a frame; kept if it falls on the current stride.
    public mutating func add(_ frame: Frame, step: Int) {
        defer { seen += 1 }
        let thumb = (step, frame.downscaled(by: reduction))
        last = thumb
        guard seen % stride == 0 else { return }
        kept.append(thumb)
        if kept.count >= capacity {
            kept = kept.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            stride *= 2
        }
    }

    /// Number of frames offered so far.
    public var frameCount: Int { seen }

    /// The sheet: up to `columns × rows` thumbnails in reading order, 2-pixel grey gutters, step
    /// numbers in the corner of each. Nil if no frame was added.
    public func render() -> Frame? {
        guard let last else { return nil }
        var pool = kept
        if pool.last?.step != last.step { pool.append(last) }
        let count = min(columns * rows, pool.count)
        let picks: [(step: Int, frame: Frame)] = count == 1 ? [pool[pool.count - 1]]
            : (0..<count).map { pool[Int((Double($0) * Double(pool.count - 1) / Double(count - 1)).rounded())] }
        let w = picks[0].frame.width, h = picks[0].frame.height, gutter = 2
        let usedColumns = min(columns, count)
        let usedRows = (count + columns - 1) / columns
        var sheet = Frame(width: usedColumns * w + (usedColumns + 1) * gutter, height: usedRows * h + (usedRows + 1) * gutter)
        sheet.fill(x: 0, y: 0, width: sheet.width, height: sheet.height, color: SIMD3(64, 64, 64))
        for (i, pick) in picks.enumerated() {
            let x0 = gutter + (i % columns) * (w + gutter), y0 = gutter + (i / columns) * (h + gutter)
            for y in 0..<h {
                let source = y * w * 3, target = ((y0 + y) * sheet.width + x0) * 3
                sheet.pixels.replaceSubrange(target..<(target + w * 3), with: pick.frame.pixels[source..<(source + w * 3)])
            }
            let label = "\(pick.step)"
            let labelY = y0 + h - BitmapFont.glyphHeight - 4  // bottom-left: clear of a frame overlay
            sheet.darken(x: x0, y: labelY, width: BitmapFont.width(of: label, scale: 1) + 4, height: BitmapFont.glyphHeight + 4)
            sheet.draw(text: label, x: x0 + 2, y: labelY + 2)
        }
        return sheet
    }
}

extension Frame {
    /// The frame shrunk by an integer factor, averaging `factor × factor` blocks (partial blocks at
    /// the right and bottom edges are dropped).
    public func downscaled(by factor: Int) -> Frame {
        guard factor > 1 else { return self }
        let w = max(1, width / factor), h = max(1, height / factor)
        var out = Frame(width: w, height: h)
        let area = factor * factor
        for y in 0..<h {
            for x in 0..<w {
                var sum = SIMD3<Int>(repeating: 0)
                for dy in 0..<factor {
                    for dx in 0..<factor {
                        let p = self[min(width - 1, x * factor + dx), min(height - 1, y * factor + dy)]
                        sum &+= SIMD3(Int(p.x), Int(p.y), Int(p.z))
                    }
                }
                out[x, y] = SIMD3(UInt8(sum.x / area), UInt8(sum.y / area), UInt8(sum.z / area))
            }
        }
        return out
    }
}
