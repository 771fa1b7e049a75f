/// Conversions of legacy date and time forms to ISO 8601 and back.
enum LegacyDate {
    /// `YYYY-MM-DD` from `digits` in `format`; nil when the digits are not a valid date.
    static func isoDate(_ raw: String, format: LegacyDateFormat, centuryPivot: Int) -> String? {
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
        guard !raw.isEmpty, raw.count <= expected, raw.allSatisfy(\.isASCII), raw.allSatisfy(\.isNumber) else { return nil }
        let digits = Array(String(repeating: "0", count: expected - raw.count) + raw)
        func number(_ range: Range<Int>) -> Int { Int(String(digits[range]))! }
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
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// `HH:MM:SS` from `HHMMSS`.
    static func isoTime(_ raw: String) -> String? {
        guard !raw.isEmpty, raw.count <= 6, raw.allSatisfy(\.isASCII), raw.allSatisfy(\.isNumber) else { return nil }
        let digits = Array(String(repeating: "0", count: 6 - raw.count) + raw)
        let h = Int(String(digits[0..<2]))!, m = Int(String(digits[2..<4]))!, s = Int(String(digits[4..<6]))!
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
