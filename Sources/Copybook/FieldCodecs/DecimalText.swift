/// Writes exact decimal numbers as JSON number tokens straight into a byte buffer: optional `-`, at least one
/// integer digit, exactly `scale` fraction digits, no exponent, never `-0`.
enum DecimalText {
    static let powersOfTen: [UInt128] = {
        var powers: [UInt128] = [1]
        for _ in 1...38 { powers.append(powers.last! * 10) }
        return powers
    }()

    /// 10^exponent for 0...38, nil otherwise.
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> UInt128? {
        exponent >= 0 && exponent <= 38 ? powersOfTen[exponent] : nil
    }

    /// Appends `±magnitude × 10^-scale`. A negative `scale` (trailing P positions) appends `-scale` zeros to a
    /// non-zero value. A zero magnitude is written without a sign.
    @inline(__always)
    static func append(magnitude: UInt128, negative: Bool, scale: Int, to output: inout [UInt8]) {
        if magnitude <= UInt128(UInt64.max) {
            append(magnitude64: UInt64(truncatingIfNeeded: magnitude), negative: negative, scale: scale, to: &output)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var count = 0
            var remaining = magnitude
            while remaining != 0 {
                let (quotient, remainder) = remaining.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
                var chunk = UInt64(truncatingIfNeeded: remainder)
                remaining = quotient
                for _ in 0..<19 {
                    digits[count] = UInt8(truncatingIfNeeded: 0x30 &+ chunk % 10)
                    chunk /= 10
                    count += 1
                    if chunk == 0 && remaining == 0 { break }
                }
            }
            emit(digits: digits, count: count, negative: negative, scale: scale, to: &output)
        }
    }

    @inline(__always)
    static func append(magnitude64 magnitude: UInt64, negative: Bool, scale: Int, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            var count = 0
            var remaining = magnitude
            repeat {
                digits[count] = UInt8(truncatingIfNeeded: 0x30 &+ remaining % 10)
                remaining /= 10
                count += 1
            } while remaining != 0
            emit(digits: digits, count: count, negative: negative, scale: scale, to: &output)
        }
    }

    /// `digits` holds the magnitude's digits least significant first (no leading zeros; "0" for zero).
    @inline(__always)
    static func emit(
        digits: UnsafeMutableBufferPointer<UInt8>, count: Int, negative: Bool, scale: Int, to output: inout [UInt8]
    ) {
        let isZero = count == 0 || (count == 1 && digits[0] == 0x30)
        if isZero {
            output.append(0x30)
            if scale > 0 {
                output.append(0x2E)
                for _ in 0..<scale { output.append(0x30) }
            }
            return
        }
        if negative { output.append(0x2D) }
        if scale <= 0 {
            for position in stride(from: count - 1, through: 0, by: -1) { output.append(digits[position]) }
            for _ in 0..<(-scale) { output.append(0x30) }
        } else if count <= scale {
            output.append(0x30)
            output.append(0x2E)
            for _ in 0..<(scale - count) { output.append(0x30) }
            for position in stride(from: count - 1, through: 0, by: -1) { output.append(digits[position]) }
        } else {
            for position in stride(from: count - 1, through: scale, by: -1) { output.append(digits[position]) }
            output.append(0x2E)
            for position in stride(from: scale - 1, through: 0, by: -1) { output.append(digits[position]) }
        }
    }

    /// The decoded number for a stored magnitude: trailing Ps multiplied in, scale made non-negative.
    static func decodedNumber(_ value: SignedMagnitude, scale: Int) -> DecodedNumber {
        var magnitude = value.magnitude
        if scale < 0 { magnitude *= powersOfTen[-scale] }  // callers validated digits + Ps <= 38
        let signed = value.negative ? -Int128(magnitude) : Int128(magnitude)
        return DecodedNumber(unscaled: signed, scale: max(scale, 0), flags: value.flags)
    }
}
