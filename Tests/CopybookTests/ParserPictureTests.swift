@testable import Copybook
import Testing

/// PICTURE strings: symbols, repetition, categories, digits, scale (P scaling, H7), lengths, edit patterns.
@Suite struct ParserPictureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var picture: String
        var category: Picture.Category
        var digits: Int
        var scale: Int
        var signed: Bool
        var length: Int
        var testDescription: String { picture }
    }

    static let cases: [Case] = [
        Case(picture: "X(10)", category: .alphanumeric, digits: 0, scale: 0, signed: false, length: 10),
        Case(picture: "XXX", category: .alphanumeric, digits: 0, scale: 0, signed: false, length: 3),
        Case(picture: "A(5)", category: .alphabetic, digits: 0, scale: 0, signed: false, length: 5),
        Case(picture: "A9X", category: .alphanumeric, digits: 0, scale: 0, signed: false, length: 3),
        Case(picture: "9(5)", category: .numeric, digits: 5, scale: 0, signed: false, length: 5),
        Case(picture: "S9(7)V99", category: .numeric, digits: 9, scale: 2, signed: true, length: 9),
        Case(picture: "s9(7)v9(2)", category: .numeric, digits: 9, scale: 2, signed: true, length: 9),
        Case(picture: "SV9(7)", category: .numeric, digits: 7, scale: 7, signed: true, length: 7),
        // H7: trailing P scales up (negative scale), leading P scales down (scale beyond the digits).
        Case(picture: "9(5)PPP", category: .numeric, digits: 5, scale: -3, signed: false, length: 5),
        Case(picture: "PPP9(5)", category: .numeric, digits: 5, scale: 8, signed: false, length: 5),
        Case(picture: "SPP99999", category: .numeric, digits: 5, scale: 7, signed: true, length: 5),
        Case(picture: "S9PPPV", category: .numeric, digits: 1, scale: -3, signed: true, length: 1),
        Case(picture: "SVPP999", category: .numeric, digits: 3, scale: 5, signed: true, length: 3),
        Case(picture: "P(3)9(2)", category: .numeric, digits: 2, scale: 5, signed: false, length: 2),
        Case(picture: "9(37)", category: .numeric, digits: 37, scale: 0, signed: false, length: 37),
        // Numeric-edited: Z, *, floating + - $ (all but the first are digit positions), CR DB, insertion . , B 0 /.
        Case(picture: "ZZ,ZZ9.99-", category: .numericEdited, digits: 7, scale: 2, signed: true, length: 10),
        Case(picture: "--,---,---,---,---,--9.99", category: .numericEdited, digits: 18, scale: 2, signed: true,
             length: 25),
        Case(picture: "+9(8)", category: .numericEdited, digits: 8, scale: 0, signed: true, length: 9),
        Case(picture: "9(8)+", category: .numericEdited, digits: 8, scale: 0, signed: true, length: 9),
        Case(picture: "Z(8)-", category: .numericEdited, digits: 8, scale: 0, signed: true, length: 9),
        Case(picture: "Z(6)VZZ-", category: .numericEdited, digits: 8, scale: 2, signed: true, length: 9),
        Case(picture: "9(6).99-", category: .numericEdited, digits: 8, scale: 2, signed: true, length: 10),
        Case(picture: "$$$,$$9.99CR", category: .numericEdited, digits: 7, scale: 2, signed: true, length: 12),
        Case(picture: "***,**9.99DB", category: .numericEdited, digits: 8, scale: 2, signed: true, length: 12),
        Case(picture: "99/99/99", category: .numericEdited, digits: 6, scale: 0, signed: false, length: 8),
        Case(picture: "999B999B000", category: .numericEdited, digits: 6, scale: 0, signed: false, length: 11),
        Case(picture: "S9(3).99", category: .numericEdited, digits: 5, scale: 2, signed: true, length: 6),
        Case(picture: "XXBXX/XX0", category: .alphanumericEdited, digits: 0, scale: 0, signed: false, length: 9),
        Case(picture: "N(4)", category: .national, digits: 0, scale: 0, signed: false, length: 4),
        Case(picture: "G(3)", category: .dbcs, digits: 0, scale: 0, signed: false, length: 3),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) throws {
        let picture = try PictureParser.parse(c.picture, source: "t.cpy", location: SourceLocation(line: 1, column: 1),
                                              field: "F")
        #expect(picture.source == c.picture)
        #expect(picture.category == c.category)
        #expect(picture.digits == c.digits)
        #expect(picture.scale == c.scale)
        #expect(picture.isSigned == c.signed)
        #expect(picture.displayLength == c.length)
    }

    @Test func editPatternIsExpanded() throws {
        let edited = try PictureParser.parse("Z(3)9.99CR", source: "t", location: SourceLocation(line: 1, column: 1),
                                             field: nil)
        #expect(edited.editPattern == "ZZZ9.99CR")
        let numeric = try PictureParser.parse("S9(3)V9", source: "t", location: SourceLocation(line: 1, column: 1),
                                              field: nil)
        #expect(numeric.editPattern == nil)
        #expect(numeric.expanded == "S999V9")
        #expect(numeric.scalingPositions == 0)
    }

    @Test(arguments: [
        ("X(0)", "at least 1"), ("9(", "unsigned integer"), ("SS9", "S may appear only once"),
        ("99V9V9", "only one"), ("X9V9", "cannot be combined"), ("9C", "CR or DB"), ("9E+2", "not supported"),
        ("9S", "first symbol"), ("P9P", "left or the right"), ("9(39)", "at most 38"), ("9Q", "unexpected character"),
    ])
    func rejects(_ picture: String, _ reason: String) {
        do {
            _ = try PictureParser.parse(picture, source: "t.cpy", location: SourceLocation(line: 3, column: 20),
                                        field: "AMT")
            Issue.record("\(picture) was accepted")
        } catch {
            #expect(error.description.hasPrefix("t.cpy:3:20: AMT: invalid PICTURE '\(picture)': "))
            #expect(error.description.contains(reason), "\(error)")
        }
    }
}
