public import Events

/// DISPLAY numeric (zoned decimal): one digit per byte, read from the nibbles and never through the code page
/// (mainframe-anchors H4: in cp273 byte 0xC0 is 'ä', yet as a zoned sign byte it is "+0").
///
/// Signs: overpunched in the zone of the last byte (default) or the first (`SIGN LEADING`), or a separate byte
/// (`SIGN … SEPARATE`: 0x4E '+' / 0x60 '-' in EBCDIC, 0x2B / 0x2D in ASCII). EBCDIC zones follow ``SignHandling``
/// like packed signs: C/D preferred, F for unsigned, A/B/E accepted leniently. ASCII files use one of the
/// overpunch conventions of ``Convention`` (H5), chosen per source. Every digit byte that does not carry the sign
/// must be a plain digit (0xF0–0xF9 or 0x30–0x39). All-space fields are `.blank`, all-0x00 fields `.lowValues` (H15).
public struct ZonedDecimalCodec: NumericFieldCodec, Hashable {
    /// Where the sign of a signed field is.
    public enum SignPosition: Sendable, Hashable {
        /// Overpunched in the last byte's zone (COBOL default).
        case trailing
        /// Overpunched in the first byte's zone (`SIGN IS LEADING`).
        case leading
        /// A separate last byte (`SIGN IS TRAILING SEPARATE`).
        case trailingSeparate
        /// A separate first byte (`SIGN IS LEADING SEPARATE`).
        case leadingSeparate

        var isSeparate: Bool { self == .trailingSeparate || self == .leadingSeparate }
        var isLeading: Bool { self == .leading || self == .leadingSeparate }
    }

    /// The byte-level convention of the digits and the overpunched sign.
    public enum Convention: Sendable, Hashable {
        /// EBCDIC: digits 0xF0–0xF9; sign zone C/D (A/B/E/F per ``SignHandling``).
        case ebcdic
        /// ASCII, IBM "modified ASCII" (what a text-mode EBCDIC→ASCII transfer produces): `{ABCDEFGHI` for +0…+9,
        /// `}JKLMNOPQR` for −0…−9.
        case asciiIBM
        /// ASCII, strict (GnuCOBOL 3.x `cob_put_sign_ascii`): plain digits positive, 0x70+d (`p`…`y`) negative.
        case asciiStrict
        /// ASCII, Fujitsu: 0x40+d (`@ABCDEFGHI`) positive, 0x50+d (`PQRSTUVWXY`) negative.
        case asciiFujitsu
        /// ASCII, JRecord's "GNU Cobol" type: plain digits positive, 0x50+d negative (not what GnuCOBOL 3.x writes).
        case asciiJRecordGNU

        var digitZone: UInt8 { self == .ebcdic ? 0xF0 : 0x30 }
        var space: UInt8 { self == .ebcdic ? 0x40 : 0x20 }
        var plus: UInt8 { self == .ebcdic ? 0x4E : 0x2B }
        var minus: UInt8 { self == .ebcdic ? 0x60 : 0x2D }
    }

    public let shape: NumericShape
    public let signPosition: SignPosition
    public let convention: Convention
    public let signHandling: SignHandling
    public let byteCount: Int

    public init(
        shape: NumericShape, signPosition: SignPosition = .trailing, convention: Convention = .ebcdic,
        signHandling: SignHandling = .lenient
    ) throws(FieldCodecError) {
        try shape.validate()
        self.shape = shape
        self.signPosition = signPosition
        self.convention = convention
        self.signHandling = signHandling
        self.byteCount = shape.digits + (shape.isSigned && signPosition.isSeparate ? 1 : 0)
    }

    public func classify(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> ClassifiedNumber {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        let first = bytes[0]
        if first == convention.space && allBytes(bytes, equal: first) { return .blank }
        if first == 0 && allBytes(bytes, equal: 0) { return .lowValues }

        let separate = shape.isSigned && signPosition.isSeparate
        let digitStart = separate && signPosition.isLeading ? 1 : 0
        let digitEnd = digitStart + shape.digits  // exclusive
        // The overpunched byte: the sign carrier of a signed field, the last digit of an unsigned one.
        let punched = separate ? -1 : (shape.isSigned && signPosition.isLeading ? digitStart : digitEnd - 1)
        var negative = false
        var flags: NumericFlags = []
        var magnitude: UInt128 = 0
        var small: UInt64 = 0
        let zone = convention.digitZone
        for index in digitStart..<digitEnd {
            let byte = bytes[index]
            var digit = byte &- zone
            if digit > 9 {
                guard index == punched, let sign = overpunch(byte) else {
                    throw invalidByte(bytes, index, punched: index == punched)
                }
                digit = sign.digit
                negative = sign.negative
                flags = sign.flags
            }
            if shape.digits <= 19 {
                small = small &* 10 &+ UInt64(digit)
            } else {
                magnitude = magnitude &* 10 &+ UInt128(digit)
            }
        }
        if shape.digits <= 19 { magnitude = UInt128(small) }
        if separate {
            let index = signPosition.isLeading ? 0 : byteCount - 1
            switch bytes[index] {
            case convention.plus: negative = false
            case convention.minus: negative = true
            default:
                throw FieldCodecError.invalid(
                    bytes, offset: index,
                    expected: "a separate sign \(FieldCodecError.hexByte(convention.plus)) '+' or "
                        + "\(FieldCodecError.hexByte(convention.minus)) '-'",
                    found: FieldCodecError.hexByte(bytes[index]))
            }
        }
        return .value(SignedMagnitude(magnitude: magnitude, negative: negative, flags: flags))
    }

    /// The digit and sign of an overpunched byte under the convention; nil when the byte is not one.
    private func overpunch(_ byte: UInt8) -> (digit: UInt8, negative: Bool, flags: NumericFlags)? {
        let signed = shape.isSigned
        let lenient = signHandling == .lenient
        switch convention {
        case .ebcdic:
            let digit = byte & 0x0F
            guard digit <= 9, let sign = interpretSign(byte >> 4, isSigned: signed, handling: signHandling) else {
                return nil
            }
            return (digit, sign.negative, sign.flags)
        case .asciiIBM:
            switch byte {
            case 0x7B: return signed || lenient ? (0, false, signed ? [] : .nonPreferredSign) : nil
            case 0x41...0x49: return signed || lenient ? (byte - 0x40, false, signed ? [] : .nonPreferredSign) : nil
            case 0x7D: return signed ? (0, true, []) : nil
            case 0x4A...0x52: return signed ? (byte - 0x49, true, []) : nil
            default: return nil
            }
        case .asciiStrict:
            return (0x70...0x79).contains(byte) && signed ? (byte - 0x70, true, []) : nil
        case .asciiFujitsu:
            switch byte {
            case 0x40...0x49: return signed || lenient ? (byte - 0x40, false, signed ? [] : .nonPreferredSign) : nil
            case 0x50...0x59: return signed ? (byte - 0x50, true, []) : nil
            default: return nil
            }
        case .asciiJRecordGNU:
            return (0x50...0x59).contains(byte) && signed ? (byte - 0x50, true, []) : nil
        }
    }

    private func invalidByte(_ bytes: UnsafeRawBufferPointer, _ index: Int, punched: Bool) -> FieldCodecError {
        let digits = convention == .ebcdic ? "0xF0–0xF9" : "0x30–0x39"
        let expected: String
        if !punched {
            expected = "a digit \(digits)"
        } else if convention == .ebcdic {
            expected = "a digit with the zone of " + expectedSigns(isSigned: shape.isSigned, handling: signHandling)
        } else {
            expected = "a digit \(digits) or a \(convention) overpunched digit" + (shape.isSigned ? "" : " (positive)")
        }
        let byte = bytes[index]
        return .invalid(
            bytes, offset: index, nibble: convention == .ebcdic && byte & 0x0F <= 9 ? 0 : nil, expected: expected,
            found: FieldCodecError.hexByte(byte))
    }

    public func encode(_ value: ExactDecimal, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError) {
        guard buffer.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: buffer.count) }
        let stored = try shape.storedInteger(for: value)
        var magnitude = stored.magnitude
        let separate = shape.isSigned && signPosition.isSeparate
        let digitStart = separate && signPosition.isLeading ? 1 : 0
        var index = digitStart + shape.digits - 1
        while index >= digitStart {
            buffer[index] = convention.digitZone | UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            index -= 1
        }
        guard shape.isSigned else { return }
        if separate {
            buffer[signPosition.isLeading ? 0 : byteCount - 1] = stored.negative ? convention.minus : convention.plus
            return
        }
        let position = signPosition.isLeading ? 0 : byteCount - 1
        let digit = buffer[position] & 0x0F
        let negative = stored.negative
        switch convention {
        case .ebcdic: buffer[position] = (negative ? 0xD0 : 0xC0) | digit
        case .asciiIBM: buffer[position] = digit == 0 ? (negative ? 0x7D : 0x7B) : (negative ? 0x49 : 0x40) + digit
        case .asciiStrict: buffer[position] = (negative ? 0x70 : 0x30) | digit
        case .asciiFujitsu: buffer[position] = (negative ? 0x50 : 0x40) | digit
        case .asciiJRecordGNU: buffer[position] = (negative ? 0x50 : 0x30) | digit
        }
    }
}
