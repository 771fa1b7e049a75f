import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Testing

/// `ferry bridge` with a `requestReply` endpoint as the built binary: a request relayed through the legacy service,
/// then SIGHUP after the file switched the route to modern, then a request answered through Kafka; SIGTERM drains.
@Suite("ferry bridge request-reply with SIGHUP reload (real brokers from scripts/test)", .serialized)
struct RequestReplyCLITests {
    static func waitFor(_ text: String, in file: URL, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let contents = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            if contents.contains(text) { return contents }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("'\(text)' did not appear in \(file.path): \((try? String(contentsOf: file, encoding: .utf8)) ?? "")")
        return ""
    }

    @Test func reloadsRoutesOnSIGHUPWithoutRestart() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: "kafka://\(kafka.host):\(kafka.port)"))
        defer { client.close() }
        try await client.createTopic("rr-cli-req-\(run)", partitions: 1)
        try await client.createTopic("rr-cli-rep-\(run)", partitions: 1)
        let requests = "/queue/ferry.test.rrcli.\(run)"
        let legacy = requests + ".LEGACY"
        func configuration(route: String) -> String {
            """
            {"requestReply": [{"name": "rr", "requests": {"queue": "stomp://\(stomp.host):\(stomp.port)\(requests)"},
              "kafka": "kafka://\(kafka.host):\(kafka.port)", "requestTopic": "rr-cli-req-\(run)",
              "replyTopic": "rr-cli-rep-\(run)", "deadLetterQueue": "\(requests).DLQ", "legacyServiceQueue": "\(legacy)",
              "defaultRoute": "\(route)", "timeoutMilliseconds": 20000, "replyFetchWaitMilliseconds": 20}]}
            """
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-rr-cli-\(run)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let configFile = scratch.appendingPathComponent("bridge.json")
        let errorFile = scratch.appendingPathComponent("stderr")
        try Data(configuration(route: "legacy").utf8).write(to: configFile)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let bridge = Process()
        bridge.executableURL = try KafkaCLITests.ferry()
        bridge.arguments = ["bridge", "--config", configFile.path]
        bridge.standardOutput = FileHandle.nullDevice
        bridge.standardError = try FileHandle(forWritingTo: errorFile)
        try bridge.run()
        defer { if bridge.isRunning { bridge.terminate() } }
        _ = try await Self.waitFor("bridge: running rr", in: errorFile)
        try await Task.sleep(for: .milliseconds(500))  // the router's reply consumer at the log end

        let caller = try await STOMPClient.connect(try STOMPQueueTests.configuration())
        let replies = requests + ".caller"
        func request(_ correlation: String) -> QueueMessage {
            var message = QueueMessage(text: #"{"claimId":"C1"}"#)
            message.replyTo = replies
            message.correlationID = correlation
            return message
        }
        // 1. Route legacy: the request reaches the legacy queue; its reply is relayed with the caller's correlation.
        try await caller.send(request("first"), to: requests)
        let atLegacy = try #require(try await caller.receive(from: legacy, timeout: .seconds(20)))
        try await caller.reply(to: atLegacy, with: QueueMessage(text: #"{"from":"legacy"}"#))
        try await caller.acknowledge(atLegacy)
        let first = try #require(try await caller.receive(from: replies, timeout: .seconds(20)))
        #expect(first.message.correlationID == "first" && first.message.body == Array(#"{"from":"legacy"}"#.utf8))
        try await caller.acknowledge(first)

        // 2. The file now says modern; SIGHUP applies it.
        try Data(configuration(route: "modern").utf8).write(to: configFile)
        kill(bridge.processIdentifier, SIGHUP)
        _ = try await Self.waitFor("bridge: routes reloaded (rr)", in: errorFile)
        try await caller.send(request("second"), to: requests)
        var iterator = KafkaConsumer(client: client, assignment: [("rr-cli-req-\(run)", 0, .earliest)]).makeAsyncIterator()
        let record = try #require(try await iterator.next())
        let correlation = try #require(record.record.headers.first { $0.name == "kafka_correlationId" })
        #expect(record.record.headers.first { $0.name == "kafka_replyTopic" }?.textValue == "rr-cli-rep-\(run)")
        let producer = try KafkaProducer(client: client)
        _ = try await producer.send(
            StreamRecord(key: nil, value: Array(#"{"from":"modern"}"#.utf8), headers: [correlation], timestamp: 0),
            topic: "rr-cli-rep-\(run)", partition: 0)
        await producer.close()
        let second = try #require(try await caller.receive(from: replies, timeout: .seconds(20)))
        #expect(second.message.correlationID == "second" && second.message.body == Array(#"{"from":"modern"}"#.utf8))
        try await caller.acknowledge(second)
        #expect(try await caller.receive(from: legacy, timeout: .milliseconds(300)) == nil, "nothing more went to legacy")
        try await caller.close()

        // 3. SIGTERM: drained, counters on stderr.
        bridge.terminate()
        bridge.waitUntilExit()
        #expect(bridge.terminationStatus == 0)
        let output = try String(contentsOf: errorFile, encoding: .utf8)
        #expect(output.contains(#""request_reply":"rr","requests":2,"routed_legacy":1,"routed_modern":1,"routed_shadow":0,"replies_delivered":2"#), "\(output)")
    }
}
