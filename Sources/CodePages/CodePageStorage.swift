/// The derived lookup tables behind a ``CodePage``; built once per page and policy, immutable afterwards.
///
/// Entry layout (so the decode loop stores 4 or 8 bytes at once and advances by the length):
/// - `utf8`: bytes 0–2 the UTF-8 sequence (little-endian order), bits 24–27 its length, bit 31 "unmapped".
/// - `json`: bytes 0–5 the JSON-escaped UTF-8 sequence, bits 56–59 its length, bit 63 "unmapped".
final class CodePageStorage: Sendable {
    /// The 256 scalars (``CodePage/undefinedScalar`` for undefined bytes); nil for UTF-8.
    let scalars: [UInt32]?
    let utf8: [UInt32]
    let json: [UInt64]
    /// Scalar → byte for scalars below 256 (-1: none), and the rest in a dictionary.
    let encodeLow: [Int16]
    let encodeHigh: [UInt32: UInt8]
    let spaceByte: UInt8
    let aliases: [String]

    static let replacementUTF8: [UInt8] = [0xEF, 0xBF, 0xBD]

    init(scalars: [UInt32], aliases: [String], controls: CodePage.ControlCharacterPolicy) {
        precondition(scalars.count == 256, "a single-byte page has 256 entries")
        self.scalars = scalars
        self.aliases = aliases
        var utf8 = [UInt32](repeating: 0, count: 256)
        var json = [UInt64](repeating: 0, count: 256)
        var encodeLow = [Int16](repeating: -1, count: 256)
        var encodeHigh: [UInt32: UInt8] = [:]
        var space: UInt8 = 0x20
        for byte in 0..<256 {
            let value = scalars[byte]
            if value == 0x20 { space = UInt8(byte) }
            if value != CodePage.undefinedScalar {
                // The reverse table keeps the first byte for a scalar; the generated pages are one-to-one.
                if value < 256 {
                    if encodeLow[Int(value)] < 0 { encodeLow[Int(value)] = Int16(byte) }
                } else if encodeHigh[value] == nil {
                    encodeHigh[value] = UInt8(byte)
                }
            }
            var decoded = value
            var unmapped = value == CodePage.undefinedScalar
            if !unmapped && CodePageStorage.isControl(value) {
                switch controls {
                case .preserve: break
                case .replaceWithSpace: decoded = 0x20
                case .reject: unmapped = true
                }
            }
            let sequence: [UInt8] =
                unmapped ? CodePageStorage.replacementUTF8 : Array(String(Unicode.Scalar(decoded)!).utf8)
            utf8[byte] = CodePageStorage.pack32(sequence, unmapped: unmapped)
            json[byte] = CodePageStorage.pack64(CodePageStorage.jsonEscaped(sequence), unmapped: unmapped)
        }
        self.utf8 = utf8
        self.json = json
        self.encodeLow = encodeLow
        self.encodeHigh = encodeHigh
        self.spaceByte = space
    }

    convenience init(derivedFrom base: CodePageStorage, controls: CodePage.ControlCharacterPolicy) {
        if let scalars = base.scalars {
            self.init(scalars: scalars, aliases: base.aliases, controls: controls)
        } else {
            self.init(utf8Aliases: base.aliases)
        }
    }

    /// The UTF-8 page: no tables; decode validates.
    init(utf8Aliases: [String]) {
        scalars = nil
        aliases = utf8Aliases
        utf8 = []
        json = []
        encodeLow = []
        encodeHigh = [:]
        spaceByte = 0x20
    }

    static func isControl(_ value: UInt32) -> Bool { value < 0x20 || (0x7F...0x9F).contains(value) }

    /// JSON string escaping exactly as Events' `JSONWriter` does it: `\"`, `\\`, `\b \f \n \r \t`, other C0 as
    /// `\u00xx` (lowercase hex); everything else (DEL, C1, all non-ASCII) as plain UTF-8.
    static func jsonEscaped(_ sequence: [UInt8]) -> [UInt8] {
        guard sequence.count == 1 else { return sequence }
        let byte = sequence[0]
        let backslash = UInt8(ascii: "\\")
        switch byte {
        case 0x22: return [backslash, 0x22]
        case 0x5C: return [backslash, 0x5C]
        case 0x08: return [backslash, UInt8(ascii: "b")]
        case 0x0C: return [backslash, UInt8(ascii: "f")]
        case 0x0A: return [backslash, UInt8(ascii: "n")]
        case 0x0D: return [backslash, UInt8(ascii: "r")]
        case 0x09: return [backslash, UInt8(ascii: "t")]
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            return [backslash, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
        default: return sequence
        }
    }

    static func pack32(_ sequence: [UInt8], unmapped: Bool) -> UInt32 {
        var entry: UInt32 = 0
        for (index, byte) in sequence.enumerated() { entry |= UInt32(byte) << (8 * UInt32(index)) }
        entry |= UInt32(sequence.count) << 24
        if unmapped { entry |= 1 << 31 }
        return entry
    }

    static func pack64(_ sequence: [UInt8], unmapped: Bool) -> UInt64 {
        var entry: UInt64 = 0
        for (index, byte) in sequence.enumerated() { entry |= UInt64(byte) << (8 * UInt64(index)) }
        entry |= UInt64(sequence.count) << 56
        if unmapped { entry |= 1 << 63 }
        return entry
    }
}
