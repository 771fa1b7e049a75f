import ByteCoding
import EDI
import Foundation
import Testing

@Suite("X12 tokenizer")
struct X12TokenizerTests {
    static let inputs: [String] = [
        X12Fixture.interchange(),
        X12Fixture.interchange(suffix: "\r\n  ") + X12Fixture.interchange(element: "|", component: ">", repetition: "!", terminator: "\u{2026}", suffix: "\n", controlNumber: "000000002"),
        X12Fixture.interchange(terminator: "\n", suffix: "\t", groups: 2, sets: 2),
        X12Fixture.interchange(terminator: "\r", suffix: "\n"),
    ]

    @Test(arguments: inputs.indices)
    func chunkingDoesNotChangeTheResult(index: Int) throws {
        let bytes = Array(Self.inputs[index].utf8)
        let whole = try tokenizeInMemory(bytes).get()
        #expect(!whole.isEmpty)
        #expect(tokenizeChunked(bytes) { bytes.count } == .success(whole))
        #expect(tokenizeChunked(bytes) { 1 } == .success(whole))
        var random = SplitMix64(seed: UInt64(index))
        for _ in 0..<20 {
            #expect(tokenizeChunked(bytes) { Int.random(in: 1...40, using: &random) } == .success(whole))
        }
    }

    @Test func manyInterchangesRedetectDelimiters() throws {
        let result = try tokenizeInMemory(Array(Self.inputs[1].utf8)).get()
        let isas = result.filter { $0.id == "ISA" }
        #expect(isas.count == 2)
        #expect(isas[1].delimiters.element == UInt8(ascii: "|"))
        #expect(isas[1].delimiters.repetition == UInt8(ascii: "!"))
        #expect(result.last?.delimiters.segmentTerminator == Array("\u{2026}".utf8))
        #expect(result.map(\.position) == Array(1...result.count))
    }

    @Test func offsetsPointAtSegmentStarts() throws {
        let text = Self.inputs[2]
        let bytes = Array(text.utf8)
        for segment in try tokenizeInMemory(bytes).get() {
            #expect(Array(bytes[segment.byteOffset..<segment.byteOffset + segment.bytes.count]) == segment.bytes)
        }
    }

    @Test func elementsRepetitionsAndComponents() throws {
        let text = X12Fixture.interchange(body: ["HI*BK:1739^BF:V7389**", "SE**"])
        var checked = 0
        try withEachSegment(text) { view in
                if view.hasID("HI"), let hi01 = view.element(1) {
                    #expect(view.elementCount == 3)
                    #expect(hi01.repetitionCount == 2)
                    #expect(hi01.repetition(2)?.component(2)?.text == "V7389")
                    #expect(view.element(2)?.isEmpty == true)
                    #expect(view.element(3)?.isEmpty == true)
                    #expect(view.element(4) == nil)
                    let copy = view.copy()
                    #expect(copy.elements.count == 3)
                    #expect(copy.elements[0].repetitions == [[Array("BK".utf8), Array("1739".utf8)], [Array("BF".utf8), Array("V7389".utf8)]])
                    checked += 1
                } else if view.hasID("SE") && view.elementCount == 2 && view.element(1)?.isEmpty == true {
                    checked += 1
                }
        }
        #expect(checked == 2)
    }

    @Test func fileDescriptorReadingMatchesInMemory() throws {
        let bytes = Array((0..<200).map { X12Fixture.interchange(controlNumber: String(format: "%09d", $0)) }.joined(separator: "\n").utf8)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-x12-\(UUID().uuidString).x12")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let fd = open(url.path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var read: [TokenizedSegment] = []
        try X12Tokenizer.forEachSegment(readingFrom: fd, chunkSize: 97) { read.append(TokenizedSegment($0)) }
        #expect(read == (try tokenizeInMemory(bytes).get()))
        #expect(read.count == 1600)
    }

    @Test func bufferStaysBoundedOnLongInput() throws {
        var tokenizer = X12Tokenizer(maximumSegmentLength: 4096)
        let chunk = Array(X12Fixture.interchange(sets: 50).utf8)
        var segments = 0
        var peak = 0
        for _ in 0..<400 {  // ~ 400 × 4.7 KB ≈ 1.9 MB
            tokenizer.append(contentsOf: chunk)
            peak = max(peak, tokenizer.bufferedByteCount)
            while try tokenizer.nextSegment({ _ in () }) != nil { segments += 1 }
            #expect(tokenizer.bufferedByteCount < 200)
        }
        tokenizer.finish()
        while try tokenizer.nextSegment({ _ in () }) != nil { segments += 1 }
        #expect(segments == 400 * (4 + 50 * 4))
        #expect(peak <= chunk.count + 200)
    }

    @Test func overlongSegmentIsRejectedNotBuffered() {
        let text = X12Fixture.isa() + "NTE*" + String(repeating: "A", count: 10_000)
        let expected = X12Error.segmentTooLong(offset: 106, position: 2, maximum: 4096)
        #expect(tokenizeChunked(Array(text.utf8), maximumSegmentLength: 4096) { 100 } == .failure(expected))
    }

    @Test func garbageBetweenSegmentsIsLocated() {
        let text = X12Fixture.isa() + "GS*HC~\u{01}\u{02}garbage~"
        #expect(tokenizeInMemory(Array(text.utf8)) == .failure(.invalidSegmentID(offset: 112, position: 3, found: [1, 2, 0x67])))
        let doubled = X12Fixture.isa() + "GS*HC~~"
        #expect(tokenizeInMemory(Array(doubled.utf8)) == .failure(.emptySegment(offset: 112, position: 3)))
    }

    @Test func missingTerminatorAtEndIsLocated() {
        let text = X12Fixture.isa() + "GS*HC~ST*837"
        #expect(tokenizeInMemory(Array(text.utf8)) == .failure(.missingSegmentTerminator(offset: 112, position: 3)))
    }

    /// Noise, truncations and corruptions of a valid file: never a crash, and the same answer however chunked.
    @Test func noiseAndTruncationNeverCrash() {
        var random = SplitMix64(seed: 42)
        var inputs: [[UInt8]] = []
        for length in [0, 1, 3, 4, 10, 200, 2000] {
            inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        let valid = Array(X12Fixture.interchange(suffix: "\r\n").utf8)
        for cut in stride(from: 0, to: valid.count, by: 3) { inputs.append(Array(valid[0..<cut])) }
        for _ in 0..<100 {
            var corrupted = valid
            for _ in 0..<3 { corrupted[Int.random(in: 0..<corrupted.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            inputs.append(corrupted)
        }
        inputs.append(Array(X12Fixture.isa().utf8) + (0..<500).map { _ in UInt8.random(in: 0...255, using: &random) })
        for input in inputs {
            let whole = tokenizeInMemory(input)
            #expect(tokenizeChunked(input) { 1 } == whole)
            #expect(tokenizeChunked(input) { Int.random(in: 1...64, using: &random) } == whole)
            if case .success(let segments) = whole, !input.isEmpty, !segments.isEmpty {
                #expect(segments.first?.id == "ISA")
            }
        }
    }

    @Test func bodyErrorConsumesTheSegmentAndTokenizingContinues() throws {
        var tokenizer = X12Tokenizer()
        tokenizer.append(contentsOf: Array(X12Fixture.interchange().utf8))
        tokenizer.finish()
        let refusal = X12Error.unexpectedSegment(position: 1, segmentID: "ISA", expected: "test refusal")
        #expect(throws: refusal) { _ = try tokenizer.nextSegment { (_) throws(X12Error) -> Int in throw refusal } }
        var ids: [String] = []
        try tokenizer.forEachAvailableSegment { ids.append($0.id) }
        #expect(ids == ["GS", "ST", "BHT", "NM1", "SE", "GE", "IEA"])
    }

    @Test func pipeReadingMatchesInMemory() throws {
        let bytes = Array(X12Fixture.interchange(terminator: "\n", groups: 3, sets: 3).utf8)
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let written = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        #expect(written == bytes.count)
        var read: [TokenizedSegment] = []
        try X12Tokenizer.forEachSegment(readingFrom: fds[0], chunkSize: 5) { read.append(TokenizedSegment($0)) }
        #expect(read == (try tokenizeInMemory(bytes).get()))
    }
}
