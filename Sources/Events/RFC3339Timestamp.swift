public import Foundation

/// An exact RFC 3339 `date-time` (§5.6): an instant to the nanosecond plus the text details needed to write it
/// back exactly as read — the UTC offset and the number of fraction digits.
///
/// - Round trip: `RFC3339Timestamp(parsing: text).description == text` for every accepted text, except that a
///   lower-case `t`/`z` is written upper case and `-00:00` ("offset unknown", RFC 3339 §4.3) is written as `Z`.
/// - Equality is of that text form: `…T10:00:00Z` and `…T12:00:00+02:00` are different values but the same
///   instant; compare instants with ``isSameInstant(as:)`` or ``instantOrder(_:_:)``.
/// - Range: years 0000 to 9999; at most 9 fraction digits; leap seconds (`:60`) are rejected.
/// - Parsing and formatting are hand-written (no `DateFormatter`); both are allocation-free apart from the result.
public struct RFC3339Timestamp: Hashable, Sendable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (the instant, independent of the offset).
    public let secondsSinceEpoch: Int64
    /// Nanoseconds past `secondsSinceEpoch`, 0 ..< 1,000,000,000.
    public let nanoseconds: Int32
    /// The UTC offset written, in minutes east of UTC; nil for `Z`.
    public let utcOffsetMinutes: Int16?
    /// How many fraction-of-second digits are written, 0...9.
    public let fractionDigits: UInt8

    /// The earliest supported instant, 0000-01-01T00:00:00Z.
    static let minimumSeconds: Int64 = -62_167_219_200
    /// Just past the latest supported instant, 10000-01-01T00:00:00Z.
    static let endSeconds: Int64 = 253_402_300_800

    /// A timestamp from its parts. Throws when a part is out of range, the instant is outside years 0000–9999 (in
    /// UTC or in the local time of the offset), or `nanoseconds` has more precision than `fractionDigits` shows.
    /// With `fractionDigits` nil, the fewest of 0, 3, 6 or 9 digits that show `nanoseconds` exactly are used.
    public init(
        secondsSinceEpoch: Int64, nanoseconds: Int32 = 0, utcOffsetMinutes: Int16? = nil,
        fractionDigits: UInt8? = nil
    ) throws(RFC3339TimestampError) {
        guard (0..<1_000_000_000).contains(nanoseconds) else {
            throw RFC3339TimestampError(offset: 0, reason: "nanoseconds must lie in 0..<1000000000")
        }
        if let minutes = utcOffsetMinutes, abs(Int(minutes)) > 23 * 60 + 59 {
            throw RFC3339TimestampError(offset: 0, reason: "UTC offset must lie within ±23:59")
        }
        let digits = fractionDigits ?? Self.canonicalFractionDigits(nanoseconds)
        guard digits <= 9 else { throw RFC3339TimestampError(offset: 0, reason: "at most 9 fraction digits") }
        guard Int64(nanoseconds) % pow10(9 - Int(digits)) == 0 else {
            throw RFC3339TimestampError(offset: 0, reason: "nanoseconds need more than \(digits) fraction digits")
        }
        let local = secondsSinceEpoch + Int64(utcOffsetMinutes ?? 0) * 60
        guard (Self.minimumSeconds..<Self.endSeconds).contains(secondsSinceEpoch),
            (Self.minimumSeconds..<Self.endSeconds).contains(local)
        else { throw RFC3339TimestampError(offset: 0, reason: "instant outside years 0000-9999") }
        self.secondsSinceEpoch = secondsSinceEpoch
        self.nanoseconds = nanoseconds
        self.utcOffsetMinutes = utcOffsetMinutes
        self.fractionDigits = digits
    }

    /// The instant `milliseconds` after the Unix epoch, in UTC (`Z`).
    public init(epochMilliseconds milliseconds: Int64) throws(RFC3339TimestampError) {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : -((-milliseconds + 999) / 1000)
        let nanos = Int32((milliseconds - seconds * 1000) * 1_000_000)
        try self.init(secondsSinceEpoch: seconds, nanoseconds: nanos)
    }

    /// The instant of `date` rounded to the microsecond (a `Date` is a `Double` and holds no more), in UTC (`Z`).
    public init(_ date: Date) throws(RFC3339TimestampError) {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, interval > Double(Self.minimumSeconds - 1), interval < Double(Self.endSeconds) else {
            throw RFC3339TimestampError(offset: 0, reason: "date outside years 0000-9999")
        }
        var seconds = Int64(interval.rounded(.down))
        var micros = Int64(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        try self.init(secondsSinceEpoch: seconds, nanoseconds: Int32(micros * 1000))
    }

    /// The current time, to the microsecond, in UTC.
    public static func now() -> RFC3339Timestamp {
        // The clock is always inside years 0000-9999.
        (try? RFC3339Timestamp(Date())) ?? RFC3339Timestamp(unchecked: 0, nanoseconds: 0, offset: nil, digits: 0)
    }

    private init(unchecked seconds: Int64, nanoseconds: Int32, offset: Int16?, digits: UInt8) {
        self.secondsSinceEpoch = seconds
        self.nanoseconds = nanoseconds
        self.utcOffsetMinutes = offset
        self.fractionDigits = digits
    }

    /// The instant as a Foundation `Date` (to `Double` precision, about a microsecond today).
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanoseconds) / 1_000_000_000)
    }

    /// Milliseconds since the Unix epoch, rounded down (the Kafka record timestamp for this instant).
    public var epochMilliseconds: Int64 { secondsSinceEpoch * 1000 + Int64(nanoseconds / 1_000_000) }

    /// True when both denote the same instant, whatever their offsets and digit counts.
    public func isSameInstant(as other: RFC3339Timestamp) -> Bool {
        secondsSinceEpoch == other.secondsSinceEpoch && nanoseconds == other.nanoseconds
    }

    /// Orders by instant only.
    public static func instantOrder(_ lhs: RFC3339Timestamp, _ rhs: RFC3339Timestamp) -> Bool {
        (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
    }

    /// The same instant written in UTC (`Z`), keeping the fraction digits.
    public var inUTC: RFC3339Timestamp {
        RFC3339Timestamp(unchecked: secondsSinceEpoch, nanoseconds: nanoseconds, offset: nil, digits: fractionDigits)
    }

    static func canonicalFractionDigits(_ nanoseconds: Int32) -> UInt8 {
        if nanoseconds == 0 { return 0 }
        if nanoseconds % 1_000_000 == 0 { return 3 }
        if nanoseconds % 1000 == 0 { return 6 }
        return 9
    }

    // MARK: Parsing

    /// Parses an RFC 3339 `date-time` such as `2024-03-01T12:30:05.123+01:00`.
    public init(parsing text: String) throws(RFC3339TimestampError) {
        var copy = text
        let parsed: Result<RFC3339Timestamp, RFC3339TimestampError> = copy.withUTF8 { bytes in
            do throws(RFC3339TimestampError) {
                return .success(try RFC3339Timestamp(parsing: UnsafeRawBufferPointer(bytes)))
            } catch { return .failure(error) }
        }
        self = try parsed.get()
    }

    /// Parses an RFC 3339 `date-time` from UTF-8 bytes; error offsets count from the first byte.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RFC3339TimestampError) {
        var index = 0
        func digits(_ count: Int, _ what: String) throws(RFC3339TimestampError) -> Int {
            var value = 0
            for _ in 0..<count {
                guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else {
                    throw RFC3339TimestampError(offset: index, reason: "expected \(count) digits of \(what)")
                }
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            return value
        }
        func expect(_ byte: UInt8, _ alternative: UInt8? = nil) throws(RFC3339TimestampError) {
            guard index < bytes.count, bytes[index] == byte || bytes[index] == alternative else {
                throw RFC3339TimestampError(offset: index, reason: "expected '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }
        let year = try digits(4, "year")
        try expect(UInt8(ascii: "-"))
        let monthStart = index
        let month = try digits(2, "month")
        guard (1...12).contains(month) else { throw RFC3339TimestampError(offset: monthStart, reason: "month 01-12") }
        try expect(UInt8(ascii: "-"))
        let dayStart = index
        let day = try digits(2, "day")
        guard day >= 1, day <= daysInMonth(year: year, month: month) else {
            throw RFC3339TimestampError(offset: dayStart, reason: "day not in month")
        }
        try expect(UInt8(ascii: "T"), UInt8(ascii: "t"))
        let hourStart = index
        let hour = try digits(2, "hour")
        guard hour <= 23 else { throw RFC3339TimestampError(offset: hourStart, reason: "hour 00-23") }
        try expect(UInt8(ascii: ":"))
        let minuteStart = index
        let minute = try digits(2, "minute")
        guard minute <= 59 else { throw RFC3339TimestampError(offset: minuteStart, reason: "minute 00-59") }
        try expect(UInt8(ascii: ":"))
        let secondStart = index
        let second = try digits(2, "second")
        guard second <= 59 else {
            throw RFC3339TimestampError(offset: secondStart, reason: "second 00-59 (leap seconds unsupported)")
        }
        var nanos = 0
        var fraction = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                guard fraction < 9 else {
                    throw RFC3339TimestampError(offset: index, reason: "at most 9 fraction digits")
                }
                nanos = nanos * 10 + Int(bytes[index] - 0x30)
                fraction += 1
                index += 1
            }
            guard fraction > 0 else { throw RFC3339TimestampError(offset: index, reason: "expected fraction digits") }
            nanos *= Int(pow10(9 - fraction))
        }
        guard index < bytes.count else { throw RFC3339TimestampError(offset: index, reason: "expected 'Z' or offset") }
        var offsetMinutes: Int16? = nil
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let negative = bytes[index] == UInt8(ascii: "-")
            index += 1
            let offsetStart = index
            let offsetHours = try digits(2, "offset hours")
            try expect(UInt8(ascii: ":"))
            let offsetMinutesPart = try digits(2, "offset minutes")
            guard offsetHours <= 23, offsetMinutesPart <= 59 else {
                throw RFC3339TimestampError(offset: offsetStart, reason: "offset within ±23:59")
            }
            let total = offsetHours * 60 + offsetMinutesPart
            // "-00:00" means "UTC, local offset unknown" (RFC 3339 §4.3): kept as Z.
            offsetMinutes = (negative && total == 0) ? nil : Int16(negative ? -total : total)
        default:
            throw RFC3339TimestampError(offset: index, reason: "expected 'Z' or offset")
        }
        guard index == bytes.count else { throw RFC3339TimestampError(offset: index, reason: "unexpected trailing bytes") }
        let days = daysFromCivil(year: year, month: month, day: day)
        let local = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let instant = local - Int64(offsetMinutes ?? 0) * 60
        guard (Self.minimumSeconds..<Self.endSeconds).contains(instant) else {
            throw RFC3339TimestampError(offset: 0, reason: "instant outside years 0000-9999 in UTC")
        }
        self.init(unchecked: instant, nanoseconds: Int32(nanos), offset: offsetMinutes, digits: UInt8(fraction))
    }

    // MARK: Formatting

    /// The RFC 3339 text, e.g. `2024-03-01T12:30:05.123+01:00`.
    public var description: String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            let count = write(into: buffer)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
        }
    }

    /// Appends the RFC 3339 text to `bytes`.
    public func append(to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            let count = write(into: buffer)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Writes the text into `buffer` (at least 35 bytes) and returns the byte count.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let local = secondsSinceEpoch + Int64(utcOffsetMinutes ?? 0) * 60
        let days = local >= 0 ? local / 86_400 : -((-local + 86_399) / 86_400)
        let secondOfDay = Int(local - days * 86_400)
        let (year, month, day) = civilFromDays(days)
        var index = 0
        func put(_ value: Int, width: Int) {
            var remaining = value
            for position in stride(from: width - 1, through: 0, by: -1) {
                buffer[index + position] = UInt8(0x30 + remaining % 10)
                remaining /= 10
            }
            index += width
        }
        func put(_ byte: Unicode.Scalar) {
            buffer[index] = UInt8(ascii: byte)
            index += 1
        }
        put(year, width: 4)
        put("-")
        put(month, width: 2)
        put("-")
        put(day, width: 2)
        put("T")
        put(secondOfDay / 3600, width: 2)
        put(":")
        put(secondOfDay / 60 % 60, width: 2)
        put(":")
        put(secondOfDay % 60, width: 2)
        if fractionDigits > 0 {
            put(".")
            put(Int(Int64(nanoseconds) / pow10(9 - Int(fractionDigits))), width: Int(fractionDigits))
        }
        if let minutes = utcOffsetMinutes {
            put(minutes < 0 ? "-" : "+")
            let magnitude = abs(Int(minutes))
            put(magnitude / 60, width: 2)
            put(":")
            put(magnitude % 60, width: 2)
        } else {
            put("Z")
        }
        return index
    }
}

/// Why text is not an RFC 3339 `date-time` Ferry accepts.
public struct RFC3339TimestampError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the text where the problem is (0 for out-of-range parts given directly).
    public let offset: Int
    /// What was expected there.
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid RFC 3339 timestamp at byte \(offset): \(reason)" }
}

// MARK: Calendar arithmetic (proleptic Gregorian; H. Hinnant's days_from_civil / civil_from_days)

func pow10(_ exponent: Int) -> Int64 {
    var value: Int64 = 1
    for _ in 0..<exponent { value *= 10 }
    return value
}

private func isLeapYear(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

private func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

/// Days from 1970-01-01 to the given civil date.
private func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// The civil date of a day count from 1970-01-01.
private func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
}
