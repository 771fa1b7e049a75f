/// Reduces our text (decoded with the IBM table) to the expected file's convention. The cobrix rules were checked
/// against every row of cobrix-09 and cobrix-10 by decoding the data with Python's cp037/cp273/cp500/cp1140 codecs
/// and applying exactly these rules (cobrix-10 `CodePage*.scala` / `CodePageCommon*.scala`, commit 898330b8).
enum TextConvention {
    static func apply(_ rule: TextComparison, to text: String) -> String {
        switch rule {
        case .exact:
            return text
        case let .cobrixCommon(trimming):
            return javaTrim(String(String.UnicodeScalarView(text.unicodeScalars.map { common($0, extended: false) })), trimming)
        case let .cobrixCommonExtended(trimming):
            return javaTrim(String(String.UnicodeScalarView(text.unicodeScalars.map { common($0, extended: true) })), trimming)
        case let .cobrixCodePage(trimming, overlineAsMacron, allControlsToSpace):
            let mapped = text.unicodeScalars.map { scalar -> Unicode.Scalar in
                switch scalar.value {
                case 0x0D: return "\n"
                case 0x0A: return "\r"
                case 0x85: return scalar
                case 0x80...0x9F: return " "
                case 0x00...0x1F where allControlsToSpace: return " "
                case 0x7F where allControlsToSpace: return " "
                case 0x203E where overlineAsMacron: return "\u{AF}"
                default: return scalar
                }
            }
            return javaTrim(String(String.UnicodeScalarView(mapped)), trimming)
        case .lowValuesRemoved:
            var scalars = text.unicodeScalars.filter { $0.value != 0 }
            while scalars.last == " " { scalars.removeLast() }
            return String(String.UnicodeScalarView(scalars))
        }
    }

    /// cobrix `common` / `common_extended` applied to a character that cp037 produced.
    static func common(_ scalar: Unicode.Scalar, extended: Bool) -> Unicode.Scalar {
        switch scalar.value {
        case 0x0D: return "\n"  // cobrix swaps CR and LF
        case 0x0A: return "\r"
        case 0xA6: return "|"  // EBCDIC 0x6A (broken bar)
        case 0xAD: return "-"  // EBCDIC 0xCA (soft hyphen)
        case 0x20...0x7E: return scalar
        case 0x1A: return " "
        case 0x00...0x1F where extended: return scalar
        default:
            // C1 controls that cobrix's common_extended writes as SUB; every other character is a space.
            let substituted: Set<UInt32> = [0x85, 0x86, 0x87, 0x8D, 0x8E, 0x8F, 0x92, 0x97, 0x9C, 0x9D]
            return extended && substituted.contains(scalar.value) ? "\u{1A}" : " "
        }
    }

    /// Java `String.trim()` (every character up to U+0020) on the sides the policy names.
    static func javaTrim(_ text: String, _ trimming: TextTrimming) -> String {
        var scalars = Array(text.unicodeScalars)
        if trimming == .both || trimming == .trailing {
            while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        }
        if trimming == .both || trimming == .leading {
            let count = scalars.prefix { $0.value <= 0x20 }.count
            scalars.removeFirst(count)
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
