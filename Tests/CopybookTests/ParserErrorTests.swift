import Copybook
import Testing

/// Errors name file, line, column and field, with what was expected and what was found.
@Suite struct ParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var lines: [String]
        var message: String
        var testDescription: String { message }
    }

    /// Program text starts in column 8 (7 spaces are prefixed), so columns below are 7 + position in the string.
    static let cases: [Case] = [
        Case(lines: ["01 CLAIM.", "   05 CLAIM-AMT PIC ."],
             message: "claims.cpy:2:28: CLAIM-AMT: expected a PICTURE string after PIC, found '.'"),
        Case(lines: ["01 CLAIM.", "   05 CLAIM-AMT PIC 9(3) USAGE IS FLOATY."],
             message: "claims.cpy:2:42: CLAIM-AMT: expected a USAGE (DISPLAY, COMP, COMP-3, …), found 'FLOATY'"),
        Case(lines: ["01 CLAIM.", "   05 CLAIM-AMT PIC 9(3) WIDGET."],
             message: "claims.cpy:2:33: CLAIM-AMT: expected a clause (PIC, USAGE, OCCURS, REDEFINES, VALUE, SIGN, SYNC, …) or '.', found 'WIDGET'"),
        Case(lines: ["01 CLAIM.", "   XX CLAIM-ID PIC X."],
             message: "claims.cpy:2:11: expected a level number (01–49, 66, 77 or 88), found 'XX'"),
        Case(lines: ["01 CLAIM.", "   05 CLAIM-ID."],
             message: "claims.cpy:2:11: CLAIM-ID: expected a PICTURE clause for an elementary display item, found none"),
        Case(lines: ["01 CLAIM.", "   05 CLAIM-ID PIC XXV9."],
             message: "claims.cpy:2:27: CLAIM-ID: invalid PICTURE 'XXV9': X and A cannot be combined with S, V, P or numeric editing symbols"),
        Case(lines: ["01 CLAIM.", "   05 CLAIM-ID PIC X(0)."],
             message: "claims.cpy:2:27: CLAIM-ID: invalid PICTURE 'X(0)': a repetition count must be at least 1"),
        Case(lines: ["01 CLAIM.", "   05 N PIC 9.", "   05 T PIC X OCCURS 1 TO 5 DEPENDING ON COUNTER."],
             message: "claims.cpy:3:49: T: 'COUNTER': DEPENDING ON names no item of this record"),
        Case(lines: ["01 CLAIM.", "   05 A PIC X.", "   05 B REDEFINES MISSING PIC X."],
             message: "claims.cpy:3:26: B: 'MISSING': REDEFINES must name an earlier item at the same level"),
        Case(lines: ["01 CLAIM.", "   05 T PIC X OCCURS 1 TO 5."],
             message: "claims.cpy:2:35: T: expected DEPENDING ON after OCCURS 1 TO 5, found '.'"),
        Case(lines: ["01 CLAIM.", "   05 T PIC X OCCURS 5 TO 2 DEPENDING ON X."],
             message: "claims.cpy:2:22: T: OCCURS 5 TO 2: the maximum must be at least 1 and not below the minimum"),
        Case(lines: ["01 CLAIM.", "   05 G PIC X.", "      10 C PIC X."],
             message: "claims.cpy:2:11: G: an item with a PICTURE cannot have subordinate items (level 10 C follows it)"),
        Case(lines: ["01 CLAIM.", "   05 N PIC X COMP-3."],
             message: "claims.cpy:2:20: N: USAGE packedDecimal needs a numeric PICTURE (9, S, V, P), not 'X'"),
        Case(lines: ["01 CLAIM.", "   05 A PIC X VALUE 'OPEN."],
             message: "claims.cpy:2:28: A: expected the closing ' of the literal, found the end of the copybook"),
        Case(lines: ["01 CLAIM.", "   05 A PIC X.", "66 R RENAMES NOPE."],
             message: "claims.cpy:3:21: R: 'NOPE': RENAMES names no item of the preceding record"),
        Case(lines: ["   88 LONELY VALUE 'X'."],
             message: "claims.cpy:1:11: LONELY: a level-88 condition must follow the item it describes"),
        Case(lines: ["01 CLAIM.", "   05 A PIC S9 SIGN LEADING SEPARATE X."],
             message: "claims.cpy:2:45: A: expected a clause (PIC, USAGE, OCCURS, REDEFINES, VALUE, SIGN, SYNC, …) or '.', found 'X'"),
    ]

    @Test(arguments: cases)
    func reportsPositionAndField(_ c: Case) {
        let text = c.lines.map { "       " + $0 }.joined(separator: "\n")
        do {
            let copybook = try Copybook(parsing: text, sourceName: "claims.cpy")
            Issue.record("accepted: \(copybook.records.map(\.name))")
        } catch {
            #expect(error.description == c.message)
            #expect(error.source == "claims.cpy")
        }
    }

    @Test func errorPropertiesAreStructured() {
        do {
            _ = try Copybook(parsing: "       01 CLAIM.\n           05 CLAIM-AMT PIC .\n", sourceName: "claims.cpy")
            Issue.record("accepted")
        } catch {
            guard case .syntax(let source, let location, let field, let expected, let found) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(source == "claims.cpy")
            #expect(location == SourceLocation(line: 2, column: 29))
            #expect(field == "CLAIM-AMT")
            #expect(expected == "a PICTURE string after PIC")
            #expect(found == "'.'")
        }
    }

    @Test func emptyCopybookIsAnError() {
        #expect(throws: CopybookError.self) { try Copybook(parsing: "      * only a comment\n") }
    }
}
