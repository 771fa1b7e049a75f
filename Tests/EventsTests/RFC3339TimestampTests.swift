import Events
import Foundation
import Testing

@Suite struct RFC3339TimestampTests {
    @Test(arguments: [
        "1970-01-01T00:00:00Z",
        "2024-02-29T23:59:59.999999999Z",
        "2024-03-01T12:30:05.123+01:00",
        "1999-12-31T23:59:59.5-05:30",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "1969-12-31T23:59:59.000001Z",
        "2018-04-05T17:31:00.1200+14:00",
        "2000-01-01T00:00:00.000Z",
    ])
    func roundTripsText(text: String) throws {
        let timestamp = try RFC3339Timestamp(parsing: text)
        #expect(timestamp.description == text)
        var bytes: [UInt8] = []
        timestamp.append(to: &bytes)
        #expect(bytes == Array(text.utf8))
    }

    /// The instant agrees with Foundation's Gregorian calendar (an independent implementation; it switches to
    /// the Julian calendar before 1582, so only later dates are compared).
    @Test(arguments: [
        "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "1900-03-01T00:00:00Z", "2000-02-29T12:00:00+02:00",
        "1600-01-01T00:00:00Z", "2038-01-19T03:14:08-08:00", "9999-12-31T23:59:59Z",
    ])
    func instantAgreesWithFoundationCalendar(text: String) throws {
        let timestamp = try RFC3339Timestamp(parsing: text)
        let parts = text.split(whereSeparator: { "-T:+Z".contains($0) }).map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
        let local = try #require(calendar.date(from: components))
        let offsetSeconds = (timestamp.utcOffsetMinutes.map(Int.init) ?? 0) * 60
        #expect(Int64(local.timeIntervalSince1970) - Int64(offsetSeconds) == timestamp.secondsSinceEpoch)
    }

    @Test func offsetsDenoteInstants() throws {
        let utc = try RFC3339Timestamp(parsing: "2024-03-01T10:00:00Z")
        let plusTwo = try RFC3339Timestamp(parsing: "2024-03-01T12:00:00+02:00")
        let unknownOffset = try RFC3339Timestamp(parsing: "2024-03-01T10:00:00-00:00")
        #expect(utc != plusTwo)
        #expect(utc.isSameInstant(as: plusTwo))
        #expect(plusTwo.inUTC == utc)
        #expect(unknownOffset == utc)  // -00:00 is kept as Z
        #expect(try RFC3339Timestamp(parsing: "2024-03-01t10:00:00z") == utc)
    }

    @Test func epochMillisecondsAndDate() throws {
        let timestamp = try RFC3339Timestamp(parsing: "2024-03-01T12:30:05.123456789+01:00")
        #expect(timestamp.epochMilliseconds == 1_709_292_605_123)
        #expect(try RFC3339Timestamp(epochMilliseconds: 1_709_292_605_123).description == "2024-03-01T11:30:05.123Z")
        #expect(try RFC3339Timestamp(epochMilliseconds: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(try RFC3339Timestamp(epochMilliseconds: 0).description == "1970-01-01T00:00:00Z")
        let date = Date(timeIntervalSince1970: 1_709_292_605.25)
        let fromDate = try RFC3339Timestamp(date)
        #expect(fromDate.description == "2024-03-01T11:30:05.250Z")
        #expect(fromDate.date == date)
        #expect(abs(timestamp.date.timeIntervalSince1970 - 1_709_292_605.123456789) < 1e-6)
    }

    @Test func fractionDigitsFollowNanoseconds() throws {
        #expect(try RFC3339Timestamp(secondsSinceEpoch: 0, nanoseconds: 500_000_000).description
            == "1970-01-01T00:00:00.500Z")
        #expect(try RFC3339Timestamp(secondsSinceEpoch: 0, nanoseconds: 1000).description
            == "1970-01-01T00:00:00.000001Z")
        #expect(try RFC3339Timestamp(secondsSinceEpoch: 0, nanoseconds: 7, utcOffsetMinutes: -90).description
            == "1969-12-31T22:30:00.000000007-01:30")
        #expect(throws: RFC3339TimestampError.self) {
            try RFC3339Timestamp(secondsSinceEpoch: 0, nanoseconds: 1, fractionDigits: 3)
        }
    }

    @Test(arguments: [
        ("2024-02-30T00:00:00Z", 8), ("2023-02-29T00:00:00Z", 8), ("2024-13-01T00:00:00Z", 5),
        ("2024-01-01T24:00:00Z", 11), ("2024-01-01T00:60:00Z", 14), ("2024-01-01T00:00:60Z", 17),
        ("2024-01-01T00:00:00", 19), ("2024-01-01 00:00:00Z", 10), ("2024-01-01T00:00:00.Z", 20),
        ("2024-01-01T00:00:00.1234567890Z", 29), ("2024-01-01T00:00:00+2400", 22), ("2024-01-01T00:00:00+24:00", 20),
        ("2024-1-01T00:00:00Z", 6), ("2024-01-01T00:00:00Zjunk", 20), ("", 0),
    ])
    func rejectsWithOffset(text: String, offset: Int) {
        #expect {
            try RFC3339Timestamp(parsing: text)
        } throws: { error in
            (error as? RFC3339TimestampError)?.offset == offset
        }
    }
}
