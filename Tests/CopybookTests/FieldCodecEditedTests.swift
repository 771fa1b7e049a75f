@testable import Copybook
import CodePages
import Events
import Testing

@Suite("Edited numeric pictures")
struct FieldCodecEditedTests {
    static let ascii = try! CodePage(ccsid: 819)

    /// H18: encode applies the picture; decode reverses it to the same value.
    @Test(
        "pictures both ways", arguments: [
            ("Z(8)-", "-1234", "    1234-"), ("Z(8)-", "1234", "    1234 "), ("9(6).99-", "-12.5", "000012.50-"),
            ("+9(8)", "5", "+00000005"), ("9(8)+", "-5", "00000005-"), ("-9(8)", "7", " 00000007"),
            ("ZZZ,ZZ9.99CR", "-1234.5", "  1,234.50CR"), ("ZZZ,ZZ9.99CR", "1234.5", "  1,234.50  "),
            ("ZZ9.99DB", "-3", "  3.00DB"), ("$***,**9.99", "12.34", "$*****12.34"),
            ("--,---,--9.99", "-1234.5", "    -1,234.50"), ("--,---,--9.99", "-234", "      -234.00"),
            ("++++9", "12", "  +12"), ("++++9", "-12", "  -12"), ("$$$,$$9.99", "1234.56", " $1,234.56"),
            ("99/99/99", "123199", "12/31/99"), ("999B999", "123456", "123 456"), ("9990", "123", "1230"),
            ("Z(6)VZZ-", "-0.05", "      05-"), ("ZZZ.ZZ", "0.05", "   .05"), ("ZZZ.ZZ", "0", "      "),
            ("**9.99", "0", "**0.00"), ("ZZ9", "0", "  0"),
        ])
    func bothWays(picture: String, value: String, text: String) throws {
        let codec = try EditedNumericCodec(picture: picture, codePage: Self.ascii)
        let encoded = try codec.encode(decimal(value))
        #expect(String(decoding: encoded, as: UTF8.self) == text)
        guard case .number(let number) = try codec.decode(Array(text.utf8)) else { Issue.record("not a number"); return }
        #expect(try number.exactDecimal == decimal(value))
        #expect(number.scale == codec.shape.scale)
    }

    @Test("BLANK WHEN ZERO, blank fields and invalid characters")
    func blanks() throws {
        let bwz = try EditedNumericCodec(picture: "9(4).99", codePage: Self.ascii, blankWhenZero: true)
        #expect(String(decoding: try bwz.encode(decimal("0")), as: UTF8.self) == "       ")
        #expect(try json(bwz, "20202020202020") == "0.00")
        let plain = try EditedNumericCodec(picture: "9(4).99", codePage: Self.ascii)
        #expect(try json(plain, "20202020202020") == "blank")
        #expect(throws: FieldCodecError.self) { try plain.decode(Array("12X4.00".utf8)) }
        let ebcdic = try EditedNumericCodec(picture: "ZZ9.99-", codePage: CodePage(ccsid: 37))
        #expect(try json(ebcdic, "4040F54BF0F060") == "-5.00")
    }

    /// The JRecord GnuCOBOL fixtures start every record with `NumA PIC --,---,---,---,---,--9.99`.
    @Test("JRecord NumA picture")
    func numA() throws {
        let codec = try EditedNumericCodec(picture: "--,---,---,---,---,--9.99", codePage: Self.ascii)
        #expect(codec.byteCount == 25)
        let text = "      -12,345,678,901.23"
        let padded = String(repeating: " ", count: 25 - text.count) + text
        #expect(try json(codec, Array(padded.utf8).map { String($0, radix: 16) }.joined()) == "-12345678901.23")
        #expect(String(decoding: try codec.encode(decimal("-12345678901.23")), as: UTF8.self) == padded)
    }
}
