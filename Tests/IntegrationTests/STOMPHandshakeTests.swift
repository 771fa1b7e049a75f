import ByteCoding
import Testing

/// One STOMP frame as the broker sent it: just enough of STOMP 1.2 to check a handshake.
///
/// Headers keep their order; a repeated header's first value wins (STOMP 1.2, "Repeated Header Entries").
struct ProbedSTOMPFrame {
    let command: String
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// Why bytes are not a STOMP frame.
    enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAFrame(offset: Int, reason: String)
        case bytes(ByteCodingError)

        var description: String {
            switch self {
            case let .notAFrame(offset, reason): "not a STOMP frame at byte \(offset): \(reason)"
            case let .bytes(error): "not a STOMP frame: \(error)"
            }
        }
    }

    /// Parses one NUL-terminated frame; leading EOLs (heart-beats) are skipped.
    init(parsing reader: inout ByteReader) throws(ParseError) {
        do {
            while let byte = reader.peekByte(), byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try reader.skip(1)
            }
            let commandOffset = reader.absoluteOffset
            command = try Self.readLine(&reader)
            guard !command.isEmpty else { throw ParseError.notAFrame(offset: commandOffset, reason: "empty command") }
            var headers: [(name: String, value: String)] = []
            while true {
                let lineOffset = reader.absoluteOffset
                let line = try Self.readLine(&reader)
                if line.isEmpty { break }
                guard let colon = line.firstIndex(of: ":") else {
                    throw ParseError.notAFrame(offset: lineOffset, reason: "header line without ':'")
                }
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            self.headers = headers
            var body: [UInt8] = []
            while true {
                let byte = try reader.readByte()
                if byte == 0 { break }
                body.append(byte)
            }
            self.body = body
        } catch let error as ParseError {
            throw error
        } catch let error as ByteCodingError {
            throw .bytes(error)
        } catch {
            throw .notAFrame(offset: reader.absoluteOffset, reason: "\(error)")
        }
    }

    /// Reads through the next LF, dropping a CR before it.
    private static func readLine(_ reader: inout ByteReader) throws(ByteCodingError) -> String {
        var line: [UInt8] = []
        while true {
            let byte = try reader.readByte()
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }

    /// Reads the next frame from `probe` within `timeout`.
    static func read(from probe: TCPProbe, timeout: Duration = .seconds(5)) throws -> ProbedSTOMPFrame {
        let bytes = try probe.read(through: 0, maximum: 1 << 20, timeout: timeout, waitingFor: "a STOMP frame")
        return try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            let frame = try ProbedSTOMPFrame(parsing: &reader)
            guard reader.isAtEnd else {
                throw ParseError.notAFrame(offset: reader.absoluteOffset, reason: "bytes after the NUL")
            }
            return frame
        }
    }
}

@Suite("ActiveMQ answers STOMP 1.2 (real broker from scripts/test)")
struct STOMPHandshakeTests {
    @Test func connectIsAnsweredWithAConnectedFrameForVersion12() throws {
        let broker = try TestEnvironment.current.stompBroker()
        let probe = try broker.connect()
        try probe.write(Array("CONNECT\naccept-version:1.2\nhost:localhost\n\n\0".utf8))

        let connected = try ProbedSTOMPFrame.read(from: probe)
        #expect(connected.command == "CONNECTED", "\(broker) answered \(connected.command): \(connected.headers)")
        #expect(connected.header("version") == "1.2")
        #expect(connected.header("session")?.isEmpty == false)
        #expect(connected.body.isEmpty)

        let receipt = "ferry-probe-\(UInt32.random(in: 1...UInt32.max))"
        try probe.write(Array("DISCONNECT\nreceipt:\(receipt)\n\n\0".utf8))
        let answer = try ProbedSTOMPFrame.read(from: probe)
        #expect(answer.command == "RECEIPT")
        #expect(answer.header("receipt-id") == receipt)
        // After the RECEIPT for a DISCONNECT the server closes the connection, with at most heart-beat EOLs before.
        let trailing = try probe.readUntilClosed(maximum: 64, timeout: .seconds(5))
        #expect(trailing.allSatisfy { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
    }

    @Test func connectOfferingOnlyAnUnsupportedVersionIsRefusedWithAnErrorFrame() throws {
        let broker = try TestEnvironment.current.stompBroker()
        let probe = try broker.connect()
        try probe.write(Array("CONNECT\naccept-version:9.9\nhost:localhost\n\n\0".utf8))
        let answer = try ProbedSTOMPFrame.read(from: probe)
        #expect(answer.command == "ERROR", "\(broker) accepted version 9.9: \(answer.headers)")
    }
}

@Suite struct ProbedSTOMPFrameTests {
    @Test func parsesCommandHeadersAndBodyAfterHeartBeats() throws {
        let bytes = Array("\n\r\nCONNECTED\r\nversion:1.2\nserver:ActiveMQ/5.17.2\nversion:1.1\n\nhi\0".utf8)
        try bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            let frame = try ProbedSTOMPFrame(parsing: &reader)
            #expect(frame.command == "CONNECTED")
            #expect(frame.header("version") == "1.2")
            #expect(frame.headers.count == 3)
            #expect(frame.header("server") == "ActiveMQ/5.17.2")
            #expect(frame.body == Array("hi".utf8))
            #expect(reader.isAtEnd)
        }
    }

    @Test(arguments: ["CONNECTED\nversion:1.2\n\n", "CONNECTED\nno-colon\n\n\0", "\n\n"])
    func rejectsIncompleteOrMalformedFrames(text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            #expect(throws: ProbedSTOMPFrame.ParseError.self) { try ProbedSTOMPFrame(parsing: &reader) }
        }
    }
}
