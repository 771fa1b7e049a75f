/// Fast paths for the commonest valid fields: packed and zoned decimals whose digits are copied straight from
/// the nibbles into JSON digits (no integer accumulation, no division back into text). Each returns false when
/// the field needs the full codec — any invalid nibble, a blank or LOW-VALUES field, a non-preferred sign, a
/// set pad nibble, P scaling — so every error and policy stays with the codec.
extension RecordDecoder {
    /// Packed decimal (COMP-3) with a sign nibble, `0 <= scale <= digits`.
    @inline(__always)
    static func appendPackedFast(
        _ bytes: UnsafeRawBufferPointer, digits: Int, scale: Int, isSigned: Bool, to output: inout [UInt8]
    ) -> Bool {
        let count = bytes.count
        let nibbles = count * 2 - 1
        guard count > 0, count <= 20, scale >= 0, scale <= digits, nibbles >= digits, nibbles - digits <= 1 else {
            return false
        }
        let sign = bytes[count - 1] & 0x0F
        let negative: Bool
        switch sign {
        case 0xC: negative = false
        case 0xD: negative = true
        case 0xF: negative = false
        default: return false
        }
        if negative && !isSigned { return false }
        if sign == 0xF && isSigned { return false }  // non-preferred: the codec flags it
        if sign == 0xC && !isSigned { return false }
        // Validate every digit nibble and the pad nibble in one pass.
        var nonZero: UInt8 = 0
        for index in 0..<count {
            let byte = bytes[index]
            if byte >> 4 > 9 { return false }
            if index < count - 1 && byte & 0x0F > 9 { return false }
            nonZero |= index < count - 1 ? byte : byte >> 4
        }
        let pad = nibbles - digits
        if pad == 1 && bytes[0] >> 4 != 0 { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { text in
            var at = 0
            if negative && nonZero != 0 { text[at] = 0x2D; at += 1 }
            let integerDigits = digits - scale
            if integerDigits == 0 { text[at] = 0x30; at += 1 }
            var started = false
            for position in 0..<digits {
                let nibbleIndex = position + pad
                let byte = bytes[nibbleIndex >> 1]
                let digit = nibbleIndex & 1 == 0 ? byte >> 4 : byte & 0x0F
                if position == integerDigits {
                    if !started && integerDigits > 0 { text[at] = 0x30; at += 1 }
                    text[at] = 0x2E
                    at += 1
                    started = true
                }
                if !started && digit == 0 && position < integerDigits - 1 { continue }
                started = true
                text[at] = 0x30 | digit
                at += 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<at]))
            return true
        }
    }

    /// EBCDIC zoned decimal, sign (if any) overpunched in the last byte's zone, `0 <= scale <= digits`.
    @inline(__always)
    static func appendZonedFast(
        _ bytes: UnsafeRawBufferPointer, scale: Int, isSigned: Bool, to output: inout [UInt8]
    ) -> Bool {
        let digits = bytes.count
        guard digits > 0, digits <= 38, scale >= 0, scale <= digits else { return false }
        let lastZone = bytes[digits - 1] >> 4
        let negative: Bool
        switch lastZone {
        case 0xF: if isSigned { return false }; negative = false
        case 0xC: if !isSigned { return false }; negative = false
        case 0xD: if !isSigned { return false }; negative = true
        default: return false
        }
        var nonZero: UInt8 = 0
        for index in 0..<digits {
            let byte = bytes[index]
            if byte & 0x0F > 9 { return false }
            if index < digits - 1 && byte >> 4 != 0xF { return false }
            nonZero |= byte & 0x0F
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { text in
            var at = 0
            if negative && nonZero != 0 { text[at] = 0x2D; at += 1 }
            let integerDigits = digits - scale
            if integerDigits == 0 { text[at] = 0x30; at += 1 }
            var started = false
            for position in 0..<digits {
                let digit = bytes[position] & 0x0F
                if position == integerDigits {
                    if !started && integerDigits > 0 { text[at] = 0x30; at += 1 }
                    text[at] = 0x2E
                    at += 1
                    started = true
                }
                if !started && digit == 0 && position < integerDigits - 1 { continue }
                started = true
                text[at] = 0x30 | digit
                at += 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[0..<at]))
            return true
        }
    }
}
