/// Conversions of legacy date and time forms to ISO 8601 and back.
enum LegacyDate {
    /// `YYYY-MM-DD` from `digits` in `format`; nil when the digits are not a valid date.
    static func isoDate(_ raw: String, format: LegacyDateFormat, centuryPivot: Int) -> String? {
        guard let (year, month, day) = dateParts(raw.utf8, format: format, centuryPivot: centuryPivot) else { return nil }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// The year, month and day `raw` (ASCII digits) holds in `format`; nil when it is not a valid date.
    static func dateParts(
        _ raw: some Collection<UInt8>, format: LegacyDateFormat, centuryPivot: Int
    ) -> (year: Int, month: Int, day: Int)? {
        let expected: Int
        switch format {
        case .ccyymmdd: expected = 8
        case .yymmdd: expected = 6
        case .yyddd: expected = 5
        case .ccyyddd: expected = 7
        case .cyymmdd: expected = 7
        case .hhmmss: return nil
        }
        // Numbers from packed or zoned fields lose leading zeros: pad them back.
        let count = raw.count
        guard count > 0, count <= expected else { return nil }
        var digits: (UInt64, UInt64) = (0, 0)
        let valid = withUnsafeMutableBytes(of: &digits) { buffer -> Bool in
            var index = expected - count
            for byte in raw {
                guard byte >= 0x30, byte <= 0x39 else { return false }
                buffer[index] = byte - 0x30
                index += 1
            }
            return true
        }
        guard valid else { return nil }
        func number(_ range: Range<Int>) -> Int {
            withUnsafeBytes(of: digits) { buffer in range.reduce(0) { $0 * 10 + Int(buffer[$1]) } }
        }
        func windowed(_ yy: Int) -> Int { yy < centuryPivot ? 2000 + yy : 1900 + yy }
        let year: Int, month: Int, day: Int
        switch format {
        case .ccyymmdd: (year, month, day) = (number(0..<4), number(4..<6), number(6..<8))
        case .yymmdd: (year, month, day) = (windowed(number(0..<2)), number(2..<4), number(4..<6))
        case .cyymmdd: (year, month, day) = (1900 + 100 * number(0..<1) + number(1..<3), number(3..<5), number(5..<7))
        case .yyddd, .ccyyddd:
            let y = format == .yyddd ? windowed(number(0..<2)) : number(0..<4)
            let ordinal = format == .yyddd ? number(2..<5) : number(4..<7)
            guard let (m, d) = monthDay(year: y, ordinal: ordinal) else { return nil }
            (year, month, day) = (y, m, d)
        case .hhmmss: return nil
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return (year, month, day)
    }

    /// `HH:MM:SS` from `HHMMSS`.
    static func isoTime(_ raw: String) -> String? {
        guard let digits = paddedDigits(raw, width: 6) else { return nil }
        let h = Int(digits[0] * 10 + digits[1]), m = Int(digits[2] * 10 + digits[3]), s = Int(digits[4] * 10 + digits[5])
        guard h < 24, m < 60, s < 60 else { return nil }
        return pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2)
    }

    /// The legacy digits for an ISO date (the reverse direction).
    static func legacyDigits(isoDate: String, format: LegacyDateFormat) -> String? {
        let parts = isoDate.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        switch format {
        case .ccyymmdd: return pad(year, 4) + pad(month, 2) + pad(day, 2)
        case .yymmdd: return pad(year % 100, 2) + pad(month, 2) + pad(day, 2)
        case .cyymmdd: return String((year - 1900) / 100) + pad(year % 100, 2) + pad(month, 2) + pad(day, 2)
        case .yyddd, .ccyyddd:
            var ordinal = day
            for m in 1..<month { ordinal += daysIn(month: m, year: year) }
            return (format == .yyddd ? pad(year % 100, 2) : pad(year, 4)) + pad(ordinal, 3)
        case .hhmmss: return nil
        }
    }

    static func legacyDigits(isoTime: String) -> String? {
        let digits = isoTime.filter(\.isNumber)
        return digits.count == 6 ? digits : nil
    }

    /// The decimal digits of `raw` (ASCII only) as values 0…9, left-padded with zeros to `width`; nil when `raw` is
    /// empty, longer than `width` or holds anything but digits.
    static func paddedDigits(_ raw: String, width: Int) -> [UInt8]? {
        let bytes = raw.utf8
        guard !bytes.isEmpty, bytes.count <= width else { return nil }
        var digits = [UInt8](repeating: 0, count: width - bytes.count)
        digits.reserveCapacity(width)
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            digits.append(byte - 0x30)
        }
        return digits
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func monthDay(year: Int, ordinal: Int) -> (Int, Int)? {
        guard ordinal >= 1, ordinal <= (isLeap(year) ? 366 : 365) else { return nil }
        var remaining = ordinal
        for month in 1...12 {
            let days = daysIn(month: month, year: year)
            if remaining <= days { return (month, remaining) }
            remaining -= days
        }
        return nil
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
