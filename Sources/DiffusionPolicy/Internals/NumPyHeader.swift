import Foundation

/// The dict literal of an `.npy` header, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (NEP 1 / numpy.lib.format).
struct NumPyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    init(parsing text: String, fail: (String) -> NumPyFormatError) throws {
        func value(of key: String) -> Substring? {
            for quote in ["'", "\""] {
                if let range = text.range(of: quote + key + quote) {
                    var rest = text[range.upperBound...].drop { $0 == " " }
                    guard rest.first == ":" else { return nil }
                    rest = rest.dropFirst().drop { $0 == " " }
                    return rest
                }
            }
            return nil
        }
        guard let descrText = value(of: "descr"), let quote = descrText.first, quote == "'" || quote == "\"",
              let end = descrText.dropFirst().firstIndex(of: quote) else {
            throw fail("header has no 'descr' string: \(text.prefix(120))")
        }
        descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        guard let fortranText = value(of: "fortran_order") else { throw fail("header has no 'fortran_order'") }
        if fortranText.hasPrefix("True") { fortranOrder = true }
        else if fortranText.hasPrefix("False") { fortranOrder = false }
        else { throw fail("fortran_order is neither True nor False") }
        guard let shapeText = value(of: "shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw fail("header has no 'shape' tuple")
        }
        let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
        var dims: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if trimmed.isEmpty { continue }
            guard let dim = Int(trimmed), dim >= 0 else { throw fail("invalid shape entry '\(trimmed)'") }
            dims.append(dim)
        }
        shape = dims
    }
}

/// Element types the reader converts to float32.
enum NumPyScalarType {
    case float32, float64, signed(Int), unsigned(Int), bool

    init?(descr: String) {
        guard let order = descr.first, let kind = descr.dropFirst().first,
              let size = Int(descr.dropFirst(2)) else { return nil }
        // '<' little-endian, '|' not applicable (1 byte), '=' native (little on supported hosts).
        guard order == "<" || order == "=" || (order == "|" && size == 1) else { return nil }
        switch (kind, size) {
        case ("f", 4): self = .float32
        case ("f", 8): self = .float64
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): self = .signed(size)
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): self = .unsigned(size)
        case ("b", 1): self = .bool
        default: return nil
        }
    }

    var size: Int {
        switch self {
        case .float32: return 4
        case .float64: return 8
        case let .signed(n), let .unsigned(n): return n
        case .bool: return 1
        }
    }

    /// Converts `count` little-endian elements (the caller checked the byte count).
    func convert(_ raw: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                let offset = i * size
                switch self {
                case .float32:
                    out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                case .float64:
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))))
                case .signed(1): out[i] = Float(raw.loadUnaligned(fromByteOffset: offset, as: Int8.self))
                case .signed(2): out[i] = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
                case .signed(4): out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                case .signed: out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                case .unsigned(1): out[i] = Float(raw.loadUnaligned(fromByteOffset: offset, as: UInt8.self))
                case .unsigned(2): out[i] = Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                case .unsigned(4): out[i] = Float(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                case .unsigned: out[i] = Float(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case .bool: out[i] = raw.loadUnaligned(fromByteOffset: offset, as: UInt8.self) != 0 ? 1 : 0
                }
            }
            initialized = count
        }
    }
}
