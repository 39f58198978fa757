import Foundation

/// The dict literal of an `.npy` header, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (NEP 1 / numpy.lib.format).
struct NumPyHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    init(parsing text: String, fail: (String) -> TensorArchiveError) throws {
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
