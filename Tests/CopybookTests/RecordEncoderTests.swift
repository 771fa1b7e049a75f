import CodePages
import Copybook
import Events
import Testing

/// Builds a layout from copybook lines (program text from column 8) and encodes JSON with it.
struct EncoderFixture {
    let layout: RecordLayout
    var options: RecordDecodingOptions

    init(layout: RecordLayout, options: RecordDecodingOptions) {
        self.layout = layout
        self.options = options
    }

    init(_ lines: [String], options: RecordDecodingOptions = RecordDecodingOptions()) throws {
        layout = try #require(try CopybookFixture.fixed(lines).records.first)
        self.options = options
    }

    func encode(_ json: String, record: Int = 1, encoding: RecordEncoder.Options = RecordEncoder.Options()) throws(RecordEncodingError)
        -> [UInt8]
    {
        var encoder = try RecordEncoder(layout: layout, options: options, encoding: encoding)
        return try encoder.encode(jsonBytes: Array(json.utf8), recordNumber: record)
    }

    /// Decodes `bytes` with the same options: the JSON the encoder must accept.
    func decode(_ bytes: [UInt8]) throws -> JSONValue {
        var decoder = try RecordDecoder(layout: layout, options: options)
        var output: [UInt8] = []
        try bytes.withUnsafeBytes { buffer in
            _ = try decoder.decode(buffer, recordNumber: 1, recordOffset: 0, into: &output)
        }
        return try JSONValue(parsing: Array(output.dropLast()))
    }

    func error(_ json: String, record: Int = 1) -> RecordEncodingError? {
        do {
            _ = try encode(json, record: record)
            return nil
        } catch {
            return error
        }
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8).filter { $0 != 0x20 }
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
}

@Suite("RecordEncoder usages and clauses")
struct RecordEncoderUsageTests {
    static let usages = [
        "01 REC.",
        "   05 A PIC S9(3).",
        "   05 B PIC 9(3).",
        "   05 C PIC S9(3) SIGN LEADING SEPARATE.",
        "   05 D PIC S9(3) SIGN TRAILING SEPARATE.",
        "   05 E PIC 9(3)PP.",
        "   05 F PIC S9(5)V99 COMP-3.",
        "   05 U PIC 9(3) COMP-3.",
        "   05 G PIC S9(4) COMP.",
        "   05 H PIC S9(4) COMP-5.",
        "   05 I COMP-1.",
        "   05 J COMP-2.",
        "   05 K PIC ZZ9.99-.",
        "   05 L PIC X(4) JUST RIGHT.",
        "   05 M PIC X(3).",
        "   05 Q PIC SPP9.",
    ]

    static let json = """
        {"A":-123,"B":45,"C":-7,"D":12,"E":12300,"F":-123.45,"U":7,"G":-2,"H":258,"I":1.0,"J":-118.625,\
        "K":-1.50,"L":"AB","M":"AB","Q":-0.004}
        """

    static let bytes = hexBytes(
        "F1F2D3" + "F0F4F5" + "60F0F0F7" + "F0F1F24E" + "F1F2F3" + "0012345D" + "007F" + "FFFE" + "0201"
            + "41100000" + "C276A00000000000" + "4040F14BF5F060" + "4040C1C2" + "C1C240" + "D4")

    var fixture: EncoderFixture {
        get throws {
            var options = RecordDecodingOptions()
            options.nativeBinaryByteOrder = .littleEndian
            return try EncoderFixture(Self.usages, options: options)
        }
    }

    @Test func everyUsageWritesPreferredSignsAndPadding() throws {
        let encoded = try fixture.encode(Self.json)
        #expect(HexDumpText.of(encoded) == HexDumpText.of(Self.bytes))
    }

    @Test func decodingTheEncodedRecordGivesTheJSONBack() throws {
        let fixture = try fixture
        let decoded = try fixture.decode(try fixture.encode(Self.json))
        #expect(try fixture.encode(String(decoding: decoded.encoded(), as: UTF8.self)) == Self.bytes)
        #expect(decoded["F"] == .number("-123.45"))
        #expect(decoded["L"] == .string("  AB"))
    }

    @Test func nonPreferredSignsComeBackPreferred() throws {
        // Zoned F in a signed field and packed C in an unsigned one decode fine; encoding writes C and F.
        var bytes = Self.bytes
        bytes[2] = 0xF3  // A = +123 with sign F
        bytes[22] = 0x7C  // U = 7 with sign C (bytes 21–22)
        let fixture = try fixture
        let json = String(decoding: try fixture.decode(bytes).encoded(), as: UTF8.self)
        let encoded = try fixture.encode(json)
        #expect(encoded[2] == 0xC3)
        #expect(encoded[22] == 0x7F)
    }

    @Test func asciiZonedUsesTheConfiguredOverpunch() throws {
        var options = RecordDecodingOptions(codePage: try CodePage(named: "ascii"))
        options.asciiZonedConvention = .ibmOverpunch
        let fixture = try EncoderFixture(["01 REC.", "   05 A PIC S9(3).", "   05 B PIC X(2)."], options: options)
        #expect(try fixture.encode(#"{"A":-120,"B":"Z"}"#) == Array("12}Z ".utf8))
        #expect(try fixture.encode(#"{"A":121,"B":""}"#) == Array("12A  ".utf8))
    }

    @Test func numbersMayArriveAsStrings() throws {
        let fixture = try EncoderFixture(["01 REC.", "   05 A PIC S9(3)V9 COMP-3."])
        #expect(try fixture.encode(#"{"A":"-12.5"}"#) == hexBytes("00125D"))
    }

    @Test func rootIsKeptWhenNotCollapsed() throws {
        var options = RecordDecodingOptions()
        options.collapseRoot = false
        let fixture = try EncoderFixture(["01 REC.", "   05 A PIC X(2)."], options: options)
        #expect(try fixture.encode(#"{"REC":{"A":"AB"}}"#) == hexBytes("C1C2"))
        #expect(fixture.error(#"{"A":"AB"}"#) == .missingField(record: 1, field: "REC"))
    }
}

/// Compact hex for readable failures.
enum HexDumpText {
    static func of(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16, uppercase: true).count == 1 ? "0" + String($0, radix: 16, uppercase: true) : String($0, radix: 16, uppercase: true) }.joined()
    }
}

@Suite("RecordEncoder OCCURS DEPENDING ON")
struct RecordEncoderOccursTests {
    static let table = [
        "01 REC.",
        "   05 N PIC 9(2).",
        "   05 T OCCURS 0 TO 3 DEPENDING ON N.",
        "      10 V PIC X(2).",
        "   05 Z PIC X(1).",
    ]

    @Test func shiftingWritesOnlyTheLiveElements() throws {
        let fixture = try EncoderFixture(Self.table)
        let encoded = try fixture.encode(#"{"N":2,"T":[{"V":"AB"},{"V":"C"}],"Z":"Q"}"#)
        #expect(encoded == hexBytes("F0F2 C1C2 C340 D8"))
        #expect(try fixture.decode(encoded) == JSONValue(parsing: #"{"N":2,"T":[{"V":"AB"},{"V":"C"}],"Z":"Q"}"#))
    }

    @Test func maximumSizePadsTheUnusedSlots() throws {
        var options = RecordDecodingOptions()
        options.variableOccurs = .maximumSize
        let fixture = try EncoderFixture(Self.table, options: options)
        #expect(try fixture.encode(#"{"N":2,"T":[{"V":"AB"},{"V":"C"}],"Z":"Q"}"#) == hexBytes("F0F2 C1C2 C340 4040 D8"))
        let zeroFilled = try fixture.encode(
            #"{"N":1,"T":[{"V":"AB"}],"Z":"Q"}"#, encoding: RecordEncoder.Options(fillByte: 0x00))
        #expect(zeroFilled == hexBytes("F0F1 C1C2 0000 0000 D8"))
    }

    @Test func anAbsentOrNullCountIsSetFromTheArray() throws {
        let fixture = try EncoderFixture(Self.table)
        #expect(try fixture.encode(#"{"T":[{"V":"AB"}],"Z":"Q"}"#) == hexBytes("F0F1 C1C2 D8"))
        #expect(try fixture.encode(#"{"N":null,"T":[],"Z":"Q"}"#) == hexBytes("F0F0 D8"))
    }

    @Test func aCountThatDisagreesWithTheArrayIsAnError() throws {
        let fixture = try EncoderFixture(Self.table)
        #expect(fixture.error(#"{"N":3,"T":[{"V":"AB"}],"Z":"Q"}"#, record: 4)
            == .occursCountMismatch(record: 4, field: "T", countField: "N", count: 3, elements: 1))
        let four = #"{"T":[{"V":"A"},{"V":"B"},{"V":"C"},{"V":"D"}],"Z":"Q"}"#
        #expect(fixture.error(four) == .occursCountOutOfRange(record: 1, field: "T", count: 4, maximum: 3))
    }

    @Test func nestedTablesShiftByTheirOwnCounts() throws {
        let fixture = try EncoderFixture([
            "01 REC.",
            "   05 N PIC 9.",
            "   05 G OCCURS 0 TO 2 DEPENDING ON N.",
            "      10 M PIC 9.",
            "      10 H OCCURS 0 TO 3 DEPENDING ON M.",
            "         15 V PIC X.",
            "   05 Z PIC X.",
        ])
        let json = #"{"N":2,"G":[{"M":1,"H":[{"V":"A"}]},{"M":2,"H":[{"V":"B"},{"V":"C"}]}],"Z":"Q"}"#
        let encoded = try fixture.encode(json)
        #expect(encoded == hexBytes("F2 F1C1 F2C2C3 D8"))
        #expect(try fixture.decode(encoded) == JSONValue(parsing: json))
        // Counts left out are set from each element's own array.
        #expect(try fixture.encode(#"{"G":[{"H":[{"V":"A"}]},{"H":[{"V":"B"},{"V":"C"}]}],"Z":"Q"}"#) == encoded)
        #expect(fixture.error(#"{"N":2,"G":[{"M":1,"H":[]},{"M":2,"H":[{"V":"B"}]}],"Z":"Q"}"#)
            == .occursCountMismatch(record: 1, field: "G[0].H", countField: "G[0].M", count: 1, elements: 0))
    }

    @Test func fixedTablesNeedEveryElement() throws {
        let fixture = try EncoderFixture(["01 REC.", "   05 T PIC 9 OCCURS 3."])
        #expect(try fixture.encode(#"{"T":[1,2,3]}"#) == hexBytes("F1F2F3"))
        #expect(fixture.error(#"{"T":[1,2]}"#) == .tableLengthMismatch(record: 1, field: "T", expected: 3, found: 2))
    }
}

@Suite("RecordEncoder REDEFINES, FILLER and nulls")
struct RecordEncoderViewTests {
    static let views = [
        "01 REC.",
        "   05 K PIC X(1).",
        "   05 A PIC X(4).",
        "   05 B REDEFINES A PIC 9(4).",
        "   05 C REDEFINES A.",
        "      10 C1 PIC S9(7) COMP-3.",
    ]

    @Test func theAlternativePresentIsEncoded() throws {
        let fixture = try EncoderFixture(Self.views)
        #expect(try fixture.encode(#"{"K":"X","B":1234}"#) == hexBytes("E7 F1F2F3F4"))
        #expect(try fixture.encode(#"{"K":"X","C":{"C1":-1234567}}"#) == hexBytes("E7 1234567D"))
        #expect(try fixture.encode(#"{"K":"X","A":"AB","B":null,"C":{"C1":null}}"#) == hexBytes("E7 C1C24040"))
    }

    @Test func alternativesThatAgreeAreAccepted() throws {
        let fixture = try EncoderFixture(Self.views)
        let bytes = hexBytes("E7 F1F2F3F4")
        #expect(try fixture.encode(#"{"K":"X","A":"1234","B":1234}"#) == bytes)
        // The decoder's all-views output comes back (C's packed view of F1F2F3F4 is invalid, so drop it).
        var options = RecordDecodingOptions()
        options.invalidData = .lenient
        let lenient = EncoderFixture(layout: fixture.layout, options: options)
        #expect(try lenient.encode(String(decoding: try lenient.decode(bytes).encoded(), as: UTF8.self)) == bytes)
    }

    @Test func alternativesThatDisagreeAreAnErrorNamingBoth() throws {
        let fixture = try EncoderFixture(Self.views)
        #expect(fixture.error(#"{"K":"X","A":"ABCD","B":1234}"#, record: 9)
            == .alternativesDisagree(record: 9, field: "B", other: "A", offset: 1))
    }

    @Test func noAlternativeAtAllIsAMissingField() throws {
        let fixture = try EncoderFixture(Self.views)
        #expect(fixture.error(#"{"K":"X"}"#) == .missingField(record: 1, field: "A"))
        // Present but all null: the storage keeps the fill.
        #expect(try fixture.encode(#"{"K":"X","A":null}"#) == hexBytes("E7 40404040"))
    }

    @Test func variableLengthSegmentsEndWithTheirView() throws {
        let fixture = try EncoderFixture([
            "01 REC.", "   05 ID PIC X.", "   05 LONG PIC X(6).", "   05 SHORT REDEFINES LONG.", "      10 S PIC X(2).",
        ])
        let segments = RecordEncoder.Options(endsAtLastAlternativeValue: true)
        #expect(try fixture.encode(#"{"ID":"S","SHORT":{"S":"AB"}}"#, encoding: segments) == hexBytes("E2 C1C2"))
        #expect(try fixture.encode(#"{"ID":"S","SHORT":{"S":"AB"}}"#) == hexBytes("E2 C1C2 40404040"))
        #expect(try fixture.encode(#"{"ID":"L","LONG":"ABC"}"#, encoding: segments) == hexBytes("D3 C1C2C3 404040"))
    }

    static let fillers = [
        "01 REC.",
        "   05 A PIC X(2).",
        "   05 FILLER PIC X(2).",
        "   05 B PIC X(2).",
        "   05 FILLER PIC X(1).",
    ]

    @Test func fillerIsSpacesOrComesFromTheJSON() throws {
        #expect(try EncoderFixture(Self.fillers).encode(#"{"A":"AB","B":"CD"}"#) == hexBytes("C1C2 4040 C3C4 40"))
        let ascii = try EncoderFixture(Self.fillers, options: RecordDecodingOptions(codePage: try CodePage(named: "ascii")))
        #expect(try ascii.encode(#"{"A":"AB","B":"CD"}"#) == Array("AB  CD ".utf8))
        var options = RecordDecodingOptions()
        options.keepFiller = true
        let kept = try EncoderFixture(Self.fillers, options: options)
        #expect(try kept.encode(#"{"A":"AB","FILLER":"12","B":"CD","FILLER":"3"}"#) == hexBytes("C1C2 F1F2 C3C4 F3"))
        #expect(try kept.encode(#"{"A":"AB","B":"CD"}"#) == hexBytes("C1C2 4040 C3C4 40"))
    }

    static let nullable = ["01 REC.", "   05 T PIC X(2).", "   05 Z PIC S9(2).", "   05 P PIC S9(3) COMP-3."]

    @Test func nullsFollowTheDocumentedPolicy() throws {
        let fixture = try EncoderFixture(Self.nullable)
        #expect(try fixture.encode(#"{"T":null,"Z":null,"P":1}"#) == hexBytes("0000 4040 001C"))
        var options = RecordDecodingOptions()
        options.lowValuesAsNull = false
        #expect(try EncoderFixture(Self.nullable, options: options).encode(#"{"T":null,"Z":1,"P":-1}"#)
            == hexBytes("4040 F0C1 001D"))
        #expect(fixture.error(#"{"T":"A","Z":1,"P":null}"#) == .nullNotEncodable(record: 1, field: "P", usage: "COMP-3"))
    }
}

@Suite("RecordEncoder errors")
struct RecordEncoderErrorTests {
    static let record = [
        "01 REC.",
        "   05 A PIC S9(3).",
        "   05 U PIC 9(3)V9.",
        "   05 T PIC X(3).",
        "   05 L OCCURS 2.",
        "      10 B PIC S9(4) COMP.",
    ]

    @Test(arguments: [
        (#"{"A":1234,"U":1,"T":"","L":[{"B":1},{"B":2}]}"#, "A", "1234"),
        (#"{"A":1,"U":-1,"T":"","L":[{"B":1},{"B":2}]}"#, "U", "-1"),
        (#"{"A":1,"U":1.25,"T":"","L":[{"B":1},{"B":2}]}"#, "U", "1.25"),
        (#"{"A":1,"U":1,"T":"","L":[{"B":1},{"B":10000}]}"#, "L[1].B", "10000"),
    ])
    func numbersThatDoNotFitNameFieldValueAndCapacity(_ json: String, _ field: String, _ value: String) throws {
        let error = try #require(try EncoderFixture(Self.record).error(json, record: 12))
        guard case let .valueDoesNotFit(record, path, found, capacity) = error else {
            Issue.record("expected valueDoesNotFit, got \(error)")
            return
        }
        #expect(record == 12)
        #expect(path == field)
        #expect(found == value)
        #expect(!capacity.isEmpty)
        #expect(error.description.contains(field))
    }

    @Test func binaryStorageLimitAcceptsWhatThePictureDoesNot() throws {
        let fixture = try EncoderFixture(Self.record)
        let json = #"{"A":1,"U":1,"T":"","L":[{"B":1},{"B":10000}]}"#
        let encoded = try fixture.encode(json, encoding: RecordEncoder.Options(binaryLimit: .storage))
        #expect(Array(encoded.suffix(2)) == hexBytes("2710"))
    }

    @Test func tooLongTextIsAnError() throws {
        let fixture = try EncoderFixture(Self.record)
        #expect(fixture.error(#"{"A":1,"U":1,"T":"ABCD","L":[{"B":1},{"B":2}]}"#)
            == .textTooLong(record: 1, field: "T", bytes: 4, capacity: 3))
        #expect(fixture.error(#"{"A":1,"U":1,"T":"€","L":[{"B":1},{"B":2}]}"#)
            == .unmappableCharacter(record: 1, field: "T", character: "U+20AC", position: 0, codePage: "IBM037"))
    }

    @Test func missingAndMistypedFieldsAreErrors() throws {
        let fixture = try EncoderFixture(Self.record)
        #expect(fixture.error(#"{"A":1,"T":"","L":[{"B":1},{"B":2}]}"#, record: 3) == .missingField(record: 3, field: "U"))
        #expect(fixture.error(#"{"A":1,"U":1,"T":"","L":[{"B":1},{}]}"#) == .missingField(record: 1, field: "L[1].B"))
        #expect(fixture.error(#"{"A":"x","U":1,"T":"","L":[{"B":1},{"B":2}]}"#)
            == .typeMismatch(record: 1, field: "A", expected: "a number", found: "string"))
        #expect(fixture.error(#"{"A":1,"U":1,"T":5,"L":[{"B":1},{"B":2}]}"#)
            == .typeMismatch(record: 1, field: "T", expected: "a string", found: "number"))
        #expect(fixture.error(#"{"A":1,"U":1,"T":"","L":{"B":1}}"#)
            == .typeMismatch(record: 1, field: "L", expected: "an array", found: "object"))
        #expect(fixture.error(#"[1]"#) == .typeMismatch(record: 1, field: "REC", expected: "an object", found: "array"))
        guard case .invalidJSON(record: 1, _, _)? = fixture.error(#"{"A":1"#) else {
            Issue.record("truncated JSON must be invalidJSON")
            return
        }
    }

    @Test func extraKeysAreIgnored() throws {
        let fixture = try EncoderFixture(Self.record)
        let encoded = try fixture.encode(#"{"A":1,"U":1,"T":"","L":[{"B":1},{"B":2}],"_errors":[],"A_debug":"F0"}"#)
        #expect(encoded.count == fixture.layout.size)
    }
}
