/// COMP-1 (4 bytes) and COMP-2 (8 bytes) floating point: IBM hexadecimal floating point (HFP, z/OS, the default;
/// mainframe-anchors H17) or IEEE 754 binary, in either byte order.
///
/// HFP: sign bit, 7-bit excess-64 characteristic (a power of 16) and a 24- or 56-bit fraction; value =
/// fraction × 16^(characteristic − 64). 1.0 is 0x41100000, −118.625 is 0xC276A000. Decoding is exact for COMP-1;
/// a COMP-2 fraction with more than 53 significant bits is rounded to the nearest Double. Encoding writes normalized
/// HFP (unnormalized only below 16^-65), so decode → encode → decode returns the same Double for every valid input,
/// and decode → encode returns the same bytes for normalized inputs whose fraction fits a Double.
public struct FloatingPointCodec: Sendable, Hashable {
    public enum Format: Sendable, Hashable { case ibmHexadecimal, ieee754 }
    public enum Width: Sendable, Hashable { case single, double }

    public let format: Format
    public let width: Width
    public let byteOrder: BinaryIntegerCodec.ByteOrder

    public init(width: Width, format: Format = .ibmHexadecimal, byteOrder: BinaryIntegerCodec.ByteOrder = .bigEndian) {
        self.width = width
        self.format = format
        self.byteOrder = byteOrder
    }

    /// 4 for COMP-1, 8 for COMP-2.
    public var byteCount: Int { width == .single ? 4 : 8 }

    /// The field's value. IEEE NaN and infinities decode as such; ``appendJSON(_:to:)`` rejects them.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(FieldCodecError) -> Double {
        guard bytes.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: bytes.count) }
        let raw = rawBits(bytes)
        switch (format, width) {
        case (.ieee754, .single): return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case (.ieee754, .double): return Double(bitPattern: raw)
        case (.ibmHexadecimal, .single):
            return FloatingPointCodec.hfpValue(
                sign: raw >> 31 == 1, characteristic: Int(raw >> 24 & 0x7F), fraction: raw & 0xFF_FFFF, fractionBits: 24)
        case (.ibmHexadecimal, .double):
            return FloatingPointCodec.hfpValue(
                sign: raw >> 63 == 1, characteristic: Int(raw >> 56 & 0x7F), fraction: raw & 0xFF_FFFF_FFFF_FFFF,
                fractionBits: 56)
        }
    }

    /// Decodes a byte array.
    public func decode(_ bytes: [UInt8]) throws(FieldCodecError) -> Double {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(FieldCodecError) in try decode(buffer) } }
        return try result.get()
    }

    /// Appends the value as a JSON number: the shortest text that reads back to the same value (COMP-1 as a Float,
    /// so HFP 0x4019999A is `0.1`), with an exponent when Swift's formatting uses one (`1e-05`). NaN and infinity
    /// throw (JSON has no token for them).
    public func appendJSON(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) throws(FieldCodecError) {
        let value = try decode(bytes)
        guard value.isFinite else {
            throw .invalid(bytes, offset: 0, expected: "a finite number", found: value.isNaN ? "NaN" : "infinity")
        }
        if value == 0 {
            output.append(0x30)
            return
        }
        let text = width == .single && Double(Float(value)) == value ? Float(value).description : value.description
        output.append(contentsOf: text.utf8)
    }

    /// Writes `value`. Throws when it is not finite or is out of the format's range (HFP: 16^63; IEEE single: Float).
    public func encode(_ value: Double, into buffer: UnsafeMutableRawBufferPointer) throws(FieldCodecError) {
        guard buffer.count == byteCount else { throw .lengthMismatch(expected: byteCount, found: buffer.count) }
        let capacity = "\(width == .single ? "COMP-1" : "COMP-2") \(format == .ibmHexadecimal ? "HFP" : "IEEE 754")"
        guard value.isFinite else { throw .valueDoesNotFit(value: "\(value)", capacity: capacity) }
        let raw: UInt64
        switch (format, width) {
        case (.ieee754, .single):
            let single = Float(value)
            guard single.isFinite else { throw .valueDoesNotFit(value: "\(value)", capacity: capacity) }
            raw = UInt64(single.bitPattern)
        case (.ieee754, .double):
            raw = value.bitPattern
        case (.ibmHexadecimal, _):
            guard let bits = FloatingPointCodec.hfpBits(value, fractionBits: width == .single ? 24 : 56) else {
                throw .valueDoesNotFit(value: "\(value)", capacity: capacity)
            }
            raw = bits
        }
        for index in 0..<byteCount {
            let byte = UInt8(truncatingIfNeeded: raw >> (index * 8))
            buffer[byteOrder == .bigEndian ? byteCount - 1 - index : index] = byte
        }
    }

    /// Encodes into a new byte array.
    public func encode(_ value: Double) throws(FieldCodecError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        let result = bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(FieldCodecError) in try encode(value, into: buffer) }
        }
        try result.get()
        return bytes
    }

    private func rawBits(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var raw: UInt64 = 0
        for index in 0..<byteCount {
            raw = raw << 8 | UInt64(bytes[byteOrder == .bigEndian ? index : byteCount - 1 - index])
        }
        return raw
    }

    static func hfpValue(sign: Bool, characteristic: Int, fraction: UInt64, fractionBits: Int) -> Double {
        guard fraction != 0 else { return sign ? -0.0 : 0.0 }
        // fraction / 2^bits × 16^(c − 64) = fraction × 2^(4(c − 64) − bits); the scaling is exact in Double's range.
        let magnitude = Double(fraction) * Double(sign: .plus, exponent: 4 * (characteristic - 64) - fractionBits, significand: 1)
        return sign ? -magnitude : magnitude
    }

    /// The HFP bit pattern (in the low 32 or 64 bits) nearest to `value`; nil when out of range.
    static func hfpBits(_ value: Double, fractionBits: Int) -> UInt64? {
        let totalBits = fractionBits + 8
        let signBit: UInt64 = value.sign == .minus ? 1 << (totalBits - 1) : 0
        if value == 0 { return signBit }
        let magnitude = value.magnitude
        // magnitude = significand × 2^exponent with significand in [1, 2): as a 53-bit integer m × 2^(exponent − 52).
        let exponent = Int(magnitude.exponent)
        let integer = UInt64(magnitude.significandBitPattern) | (magnitude.isNormal ? 1 << 52 : 0)
        let binaryExponent = magnitude.isNormal ? exponent - 52 : -1074
        // Want fraction F (fractionBits wide, top hex digit non-zero) and E with value = F × 2^(4E − fractionBits).
        let bitLength = 64 - integer.leadingZeroBitCount
        let topExponent = binaryExponent + bitLength  // value < 2^topExponent, >= 2^(topExponent − 1)
        var hexExponent = topExponent >= 0 ? (topExponent + 3) / 4 : -((-topExponent) / 4)
        if hexExponent < -64 { hexExponent = -64 }  // unnormalized below 16^-65
        let shift = 4 * hexExponent - fractionBits - binaryExponent  // F = integer >> shift
        var fraction: UInt64
        if shift <= 0 {
            guard -shift < 64 - bitLength + 1 else { return nil }
            fraction = integer << UInt64(-shift)
        } else if shift >= 64 {
            fraction = 0
        } else {
            fraction = integer >> UInt64(shift)
            let remainder = integer & ((1 << UInt64(shift)) - 1)
            let half: UInt64 = 1 << UInt64(shift - 1)
            if remainder > half || (remainder == half && fraction & 1 == 1) { fraction += 1 }
        }
        if fraction >> UInt64(fractionBits) != 0 {  // rounding carried into a new hex digit
            fraction >>= 4
            hexExponent += 1
        }
        guard fraction != 0 else { return nil }  // underflow: not representable
        let characteristic = hexExponent + 64
        guard (0...127).contains(characteristic) else { return nil }
        return signBit | UInt64(characteristic) << UInt64(fractionBits) | fraction
    }
}
