public import CodePages
public import Events

/// Numeric-edited DISPLAY fields (`ZZZ,ZZ9.99-`, `+9(8)`, `$***,**9.99`, `--,---,--9.99`, `Z(6)VZZ-`, `99/99/99`,
/// `ZZ9.99CR`): decode reverses the editing, encode applies it (IBM PICTURE editing rules, mainframe-anchors H18).
///
/// Supported symbols: `9`, `Z`, `*`, `+`, `-` (fixed or floating), `$` (fixed or floating), `CR`, `DB`, `.` (the
/// decimal point), `V`, and the insertion characters `,` `B` `0` `/`; repetition counts `X(n)`. The text goes
/// through the code page (edited fields are characters). Decode accepts suppressed positions as spaces, `*` or the
/// floating symbol, and reads the sign from `-`, `+`, `CR` or `DB` wherever the picture allows one. A field of
/// spaces is zero under BLANK WHEN ZERO or when every digit position is suppressible; otherwise `.blank`.
public struct EditedNumericCodec: NumericFieldCodec, Hashable {
    enum Position: Hashable {
        /// A digit position: `9`, `Z`, `*`, or a floating `+ - $` after the first.
        case digit(kind: UInt8)  // "9", "Z", "*", "+", "-", "$"
        /// The first symbol of a floating string: only ever a sign, currency sign or space.
        case floatLead(UInt8)
        case sign(UInt8)  // fixed "+" or "-"
        case currency
        case credit(UInt8)  // "C" for CR, "D" for DB; two bytes
        case insertion(UInt8)  // ".", ",", "B", "0", "/"
    }

    public let picture: String
    public let blankWhenZero: Bool
    public let shape: NumericShape
    public let byteCount: Int
    let positions: [Position]
    let floating: UInt8?
    let checkProtect: Bool
    let hasNine: Bool
    /// Byte → ASCII character (0 when the byte is not one the picture can contain), and the reverse.
    let characterForByte: [UInt8]
    let byteForCharacter: [UInt8]
    let spaceByte: UInt8

    public init(picture: String, codePage: CodePage, blankWhenZero: Bool = false) throws(FieldCodecError) {
        self.picture = picture
        self.blankWhenZero = blankWhenZero
        // Expand repetitions.
        var symbols: [UInt8] = []
        let text = Array(picture.uppercased().utf8)
        var index = 0
        while index < text.count {
            let symbol = text[index]
            if index + 1 < text.count && text[index + 1] == UInt8(ascii: "(") {
                guard let close = text[index...].firstIndex(of: UInt8(ascii: ")")),
                    let count = Int(String(decoding: text[(index + 2)..<close], as: UTF8.self)), count > 0
                else { throw .unsupportedLayout("bad repetition in picture \(picture)") }
                symbols += [UInt8](repeating: symbol, count: count)
                index = close + 1
            } else {
                symbols.append(symbol)
                index += 1
            }
        }
        // Floating symbol: a + - or $ that appears at least twice.
        var floating: UInt8?
        for candidate in [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "$")]
        where symbols.filter({ $0 == candidate }).count >= 2 {
            floating = candidate
        }
        var positions: [Position] = []
        var digits = 0
        var fraction = 0
        var afterPoint = false
        var seenFloatLead = false
        index = 0
        while index < symbols.count {
            let symbol = symbols[index]
            switch symbol {
            case UInt8(ascii: "9"), UInt8(ascii: "Z"), UInt8(ascii: "*"):
                positions.append(.digit(kind: symbol))
                digits += 1
                if afterPoint { fraction += 1 }
            case floating where floating != nil:
                if seenFloatLead {
                    positions.append(.digit(kind: symbol))
                    digits += 1
                    if afterPoint { fraction += 1 }
                } else {
                    positions.append(.floatLead(symbol))
                    seenFloatLead = true
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"): positions.append(.sign(symbol))
            case UInt8(ascii: "$"): positions.append(.currency)
            case UInt8(ascii: "C"), UInt8(ascii: "D"):
                let second = index + 1 < symbols.count ? symbols[index + 1] : 0
                guard (symbol == UInt8(ascii: "C") && second == UInt8(ascii: "R"))
                    || (symbol == UInt8(ascii: "D") && second == UInt8(ascii: "B"))
                else { throw .unsupportedLayout("picture \(picture): expected CR or DB") }
                positions.append(.credit(symbol))
                index += 1
            case UInt8(ascii: "."):
                positions.append(.insertion(symbol))
                afterPoint = true
            case UInt8(ascii: "V"): afterPoint = true
            case UInt8(ascii: ","), UInt8(ascii: "B"), UInt8(ascii: "0"), UInt8(ascii: "/"):
                positions.append(.insertion(symbol))
            default:
                throw .unsupportedLayout("picture \(picture): symbol '\(Character(Unicode.Scalar(symbol)))' is not supported in an edited numeric")
            }
            index += 1
        }
        guard digits > 0 else { throw .unsupportedLayout("picture \(picture) has no digit positions") }
        self.positions = positions
        self.floating = floating
        self.checkProtect = symbols.contains(UInt8(ascii: "*"))
        self.hasNine = symbols.contains(UInt8(ascii: "9"))
        let hasSign = positions.contains {
            switch $0 {
            case .sign, .credit: return true
            case .floatLead(let symbol): return symbol != UInt8(ascii: "$")
            default: return false
            }
        }
        self.shape = NumericShape(digits: digits, scale: fraction, isSigned: hasSign)
        try shape.validate()
        self.byteCount = positions.reduce(0) { count, position in
            if case .credit = position { return count + 2 }
            return count + 1
        }
        var characterForByte = [UInt8](repeating: 0, count: 256)
        var byteForCharacter = [UInt8](repeating: 0, count: 128)
        for character in Array("0123456789 +-.,/*$CRDB".utf8) {
            guard let byte = codePage.byte(for: Unicode.Scalar(character)) else {
                throw .unsupportedLayout("\(codePage.name) has no '\(Character(Unicode.Scalar(character)))'")
            }
            characterForByte[Int(byte)] = character
            byteForCharacter[Int(character)] = byte
        }
        self.characterForByte = characterForByte
        self.byteForCharacter = byteForCharacter
        self.spaceByte = codePage.spaceByte
    }

    public func classify(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> ClassifiedNumber {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        if allBytes(bytes, equal: 0) { return .lowValues }
        if allBytes(bytes, equal: spaceByte) {
            return blankWhenZero || !hasNine
                ? .value(SignedMagnitude(magnitude: 0, negative: false, flags: [])) : .blank
        }
        let space = UInt8(ascii: " ")
        let star = UInt8(ascii: "*")
        var magnitude: UInt128 = 0
        var negative = false
        var offset = 0
        for position in positions {
            let character = characterForByte[Int(bytes[offset])]
            switch position {
            case .digit(let kind):
                if character >= UInt8(ascii: "0") && character <= UInt8(ascii: "9") {
                    magnitude = magnitude &* 10 &+ UInt128(character - UInt8(ascii: "0"))
                } else if kind != UInt8(ascii: "9")
                    && (character == space || character == star
                        || (kind == floating && (character == kind || (kind == UInt8(ascii: "+") && character == UInt8(ascii: "-")))))
                {
                    magnitude = magnitude &* 10
                    if character == UInt8(ascii: "-") { negative = true }
                } else {
                    throw invalid(bytes, offset, "a digit")
                }
            case .floatLead(let symbol), .sign(let symbol):
                switch character {
                case UInt8(ascii: "-"): negative = true
                case UInt8(ascii: "+"), space: break
                case symbol: break
                default: throw invalid(bytes, offset, "a sign, currency sign or space")
                }
            case .currency:
                guard character == UInt8(ascii: "$") else { throw invalid(bytes, offset, "'$'") }
            case .credit(let first):
                let second = characterForByte[Int(bytes[offset + 1])]
                let letters = first == UInt8(ascii: "C") ? (UInt8(ascii: "C"), UInt8(ascii: "R")) : (first, UInt8(ascii: "B"))
                if character == letters.0 && second == letters.1 {
                    negative = true
                } else if !(character == space && second == space) {
                    throw invalid(bytes, offset, first == UInt8(ascii: "C") ? "'CR' or spaces" : "'DB' or spaces")
                }
                offset += 1
            case .insertion(let symbol):
                let shown = symbol == UInt8(ascii: "B") ? space : symbol
                guard character == shown || character == space || character == star
                    || (floating != nil && character == floating)
                else { throw invalid(bytes, offset, "'\(Character(Unicode.Scalar(shown)))'") }
                if floating == UInt8(ascii: "-") && character == UInt8(ascii: "-") { negative = true }
                if floating == UInt8(ascii: "+") && character == UInt8(ascii: "-") { negative = true }
            }
            offset += 1
        }
        return .value(SignedMagnitude(magnitude: magnitude, negative: negative, flags: []))
    }

    private func invalid(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ expected: String) -> FieldCodecError {
        .invalid(
            bytes, offset: offset, expected: "\(expected) for picture \(picture)",
            found: FieldCodecError.hexByte(bytes[offset]))
    }

    public func encode(_ value: ExactDecimal, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError) {
        guard buffer.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: buffer.count) }
        let stored = try shape.storedInteger(for: value)
        let negative = stored.negative
        var characters = [UInt8](repeating: UInt8(ascii: " "), count: byteCount)
        defer { for (index, character) in characters.enumerated() { buffer[index] = byteForCharacter[Int(character)] } }
        if stored.magnitude == 0 && (blankWhenZero || !hasNine) {
            if checkProtect && !blankWhenZero {
                var offset = 0
                for position in positions {
                    if case .insertion(let symbol) = position, symbol == UInt8(ascii: ".") {
                        characters[offset] = symbol
                    } else {
                        characters[offset] = UInt8(ascii: "*")
                    }
                    if case .credit = position { offset += 1; characters[offset] = UInt8(ascii: "*") }
                    offset += 1
                }
            }
            return
        }
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: shape.digits)
        var remaining = stored.magnitude
        for index in stride(from: shape.digits - 1, through: 0, by: -1) {
            digits[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remaining % 10)
            remaining /= 10
        }
        let floatCharacter: UInt8 =
            floating == UInt8(ascii: "$") ? UInt8(ascii: "$")
            : negative ? UInt8(ascii: "-") : floating == UInt8(ascii: "+") ? UInt8(ascii: "+") : UInt8(ascii: " ")
        let fill = checkProtect ? UInt8(ascii: "*") : UInt8(ascii: " ")
        var significant = false
        var lastSuppressed: Int?
        var digitIndex = 0
        var offset = 0
        func becomeSignificant() {
            if !significant, floating != nil, let place = lastSuppressed { characters[place] = floatCharacter }
            significant = true
        }
        for position in positions {
            switch position {
            case .digit(let kind):
                let digit = digits[digitIndex]
                if digitIndex == shape.digits - shape.scale { becomeSignificant() }  // suppression stops at V / '.'
                digitIndex += 1
                if kind == UInt8(ascii: "9") || digit != UInt8(ascii: "0") || significant {
                    becomeSignificant()
                    characters[offset] = digit
                } else {
                    characters[offset] = kind == UInt8(ascii: "*") ? UInt8(ascii: "*") : UInt8(ascii: " ")
                    lastSuppressed = offset
                }
            case .floatLead:
                characters[offset] = UInt8(ascii: " ")
                lastSuppressed = offset
            case .sign(let symbol):
                characters[offset] =
                    negative ? UInt8(ascii: "-") : symbol == UInt8(ascii: "+") ? UInt8(ascii: "+") : UInt8(ascii: " ")
            case .currency:
                characters[offset] = UInt8(ascii: "$")
            case .credit(let first):
                if negative {
                    characters[offset] = first
                    characters[offset + 1] = first == UInt8(ascii: "C") ? UInt8(ascii: "R") : UInt8(ascii: "B")
                }
                offset += 1
            case .insertion(let symbol):
                let shown = symbol == UInt8(ascii: "B") ? UInt8(ascii: " ") : symbol
                if significant {
                    characters[offset] = shown
                } else if symbol == UInt8(ascii: ".") {
                    becomeSignificant()
                    characters[offset] = shown
                } else {
                    characters[offset] = fill
                    lastSuppressed = offset
                }
            }
            offset += 1
        }
        if !significant, floating != nil, let place = lastSuppressed { characters[place] = floatCharacter }
    }
}
