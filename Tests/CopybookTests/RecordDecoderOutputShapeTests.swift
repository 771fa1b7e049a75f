import CodePages
import Copybook
import Events
import Testing

/// The JSON a record becomes: key names, nesting, arrays, number scale, trimming, debug hex, relaxed numbers.
/// Some lines are compared byte for byte; the rest are parsed with Events' `JSONValue` and compared by value.
@Suite("RecordDecoder output shape")
struct RecordDecoderOutputShapeTests {
    typealias Fixture = RecordDecoderFixture

    static let claimCopybook = [
        "01 CLAIM-RECORD.",
        "   05 CLAIM-ID          PIC X(6).",
        "   05 Member-Name       PIC X(8).",
        "   05 PATIENT.",
        "      10 BIRTH-DATE     PIC 9(8).",
        "      10 PLAN.",
        "         15 PLAN-CODE   PIC X(2).",
        "   05 LINES OCCURS 2 TIMES.",
        "      10 PROC-CODE      PIC X(5).",
        "      10 CHARGE         PIC S9(5)V99 COMP-3.",
        "   05 RATE              PIC PPP9(5) COMP-3.",
        "   05 DIAG              PIC X(3) OCCURS 3 TIMES.",
    ]

    /// CLAIM-ID "C00042", name "ANN", born 19700102, plan "PP", lines 99213 = -711.20 and 80053 = 15.00,
    /// rate 0.00030503, diagnoses "A1", "B2", "".
    static func claim() throws -> [UInt8] {
        try Fixture.ebcdic("C00042ANN     19700102PP") + Fixture.ebcdic("99213") + bytes("00 71 12 0D")
            + Fixture.ebcdic("80053") + bytes("00 01 50 0C") + bytes("30 50 3C") + Fixture.ebcdic("A1 B2    ")
    }

    static let claimLine = #"{"CLAIM-ID":"C00042","Member-Name":"ANN","PATIENT":{"BIRTH-DATE":19700102,"#
        + #""PLAN":{"PLAN-CODE":"PP"}},"LINES":[{"PROC-CODE":"99213","CHARGE":-711.20},"#
        + #"{"PROC-CODE":"80053","CHARGE":15.00}],"RATE":0.00030503,"DIAG":["A1","B2",""]}"#

    @Test("exact bytes: keys as written, root collapsed, nested groups, OCCURS arrays, numbers at the picture's scale")
    func exactLine() throws {
        var decoder = try Fixture.decoder(Self.claimCopybook)
        var output: [UInt8] = []
        let data = try Self.claim()
        let reported = try data.withUnsafeBytes { try decoder.decode($0, recordNumber: 1, recordOffset: 0, into: &output) }
        #expect(reported == 0)
        #expect(output == Array((Self.claimLine + "\n").utf8))
    }

    @Test("the root is kept as the single top-level key when collapseRoot is off")
    func rootKept() throws {
        var decoder = try Fixture.decoder(Self.claimCopybook, options: Fixture.options { $0.collapseRoot = false })
        let line = try decoder.line(try Self.claim())
        #expect(line == #"{"CLAIM-RECORD":"# + Self.claimLine + "}")
        let value = try JSONValue(parsing: line)
        #expect(value.keys == ["CLAIM-RECORD"])
        #expect(value["CLAIM-RECORD"]?.at("LINES[0].CHARGE")?.numberText == "-711.20")
    }

    @Test("records append to one buffer, one line each, and parse back to the same values")
    func severalRecords() throws {
        var decoder = try Fixture.decoder(Self.claimCopybook)
        var output: [UInt8] = []
        let data = try Self.claim()
        for number in 1...3 {
            _ = try data.withUnsafeBytes {
                try decoder.decode($0, recordNumber: number, recordOffset: Int64(number * data.count), into: &output)
            }
        }
        let lines = output.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines.last?.isEmpty == true)
        let values = try lines.dropLast().map { try JSONValue(parsing: Array($0)) }
        #expect(Set(values).count == 1)
        let value = try #require(values.first)
        #expect(value.keys == ["CLAIM-ID", "Member-Name", "PATIENT", "LINES", "RATE", "DIAG"])
        #expect(value.at("PATIENT.PLAN.PLAN-CODE")?.stringValue == "PP")
        let charge = try #require(value.at("LINES[1].CHARGE"))
        #expect(try charge.decimalValue() == decimal("15.00"))
        #expect(value["DIAG"]?.elements?.count == 3)
    }

    static let trimmingCases: [(RecordDecodingOptions.TextTrimming, String)] = [
        (.none, "  AB  "), (.left, "AB  "), (.right, "  AB"), (.both, "AB"),
    ]

    @Test("text trimming policies", arguments: trimmingCases)
    func trimming(policy: RecordDecodingOptions.TextTrimming, expected: String) throws {
        var decoder = try Fixture.decoder(["01 R.", "   05 T PIC X(6)."], options: Fixture.options { $0.trimming = policy })
        #expect(try decoder.value(try Fixture.ebcdic("  AB  "))["T"]?.stringValue == expected)
        // A field of spaces is "" under every policy but none.
        let blank = try decoder.value(try Fixture.ebcdic("      "))["T"]?.stringValue
        #expect(blank == (policy == .none ? "      " : ""))
    }

    @Test("JUSTIFIED RIGHT text and characters JSON must escape")
    func escapingAndJustified() throws {
        var decoder = try Fixture.decoder(["01 R.", "   05 Q PIC X(4).", "   05 J PIC X(4) JUSTIFIED RIGHT."])
        // cp037: 0x7F is '"', 0xE0 is '\', 0x15 is NEL (U+0085).
        let line = try decoder.line(record("7F E0 15 C1", "40 40 C1 C2"))
        let value = try JSONValue(parsing: line)
        #expect(value["Q"]?.stringValue == "\"\\\u{85}A")
        #expect(value["J"]?.stringValue == "  AB")
    }

    @Test("debugHex adds NAME_debug with the raw bytes in upper-case hex after each field")
    func debugHex() throws {
        var decoder = try Fixture.decoder(
            ["01 R.", "   05 ID PIC X(2).", "   05 AMT PIC S9(3) COMP-3."], options: Fixture.options { $0.debugHex = true })
        #expect(try decoder.line(record("C1 C2", "12 3D")) == #"{"ID":"AB","ID_debug":"C1C2","AMT":-123,"AMT_debug":"123D"}"#)
        // An invalid field still shows its bytes (lenient).
        var lenient = try Fixture.decoder(["01 R.", "   05 AMT PIC S9(3) COMP-3."], options: Fixture.options {
            $0.debugHex = true
            $0.invalidData = .lenient
        })
        let value = try lenient.value(record("1A 3D"))
        #expect(value["AMT"] == .null)
        #expect(value["AMT_debug"]?.stringValue == "1A3D")
    }

    static let relaxedCopybook = ["01 R.", "   05 QTY PIC 9(4).", "   05 PRICE PIC 9(8)V99.", "   05 DELTA PIC S9(3)V99."]

    @Test("relaxedDisplayNumbers reads space-padded, signed and pointed DISPLAY numbers with the picture's scale")
    func relaxedNumbers() throws {
        var decoder = try Fixture.decoder(Self.relaxedCopybook, options: Fixture.options { $0.relaxedDisplayNumbers = true })
        let line = try decoder.line(try Fixture.ebcdic("  33" + "789.09    " + "-3050"))
        #expect(line == #"{"QTY":33,"PRICE":789.09,"DELTA":-30.50}"#)
        let more = try decoder.value(try Fixture.ebcdic("7   " + "   12     " + "1.5- "))
        #expect(more["QTY"]?.numberText == "7")
        #expect(more["PRICE"]?.numberText == "0.12")  // no point: the digits carry the implied V99
        #expect(more["DELTA"]?.numberText == "-1.50")
        #expect(try decoder.value(try Fixture.ebcdic("0000" + "0000000000" + "-0.00"))["DELTA"]?.numberText == "0.00")
    }

    @Test("relaxedDisplayNumbers still rejects text that is not a number, or has more decimals than the picture")
    func relaxedRejects() throws {
        let decoder = try Fixture.decoder(Self.relaxedCopybook, options: Fixture.options { $0.relaxedDisplayNumbers = true })
        #expect(decoder.failure(try Fixture.ebcdic("3 3 " + "0000000000" + "00000"))?.field == "QTY")
        #expect(decoder.failure(try Fixture.ebcdic("0033" + "7.891     " + "00000"))?.field == "PRICE")
        #expect(decoder.failure(try Fixture.ebcdic("0033" + "0000000000" + "--300"))?.field == "DELTA")
    }

    @Test("relaxedDisplayNumbers is off by default: a space-padded number is invalid data")
    func relaxedOffByDefault() throws {
        let decoder = try Fixture.decoder(Self.relaxedCopybook)
        let error = try #require(decoder.failure(try Fixture.ebcdic("  33" + "0000000000" + "0000{")))
        guard case let .invalidField(_, _, field, fieldOffset, hex, _) = error else {
            Issue.record("expected invalidField, got \(error)")
            return
        }
        #expect(field == "QTY")
        #expect(fieldOffset == 0)
        #expect(hex == "40 40 F3 F3")
        #expect(decoder.failure(try Fixture.ebcdic("0033" + "789.09    " + "0000{"))?.field == "PRICE")
    }

    @Test("per-field code pages by dotted path, and national (UTF-16) text")
    func fieldCodePageByPath() throws {
        var options = RecordDecodingOptions()
        options.fieldCodePages = ["R.DE": try CodePage(ccsid: 273)]
        var decoder = try Fixture.decoder(["01 R.", "   05 US PIC X.", "   05 DE PIC X.", "   05 N PIC N(2)."], options: options)
        #expect(try decoder.line(record("C0 C0", "00 41 00 E9")) == #"{"US":"{","DE":"ä","N":"Aé"}"#)
    }

    @Test("a copybook without an 01 level gets the synthesized root, collapsed like any other")
    func synthesizedRoot() throws {
        var decoder = try Fixture.decoder(["05 A PIC X.", "05 B PIC 9."])
        #expect(try decoder.line(try Fixture.ebcdic("Z7")) == #"{"A":"Z","B":7}"#)
        var kept = try Fixture.decoder(["05 A PIC X.", "05 B PIC 9."], options: Fixture.options { $0.collapseRoot = false })
        #expect(try kept.value(try Fixture.ebcdic("Z7")).keys == [RecordLayout.syntheticRootName])
    }
}
