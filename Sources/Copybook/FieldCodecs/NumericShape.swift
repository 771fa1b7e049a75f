public import Events

/// The numeric picture a codec works to: how many digit positions are stored, where the decimal point is, signed
/// or not. COBOL `PIC S9(7)V99` is `NumericShape(digits: 9, scale: 2, isSigned: true)`.
///
/// P scaling is folded into `scale` (IBM PICTURE rules, mainframe-anchors H7): `value = stored × 10^-scale`.
/// `9(5)PPP` is digits 5, scale −3 (30503 → 30503000); `PPP9(5)` is digits 5, scale 8 (30503 → 0.00030503);
/// `SPP99999` is digits 5, scale 7 (−30503 → −0.0030503).
public struct NumericShape: Sendable, Hashable {
    /// Stored digit positions (the 9s, not the Ps), 1...38.
    public var digits: Int
    /// Decimal places of the value: V digits plus leading Ps, or minus the trailing Ps. −38...38.
    public var scale: Int
    /// True for `PIC S…`.
    public var isSigned: Bool

    public init(digits: Int, scale: Int = 0, isSigned: Bool = false) {
        self.digits = digits
        self.scale = scale
        self.isSigned = isSigned
    }

    /// The shape of a picture's digits: `9`-count, `V` position and `P`s on either side.
    /// `integerDigits` and `fractionDigits` count 9s before and after V; `leadingP`/`trailingP` count Ps.
    public init(integerDigits: Int, fractionDigits: Int, leadingP: Int = 0, trailingP: Int = 0, isSigned: Bool) {
        self.digits = integerDigits + fractionDigits
        self.scale = fractionDigits + leadingP - trailingP
        self.isSigned = isSigned
    }

    /// The scale a value of this shape carries as an ``ExactDecimal`` (never negative: trailing Ps multiply).
    public var valueScale: Int { max(scale, 0) }

    func validate() throws(FieldCodecError) {
        guard (1...38).contains(digits) else { throw .unsupportedLayout("\(digits) digits (1...38 supported)") }
        guard (-38...38).contains(scale), digits + max(-scale, 0) <= 38 else {
            throw .unsupportedLayout("scale \(scale) with \(digits) digits exceeds 38 digits")
        }
    }

    /// The stored integer for `value`: `value × 10^scale`, exactly. Throws when that is not an integer (too many
    /// fraction digits), needs more than `digits` digits, or is negative for an unsigned shape.
    func storedInteger(for value: ExactDecimal) throws(FieldCodecError) -> (magnitude: UInt128, negative: Bool) {
        let shift = scale - value.scale
        var magnitude = value.significand.magnitude
        if shift >= 0 {
            guard let multiplier = DecimalText.powerOfTen(shift) else { throw doesNotFit(value) }
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { throw doesNotFit(value) }
            magnitude = product
        } else {
            guard let divisor = DecimalText.powerOfTen(-shift) else { throw doesNotFit(value) }
            let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: divisor)
            guard remainder == 0 else { throw doesNotFit(value) }
            magnitude = quotient
        }
        guard magnitude <= DecimalText.powerOfTen(digits)! - 1 else { throw doesNotFit(value) }
        let negative = value.significand < 0 && magnitude != 0
        if negative && !isSigned { throw doesNotFit(value) }
        return (magnitude, negative)
    }

    func doesNotFit(_ value: ExactDecimal) -> FieldCodecError {
        .valueDoesNotFit(value: value.description, capacity: capacityDescription)
    }

    var capacityDescription: String {
        "\(isSigned ? "signed" : "unsigned") \(digits) digits, scale \(scale)"
    }
}

/// Facts about a decoded number worth auditing; none of them changes the value.
public struct NumericFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// A negative sign on a zero value (packed `…0D`, zoned `}`): decoded as 0 (mainframe-anchors H2).
    public static let negativeZero = NumericFlags(rawValue: 1 << 0)
    /// A valid but non-preferred sign: packed/zoned A, B or E, or F in a signed field, C in an unsigned one (H1).
    public static let nonPreferredSign = NumericFlags(rawValue: 1 << 1)
    /// The value has more digits than the PICTURE (binary under TRUNC(BIN)/COMP-5, or a packed field's pad nibble) (H8).
    public static let exceedsPicture = NumericFlags(rawValue: 1 << 2)
}

/// A decoded number: `unscaled × 10^-scale` with the field's exact scale, plus audit flags.
public struct DecodedNumber: Sendable, Hashable, CustomStringConvertible {
    /// The unscaled value (trailing P positions already multiplied in).
    public var unscaled: Int128
    /// Decimal places, 0...38: the picture's scale (never negative).
    public var scale: Int
    public var flags: NumericFlags

    public init(unscaled: Int128, scale: Int, flags: NumericFlags = []) {
        self.unscaled = unscaled
        self.scale = scale
        self.flags = flags
    }

    /// The value as an exact decimal (38 digits at most, which every codec guarantees).
    public var exactDecimal: ExactDecimal {
        get throws(ExactDecimalError) { try ExactDecimal(unscaled: unscaled, scale: scale) }
    }

    /// The JSON number text with exactly `scale` decimals (`-711.20`, `0.00030503`), never `-0`.
    public var description: String {
        var bytes: [UInt8] = []
        DecimalText.append(magnitude: unscaled.magnitude, negative: unscaled < 0, scale: scale, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A numeric field's decoded content: a number, or one of the "no value" conventions (mainframe-anchors H15) that
/// the record decoder can map to null. Invalid data is never one of these: it throws ``FieldCodecError``.
public enum NumericField: Sendable, Hashable {
    case number(DecodedNumber)
    /// Every byte is the page's space (0x40 EBCDIC, 0x20 ASCII) in a DISPLAY or packed field.
    case blank
    /// Every byte is 0x00 (LOW-VALUES): "unset".
    case lowValues
}

/// What a JSON-appending decode did: wrote a number (with its flags), or wrote nothing because the field is blank or
/// LOW-VALUES (the caller writes `null` or applies its policy).
public enum FieldJSONOutcome: Sendable, Hashable {
    case written(NumericFlags)
    case blank
    case lowValues
}

/// Sign of a numeric digit stream as codecs see it before formatting.
struct SignedMagnitude {
    var magnitude: UInt128
    var negative: Bool
    var flags: NumericFlags

    /// Negative zero becomes zero with the flag set.
    mutating func normalizeZero() {
        if negative && magnitude == 0 {
            negative = false
            flags.insert(.negativeZero)
        }
    }
}

/// Whether a blank or low-value check applies: every byte equals `byte`.
@inline(__always)
func allBytes(_ bytes: UnsafeRawBufferPointer, equal byte: UInt8) -> Bool {
    guard !bytes.isEmpty else { return false }
    for value in bytes where value != byte { return false }
    return true
}
