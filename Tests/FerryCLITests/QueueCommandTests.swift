import Foundation
import Testing

/// `ferry queue` on spool directories, through the built binary.
@Suite struct QueueCommandTests {
    static func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ferry-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func sendBrowseReceiveOnASpoolQueue() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let queue = "spool:\(root.path)/IN"
        let sent = try FerryProcess.run(
            ["queue", "send", queue, "--header", "x-batch=7", "--header", "x-eq=a=b", "--correlation-id", "c-1",
             "--reply-to", "OUT", "--priority", "6", "--ttl", "60s"],
            input: Data("first\nsecond\n\u{1}third\n".utf8))
        #expect(sent.status == 0, "\(sent)")
        #expect(sent.output.isEmpty)

        let browsed = try FerryProcess.run(["queue", "browse", queue])
        #expect(browsed.status == 0, "\(browsed)")
        #expect(browsed.outputLines.count == 3)
        let first = try Self.object(try #require(browsed.outputLines.first))
        #expect(first["body"] as? String == "first")
        #expect(first["destination"] as? String == "IN")
        #expect(first["correlation_id"] as? String == "c-1")
        #expect(first["reply_to"] as? String == "OUT")
        #expect(first["priority"] as? Int == 6)
        #expect(first["persistent"] as? Bool == true)
        #expect(first["retry_count"] as? Int == 0)
        #expect(first["properties"] as? [String: String] == ["x-batch": "7", "x-eq": "a=b"])
        let timestamp = try #require(first["timestamp"] as? Int)
        #expect(first["expires"] as? Int == timestamp + 60_000)

        // A plain path names the same queue.
        let received = try FerryProcess.run(["queue", "receive", "\(root.path)/IN", "--count", "2"])
        #expect(received.status == 0, "\(received)")
        #expect(try received.outputLines.map { try Self.object($0)["body"] as? String } == ["first", "second"])
        let rest = try FerryProcess.run(["queue", "receive", queue, "--count", "0", "--timeout", "100ms"])
        #expect(rest.outputLines.count == 1)
        #expect(rest.output.contains(#""body":"\u0001third""#))
        let empty = try FerryProcess.run(["queue", "browse", queue])
        #expect(empty.output.isEmpty)
    }

    @Test func fileSendsOneMessageWithItsBytesExactly() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("body.bin")
        try Data([0xFF, 0x00, 0x0A, 0x0D, 0x0A]).write(to: file)
        let sent = try FerryProcess.run(["queue", "send", "\(root.path)/IN", "--file", file.path, "--bytes"])
        #expect(sent.status == 0, "\(sent)")
        let received = try FerryProcess.run(["queue", "receive", "\(root.path)/IN"])
        let line = try Self.object(try #require(received.outputLines.first))
        #expect(line["body_base64"] as? String == "/wAKDQo=")
        #expect(line["kind"] as? String == "bytes")
    }

    @Test func nackRetriesThenDeadLettersWithTheReason() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let queue = "spool:\(root.path)/IN"
        _ = try FerryProcess.run(["queue", "send", queue], input: Data("poison\n".utf8))
        for attempt in 0...1 {
            let run = try FerryProcess.run(["queue", "receive", queue, "--nack", "--max-retries", "1", "--reason", "bad amount"])
            #expect(run.status == 0, "\(run)")
            #expect(try Self.object(try #require(run.outputLines.first))["retry_count"] as? Int == attempt)
        }
        let none = try FerryProcess.run(["queue", "receive", queue, "--timeout", "50ms"])
        #expect(none.output.isEmpty)
        #expect(none.errorOutput == "note: 0 of 1 messages arrived within 50ms each\n")
        let dead = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/IN/dead")
        #expect(dead == ["00000000000000000001.1"])
        let text = try String(contentsOfFile: "\(root.path)/IN/dead/\(dead[0])", encoding: .utf8)
        #expect(text.contains("property.ferry-dead-letter-reason:bad amount\n"))
    }

    @Test func usageErrorsNameTheProblem() throws {
        let badHeader = try FerryProcess.run(["queue", "send", "/tmp/x/IN", "--header", "novalue"])
        #expect(badHeader.status == 2)
        #expect(badHeader.errorOutput.contains("--header expects NAME=VALUE, got 'novalue'"))
        let badURL = try FerryProcess.run(["queue", "browse", "stomp://127.0.0.1:1"])
        #expect(badURL.status == 2, "\(badURL)")
        #expect(badURL.errorOutput.contains("names no destination"))
        let refused = try FerryProcess.run(["queue", "browse", "stomp://127.0.0.1:1/queue/a"])
        #expect(refused.status == 1)
        #expect(refused.errorOutput.contains("cannot connect to 127.0.0.1:1"), "\(refused)")
    }
}
