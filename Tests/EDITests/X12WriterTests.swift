import ByteCoding
import EDI
import Testing

@Suite("X12 writer")
struct X12WriterTests {
    @Test(arguments: [
        X12Fixture.interchange(body: ["HI*BK:1739^BF:V7389**", "CLM*A37*500***11:B:1*Y*A*Y*I", "SE**"]),
        X12Fixture.interchange(element: "~", component: "^", repetition: "U", terminator: "_"),
        X12Fixture.interchange(terminator: "\u{2026}", groups: 2, sets: 2),
    ])
    func parseThenWriteReproducesTheInput(text: String) throws {
        let segments = try tokenizeInMemory(Array(text.utf8)).get()
        var writer = ByteWriter()
        for segment in segments {
            var owned: X12Segment?
            try withEachSegment(text) { view in if view.position == segment.position { owned = view.copy() } }
            try X12Writer(delimiters: segment.delimiters).write(try #require(owned), to: &writer)
        }
        #expect(writer.bytes == Array(text.utf8))
    }

    @Test func rewritingWithOtherDelimitersKeepsTheValues() throws {
        let text = X12Fixture.interchange(body: ["HI*BK:1739^BF:V7389", "NM1*IL*1*SMITH"])
        var owned: [X12Segment] = []
        try withEachSegment(text) { owned.append($0.copy()) }
        let other = X12Delimiters(element: UInt8(ascii: "|"), component: UInt8(ascii: ">"), repetition: UInt8(ascii: "!"),
                                  segmentTerminator: [0x0A])
        let bytes = try X12Writer(delimiters: other).write(owned)
        let reread = try tokenizeInMemory(bytes).get()
        #expect(reread.first?.delimiters == other)
        var rereadOwned: [X12Segment] = []
        try withEachSegment(String(decoding: bytes, as: UTF8.self)) { rereadOwned.append($0.copy()) }
        // ISA11 and ISA16 follow the new delimiters; everything else is identical.
        #expect(rereadOwned.dropFirst() == owned.dropFirst())
        #expect(rereadOwned[0].element(16)?.text == ">")
        #expect(rereadOwned[0].element(11)?.text == "!")
        #expect(rereadOwned[0].element(13)?.text == "000000001")
    }

    @Test func delimiterInsideAValueIsRefused() {
        let writer = X12Writer(delimiters: .standard)
        #expect(throws: X12Error.delimiterInValue(segmentID: "NM1", element: 3, byte: UInt8(ascii: "*"))) {
            _ = try writer.write([X12Segment("NM1", "IL", "1", "SM*TH")])
        }
        #expect(throws: X12Error.delimiterInValue(segmentID: "NTE", element: 1, byte: UInt8(ascii: "~"))) {
            _ = try writer.write([X12Segment("NTE", "A~B")])
        }
    }

    @Test func segmentSuffixAndComposites() throws {
        let writer = X12Writer(delimiters: .standard, segmentSuffix: [0x0A])
        let segment = X12Segment(id: "SV1", elements: [X12Element(components: ["HC", "99213", "25"]), X12Element("40"), X12Element("")])
        #expect(try writer.write([segment, X12Segment("SE", "4", "0001")]) == Array("SV1*HC:99213:25*40*~\nSE*4*0001~\n".utf8))
    }

    @Test func repetitionNeedsASeparator() throws {
        let repeated = X12Segment(id: "HI", elements: [X12Element(repetitions: [[Array("BK".utf8)], [Array("BF".utf8)]])])
        #expect(try X12Writer(delimiters: .standard).write([repeated]) == Array("HI*BK^BF~".utf8))
        var noRepetition = X12Delimiters.standard
        noRepetition.repetition = nil
        #expect(throws: X12Error.repetitionWithoutSeparator(segmentID: "HI", element: 1)) {
            _ = try X12Writer(delimiters: noRepetition).write([repeated])
        }
        var emptied = X12Element("x")
        emptied.repetitions = []
        #expect(emptied.text == "" && emptied.isEmpty)
        #expect(try X12Writer(delimiters: .standard).write([X12Segment(id: "NTE", elements: [emptied])]) == Array("NTE*~".utf8))
    }
}
