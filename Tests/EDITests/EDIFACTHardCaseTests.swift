import EDI
import Events
import Testing

/// One test per EDIFACT hard case of edi-anchors.md §5 (17–21), plus truncation (11) for EDIFACT.
@Suite("EDIFACT hard cases (edi-anchors.md §5)")
struct EDIFACTHardCaseTests {
    @Test("11: missing UNZ is a structured error at end of input, not a hang")
    func truncation() {
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'UNH+1+X:D'UNT+2+1'"), chunkSize: 1)
        #expect(document.issues.map(\.expected) == ["UNZ"])
        #expect(document.interchanges.first?.messages.first?.isAccepted == true)
    }

    @Test("17: UNA absent → defaults; UNOB → IS separators; space repetition → none; decimal comma from UNA")
    func delimiterDefaults() throws {
        var reader = EDIFACTSegmentReader(bytes: EDIFACTFixture.bytes("UNB+UNOA:4+S+R+1:1+1'"))
        _ = try reader.next()
        #expect(reader.tokenizer.delimiters == .defaults(syntaxVersion: 4))
        var levelB = EDIFACTSegmentReader(bytes: Array("UNB\u{1D}UNOB\u{1F}3\u{1D}S\u{1C}".utf8))
        _ = try levelB.next()
        #expect(levelB.tokenizer.delimiters == .levelB)
        let advice = try EDIFACTDelimiters(serviceStringAdvice: Array(":+,? '".utf8), byteOffset: 3)
        #expect(advice.repetition == nil && advice.decimalMark == UInt8(ascii: ","))
    }

    @Test("18: release ?' ?+ ?: ?? ?. and a released line break are data; ??' ends the segment")
    func release() {
        let (segments, errors) = EDIFACTFixture.tokenize(EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'FTX+?'?+?:???.?\nx??'FTX+y'"))
        #expect(errors.isEmpty)
        #expect(segments.map(\.tag) == ["UNB", "FTX", "FTX"])
        #expect(segments[1].text(1) == "'+:?.\nx?")
    }

    @Test("19: CUX+3*1 in syntax version 4 gives two C504 repetitions, and is written back the same")
    func repetition() throws {
        let text = "UNB+UNOC:4+S+R+1:1+1'UNH+1+X:D'CUX+3*1'UNT+3+1'UNZ+1+1'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text))
        let cux = try #require(document.interchanges.first?.messages.first?.body.first)
        #expect(cux.elements[0].repetitions.count == 2)
        #expect(String(decoding: EDIFACTWriter.serialise(try #require(document.interchanges.first)), as: UTF8.self) == text)
        #expect(String(decoding: cux.jsonValue.encoded(), as: UTF8.self) == #"{"tag":"CUX","position":3,"elements":[{"repeats":["3","1"]}]}"#)
    }

    @Test("20: IEA, END and ISA inside an EDIFACT message are ordinary segments")
    func foreignTags() throws {
        let text = "UNB+UNOA:3+S+R+1:1+1'UNH+1+X:D'ISA+00'IEA+1:525'END+1'UNT+5+1'UNZ+1+1'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text))
        #expect(document.isValid)
        #expect(document.interchanges.first?.messages.first?.body.map(\.tag) == ["ISA", "IEA", "END"])
    }

    @Test("21: dates and ids keep leading zeros; the per-message JSON keeps text")
    func typedValues() throws {
        let text = "UNB+UNOA:4+LOCK:4+CBP:4+041013:1901+0016'UNH+007+PAXLST:D:03B:UN'RFF+RF:03'UNT+3+007'UNZ+1+0016'"
        let document = EDIFACTDocument(parsing: EDIFACTFixture.bytes(text))
        #expect(document.isValid)
        let interchange = try #require(document.interchanges.first)
        #expect(interchange.header.text(4) == "041013" && interchange.reference == "0016")
        let json = String(decoding: try #require(interchange.messages.first).jsonValue.encoded(), as: UTF8.self)
        #expect(json == #"{"reference":"007","identifier":["PAXLST","D","03B","UN"],"segmentCount":3,"accepted":true,"segments":[{"tag":"UNH","position":2,"elements":["007",["PAXLST","D","03B","UN"]]},{"tag":"RFF","position":3,"elements":[["RF","03"]]},{"tag":"UNT","position":4,"elements":["3","007"]}]}"#)
    }
}
