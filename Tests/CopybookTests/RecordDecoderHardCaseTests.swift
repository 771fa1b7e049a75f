import CodePages
import Copybook
import Events
import Testing

/// The hard cases of mainframe-anchors.md §4 (H1–H19), at the record level: inline copybooks, hand-built EBCDIC
/// (CCSID 037 unless the case needs another page) records, the decoder's JSON line parsed back with `JSONValue`.
@Suite("RecordDecoder hard cases H1–H19")
struct RecordDecoderHardCaseTests {
    typealias Fixture = RecordDecoderFixture

    // MARK: H1 packed sign nibbles

    static let signNibbles: [(nibble: String, expected: String)] = [
        ("A", "123"), ("B", "-123"), ("C", "123"), ("D", "-123"), ("E", "123"), ("F", "123"),
    ]

    @Test("H1: all six packed sign nibbles decode (A C E F positive, B D negative)", arguments: signNibbles)
    func packedSignNibbles(nibble: String, expected: String) throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 SIGNED    PIC S9(3)V99 COMP-3.",
            "   05 UNSIGNED  PIC 9(3) COMP-3.",
        ])
        let value = try decoder.value(record("12 34 5" + nibble, "12 3F"))
        #expect(value["SIGNED"]?.numberText == expected + ".45")
        #expect(value["UNSIGNED"]?.numberText == "123")
    }

    @Test("H1: a negative sign nibble in an unsigned packed field is invalid data, never a positive number")
    func negativeSignInUnsignedPacked() throws {
        let decoder = try Fixture.decoder(["01 R.", "   05 QTY PIC 9(3) COMP-3."])
        let error = try #require(decoder.failure(record("12 3D")))
        guard case let .invalidField(_, _, field, _, bytes, _) = error else {
            Issue.record("expected invalidField, got \(error)")
            return
        }
        #expect(field == "QTY")
        #expect(bytes == "12 3D")
    }

    // MARK: H2 negative zero

    @Test("H2: negative zero (packed 0D, zoned }) decodes to 0, never -0")
    func negativeZero() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 P-INT  PIC S9(3) COMP-3.",
            "   05 P-DEC  PIC S9(3)V99 COMP-3.",
            "   05 Z-INT  PIC S9(2).",
            "   05 Z-DEC  PIC S9V99.",
        ])
        let line = try decoder.line(record("00 0D", "00 00 0D", "F0 D0", "F0 F0 D0"))
        #expect(line == #"{"P-INT":0,"P-DEC":0.00,"Z-INT":0,"Z-DEC":0.00}"#)
        #expect(!line.contains(":-"))
    }

    // MARK: H3 invalid packed data

    static let tableCopybook = [
        "01 CLAIM.",
        "   05 CLAIM-ID   PIC X(4).",
        "   05 LINES OCCURS 3 TIMES.",
        "      10 CODE    PIC X(2).",
        "      10 AMOUNT  PIC S9(5)V99 COMP-3.",
        "   05 TOTAL      PIC S9(7)V99 COMP-3.",
    ]

    /// CLAIM-ID "C001", three lines (AB 1.00, CD 2.00, EF 3.00 with `amount3` as the third amount), total 6.00.
    static func claimRecord(amount2: String = "00 00 20 0C") throws -> [UInt8] {
        try Fixture.ebcdic("C001") + Fixture.ebcdic("AB") + bytes("00 00 10 0C")
            + Fixture.ebcdic("CD") + bytes(amount2) + Fixture.ebcdic("EF") + bytes("00 00 30 0C")
            + bytes("00 00 00 60 0C")
    }

    @Test("H3: a bad digit nibble fails strictly with record number, record offset, field path, field offset, hex")
    func badPackedNibbleStrict() throws {
        var decoder = try Fixture.decoder(Self.tableCopybook)
        #expect(try decoder.value(Self.claimRecord()).at("LINES[1].AMOUNT")?.numberText == "2.00")
        let error = try #require(decoder.failure(Self.claimRecord(amount2: "00 0A 20 0C"), number: 7, offset: 7_000))
        guard case let .invalidField(number, offset, field, fieldOffset, hex, reason) = error else {
            Issue.record("expected invalidField, got \(error)")
            return
        }
        #expect(number == 7)
        #expect(offset == 7_000)
        // Occurrence indices are 0-based (the position in the JSON array); the collapsed root is not named.
        #expect(field == "LINES[1].AMOUNT")
        #expect(fieldOffset == 4 + 6 + 2)
        #expect(hex == "00 0A 20 0C")
        #expect(reason.contains("byte 1 low nibble"))
        #expect(error.description.hasPrefix("record 7 at byte 7000: field LINES[1].AMOUNT at offset 12 [00 0A 20 0C]: "))
    }

    @Test("H3: with the root kept, the path starts at the 01 level")
    func badPackedNibblePathWithRoot() throws {
        let decoder = try Fixture.decoder(Self.tableCopybook, options: Fixture.options { $0.collapseRoot = false })
        let error = try #require(decoder.failure(Self.claimRecord(amount2: "00 00 2A 0C")))
        #expect(error.field == "CLAIM.LINES[1].AMOUNT")
    }

    @Test("H3: a digit in the sign nibble is invalid; all-space / all-low-value packed fields are null, never numbers")
    func invalidPackedForms() throws {
        var decoder = try Fixture.decoder(Self.tableCopybook)
        #expect(decoder.failure(try Self.claimRecord(amount2: "00 00 20 05"))?.field == "LINES[1].AMOUNT")
        #expect(try decoder.value(Self.claimRecord(amount2: "40 40 40 40")).at("LINES[1].AMOUNT") == .null)
        #expect(try decoder.value(Self.claimRecord(amount2: "00 00 00 00")).at("LINES[1].AMOUNT") == .null)
        // A blank packed field is invalid once blanks are not accepted as null.
        let strict = try Fixture.decoder(Self.tableCopybook, options: Fixture.options { $0.blankNumericAsNull = false })
        #expect(strict.failure(try Self.claimRecord(amount2: "40 40 40 40"))?.field == "LINES[1].AMOUNT")
    }

    @Test("H3: lenient mode emits null, lists field/offset/bytes/reason in _errors and counts the field")
    func badPackedNibbleLenient() throws {
        var decoder = try Fixture.decoder(Self.tableCopybook, options: Fixture.options { $0.invalidData = .lenient })
        var output: [UInt8] = []
        let bad = try Self.claimRecord(amount2: "00 0A 20 0C")
        let reported = try bad.withUnsafeBytes { try decoder.decode($0, recordNumber: 3, recordOffset: 48, into: &output) }
        #expect(reported == 1)
        #expect(decoder.invalidFieldCount == 1)
        let value = try JSONValue(parsing: Array(output.dropLast()))
        #expect(value.at("LINES[1].AMOUNT") == .null)
        #expect(value.at("LINES[1].CODE")?.stringValue == "CD")
        #expect(value.at("LINES[2].AMOUNT")?.numberText == "3.00")
        #expect(value["TOTAL"]?.numberText == "6.00")
        #expect(value.keys.last == "_errors")
        let entry = try #require(value["_errors"]?.elements?.first)
        #expect(entry.keys == ["field", "offset", "bytes", "reason"])
        #expect(entry["field"]?.stringValue == "LINES[1].AMOUNT")
        #expect(entry["offset"]?.int64Value == 12)
        #expect(entry["bytes"]?.stringValue == "000A200C")
        #expect(entry["reason"]?.stringValue?.contains("nibble") == true)

        // The counter accumulates over records; a clean record adds no `_errors`.
        _ = try decoder.value(bad)
        #expect(decoder.invalidFieldCount == 2)
        #expect(try decoder.value(Self.claimRecord())["_errors"] == nil)
        #expect(decoder.invalidFieldCount == 2)
    }

    // MARK: H4 zoned signs from nibbles (cp273)

    @Test("H4: zoned digits are read from nibbles, so cp273 (C0 = 'ä', D0 = 'ü') gives the same numbers as cp037")
    func zonedFromNibblesInCP273() throws {
        let lines = ["01 R.", "   05 POS  PIC S9(3).", "   05 NEG  PIC S9(3).", "   05 NAME PIC X(1)."]
        let data = record("F1 F2 C0", "F1 F2 D0", "C0")
        var cp037 = try Fixture.decoder(lines)
        var cp273 = try Fixture.decoder(lines, options: RecordDecodingOptions(codePage: try CodePage(ccsid: 273)))
        let a = try cp037.value(data)
        let b = try cp273.value(data)
        #expect(a["POS"]?.numberText == "120")
        #expect(a["NEG"]?.numberText == "-120")
        #expect(b["POS"] == a["POS"])
        #expect(b["NEG"] == a["NEG"])
        // The text field does go through the code page.
        #expect(a["NAME"]?.stringValue == "{")
        #expect(b["NAME"]?.stringValue == "ä")
    }

    @Test("H4: SIGN LEADING, LEADING SEPARATE and TRAILING SEPARATE, and an unsigned field with zone F")
    func zonedSignPositions() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 LEAD     PIC S9(3) SIGN LEADING.",
            "   05 LEAD-SEP PIC S9(3) SIGN LEADING SEPARATE.",
            "   05 TRL-SEP  PIC S9(3) SIGN TRAILING SEPARATE.",
            "   05 PLAIN    PIC 9(3).",
        ])
        let value = try decoder.value(record("D1 F2 F3", "60 F1 F2 F3", "F1 F2 F3 4E", "F1 F2 F3"))
        #expect(value["LEAD"]?.numberText == "-123")
        #expect(value["LEAD-SEP"]?.numberText == "-123")
        #expect(value["TRL-SEP"]?.numberText == "123")
        #expect(value["PLAIN"]?.numberText == "123")
        // A negative zone in an unsigned field is invalid data.
        #expect(decoder.failure(record("D1 F2 F3", "60 F1 F2 F3", "F1 F2 F3 4E", "F1 F2 D3"))?.field == "PLAIN")
    }

    // MARK: H5 ASCII zoned conventions

    static let asciiConventions: [(RecordDecodingOptions.ASCIIZonedConvention, String, String)] = [
        (.ibmOverpunch, "12{", "12}"),
        (.strictASCII, "120", "12p"),
        (.fujitsu, "12@", "12P"),
        (.gnuCOBOLJRecord, "120", "12P"),
    ]

    @Test("H5: ASCII zoned sign conventions are an explicit setting", arguments: asciiConventions)
    func asciiZonedConventions(
        convention: RecordDecodingOptions.ASCIIZonedConvention, positive: String, negative: String
    ) throws {
        var options = RecordDecodingOptions(codePage: try CodePage(named: "ascii"))
        options.asciiZonedConvention = convention
        var decoder = try Fixture.decoder(["01 R.", "   05 A PIC S9(3).", "   05 B PIC S9(3)."], options: options)
        let value = try decoder.value(Array((positive + negative).utf8))
        #expect(value["A"]?.numberText == "120")
        #expect(value["B"]?.numberText == "-120")
    }

    // MARK: H6 large numbers

    @Test("H6: 38-digit packed values and the full UInt64 range of an unsigned 8-byte COMP-5")
    func largeNumbers() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 BIG      PIC S9(38) COMP-3.",
            "   05 BIG-DEC  PIC S9(20)V9(18) COMP-3.",
            "   05 U64      PIC 9(18) COMP-5.",
            "   05 S64      PIC S9(18) COMP-5.",
        ])
        let nines = String(repeating: "9", count: 38)
        let packed = "09" + String(repeating: "99", count: 18) + "9D"
        let digits = "12345678901234567890" + "123456789012345678"
        let value = try decoder.value(
            bytes(packed) + bytes("0" + digits + "C") + bytes("FF FF FF FF FF FF FF FF") + bytes("FF FF FF FF FF FF FF FF"))
        #expect(value["BIG"]?.numberText == "-" + nines)
        #expect(value["BIG-DEC"]?.numberText == "12345678901234567890.123456789012345678")
        #expect(value["U64"]?.numberText == String(UInt64.max))
        #expect(value["S64"]?.numberText == "-1")
        // The values survive as exact decimals.
        #expect(try value["BIG-DEC"]?.decimalValue() == decimal("12345678901234567890.123456789012345678"))
    }

    // MARK: H7 P scaling

    @Test("H7: P scaling in DISPLAY, COMP-3 and COMP")
    func pScaling() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 UP       PIC 9(5)PPP.",
            "   05 DOWN     PIC PPP9(5).",
            "   05 S-DOWN   PIC SPP99999.",
            "   05 P-DOWN   PIC SPPP9(5) COMP-3.",
            "   05 B-UP     PIC S9(4)PP COMP.",
        ])
        let value = try decoder.value(record(
            "F3 F0 F5 F0 F3", "F3 F0 F5 F0 F3", "F3 F0 F5 F0 D3", "30 50 3D", "FF 85"))
        #expect(value["UP"]?.numberText == "30503000")
        #expect(value["DOWN"]?.numberText == "0.00030503")
        #expect(value["S-DOWN"]?.numberText == "-0.0030503")
        #expect(value["P-DOWN"]?.numberText == "-0.00030503")
        #expect(value["B-UP"]?.numberText == "-12300")
    }

    // MARK: H8 COMP vs COMP-5

    @Test("H8: COMP-5 is big-endian by default, little-endian as an option that leaves COMP alone")
    func comp5ByteOrder() throws {
        let lines = ["01 R.", "   05 NATIVE PIC S9(4) COMP-5.", "   05 IBM    PIC S9(4) COMP."]
        let data = record("01 00", "01 00")
        var bigEndian = try Fixture.decoder(lines)
        var littleEndian = try Fixture.decoder(lines, options: Fixture.options { $0.nativeBinaryByteOrder = .littleEndian })
        #expect(try bigEndian.line(data) == #"{"NATIVE":256,"IBM":256}"#)
        #expect(try littleEndian.line(data) == #"{"NATIVE":1,"IBM":256}"#)
    }

    @Test("H8: binary values beyond the PICTURE decode in the full storage width (no truncation)")
    func binaryBeyondPicture() throws {
        var decoder = try Fixture.decoder([
            "01 R.", "   05 SMALL PIC 9(2) COMP.", "   05 WIDE PIC 9(9) COMP.", "   05 NEG PIC S9(4) COMP-5.",
        ])
        let value = try decoder.value(record("FF FF", "FF FF FF FF", "80 00"))
        #expect(value["SMALL"]?.numberText == "65535")
        #expect(value["WIDE"]?.numberText == "4294967295")
        #expect(value["NEG"]?.numberText == "-32768")
    }

    // MARK: H9 binary sizes per dialect

    @Test("H9: the binary size policy moves the fields after a COMP item")
    func binarySizePolicy() throws {
        let lines = ["01 R.", "   05 N PIC 9(2) COMP.", "   05 T PIC X(2)."]
        var ibm = try Fixture.decoder(lines)
        var gnu = try Fixture.decoder(lines, copybookOptions: CopybookOptions(binarySizes: .gnuCOBOL))
        #expect(try ibm.line(record("00 2A C1 C2")) == #"{"N":42,"T":"AB"}"#)
        #expect(try gnu.line(record("2A C1 C2")) == #"{"N":42,"T":"AB"}"#)
    }

    // MARK: H10 SYNC slack bytes

    @Test("H10: SYNC slack bytes are skipped, whatever they hold, and never emitted")
    func syncSlackBytes() throws {
        let lines = [
            "01 R.",
            "   05 FLAG  PIC X.",
            "   05 COUNT PIC S9(9) COMP SYNC.",
            "   05 CODE  PIC X.",
            "   05 BIG   PIC S9(18) COMP SYNC.",
        ]
        var decoder = try Fixture.decoder(lines)
        #expect(decoder.layout.size == 24)
        let line = try decoder.line(record(
            "C1 FF FF FF", "00 00 00 2A", "C2 FF FF FF FF FF FF FF", "FF FF FF FF FF FF FF FE"))
        #expect(line == #"{"FLAG":"A","COUNT":42,"CODE":"B","BIG":-2}"#)
        // With FILLER kept there is still nothing for the slack.
        var keep = try Fixture.decoder(lines, options: Fixture.options { $0.keepFiller = true })
        #expect(try keep.value(record(
            "C1 00 00 00", "00 00 00 2A", "C2 00 00 00 00 00 00 00", "00 00 00 00 00 00 00 01")).keys
            == ["FLAG", "COUNT", "CODE", "BIG"])
    }

    // MARK: H11 RDW framing feeding the decoder

    @Test("H11: RDW-framed records (length includes the header) decode with record number and offset")
    func rdwRecords() throws {
        var decoder = try Fixture.decoder(["01 R.", "   05 ID PIC X(2).", "   05 AMT PIC S9(3) COMP-3."])
        let file = record("00 08 00 00", "C1 C2 12 3C", "00 08 00 00", "C3 C4 12 3A")
        var reader = try RecordReader(input: ByteArrayInput(file), format: RecordFormat(.rdw(RDWFormat())))
        var lines: [String] = []
        while let next = try reader.next() {
            guard case let .record(view) = next else { continue }
            var output: [UInt8] = []
            _ = try decoder.decode(view.bytes, recordNumber: view.number, recordOffset: Int64(view.offset), into: &output)
            lines.append(String(decoding: output, as: UTF8.self))
        }
        #expect(lines == [#"{"ID":"AB","AMT":123}"# + "\n", #"{"ID":"CD","AMT":123}"# + "\n"])
        // A bad nibble in record 2 names record 2 at byte 8.
        let bad = record("00 08 00 00", "C1 C2 12 3C", "00 08 00 00", "C3 C4 1A 3C")
        reader = try RecordReader(input: ByteArrayInput(bad), format: RecordFormat(.rdw(RDWFormat())))
        var found: RecordDecodingError?
        while let next = try reader.next(), found == nil {
            guard case let .record(view) = next else { continue }
            found = decoder.failure(Array(view.bytes), number: view.number, offset: Int64(view.offset))
        }
        guard case let .invalidField(number, offset, field, _, _, _) = try #require(found) else {
            Issue.record("expected invalidField")
            return
        }
        #expect(number == 2)
        #expect(offset == 8)
        #expect(field == "AMT")
    }

    // MARK: H12 OCCURS DEPENDING ON

    static let shiftingODO = [
        "01 R.",
        "   05 N     PIC 9.",
        "   05 T     PIC X(2) OCCURS 1 TO 3 TIMES DEPENDING ON N.",
        "   05 TAIL  PIC X(3).",
    ]

    @Test("H12: a shifting ODO table holds only live elements and the fields after it shift")
    func shiftingODO() throws {
        var decoder = try Fixture.decoder(Self.shiftingODO)
        #expect(try decoder.line(try Fixture.ebcdic("2AABBTTT")) == #"{"N":2,"T":["AA","BB"],"TAIL":"TTT"}"#)
        #expect(try decoder.line(try Fixture.ebcdic("3AABBCCTTT")) == #"{"N":3,"T":["AA","BB","CC"],"TAIL":"TTT"}"#)
        let bytes = try Fixture.ebcdic("2AABBTTTxxxx")
        #expect(bytes.withUnsafeBytes { decoder.actualRecordLength($0) } == 8)
        #expect(decoder.occursCountsOutOfRange == 0)
    }

    @Test("H12: maximum-size storage keeps every slot; only the live elements are emitted")
    func maximumSizeODO() throws {
        var decoder = try Fixture.decoder(Self.shiftingODO, options: Fixture.options { $0.variableOccurs = .maximumSize })
        #expect(try decoder.line(try Fixture.ebcdic("2AABB  TTT")) == #"{"N":2,"T":["AA","BB"],"TAIL":"TTT"}"#)
    }

    @Test("H12: nested ODO (a table whose elements hold their own ODO count)")
    func nestedODO() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 N        PIC 9.",
            "   05 G OCCURS 1 TO 3 TIMES DEPENDING ON N.",
            "      10 M     PIC 9.",
            "      10 V     PIC X OCCURS 0 TO 4 TIMES DEPENDING ON M.",
            "   05 TAIL     PIC X(2).",
        ])
        let line = try decoder.line(try Fixture.ebcdic("22AB0" + "ZZ"))
        #expect(line == #"{"N":2,"G":[{"M":2,"V":["A","B"]},{"M":0,"V":[]}],"TAIL":"ZZ"}"#)
        let three = try decoder.value(try Fixture.ebcdic("31X3ABC2DEQQ"))
        #expect(three.at("G[2].V[1]")?.stringValue == "E")
        #expect(three["TAIL"]?.stringValue == "QQ")
    }

    @Test("H12: a count below the declared minimum is accepted and counted, not an error")
    func odoCountBelowMinimum() throws {
        var decoder = try Fixture.decoder(Self.shiftingODO)
        #expect(try decoder.line(try Fixture.ebcdic("0TTT")) == #"{"N":0,"T":[],"TAIL":"TTT"}"#)
        #expect(decoder.occursCountsOutOfRange == 1)
    }

    @Test("H12: a count above the maximum fails strictly, and is clamped and reported in lenient mode")
    func odoCountAboveMaximum() throws {
        let strict = try Fixture.decoder(Self.shiftingODO)
        let error = try #require(strict.failure(try Fixture.ebcdic("5AABBCCTTT"), number: 4, offset: 40))
        #expect(error == .occursCountOutOfRange(record: 4, recordOffset: 40, field: "T", count: 5, minimum: 1, maximum: 3))
        #expect(error.description == "record 4 at byte 40: OCCURS DEPENDING ON count 5 of T is outside 1...3")

        var lenient = try Fixture.decoder(Self.shiftingODO, options: Fixture.options { $0.invalidData = .lenient })
        let value = try lenient.value(try Fixture.ebcdic("5AABBCCTTT"))
        #expect(value["T"]?.elements?.count == 3)
        #expect(value["TAIL"]?.stringValue == "TTT")
        let entry = try #require(value["_errors"]?.elements?.first)
        #expect(entry["field"]?.stringValue == "T")
        #expect(entry["offset"]?.int64Value == 1)
        #expect(entry["reason"]?.stringValue?.contains("count 5") == true)
        #expect(lenient.occursCountsOutOfRange == 1)
    }

    @Test("H12: an invalid ODO count is reported on the count field and its table is empty (lenient)")
    func odoCountInvalid() throws {
        var lenient = try Fixture.decoder(Self.shiftingODO, options: Fixture.options { $0.invalidData = .lenient })
        let value = try lenient.value(record("5C") + (try Fixture.ebcdic("TTT")))
        #expect(value["N"] == .null)
        #expect(value["T"]?.elements?.isEmpty == true)
        #expect(value["TAIL"]?.stringValue == "TTT")
        #expect(value["_errors"]?.elements?.first?["field"]?.stringValue == "N")
    }

    @Test("H12: after a strict failure inside a table, the next record's ODO error names the table without a stale index")
    func odoErrorAfterFailureInsideTable() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 N        PIC 9.",
            "   05 LINES OCCURS 1 TO 3 TIMES DEPENDING ON N.",
            "      10 AMT   PIC S9(3) COMP-3.",
        ])
        var output: [UInt8] = []
        let first = record("F2", "12 3C", "1A 3C")
        let second = record("F5", "12 3C", "12 3C", "12 3C")
        #expect(throws: RecordDecodingError.self) {
            try first.withUnsafeBytes { try decoder.decode($0, recordNumber: 1, recordOffset: 0, into: &output) }
        }
        let error = #expect(throws: RecordDecodingError.self) {
            try second.withUnsafeBytes { try decoder.decode($0, recordNumber: 2, recordOffset: 5, into: &output) }
        }
        #expect(error == .occursCountOutOfRange(record: 2, recordOffset: 5, field: "LINES", count: 5, minimum: 1, maximum: 3))
    }

    // MARK: H13 short records

    static let shortCopybook = ["01 R.", "   05 NAME PIC X(4).", "   05 AMT PIC S9(5) COMP-3.", "   05 CODE PIC X(2)."]

    @Test("H13: a record shorter than the layout fails strictly naming the field and the sizes")
    func shortRecordStrict() throws {
        let decoder = try Fixture.decoder(Self.shortCopybook)
        let error = try #require(decoder.failure(try Fixture.ebcdic("ABCD") + bytes("12"), number: 11, offset: 1_580))
        #expect(error == .recordTooShort(
            record: 11, recordOffset: 1_580, field: "AMT", fieldOffset: 4, needed: 3, available: 5))
        #expect(error.description == "record 11 at byte 1580: field AMT needs bytes 4..<7 but the record has 5")
    }

    @Test("H13: lenient mode emits the fields that are there and nulls (reported) for the rest")
    func shortRecordLenient() throws {
        var decoder = try Fixture.decoder(Self.shortCopybook, options: Fixture.options { $0.invalidData = .lenient })
        var output: [UInt8] = []
        let short = try Fixture.ebcdic("ABCD") + bytes("12")
        let reported = try short.withUnsafeBytes { try decoder.decode($0, recordNumber: 1, recordOffset: 0, into: &output) }
        let value = try JSONValue(parsing: Array(output))
        #expect(value["NAME"]?.stringValue == "ABCD")
        #expect(value["AMT"] == .null)
        #expect(value["CODE"] == .null)
        let errors = try #require(value["_errors"]?.elements)
        #expect(reported == 2)
        #expect(errors.map { $0["field"]?.stringValue } == ["AMT", "CODE"])
        #expect(errors.map { $0["offset"]?.int64Value } == [4, 7])
        #expect(errors.first?["bytes"]?.stringValue == "12")
        #expect(errors.last?["bytes"]?.stringValue == "")
    }

    @Test("H13: a record that ends inside a REDEFINES area that no alternative fits is too short, not a silent null")
    func shortRecordInsideRedefines() throws {
        let lines = ["01 R.", "   05 A PIC X(4).", "   05 B PIC X(6).", "   05 C REDEFINES B PIC 9(6)."]
        let strict = try Fixture.decoder(lines)
        #expect(strict.failure(try Fixture.ebcdic("ABCDE"), number: 2, offset: 10) == .recordTooShort(
            record: 2, recordOffset: 10, field: "B", fieldOffset: 4, needed: 6, available: 5))
        var lenient = try Fixture.decoder(lines, options: Fixture.options { $0.invalidData = .lenient })
        let value = try lenient.value(try Fixture.ebcdic("ABCDE"))
        #expect(value["B"] == .null)
        #expect(value["C"] == .null)
        #expect(value["_errors"]?.elements?.compactMap { $0["field"]?.stringValue } == ["B", "C"])
    }

    @Test("H13: a variable-length record holding a shorter alternative nulls the longer view without an error")
    func shorterAlternativeRecord() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 KIND PIC X.",
            "   05 LONG-VIEW PIC X(8).",
            "   05 SHORT-VIEW REDEFINES LONG-VIEW.",
            "      10 CODE PIC X(2).",
        ])
        #expect(try decoder.line(try Fixture.ebcdic("SAB")) == #"{"KIND":"S","LONG-VIEW":null,"SHORT-VIEW":{"CODE":"AB"}}"#)
        // Shorter than even the shortest view: an error.
        #expect(decoder.failure(try Fixture.ebcdic("SA"))?.field == "LONG-VIEW")
    }

    // MARK: H14 code pages

    @Test("H14: code pages differ (cp037 ¤ vs cp1140 €) and can be chosen per field")
    func codePagePerField() throws {
        let lines = ["01 R.", "   05 A PIC X.", "   05 B PIC X."]
        var cp037 = try Fixture.decoder(lines)
        var perField = RecordDecodingOptions()
        perField.fieldCodePages = ["B": try CodePage(ccsid: 1140)]
        var mixed = try Fixture.decoder(lines, options: perField)
        #expect(try cp037.line(record("9F 9F")) == #"{"A":"¤","B":"¤"}"#)
        #expect(try mixed.line(record("9F 9F")) == #"{"A":"¤","B":"€"}"#)
    }

    // MARK: H15 blank and low values

    static let blankCopybook = [
        "01 R.", "   05 QTY PIC 9(4).", "   05 AMT PIC 9(8)V99.", "   05 NAME PIC X(4).", "   05 BIN PIC 9(9) COMP.",
    ]

    @Test("H15: blank numerics are null by default, low-value fields are null, 0x40404040 COMP is a number")
    func blankAndLowValues() throws {
        var decoder = try Fixture.decoder(Self.blankCopybook)
        let spaces = [UInt8](repeating: 0x40, count: 14)
        #expect(try decoder.line(spaces + bytes("00 00 00 00") + bytes("40 40 40 40"))
            == #"{"QTY":null,"AMT":null,"NAME":null,"BIN":1077952576}"#)
        let lows = [UInt8](repeating: 0, count: 22)
        #expect(try decoder.line(lows) == #"{"QTY":null,"AMT":null,"NAME":null,"BIN":0}"#)
    }

    @Test("H15: blankNumericAsNull off makes a blank numeric invalid (strict error, lenient null + report)")
    func blankNumericInvalid() throws {
        let data = [UInt8](repeating: 0x40, count: 14) + (try Fixture.ebcdic("ABCD")) + bytes("00 00 00 01")
        let strict = try Fixture.decoder(Self.blankCopybook, options: Fixture.options { $0.blankNumericAsNull = false })
        let error = try #require(strict.failure(data))
        #expect(error.field == "QTY")
        #expect(error.description.contains("blank"))
        var lenient = try Fixture.decoder(Self.blankCopybook, options: Fixture.options {
            $0.blankNumericAsNull = false
            $0.invalidData = .lenient
        })
        let value = try lenient.value(data)
        #expect(value["QTY"] == .null)
        #expect(value["_errors"]?.elements?.compactMap { $0["field"]?.stringValue } == ["QTY", "AMT"])
        #expect(lenient.invalidFieldCount == 2)
    }

    @Test("H15: lowValuesAsNull off keeps LOW-VALUES text as NUL characters; trailing 0x00 is trimmed when on")
    func lowValueText() throws {
        var keep = try Fixture.decoder(["01 R.", "   05 NAME PIC X(4)."], options: Fixture.options { $0.lowValuesAsNull = false })
        #expect(try keep.value(record("00 00 00 00"))["NAME"]?.stringValue == "\0\0\0\0")
        var null = try Fixture.decoder(["01 R.", "   05 NAME PIC X(4)."])
        #expect(try null.value(record("C1 C2 00 00"))["NAME"]?.stringValue == "AB")
    }

    // MARK: H16 REDEFINES and segments

    static let segmentCopybook = [
        "01 R.",
        "   05 SEG-ID       PIC X.",
        "   05 BODY         PIC X(6).",
        "   05 CUST REDEFINES BODY.",
        "      10 CUST-NAME PIC X(6).",
        "   05 ACCT REDEFINES BODY.",
        "      10 ACCT-NO   PIC 9(4).",
        "      10 ACCT-BAL  PIC S9(3) COMP-3.",
        "   05 TRAILER      PIC X(2).",
    ]

    static func segmentOptions(otherwise: String?) -> RecordDecodingOptions {
        Fixture.options {
            $0.redefines = .segmentField(field: "SEG-ID", alternatives: ["C": "CUST", "A": "ACCT"], otherwise: otherwise)
        }
    }

    @Test("H16: a segment id selects the REDEFINES alternative; `otherwise` covers unknown ids")
    func segmentSelection() throws {
        var decoder = try Fixture.decoder(Self.segmentCopybook, options: Self.segmentOptions(otherwise: "BODY"))
        #expect(try decoder.line(try Fixture.ebcdic("CALICE ZZ"))
            == #"{"SEG-ID":"C","CUST":{"CUST-NAME":"ALICE"},"TRAILER":"ZZ"}"#)
        #expect(try decoder.line(try Fixture.ebcdic("A0042") + bytes("12 3D") + Fixture.ebcdic("ZZ"))
            == #"{"SEG-ID":"A","ACCT":{"ACCT-NO":42,"ACCT-BAL":-123},"TRAILER":"ZZ"}"#)
        #expect(try decoder.line(try Fixture.ebcdic("Q??????ZZ")) == #"{"SEG-ID":"Q","BODY":"??????","TRAILER":"ZZ"}"#)
        // The unselected ACCT view of a CUST record is not decoded, so its garbage is no error.
        #expect(decoder.invalidFieldCount == 0)

        var noFallback = try Fixture.decoder(Self.segmentCopybook, options: Self.segmentOptions(otherwise: nil))
        #expect(try noFallback.line(try Fixture.ebcdic("Q??????ZZ")) == #"{"SEG-ID":"Q","TRAILER":"ZZ"}"#)
    }

    @Test("H16: a numeric segment-id field matches the number as JSON writes it")
    func numericSegmentField() throws {
        var options = RecordDecodingOptions()
        options.redefines = .segmentField(field: "R.KIND", alternatives: ["1": "CUST", "2": "ACCT"], otherwise: nil)
        var decoder = try Fixture.decoder(
            ["01 R.", "   05 KIND PIC 9.", "   05 CUST PIC X(2).", "   05 ACCT REDEFINES CUST PIC 9(2)."],
            options: options)
        #expect(try decoder.line(try Fixture.ebcdic("1AB")) == #"{"KIND":1,"CUST":"AB"}"#)
        #expect(try decoder.line(try Fixture.ebcdic("212")) == #"{"KIND":2,"ACCT":12}"#)
    }

    @Test("H16: an unknown segment-id field is rejected when the decoder is built")
    func unknownSegmentField() throws {
        var options = RecordDecodingOptions()
        options.redefines = .segmentField(field: "NO-SUCH", alternatives: ["C": "CUST"], otherwise: nil)
        #expect(throws: RecordDecodingError.unknownSegmentField("NO-SUCH")) {
            _ = try Fixture.decoder(Self.segmentCopybook, options: options)
        }
    }

    @Test("H16: without a selection every view is emitted; an invalid view follows the null policy")
    func allRedefinesViews() throws {
        var strict = try Fixture.decoder(Self.segmentCopybook)
        let valid = try Fixture.ebcdic("A0042") + bytes("12 3C") + Fixture.ebcdic("ZZ")
        let value = try strict.value(valid)
        #expect(value.keys == ["SEG-ID", "BODY", "CUST", "ACCT", "TRAILER"])
        #expect(value.at("ACCT.ACCT-BAL")?.numberText == "123")
        #expect(value.at("CUST.CUST-NAME")?.stringValue?.hasPrefix("0042") == true)
        let text = try Fixture.ebcdic("CALICE ZZ")
        #expect(strict.failure(text)?.field == "ACCT.ACCT-NO")
        var lenient = try Fixture.decoder(Self.segmentCopybook, options: Fixture.options { $0.invalidData = .lenient })
        let mixed = try lenient.value(text)
        #expect(mixed.at("CUST.CUST-NAME")?.stringValue == "ALICE")
        #expect(mixed.at("ACCT.ACCT-NO") == .null)
        #expect(mixed.at("ACCT.ACCT-BAL") == .null)
    }

    // MARK: H17 floating point

    @Test("H17: COMP-1/COMP-2 are IBM HFP by default; IEEE 754 big- and little-endian are options")
    func floatingPointFormats() throws {
        let lines = ["01 R.", "   05 F1 USAGE COMP-1.", "   05 F2 USAGE COMP-2."]
        var hfp = try Fixture.decoder(lines)
        // HFP: 0x41100000 = +1/16 × 16^1 = 1.0; 0xC2640000… = −0x64 = −100.
        let hfpValue = try hfp.value(record("41 10 00 00", "C2 64 00 00 00 00 00 00"))
        #expect(hfpValue["F1"]?.numberText.flatMap(Double.init) == 1.0)
        #expect(hfpValue["F2"]?.numberText.flatMap(Double.init) == -100.0)
        // The same four bytes as IEEE single are 9.0.
        var ieee = try Fixture.decoder(lines, options: Fixture.options { $0.floatingPoint = .ieee754BigEndian })
        let ieeeValue = try ieee.value(record("41 10 00 00", "C0 59 00 00 00 00 00 00"))
        #expect(ieeeValue["F1"]?.numberText.flatMap(Double.init) == 9.0)
        #expect(ieeeValue["F2"]?.numberText.flatMap(Double.init) == -100.0)
        var little = try Fixture.decoder(lines, options: Fixture.options { $0.floatingPoint = .ieee754LittleEndian })
        let littleValue = try little.value(record("00 00 10 41", "00 00 00 00 00 00 59 C0"))
        #expect(littleValue == ieeeValue)
    }

    // MARK: H18 edited pictures

    @Test("H18: edited pictures are reversed inside a record; BLANK WHEN ZERO spaces are zero")
    func editedPictures() throws {
        var decoder = try Fixture.decoder([
            "01 R.",
            "   05 CREDIT   PIC Z,ZZ9.99CR.",
            "   05 FLOAT    PIC --,--9.99.",
            "   05 STARS    PIC $***9.99.",
            "   05 BWZ      PIC ZZ9.99 BLANK WHEN ZERO.",
        ])
        let data = try Fixture.ebcdic("1,234.56CR" + "   -12.30" + "$**12.50" + "      ")
        #expect(try decoder.line(data) == #"{"CREDIT":-1234.56,"FLOAT":-12.30,"STARS":12.50,"BWZ":0.00}"#)
        let positive = try Fixture.ebcdic("   12.00  " + "     7.00" + "$***0.01" + "  1.00")
        #expect(positive.count == decoder.layout.size)
        let value = try decoder.value(positive)
        #expect(value["CREDIT"]?.numberText == "12.00")
        #expect(value["FLOAT"]?.numberText == "7.00")
        #expect(value["STARS"]?.numberText == "0.01")
        #expect(value["BWZ"]?.numberText == "1.00")
    }

    @Test("H18: `S9(3).99` is zoned digits around an actual point, the sign overpunched on the last digit")
    func zonedWithPoint() throws {
        var decoder = try Fixture.decoder(["01 R.", "   05 AMT PIC S9(3).99.", "   05 UAMT PIC 9(2).9."])
        #expect(try decoder.line(record("F1 F2 F3 4B F4 D5", "F4 F2 4B F7")) == #"{"AMT":-123.45,"UAMT":42.7}"#)
        #expect(try decoder.line(record("F1 F2 F3 4B F4 C5", "F0 F0 4B F0")) == #"{"AMT":123.45,"UAMT":0.0}"#)
        let error = try #require(decoder.failure(record("F1 F2 F3 F4 F4 C5", "F4 F2 4B F7")))
        #expect(error.field == "AMT")
        #expect(error.description.contains("decimal point"))
    }

    // MARK: H19 FILLER, 88, 66

    static let fillerCopybook = [
        "01 R.",
        "   05 STATUS     PIC X(2).",
        "      88 ACTIVE  VALUE 'AC'.",
        "      88 CLOSED  VALUE 'CL'.",
        "   05 FILLER     PIC X(3).",
        "   05 AMOUNT     PIC 9(2).",
        "   05 FILLER.",
        "      10 INNER   PIC X.",
        "   05 LAST-ONE   PIC X.",
        "   66 ALIAS RENAMES STATUS THRU AMOUNT.",
    ]

    @Test("H19: FILLER is dropped by default; 88 and 66 are neither emitted nor take storage")
    func fillerDropped() throws {
        var decoder = try Fixture.decoder(Self.fillerCopybook)
        #expect(decoder.layout.size == 9)
        let data = try Fixture.ebcdic("ACxyz42IL")
        #expect(try decoder.line(data) == #"{"STATUS":"AC","AMOUNT":42,"LAST-ONE":"L"}"#)
    }

    @Test("H19: keepFiller emits every FILLER under the name FILLER, groups with their children")
    func fillerKept() throws {
        var decoder = try Fixture.decoder(Self.fillerCopybook, options: Fixture.options { $0.keepFiller = true })
        let line = try decoder.line(try Fixture.ebcdic("ACxyz42IL"))
        #expect(line == #"{"STATUS":"AC","FILLER":"xyz","AMOUNT":42,"FILLER":{"INNER":"I"},"LAST-ONE":"L"}"#)
    }
}
