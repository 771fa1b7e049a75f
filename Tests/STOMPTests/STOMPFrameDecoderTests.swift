import STOMP
import Testing

@Suite("STOMP 1.2 frame codec")
struct STOMPFrameDecoderTests {
    static let message = STOMPFrame(
        command: "MESSAGE",
        headers: [("destination", "/queue/a"), ("message-id", "ID:1"), ("x-note", "a:b\nc\\d\re"), ("subscription", "s1")],
        body: Array("hello\0world".utf8))

    /// Decodes `bytes` delivered in the given chunk sizes (cycled).
    static func decodeAll(_ bytes: [UInt8], chunks: [Int], maximum: Int = 1 << 20) throws -> [STOMPFrame] {
        var decoder = STOMPFrameDecoder(maximumFrameBytes: maximum)
        var frames: [STOMPFrame] = []
        var position = 0
        var chunkIndex = 0
        while position < bytes.count {
            let size = max(1, chunks[chunkIndex % chunks.count])
            chunkIndex += 1
            let end = min(bytes.count, position + size)
            decoder.append(bytes[position..<end])
            position = end
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        return frames
    }

    @Test func roundTripsEscapedHeadersAndABodyWithNULs() throws {
        let encoded = Self.message.encoded
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(text.hasPrefix("MESSAGE\ndestination:/queue/a\nmessage-id:ID\\c1\nx-note:a\\cb\\nc\\\\d\\re\n"))
        #expect(text.contains("content-length:11\n\nhello\0world\0"))
        let frames = try Self.decodeAll(encoded, chunks: [encoded.count])
        #expect(frames.count == 1)
        #expect(frames.first?["x-note"] == "a:b\nc\\d\re")
        #expect(frames.first?.body == Array("hello\0world".utf8))
    }

    @Test(arguments: [[1], [2, 3, 5], [7, 1, 64], [1000]])
    func decodesStreamsInAnyChunking(chunks: [Int]) throws {
        var stream: [UInt8] = Array("\n\r\n".utf8)  // heart-beats first
        var expected: [STOMPFrame] = []
        var generator = SplitMix(seed: 42)
        for index in 0..<20 {
            let body = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let frame = STOMPFrame(
                command: index % 3 == 0 ? "RECEIPT" : "MESSAGE",
                headers: [("receipt-id", "r-\(index)"), ("colon:name", "v\(index)")],
                body: index % 3 == 0 ? [] : body)
            expected.append(frame)
            frame.encode(into: &stream)
            if index % 4 == 0 { stream += Array("\n".utf8) }
        }
        let frames = try Self.decodeAll(stream, chunks: chunks)
        // encode() adds content-length to frames with a body.
        let withoutLength = frames.map { frame in
            STOMPFrame(command: frame.command, headers: frame.headers.filter { $0.name != "content-length" }, body: frame.body)
        }
        #expect(frames.count == 20)
        #expect(withoutLength == expected, "frames differ")
    }

    @Test func readsBodiesWithoutContentLengthUpToTheNULAndAcceptsCRLF() throws {
        let text = "RECEIPT\r\nreceipt-id:77\r\n\r\n\0MESSAGE\nsubscription:1\n\nplain text\0"
        let frames = try Self.decodeAll(Array(text.utf8), chunks: [3])
        #expect(frames.count == 2)
        #expect(frames[0].command == "RECEIPT")
        #expect(frames[0]["receipt-id"] == "77")
        #expect(frames[1].body == Array("plain text".utf8))
    }

    @Test func keepsTheFirstOfRepeatedHeadersAndLeavesConnectedUnescaped() throws {
        let text = "CONNECTED\nversion:1.2\nserver:a\\cb\n\n\0MESSAGE\nfoo:1\nfoo:2\n\n\0"
        let frames = try Self.decodeAll(Array(text.utf8), chunks: [100])
        #expect(frames[0]["server"] == "a\\cb")
        #expect(frames[1]["foo"] == "1")
    }

    @Test func returnsNilAndConsumesNothingForAnIncompleteFrame() throws {
        var decoder = STOMPFrameDecoder()
        decoder.append(Array("MESSAGE\ncontent-length:5\n\nhel".utf8))
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.bufferedBytes == 29)
        decoder.append(Array("lo\0".utf8))
        #expect(try decoder.nextFrame()?.body == Array("hello".utf8))
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func refusesAContentLengthOverTheMaximumBeforeTheBodyArrives() {
        var decoder = STOMPFrameDecoder(maximumFrameBytes: 1024)
        decoder.append(Array("MESSAGE\ncontent-length:5000\n\n".utf8))
        #expect(throws: STOMPWireError.frameTooLarge(offset: 0, size: 5030, maximum: 1024)) { try decoder.nextFrame() }
    }

    @Test func refusesAnEndlessFrameOnceItPassesTheMaximum() throws {
        var decoder = STOMPFrameDecoder(maximumFrameBytes: 100)
        decoder.append(Array("MESSAGE\n\n".utf8) + [UInt8](repeating: 65, count: 80))
        #expect(try decoder.nextFrame() == nil)
        decoder.append([UInt8](repeating: 65, count: 80))
        #expect(throws: STOMPWireError.self) { try decoder.nextFrame() }
        var headers = STOMPFrameDecoder(maximumFrameBytes: 100)
        headers.append(Array("MESSAGE\n".utf8) + Array(repeating: Array("x:y\n".utf8), count: 40).flatMap { $0 })
        #expect(throws: STOMPWireError.self) { try headers.nextFrame() }
    }

    @Test(arguments: [
        ("MESSAGE\nno-colon\n\n\0", "header line without ':'"),
        ("MESSAGE\nbad:\\t\n\n\0", "undefined escape sequence in a header"),
        ("MESSAGE\ncontent-length:x\n\n\0", "content-length is not a byte count"),
        ("MESSAGE\ncontent-length:2\n\nabc\0", "no NUL after content-length 2"),
    ])
    func rejectsMalformedFrames(text: String, reason: String) {
        var decoder = STOMPFrameDecoder()
        decoder.append(Array(text.utf8))
        #expect {
            try decoder.nextFrame()
        } throws: { error in
            guard case .malformed(_, let why) = error as? STOMPWireError else { return false }
            return why == reason
        }
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
