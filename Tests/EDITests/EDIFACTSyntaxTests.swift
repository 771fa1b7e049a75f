import EDI
import Events
import Foundation
import Testing

@Suite("EDIFACT syntax: delimiters, release, chunking")
struct EDIFACTSyntaxTests {
    @Test("UNA sets all six service characters; space repetition means none")
    func serviceStringAdvice() throws {
        let input = EDIFACTFixture.bytes("UNA|^,\\ ~UNB^UNOA|2^S^R^990802|1557^1~UNH^1^X|D~FTX^a\\~b\\^c\\|d^1,5~UNT^3^1~UNZ^1^1~")
        let (segments, errors) = EDIFACTFixture.tokenize(input)
        #expect(errors.isEmpty)
        #expect(segments.map(\.tag) == ["UNA", "UNB", "UNH", "FTX", "UNT", "UNZ"])
        let ftx = segments[3]
        #expect(ftx.text(1) == "a~b^c|d")
        #expect(ftx.normalisedNumber(2) == "1.5")
        var reader = EDIFACTSegmentReader(bytes: input)
        _ = try reader.next()
        let delimiters = try #require(reader.tokenizer.delimiters)
        #expect(delimiters.component == UInt8(ascii: "|"))
        #expect(delimiters.element == UInt8(ascii: "^"))
        #expect(delimiters.decimalMark == UInt8(ascii: ","))
        #expect(delimiters.release == UInt8(ascii: "\\"))
        #expect(delimiters.repetition == nil)
        #expect(delimiters.segmentTerminator == UInt8(ascii: "~"))
    }

    @Test("Without UNA: defaults; repetition '*' only from syntax version 4", arguments: [(3, false), (4, true)])
    func defaultsBySyntaxVersion(version: Int, repeats: Bool) {
        let input = EDIFACTFixture.bytes("UNB+UNOA:\(version)+S+R+990802:1557+1'UNH+1+X:D'CUX+3*1'UNT+3+1'UNZ+1+1'")
        let (segments, errors) = EDIFACTFixture.tokenize(input)
        #expect(errors.isEmpty)
        let cux = segments[2]
        if repeats {
            #expect(cux.elements[0].repetitions == [[[UInt8(ascii: "3")]], [[UInt8(ascii: "1")]]])
        } else {
            #expect(cux.text(1) == "3*1")
        }
    }

    @Test("Level B without UNA uses IS1/IS3/IS4 and has no release character")
    func levelBSeparators() {
        let input: [UInt8] = Array("UNB\u{1D}UNOB\u{1F}3\u{1D}S\u{1D}R\u{1D}990802\u{1F}1557\u{1D}7\u{1C}UNH\u{1D}1\u{1D}X\u{1F}D\u{1C}FTX\u{1D}it's ?+:\u{1C}UNT\u{1D}3\u{1D}1\u{1C}UNZ\u{1D}1\u{1D}7\u{1C}".utf8)
        let document = EDIFACTDocument(parsing: input)
        #expect(document.syntaxErrors.isEmpty)
        #expect(document.issues.isEmpty)
        let message = try? #require(document.interchanges.first?.messages.first)
        #expect(message?.body.first?.text(1) == "it's ?+:")
        #expect(document.interchanges.first?.delimiters == .levelB)
    }

    @Test("Release character: ?' ?+ ?: ?? ?* and a released decimal mark are data; ??' ends the segment")
    func releaseCharacter() {
        let input = EDIFACTFixture.bytes("UNA:+.?*'UNB+UNOC:4+S+R+1:1+1'FTX+a?'b?+c?:d??e?*f?.g'FTX+x??'FTX+y'")
        let (segments, errors) = EDIFACTFixture.tokenize(input)
        #expect(errors.isEmpty)
        #expect(segments.map(\.tag) == ["UNA", "UNB", "FTX", "FTX", "FTX"])
        #expect(segments[2].text(1) == "a'b+c:d?e*f.g")
        #expect(segments[2].elements.count == 1)
        #expect(segments[3].text(1) == "x?")
        #expect(segments[4].text(1) == "y")
    }

    @Test("Whitespace between segments is skipped; line breaks before a terminator are data")
    func whitespace() {
        let input = EDIFACTFixture.bytes("\u{FEFF}\r\n UNB+UNOA:3+S+R+1:1+1'\r\n\tUNH+1+X:D'\nFTX+line\r\n'  UNT+3+1'\nUNZ+1+1'\n")
        let (segments, errors) = EDIFACTFixture.tokenize(input)
        #expect(errors.isEmpty)
        #expect(segments.map(\.tag) == ["UNB", "UNH", "FTX", "UNT", "UNZ"])
        #expect(segments[2].text(1) == "line\r\n")
        #expect(segments[1].byteOffset == 30)
    }

    @Test("Decimal comma and point normalise to an exact decimal")
    func decimalNormalisation() throws {
        let input = EDIFACTFixture.bytes("UNA:+,? 'UNB+UNOA:3+S+R+1:1+1'MOA+66:19,9'MOA+66:-,5'MOA+66:12.'MOA+66:1A'")
        let (segments, _) = EDIFACTFixture.tokenize(input)
        #expect(try segments[2].decimal(1, 2)?.description == "19.9")
        #expect(segments[3].normalisedNumber(1, 2) == "-0.5")
        #expect(segments[4].normalisedNumber(1, 2) == "12")
        #expect(throws: EDIFACTValueError.self) { try segments[5].decimal(1, 2) }
        #expect(try segments[5].decimal(1, 3) == nil)
    }

    @Test("UNOA repertoire: characters outside it are reported with their location, not dropped")
    func repertoireWarning() {
        let input = EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'UNH+1+X:D'NAD+BY++Büttner:x'UNT+3+1'UNZ+1+1'")
        var reader = EDIFACTSegmentReader(bytes: input)
        var nad: EDIFACTSegment?
        while let segment = try? reader.next() { if segment.tag == "NAD" { nad = segment } }
        #expect(nad?.text(3) == "Büttner")
        let kinds = reader.tokenizer.warnings.map(\.kind)
        #expect(kinds == [
            .characterOutsideRepertoire(syntaxIdentifier: "UNOA", elementIndex: 3, componentIndex: 1),
            .characterOutsideRepertoire(syntaxIdentifier: "UNOA", elementIndex: 3, componentIndex: 2),
        ])
        #expect(reader.tokenizer.warnings.first?.segmentPosition == 3)
    }

    @Test("UNOC decodes as Latin-1; UTF-8 in an unknown syntax is kept")
    func characterSets() {
        let latin1: [UInt8] = Array("UNB+UNOC:3+S+R+1:1+1'FTX+M".utf8) + [0xFC] + Array("nchen'".utf8)
        #expect(EDIFACTFixture.tokenize(latin1).segments[1].text(1) == "München")
        #expect(EDIFACTCharacterSet(syntaxIdentifier: "UNOY") == .utf8(identifier: "UNOY"))
    }

    @Test("Invalid UNA is a located error", arguments: ["UNA:+.?:'", "UNA:+x? '", "UNA:+;? '"])
    func invalidServiceStringAdvice(text: String) {
        let (_, errors) = EDIFACTFixture.tokenize(EDIFACTFixture.bytes(text + "UNB+UNOA:3+S+R+1:1+1'"))
        guard case .invalidServiceStringAdvice(let offset, _)? = errors.first else {
            Issue.record("expected invalidServiceStringAdvice, got \(errors)")
            return
        }
        #expect((3...8).contains(offset))
    }

    @Test("Junk before UNB is skipped with a warning")
    func junkBeforeInterchange() {
        var reader = EDIFACTSegmentReader(bytes: EDIFACTFixture.bytes("%PDF-junk UNB+UNOA:3+S+R+1:1+1'UNZ+0+1'"))
        var tags: [String] = []
        while let segment = try? reader.next() { tags.append(segment.tag) }
        #expect(tags == ["UNB", "UNZ"])
        #expect(reader.tokenizer.warnings.first?.kind == .skippedBytesBeforeInterchange(count: 10))
    }

    @Test("Bad tags, unterminated segments and dangling releases are located errors and reading continues")
    func locatedErrors() {
        let (segments, errors) = EDIFACTFixture.tokenize(EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'un+x'TOOLONG+1'UNZ+0+1'UNB+UNOA:3+S+R+1:1+2'FTX+a"))
        #expect(segments.map(\.tag) == ["UNB", "UNZ", "UNB"])
        #expect(errors.count == 3)
        #expect(errors.first == .invalidSegmentTag(segmentPosition: 2, byteOffset: 21, found: "75 6E 2B 78"))
        #expect(errors.last == .unterminatedSegment(segmentPosition: 6, byteOffset: 65, tag: "FTX"))
        let (_, dangling) = EDIFACTFixture.tokenize(EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'FTX+a?"))
        #expect(dangling == [.danglingRelease(byteOffset: 26)])
    }

    @Test("A segment over the configured maximum is skipped, and the next one read")
    func segmentTooLong() {
        let input = EDIFACTFixture.bytes("UNB+UNOA:3+S+R+1:1+1'FTX+" + String(repeating: "A", count: 300) + "'UNZ+0+1'")
        var reader = EDIFACTSegmentReader(bytes: input, chunkSize: 7, configuration: .init(maximumSegmentBytes: 64))
        var tags: [String] = []
        var errors: [EDIFACTReadError] = []
        while true {
            do { guard let segment = try reader.next() else { break }; tags.append(segment.tag) } catch { errors.append(error) }
        }
        #expect(tags == ["UNB", "UNZ"])
        #expect(errors == [.syntax(.segmentTooLong(segmentPosition: 2, byteOffset: 21, limit: 64))])
    }

    static let chunkInput = EDIFACTFixture.bytes(
        "\r\nUNA:+.?*'\nUNB+UNOC:4+S:1+R:1+990420:1137+17'\nUNH+30+INVOIC:D:03B:UN'\nIMD+F++::::Tolkien?'s ?? x'\nCUX+3*1'\nMOA+66:49.15:GBP'\nUNT+5+30'\nUNZ+1+17'\nUNB+UNOA:3+S+R+1:1+18'UNZ+0+18'")

    @Test("Feeding in any chunk size gives the same segments", arguments: [1, 2, 3, 5, 8, 13, 64, 4096])
    func chunkBoundaries(chunkSize: Int) {
        let whole = EDIFACTFixture.tokenize(Self.chunkInput)
        let chunked = EDIFACTFixture.tokenize(Self.chunkInput, chunkSize: chunkSize)
        #expect(whole.errors.isEmpty && chunked.errors.isEmpty)
        #expect(chunked.segments.count == 10)
        #expect(chunked.segments == whole.segments)
    }

    @Test("Random chunking of the tokenizer directly matches whole-input tokenizing")
    func randomChunks() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var tokenizer = EDIFACTTokenizer()
            var segments: [EDIFACTSegment] = []
            var offset = 0
            while offset < Self.chunkInput.count {
                let end = min(Self.chunkInput.count, offset + Int.random(in: 1...20, using: &generator))
                tokenizer.append(Self.chunkInput[offset..<end])
                offset = end
                while let segment = try tokenizer.nextSegment() { segments.append(segment) }
            }
            while let segment = try tokenizer.nextSegment(endOfInput: true) { segments.append(segment) }
            #expect(segments == EDIFACTFixture.tokenize(Self.chunkInput).segments)
        }
    }

    @Test("Reading from a file descriptor matches reading from memory")
    func fileDescriptor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("edifact-\(UUID().uuidString).edi")
        try Data(Self.chunkInput).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let handle = try FileHandle(forReadingFrom: path)
        defer { try? handle.close() }
        var reader = EDIFACTSegmentReader(fileDescriptor: handle.fileDescriptor, chunkSize: 16)
        let document = EDIFACTDocument(reading: &reader)
        #expect(document.isValid)
        #expect(reader.tokenizer.consumedByteCount == Self.chunkInput.count)
        #expect(document.segmentCount == 10)
        #expect(document.interchanges.map(\.reference) == ["17", "18"])
    }

    @Test("Random bytes and mutated interchanges never crash and end in bounded time")
    func garbage() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var input = Self.chunkInput
            if round % 3 == 0 {
                input = (0..<Int.random(in: 0...400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                for _ in 0..<Int.random(in: 1...12, using: &generator) {
                    input[Int.random(in: 0..<input.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            let document = EDIFACTDocument(parsing: input, chunkSize: Int.random(in: 1...32, using: &generator))
            #expect(document.segmentCount <= input.count)
            for interchange in document.interchanges {
                _ = EDIFACTWriter.serialise(interchange)
                _ = EDIFACTControlReport(acknowledging: interchange).segments
            }
        }
    }
}
