public import Events

/// A fixed-size numeric field codec chosen once per field (zoned, packed, binary, edited). All paths work on the
/// record's bytes in place and allocate nothing per field on success.
public protocol NumericFieldCodec: Sendable {
    /// The field's storage size in bytes.
    var byteCount: Int { get }
    /// The picture the codec decodes to and encodes from.
    var shape: NumericShape { get }
    /// Reads the field: sign, digits and the blank / LOW-VALUES conventions. Internal customisation point.
    func classify(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> ClassifiedNumber
    /// Writes `value` into `buffer` (exactly ``byteCount`` bytes) with preferred signs. Throws
    /// ``FieldCodecError/valueDoesNotFit(value:capacity:)`` when the value does not fit the field.
    func encode(_ value: ExactDecimal, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError)
}

/// A field read by a codec before formatting: its sign and magnitude, or a "no value" convention.
public struct ClassifiedNumber: Sendable {
    enum Kind { case value, blank, lowValues }
    let kind: Kind
    let number: SignedMagnitude

    static let blank = ClassifiedNumber(kind: .blank, number: SignedMagnitude(magnitude: 0, negative: false, flags: []))
    static let lowValues = ClassifiedNumber(
        kind: .lowValues, number: SignedMagnitude(magnitude: 0, negative: false, flags: []))
    static func value(_ number: SignedMagnitude) -> ClassifiedNumber { ClassifiedNumber(kind: .value, number: number) }
}

extension NumericFieldCodec {
    /// Decodes the field to a number with the picture's exact scale, or `.blank` / `.lowValues`.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> NumericField {
        let classified = try classify(bytes)
        switch classified.kind {
        case .blank: return .blank
        case .lowValues: return .lowValues
        case .value:
            var number = classified.number
            number.normalizeZero()
            return .number(DecimalText.decodedNumber(number, scale: shape.scale))
        }
    }

    /// Decodes a byte array (tests, diagnostics).
    public func decode(_ bytes: [UInt8]) throws(FieldCodecError) -> NumericField {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(FieldCodecError) -> NumericField in try decode(buffer) }
        }
        return try result.get()
    }

    /// Decodes the field and appends it to `output` as a JSON number token with exactly the picture's scale
    /// (`-711.20`, `0.00030503`, `30503000`; no exponent, never `-0`), without building a decimal or a `String`.
    /// Blank and LOW-VALUES fields append nothing and say so.
    public func appendJSON(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) throws(FieldCodecError)
        -> FieldJSONOutcome
    {
        let classified = try classify(bytes)
        switch classified.kind {
        case .blank: return .blank
        case .lowValues: return .lowValues
        case .value:
            var number = classified.number
            number.normalizeZero()
            DecimalText.append(magnitude: number.magnitude, negative: number.negative, scale: shape.scale, to: &output)
            return .written(number.flags)
        }
    }

    /// Encodes into a new byte array of ``byteCount`` bytes.
    public func encode(_ value: ExactDecimal) throws(FieldCodecError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        let result = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(FieldCodecError) in try encode(value, into: buffer) }
        }
        try result.get()
        return bytes
    }
}

/// How strictly sign nibbles and zones are read (mainframe-anchors H1, H4).
public enum SignHandling: Sendable, Hashable {
    /// Accept every valid sign: A, C, E, F positive and B, D negative; non-preferred ones are reported in
    /// ``NumericFlags/nonPreferredSign``. Default.
    case lenient
    /// Preferred signs only: C, D (and F, flagged) in signed fields, F alone in unsigned ones; A, B, E throw.
    case strict
}

/// The meaning of a sign nibble (packed) or zone (zoned) 0xA–0xF; nil for 0–9. Unsigned fields reject negatives.
@inline(__always)
func interpretSign(
    _ nibble: UInt8, isSigned: Bool, handling: SignHandling
) -> (negative: Bool, flags: NumericFlags)? {
    switch nibble {
    case 0xC: return isSigned ? (false, []) : handling == .strict ? nil : (false, .nonPreferredSign)
    case 0xD: return isSigned ? (true, []) : nil
    case 0xF: return (false, isSigned ? .nonPreferredSign : [])
    case 0xA, 0xE: return handling == .strict ? nil : (false, .nonPreferredSign)
    case 0xB: return handling == .strict || !isSigned ? nil : (true, .nonPreferredSign)
    default: return nil
    }
}

func expectedSigns(isSigned: Bool, handling: SignHandling) -> String {
    switch (isSigned, handling) {
    case (true, .lenient): return "a sign X'A'–X'F'"
    case (true, .strict): return "a preferred sign X'C', X'D' or X'F'"
    case (false, .lenient): return "a positive sign X'F', X'C', X'A' or X'E' (unsigned field)"
    case (false, .strict): return "sign X'F' (unsigned field)"
    }
}
