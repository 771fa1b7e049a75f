import Copybook
import Testing

/// Reference formats: fixed (sequence area, indicator column, areas A/B, identification area) and free.
@Suite struct CopybookLexingTests {
    @Test func fixedFormatIgnoresSequenceAndIdentificationAreas() throws {
        let text = """
            000100 01  CLAIM-RECORD.                                                 CLAIMS01
            ABCDEF     05  CLAIM-ID        PIC X(10).                                XXXXXXXX
            \t   05  CLAIM-AMT       PIC S9(7)V99 COMP-3.                         99999999
            """
        let copybook = try Copybook(parsing: text, sourceName: "claims.cpy")
        #expect(copybook.sourceFormat == .fixed)
        let record = try #require(copybook.records.first)
        #expect(record.name == "CLAIM-RECORD")
        #expect(record.items.map(\.name) == ["CLAIM-RECORD", "CLAIM-ID", "CLAIM-AMT"])
        #expect(record.size == 15)
    }

    @Test func columnsBeyond72AreIgnoredEvenInsideAWord() throws {
        // Column 73 onwards holds "PIC X(99)" which must not be read.
        let line = "       01  R.\n           05  A" + String(repeating: " ", count: 72 - 16) + "PIC X(99).\n"
            + "               PIC X(3)."
        let copybook = try Copybook(parsing: line)
        #expect(copybook.records[0].size == 3)
    }

    @Test func commentLinesAndDebuggingLines() throws {
        let text = """
                   01  R.
                  * 05 X PIC X(50).
                  / 05 Y PIC X(50).
                  D 05 Z PIC X(50).
                       05  A  PIC X.    *> 05 B PIC X(9).
                   ****** banner in area A
                       05  B  PIC XX.
            """
        let parsed = try Copybook(parsing: text)
        #expect(parsed.records[0].items.map(\.name) == ["R", "A", "B"])
        #expect(parsed.records[0].size == 3)
    }

    @Test func continuedAlphanumericLiteralRunsToColumn72() throws {
        // The literal on the first line ends at column 72 (its trailing spaces count), then continues after the
        // quote on the '-' line.
        let first = "           05  GREETING PIC X(80) VALUE 'HELLO"
        let padded = first + String(repeating: " ", count: 72 - first.count)
        let text = "       01  R.\n" + padded + "\n      -    'WORLD'.\n"
        let copybook = try Copybook(parsing: text)
        let item = try CopybookFixture.item(copybook, "GREETING")
        let expected = "HELLO" + String(repeating: " ", count: 72 - first.count) + "WORLD"
        #expect(item.value == .alphanumeric(expected))
    }

    @Test func continuedWord() throws {
        let text = """
                   01  R.
                       05  CUSTOMER-NA
                  -        ME PIC X(4).
            """
        let copybook = try Copybook(parsing: text)
        #expect(copybook.records[0].items.map(\.name) == ["R", "CUSTOMER-NAME"])
    }

    @Test func freeFormatIsDetected() throws {
        let text = """
            *> free-format copybook
            01 CLAIM-RECORD.
              05 CLAIM-ID PIC X(10). *> the key
              05 CLAIM-AMOUNT-IN-CENTS-FOR-THE-WHOLE-CLAIM PIC S9(7)V99 COMP-3 VALUE -12.50.
            """
        let copybook = try Copybook(parsing: text)
        #expect(copybook.sourceFormat == .free)
        #expect(copybook.records[0].size == 15)
        #expect(try CopybookFixture.item(copybook, "CLAIM-AMOUNT-IN-CENTS-FOR-THE-WHOLE-CLAIM").value == .numeric("-12.50"))
    }

    @Test func explicitFormatOverridesDetection() throws {
        // Read as fixed, columns 1–7 are dropped: "01 R." loses its level number.
        let text = "01 R.\n  05 A PIC X.\n"
        #expect(throws: CopybookError.self) {
            try Copybook(parsing: text, options: CopybookOptions(sourceFormat: .fixed))
        }
        let free = try Copybook(parsing: text, options: CopybookOptions(sourceFormat: .free))
        #expect(free.records[0].size == 1)
    }

    @Test func tabsExpandToEightColumnStops() throws {
        // A tab in the sequence area takes the text to column 9 (area A/B), as a fixed-format compiler reads it.
        let text = "\t01  R.\n\t    05  A\n\t\tPIC X(3)."
        let copybook = try Copybook(parsing: text)
        #expect(copybook.sourceFormat == .fixed)
        #expect(copybook.records[0].items.map(\.name) == ["R", "A"])
        #expect(copybook.records[0].size == 3)
    }

    @Test func periodsInsidePicturesAreNotSeparators() throws {
        let copybook = try CopybookFixture.fixed(["01 R.", "    05 A PIC 9(5).99.", "    05 B PIC X."])
        let a = try CopybookFixture.item(copybook, "A")
        #expect(a.picture?.source == "9(5).99")
        #expect(a.storageSize == 8)
        #expect(copybook.records[0].size == 9)
    }

    @Test func crLineEndingsAndLowerCase() throws {
        let text = "       01  rec.\r\n           05  fld  pic x(4) value 'ab''c'.\r\n"
        let copybook = try Copybook(parsing: text)
        let item = try CopybookFixture.item(copybook, "fld")
        #expect(item.name == "fld")
        #expect(item.value == .alphanumeric("ab'c"))
    }
}
