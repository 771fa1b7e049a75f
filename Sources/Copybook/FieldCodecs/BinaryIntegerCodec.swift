public import Events

/// COMP / COMP-4 / BINARY / COMP-5: a two's-complement (or unsigned) integer of 1–16 bytes, big-endian by default
/// (z/OS) or little-endian (PC producers' COMP-5, cobrix `COMP-9`).
///
/// Decode reads the full storage range, not the PICTURE (mainframe-anchors H8: TRUNC(BIN) and COMP-5 can hold more),
/// and sets ``NumericFlags/exceedsPicture`` when the value has more digits than the picture. Unsigned 8-byte values
/// up to 18,446,744,073,709,551,615 and 9–16-byte fields go through 128-bit arithmetic (H6); a value beyond 38 digits
/// (only possible in a 16-byte field) throws. Binary fields have no blank convention: 0x40404040 is 1077952576 (H15).
public struct BinaryIntegerCodec: NumericFieldCodec, Hashable {
    public enum ByteOrder: Sendable, Hashable { case bigEndian, littleEndian }
    /// What limits an encoded value: the PICTURE's digits (COMP under TRUNC(STD), default) or the storage (COMP-5,
    /// TRUNC(BIN)).
    public enum EncodeLimit: Sendable, Hashable { case picture, storage }

    public let shape: NumericShape
    public let byteCount: Int
    public let byteOrder: ByteOrder
    public let encodeLimit: EncodeLimit

    public init(
        shape: NumericShape, byteCount: Int, byteOrder: ByteOrder = .bigEndian, encodeLimit: EncodeLimit = .picture
    ) throws(FieldCodecError) {
        try shape.validate()
        guard (1...16).contains(byteCount) else { throw .unsupportedLayout("binary width \(byteCount) (1...16 bytes)") }
        self.shape = shape
        self.byteCount = byteCount
        self.byteOrder = byteOrder
        self.encodeLimit = encodeLimit
    }

    /// The IBM storage size for a binary picture: 2, 4 or 8 bytes for 1–4, 5–9 and 10–18 digits; beyond 18 digits
    /// (not IBM) 16 bytes. Other dialects (GnuCOBOL 1-2-4-8, Micro Focus minimal) pass their own `byteCount`.
    public static func ibmByteCount(digits: Int) -> Int {
        digits <= 4 ? 2 : digits <= 9 ? 4 : digits <= 18 ? 8 : 16
    }

    public func classify(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> ClassifiedNumber {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        var negative = false
        var magnitude: UInt128
        switch (byteCount, byteOrder) {
        case (2, .bigEndian):
            let raw = bytes.loadUnaligned(as: UInt16.self).bigEndian
            (negative, magnitude) = shape.isSigned ? split(Int64(Int16(bitPattern: raw))) : (false, UInt128(raw))
        case (4, .bigEndian):
            let raw = bytes.loadUnaligned(as: UInt32.self).bigEndian
            (negative, magnitude) = shape.isSigned ? split(Int64(Int32(bitPattern: raw))) : (false, UInt128(raw))
        case (8, .bigEndian):
            let raw = bytes.loadUnaligned(as: UInt64.self).bigEndian
            (negative, magnitude) = shape.isSigned ? split(Int64(bitPattern: raw)) : (false, UInt128(raw))
        default:
            var raw: UInt128 = 0
            for index in 0..<byteCount {
                let byte = bytes[byteOrder == .bigEndian ? index : byteCount - 1 - index]
                raw = raw << 8 | UInt128(byte)
            }
            if shape.isSigned && byteCount < 16 && raw >> (byteCount * 8 - 1) == 1 {
                raw |= UInt128.max << (byteCount * 8)  // sign-extend
            }
            if shape.isSigned {
                let value = Int128(bitPattern: raw)
                negative = value < 0
                magnitude = value.magnitude
            } else {
                magnitude = raw
            }
        }
        var flags: NumericFlags = []
        if magnitude >= DecimalText.powersOfTen[shape.digits] {
            flags.insert(.exceedsPicture)
            let limit = DecimalText.powersOfTen[38 - max(-shape.scale, 0)]
            if magnitude >= limit {
                throw FieldCodecError.invalid(
                    bytes, offset: 0, expected: "a value of at most 38 digits", found: "a \(byteCount)-byte value beyond it")
            }
        }
        return .value(SignedMagnitude(magnitude: magnitude, negative: negative, flags: flags))
    }

    @inline(__always)
    private func split(_ value: Int64) -> (Bool, UInt128) { (value < 0, UInt128(value.magnitude)) }

    public func encode(_ value: ExactDecimal, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError) {
        guard buffer.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: buffer.count) }
        var storageShape = shape
        if encodeLimit == .storage { storageShape.digits = 38 - max(-shape.scale, 0) }
        let stored = try storageShape.storedInteger(for: value)
        let bits = byteCount * 8
        let fits: Bool
        if shape.isSigned {
            fits = bits >= 128 || stored.magnitude <= (UInt128(1) << (bits - 1)) - (stored.negative ? 0 : 1)
        } else {
            fits = bits >= 128 || stored.magnitude < UInt128(1) << bits
        }
        guard fits else {
            throw .valueDoesNotFit(
                value: value.description, capacity: "\(byteCount)-byte \(shape.isSigned ? "signed" : "unsigned") binary")
        }
        var raw = stored.magnitude
        if stored.negative { raw = ~raw &+ 1 }
        for index in 0..<byteCount {
            let byte = UInt8(truncatingIfNeeded: raw >> (index * 8))
            buffer[byteOrder == .bigEndian ? byteCount - 1 - index : index] = byte
        }
    }
}
