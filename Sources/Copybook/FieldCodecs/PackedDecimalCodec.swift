public import Events

/// COMP-3 / PACKED-DECIMAL: two digit nibbles per byte, the last nibble the sign (IBM Enterprise COBOL).
///
/// Signs: A, C, E, F positive and B, D negative (NUMPROC(NOPFD)); C/D preferred, F for unsigned (H1). Negative zero
/// decodes as 0 with ``NumericFlags/negativeZero`` (H2). A digit nibble above 9 or a sign nibble 0–9 throws with the
/// nibble's position (H3); all-0x40 and all-0x00 fields are `.blank` / `.lowValues`. With an even digit count the
/// first nibble is padding: a non-zero pad decodes (full storage) and sets ``NumericFlags/exceedsPicture``.
/// `hasSignNibble: false` is the unsigned no-sign variant (cobrix `COMP-3U`): every nibble is a digit.
public struct PackedDecimalCodec: NumericFieldCodec, Hashable {
    public let shape: NumericShape
    public let hasSignNibble: Bool
    public let signHandling: SignHandling
    public let byteCount: Int

    public init(shape: NumericShape, hasSignNibble: Bool = true, signHandling: SignHandling = .lenient)
        throws(FieldCodecError)
    {
        try shape.validate()
        if !hasSignNibble && shape.isSigned { throw .unsupportedLayout("a signed packed field needs a sign nibble") }
        self.shape = shape
        self.hasSignNibble = hasSignNibble
        self.signHandling = signHandling
        self.byteCount = hasSignNibble ? shape.digits / 2 + 1 : (shape.digits + 1) / 2
    }

    public func classify(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> ClassifiedNumber {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        let digitNibbles = hasSignNibble ? byteCount * 2 - 1 : byteCount * 2
        var magnitude: UInt128
        if digitNibbles <= 19 {
            var accumulator: UInt64 = 0
            for index in 0..<byteCount {
                let byte = bytes[index]
                let high = byte >> 4
                let low = byte & 0x0F
                guard high <= 9 else { return try blankOrInvalid(bytes, index, 0, high) }
                accumulator = accumulator &* 10 &+ UInt64(high)
                if hasSignNibble && index == byteCount - 1 { break }
                guard low <= 9 else { return try blankOrInvalid(bytes, index, 1, low) }
                accumulator = accumulator &* 10 &+ UInt64(low)
            }
            magnitude = UInt128(accumulator)
        } else {
            var accumulator: UInt128 = 0
            for index in 0..<byteCount {
                let byte = bytes[index]
                let high = byte >> 4
                let low = byte & 0x0F
                guard high <= 9 else { return try blankOrInvalid(bytes, index, 0, high) }
                accumulator = accumulator &* 10 &+ UInt128(high)
                if hasSignNibble && index == byteCount - 1 { break }
                guard low <= 9 else { return try blankOrInvalid(bytes, index, 1, low) }
                accumulator = accumulator &* 10 &+ UInt128(low)
            }
            magnitude = accumulator
        }
        var flags: NumericFlags = []
        var negative = false
        if hasSignNibble {
            let nibble = bytes[byteCount - 1] & 0x0F
            guard let sign = interpretSign(nibble, isSigned: shape.isSigned, handling: signHandling) else {
                if allBytes(bytes, equal: 0x40) { return .blank }
                if allBytes(bytes, equal: 0x00) { return .lowValues }
                throw FieldCodecError.invalid(
                    bytes, offset: byteCount - 1, nibble: 1,
                    expected: expectedSigns(isSigned: shape.isSigned, handling: signHandling),
                    found: FieldCodecError.hexNibble(nibble))
            }
            negative = sign.negative
            flags = sign.flags
        }
        if digitNibbles > shape.digits && magnitude >= DecimalText.powersOfTen[shape.digits] {
            flags.insert(.exceedsPicture)
            if magnitude > DecimalText.powersOfTen[38] - 1 || shape.scale < 0 {
                throw FieldCodecError.invalid(
                    bytes, offset: 0, nibble: 0, expected: "a zero pad nibble", found: "a value beyond the picture")
            }
        }
        return .value(SignedMagnitude(magnitude: magnitude, negative: negative, flags: flags))
    }

    /// A field that fails to decode is `.blank` or `.lowValues` when every byte is 0x40 or 0x00; otherwise the
    /// digit nibble at fault is reported.
    private func blankOrInvalid(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ nibble: Int, _ value: UInt8)
        throws(FieldCodecError) -> ClassifiedNumber
    {
        if allBytes(bytes, equal: 0x40) { return .blank }
        if allBytes(bytes, equal: 0x00) { return .lowValues }
        throw .invalid(
            bytes, offset: offset, nibble: nibble, expected: "a digit 0–9", found: FieldCodecError.hexNibble(value))
    }

    public func encode(_ value: ExactDecimal, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError) {
        guard buffer.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: buffer.count) }
        let stored = try shape.storedInteger(for: value)
        var magnitude = stored.magnitude
        let negative = stored.negative
        var nibbleIndex = byteCount * 2 - 1  // rightmost nibble
        var current: UInt8 = 0
        if hasSignNibble {
            current = shape.isSigned ? (negative ? 0x0D : 0x0C) : 0x0F
            nibbleIndex -= 1
        }
        while nibbleIndex >= 0 {
            let digit = UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            if nibbleIndex % 2 == 1 {
                current = digit
            } else {
                buffer[nibbleIndex / 2] = (digit << 4) | current
                current = 0
            }
            nibbleIndex -= 1
        }
    }
}
