import EDI
import Foundation
import Testing

@Suite("X12 delimiters")
struct X12DelimiterTests {
    private func segments(_ text: String) throws -> [TokenizedSegment] {
        try tokenizeInMemory(Array(text.utf8)).get()
    }

    @Test func standardISA() throws {
        let result = try segments(X12Fixture.interchange())
        let isa = try #require(result.first)
        #expect(isa.id == "ISA")
        #expect(isa.bytes.count == 105)
        #expect(isa.delimiters == X12Delimiters(element: UInt8(ascii: "*"), component: UInt8(ascii: ":"),
                                                 repetition: UInt8(ascii: "^"), segmentTerminator: [UInt8(ascii: "~")]))
        #expect(result.map(\.id) == ["ISA", "GS", "ST", "BHT", "NM1", "SE", "GE", "IEA"])
    }

    @Test(arguments: [
        ("U", "00501", nil), ("^", "00401", nil), ("!", "00402", UInt8(ascii: "!")), ("`", "00402", UInt8(ascii: "`")),
        (">", "00501", UInt8(ascii: ">")), ("^", "00501", UInt8(ascii: "^")), ("U", "00401", nil),
    ] as [(String, String, UInt8?)])
    func repetitionSeparatorRules(isa11: String, isa12: String, expected: UInt8?) throws {
        let text = X12Fixture.isa(repetition: isa11, version: isa12) + "IEA*0*000000001~"
        let isa = try #require(try segments(text).first)
        #expect(isa.delimiters.repetition == expected)
    }

    @Test func isaIsNotSplitByItsOwnSeparators() throws {
        var checked = false
        try withEachSegment(X12Fixture.isa(repetition: "!", component: ">")) { view in
            #expect(view.element(11)?.text == "!")
            #expect(view.element(16)?.text == ">")
            #expect(view.element(11)?.repetitionCount == 1)
            #expect(view.elementCount == 16)
            checked = true
        }
        #expect(checked)
    }

    @Test func utf8BOMIsStripped() throws {
        let bytes = [0xEF, 0xBB, 0xBF] + Array(X12Fixture.interchange().utf8)
        let result = try tokenizeInMemory(bytes).get()
        #expect(result.first?.id == "ISA")
        #expect(result.first?.byteOffset == 3)
    }

    @Test func utf16IsRejected() {
        let le = Array(X12Fixture.interchange().utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(tokenizeInMemory(le) == .failure(.unsupportedEncoding(encoding: "UTF-16LE", offset: 0)))
        let be = Array(X12Fixture.interchange().utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(tokenizeInMemory(be) == .failure(.unsupportedEncoding(encoding: "UTF-16BE", offset: 0)))
        #expect(tokenizeInMemory([0xFF, 0xFE] + le) == .failure(.unsupportedEncoding(encoding: "UTF-16LE", offset: 0)))
    }

    @Test func crlfAndIndentationAfterTerminatorAreWhitespace() throws {
        let plain = try segments(X12Fixture.interchange())
        let spaced = try segments(X12Fixture.interchange(suffix: "\r\n\t  "))
        #expect(spaced.map(\.bytes) == plain.map(\.bytes))
        #expect(spaced.map(\.position) == Array(1...plain.count))
    }

    @Test func newlineTerminatorWithIndentation() throws {
        let result = try segments(X12Fixture.interchange(terminator: "\n", suffix: "    "))
        #expect(result.first?.delimiters.segmentTerminator == [0x0A])
        #expect(result.map(\.id) == ["ISA", "GS", "ST", "BHT", "NM1", "SE", "GE", "IEA"])
        #expect(result[3].bytes.first == UInt8(ascii: "B"))
    }

    @Test func carriageReturnTerminatorFollowedByLineFeed() throws {
        let result = try segments(X12Fixture.interchange(terminator: "\r", suffix: "\n  "))
        #expect(result.first?.delimiters.segmentTerminator == [0x0D])
        #expect(result.count == 8)
        #expect(result.allSatisfy { !$0.bytes.contains(0x0A) && !$0.bytes.contains(0x0D) })
    }

    @Test func controlCharacterAndMultiByteTerminators() throws {
        let gs = try segments(X12Fixture.interchange(terminator: "\u{1D}", suffix: "\r\n"))
        #expect(gs.first?.delimiters.segmentTerminator == [0x1D])
        #expect(gs.count == 8)
        let ellipsis = try segments(X12Fixture.interchange(terminator: "\u{2026}", suffix: "\n"))
        #expect(ellipsis.first?.delimiters.segmentTerminator == [0xE2, 0x80, 0xA6])
        #expect(ellipsis.map(\.id) == ["ISA", "GS", "ST", "BHT", "NM1", "SE", "GE", "IEA"])
    }

    @Test func unusualSeparators() throws {
        let result = try segments(X12Fixture.interchange(element: "~", component: "^", repetition: "U", terminator: "_", suffix: "\r\n"))
        let isa = try #require(result.first)
        #expect(isa.delimiters == X12Delimiters(element: UInt8(ascii: "~"), component: UInt8(ascii: "^"),
                                                 repetition: nil, segmentTerminator: [UInt8(ascii: "_")]))
        #expect(result.map(\.id) == ["ISA", "GS", "ST", "BHT", "NM1", "SE", "GE", "IEA"])
    }

    @Test func nonFixedWidthISAFoundBySixteenthSeparator() throws {
        let text = "ISA*00**00**ZZ*S*ZZ*R*210101*1253*U*00401*000000001*0*T*:~IEA*0*000000001~"
        let result = try segments(text)
        #expect(result.map(\.id) == ["ISA", "IEA"])
        #expect(result[0].delimiters.component == UInt8(ascii: ":"))
        var validator = X12EnvelopeValidator()
        try withEachSegment(text) { validator.consume($0) }
        validator.finish()
        let width = try #require(text.firstIndex(of: "~")).utf16Offset(in: text) + 1
        #expect(width < 106)
        #expect(validator.issues == [.isaNotFixedWidth(position: 1, width: width)])
    }

    @Test func componentSeparatorSplitsComposites() throws {
        let text = X12Fixture.interchange(component: "|", body: ["SV1*HC|99213|25*40*UN*1"])
        var seen = false
        try withEachSegment(text) { view in
            guard view.hasID("SV1"), let sv101 = view.element(1) else { return }
            #expect(sv101.componentCount == 3)
            #expect(sv101.component(2)?.text == "99213")
            #expect(sv101.component(4) == nil)
            seen = true
        }
        #expect(seen)
    }

    @Test func missingISAIsFatal() {
        let text = "GS*HC*S*R*20210101*1253*1*X*005010X222A1~"
        #expect(tokenizeInMemory(Array(text.utf8)) == .failure(.missingISA(offset: 0, found: "GS*")))
    }

    @Test func isaWithoutTerminatorIsRejected() {
        let isa = String(X12Fixture.isa().dropLast())
        #expect(tokenizeInMemory(Array(isa.utf8)) == .failure(.missingSegmentTerminator(offset: 0, position: 1)))
        let cut = String(isa.prefix(60))
        #expect(tokenizeInMemory(Array(cut.utf8)) == .failure(.truncatedISA(offset: 0)))
    }

    @Test func isaInsideAnElementDoesNotRestartTheInterchange() throws {
        let result = try segments(X12Fixture.interchange(body: ["NM1*IL*1*ISAAC*JOHN", "ISAB*1"]).replacingOccurrences(of: "ISAB*1~", with: ""))
        #expect(result.filter { $0.id == "ISA" }.count == 1)
    }

    @Test func alphanumericDelimitersAreRejected() {
        let text = X12Fixture.isa(component: "A") + "IEA*0*000000001~"
        #expect(tokenizeInMemory(Array(text.utf8)) == .failure(.invalidDelimiter(role: "component", offset: 104, byte: UInt8(ascii: "A"))))
    }
}
