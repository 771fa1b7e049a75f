import Foundation
import Testing

/// `ferry queue` against the real ActiveMQ, through the built binary.
@Suite("ferry queue on ActiveMQ (real broker from scripts/test)")
struct QueueCLITests {
    /// The built `ferry` beside the test bundle.
    static func ferry() throws -> URL {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("ferry")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw TestEnvironmentError.toolMissing(variable: "-", what: "the built ferry executable", path: "ferry")
    }

    static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = try ferry()
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    @Test func sendBrowseReceiveAndNackThroughTheBinary() throws {
        let broker = try TestEnvironment.current.stompBroker()
        let name = "ferry.cli.\(UUID().uuidString.prefix(8))"
        let url = "stomp://\(broker.host):\(broker.port)/queue/\(name)"
        let dlq = "/queue/\(name).DLQ"
        let sent = try Self.run(["queue", "send", url, "--header", "x-run=1", "--correlation-id", "c9", "--priority", "8"], input: "a\nb\nc\n")
        #expect(sent.status == 0, "\(sent.error)")
        let browsed = try Self.run(["queue", "browse", url])
        #expect(browsed.status == 0, "\(browsed.error)")
        #expect(browsed.output.split(separator: "\n").count == 3)
        let received = try Self.run(["queue", "receive", url, "--count", "2"])
        #expect(received.status == 0, "\(received.error)")
        let lines = received.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["body"] as? String == "a")
        #expect(first["correlation_id"] as? String == "c9")
        #expect(first["priority"] as? Int == 8)
        #expect(first["persistent"] as? Bool == true)
        #expect((first["properties"] as? [String: String])?["x-run"] == "1")
        // The last one is rejected once more than allowed: it lands in the dead-letter queue with the reason.
        let rejected = try Self.run(["queue", "receive", url, "--nack", "--max-retries", "0", "--dead-letter", dlq, "--reason", "cli test"])
        #expect(rejected.status == 0, "\(rejected.error)")
        let dead = try Self.run(["queue", "receive", "stomp://\(broker.host):\(broker.port)\(dlq)"])
        #expect(dead.status == 0, "\(dead.error)")
        #expect(dead.output.contains(#""body":"c""#))
        #expect(dead.output.contains(#""ferry-dead-letter-reason":"cli test""#))
        #expect(dead.output.contains(#""ferry-original-destination":"/queue/\#(name)""#))
        let empty = try Self.run(["queue", "receive", url, "--timeout", "300ms"])
        #expect(empty.output.isEmpty)
    }
}
