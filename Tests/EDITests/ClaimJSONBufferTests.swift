@testable import EDI
import Events
import Foundation
import Testing

/// The writer's own byte buffer: same JSON strings as ``JSONWriter`` (escapes, UTF-8 repair), integers as `String`
/// prints them, growth keeping the bytes, and the writer's value semantics over shared buffers.
@Suite struct ClaimJSONBufferTests {
    /// The JSON string ``JSONWriter`` writes for the `String` the model makes of `bytes`.
    private static func modelJSONString(_ bytes: [UInt8]) -> [UInt8] {
        var writer = JSONWriter()
        writer.writeString(String(decoding: bytes, as: UTF8.self))
        return writer.bytes
    }

    /// Every length 0…40 with one byte of each kind (quote, backslash, control, DEL, non-ASCII, invalid UTF-8)
    /// at every position: the eight-bytes-at-a-time check sees it wherever it sits in a word.
    @Test func stringsEqualTheModelsWhereverTheSpecialByteSits() {
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x0A], [0x01], [0x1F], [0x7F], [0x20], [0xC3, 0xA9], [0xFF], [0x80]]
        let buffer = ClaimJSONBuffer(capacity: 16)
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(0x41 + $0 % 26) }
            var cases = [plain]
            for special in specials {
                for position in 0...length {
                    cases.append(Array(plain[..<position]) + special + Array(plain[position...]))
                }
            }
            for bytes in cases {
                buffer.removeAll()
                bytes.withUnsafeBytes { buffer.appendJSONString($0) }
                let written = Array(buffer.bytes)
                #expect(written == Self.modelJSONString(bytes), "\(bytes)")
            }
        }
    }

    @Test func integersAsStringPrintsThem() {
        let buffer = ClaimJSONBuffer()
        for value in [0, 1, 9, 10, 99, 100, 12345, -1, -10, -987654321, Int.max, Int.min] {
            buffer.removeAll()
            buffer.appendDecimalInteger(value)
            #expect(Array(buffer.bytes) == Array(String(value).utf8))
        }
    }

    /// Appends past the initial capacity keep every byte; a copy is independent of its source.
    @Test func growthKeepsTheBytesAndCopiesAreIndependent() {
        let buffer = ClaimJSONBuffer(capacity: 16)
        var expected: [UInt8] = []
        for index in 0..<5000 {
            let part = Array("member\(index),".utf8)
            part.withUnsafeBytes { buffer.append($0) }
            expected += part
        }
        #expect(Array(buffer.bytes) == expected)
        let copy = buffer.copy()
        buffer.appendLiteral("tail")
        #expect(Array(copy.bytes) == expected)
        #expect(Array(buffer.bytes) == expected + Array("tail".utf8))
    }

    /// A writer copied in the middle of a claim writes, from then on, the same events as the original, and the
    /// original's whole output is what a writer never copied writes: the copies share no buffer once one writes.
    @Test(arguments: [1, 2, 5, 11])
    func copiedWriterWritesAsTheOriginal(seed: Int) {
        let input = ClaimEventEquivalence.generated(seed: UInt64(seed), sets: 2)
        var views: [(bytes: [UInt8], delimiters: X12Delimiters, position: Int, offset: Int, terminated: Bool)] = []
        input.withUnsafeBytes { raw in
            try? X12SegmentFramer.forEachSegment(in: raw, allowsUnterminatedFinalSegment: true) { view in
                views.append((Array(view.bytes), view.delimiters, view.position, view.byteOffset, view.isTerminated))
            }
        }
        func feed(_ writer: inout X12ClaimEventWriter, _ range: Range<Int>, to json: inout JSONWriter) {
            for index in range {
                let segment = views[index]
                segment.bytes.withUnsafeBytes { raw in
                    let view = X12SegmentView(
                        bytes: raw, delimiters: segment.delimiters, position: segment.position,
                        byteOffset: segment.offset, isTerminated: segment.terminated)
                    writer.consume(view, to: &json)
                }
            }
        }
        // Cut inside a claim: just after the first service line that follows a claim's CLM, past the middle.
        let cut = (views.count / 2..<views.count).first { views[$0].bytes.starts(with: Array("SV1".utf8)) } ?? views.count / 2
        var reference = X12ClaimEventWriter()
        var referenceJSON = JSONWriter()
        feed(&reference, 0..<views.count, to: &referenceJSON)
        reference.finish()

        var original = X12ClaimEventWriter()
        var originalJSON = JSONWriter()
        feed(&original, 0..<cut, to: &originalJSON)
        let before = originalJSON.bytes.count
        var copy = original
        var copyJSON = JSONWriter()
        // Interleaved, so buffers shared by the two would mix their claims.
        for index in cut..<views.count {
            feed(&original, index..<(index + 1), to: &originalJSON)
            feed(&copy, index..<(index + 1), to: &copyJSON)
        }
        original.finish()
        copy.finish()
        #expect(originalJSON.bytes == referenceJSON.bytes)
        #expect(copyJSON.bytes == Array(originalJSON.bytes[before...]))
        #expect(!copyJSON.bytes.isEmpty)
    }
}
