import Events
import Foundation
import Testing
@testable import Mapping

@Suite("Mapping engine: field rules")
struct MappingEngineTests {
    /// One ASCII record: M00001, status A, born 1985-02-14 (YYMMDD 850214), joined 2026-035 (YYDDD 26035),
    /// premium 412.50 (41250), name "DOE     ".
    static let record = Array("M00001A8502142603541250DOE     ".utf8)

    func events(_ fields: String, extra: String = "", input: [UInt8] = record) throws -> [JSONValue] {
        let fixture = MappingFixture()
        defer { fixture.remove() }
        fixture.write("m/member.cpy", MappingFixture.memberCopybook)
        let file = fixture.write("m/mapping.json", MappingFixture.memberMapping(fields: fields, extra: extra))
        let mapping = try MappingDefinition(contentsOf: file)
        return try MappingEngine(mapping: mapping).events(from: input, inputName: "input")
    }

    @Test func renamesNestsAndConvertsLegacyForms() throws {
        let events = try events("""
            [
              { "name": "member.id", "from": "MEMBER-ID" },
              { "name": "member.birthDate", "from": "BIRTH-YYMMDD", "type": "date", "format": "YYMMDD", "centuryPivot": 30 },
              { "name": "joined", "from": "JOINED-JULIAN", "type": "date", "format": "YYDDD" },
              { "name": "premium", "from": "PREMIUM", "type": "decimal", "scale": 2 },
              { "name": "name", "from": "LAST-NAME" }
            ]
            """)
        try #require(events.count == 1)
        let data = try #require(events[0]["data"])
        #expect(data["member"]?["id"] == .string("M00001"))
        #expect(data["member"]?["birthDate"] == .string("1985-02-14"))
        #expect(data["joined"] == .string("2026-02-04"))
        #expect(data["premium"] == .number("412.50"))
        #expect(data["name"] == .string("DOE"))
        #expect(events[0]["partitionkey"] == .string("M00001"))
        #expect(events[0]["type"] == .string("test.member.v1"))
    }

    @Test func codesConditionsConstantsConcatenationAndProtection() throws {
        let events = try events("""
            [
              { "name": "status", "from": "STATUS-CODE", "codes": { "A": "active", "T": "terminated" } },
              { "name": "active", "const": true, "when": { "condition": "IS-ACTIVE" } },
              { "name": "termed", "const": true, "when": { "condition": "IS-TERMED" } },
              { "name": "label", "concat": ["MEMBER-ID", "'/'", "LAST-NAME"] },
              { "name": "masked", "from": "MEMBER-ID", "mask": "last4" },
              { "name": "hashed", "from": "MEMBER-ID", "hash": true },
              { "name": "hidden", "from": "LAST-NAME", "drop": true }
            ]
            """)
        let data = try #require(events.first?["data"])
        #expect(data["status"] == .string("active"))
        #expect(data["active"] == .bool(true))
        #expect(data["termed"] == nil)
        #expect(data["label"] == .string("M00001/DOE"))
        #expect(data["masked"] == .string("**0001"))
        #expect(data["hashed"]?.stringValue?.count == 40)
        #expect(data["hashed"] != .string("M00001"))
        #expect(data["hidden"] == nil)
    }

    @Test func unknownCodeWithoutDefaultNamesTheRule() throws {
        #expect {
            _ = try events(#"[ { "name": "status", "from": "STATUS-CODE", "codes": { "T": "terminated" } } ]"#)
        } throws: { error in
            "\(error)".contains("$.fields[0].codes") && "\(error)".contains("record 1")
        }
        let withDefault = try events(#"[ { "name": "status", "from": "STATUS-CODE", "codes": { "T": "t" }, "default": "other" } ]"#)
        #expect(withDefault.first?["data"]?["status"] == .string("other"))
    }

    @Test func unknownSourceFieldIsReportedWithFileAndJSONPath() throws {
        #expect {
            _ = try events(#"[ { "name": "a", "from": "MEMBER-ID" }, { "name": "b", "from": "MEMBER-IDD" } ]"#)
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.path == "$.fields[1].from" && error.message == "unknown field MEMBER-IDD" && error.file.hasSuffix("m/mapping.json")
        }
    }

    @Test func misspeltKeyIsRejected() throws {
        #expect {
            _ = try events(#"[ { "name": "a", "form": "MEMBER-ID" } ]"#)
        } throws: { error in
            (error as? MappingError)?.path == "$.fields[0].form"
        }
    }

    @Test func invalidDateIsAnErrorNotAGuess() throws {
        var bad = Self.record
        bad.replaceSubrange(7..<13, with: Array("851399".utf8))
        #expect {
            _ = try events(#"[ { "name": "d", "from": "BIRTH-YYMMDD", "type": "date", "format": "YYMMDD" } ]"#, input: bad)
        } throws: { error in "\(error)".contains("$.fields[0].format") }
    }

    @Test(arguments: [
        ("20261121", LegacyDateFormat.ccyymmdd, "2026-11-21"), ("261121", .yymmdd, "2026-11-21"), ("991231", .yymmdd, "1999-12-31"),
        ("24060", .yyddd, "2024-02-29"), ("2023365", .ccyyddd, "2023-12-31"), ("1261121", .cyymmdd, "2026-11-21"),
        ("991121", .cyymmdd, "1999-11-21"),
    ])
    func legacyDates(raw: String, format: LegacyDateFormat, expected: String) {
        #expect(LegacyDate.isoDate(raw, format: format, centuryPivot: 50) == expected)
        #expect(LegacyDate.isoDate(LegacyDate.legacyDigits(isoDate: expected, format: format)!, format: format, centuryPivot: 50) == expected)
    }

    @Test func invalidLegacyDatesAreRejected() {
        #expect(LegacyDate.isoDate("23060", format: .yyddd, centuryPivot: 50) == "2023-03-01")
        #expect(LegacyDate.isoDate("23366", format: .yyddd, centuryPivot: 50) == nil)
        #expect(LegacyDate.isoDate("20230229", format: .ccyymmdd, centuryPivot: 50) == nil)
        #expect(LegacyDate.isoTime("235960") == nil)
        #expect(LegacyDate.isoTime("81502") == "08:15:02")
    }
}
