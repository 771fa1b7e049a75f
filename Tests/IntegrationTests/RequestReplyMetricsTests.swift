import Bridge
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import LegacyQueue
import StreamLog
import Testing

/// The request-reply families of `/metrics` after a known mix of requests: a spool request queue and legacy
/// service in process, the request and reply topics on the real Kafka broker of `scripts/test`.
@Suite("Request-reply metrics on a spool queue and tansu (real Kafka from scripts/test)", .serialized)
struct RequestReplyMetricsTests {
    /// `name{labels} value` lines of `text` as a dictionary keyed by `name{labels}`.
    static func samples(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }

    @Test("5 modern, 3 legacy, 1 timed-out request and 1 unknown reply: counts, held times and round trips per route, over HTTP")
    func knownMix() async throws {
        let kafka = try TestEnvironment.current.kafkaBroker()
        let runID = String(UUID().uuidString.prefix(8)).lowercased()
        let root = NSTemporaryDirectory() + "ferry-rr-metrics-\(runID)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spool = try SpoolDirectoryQueue(root: root)
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: "kafka://\(kafka.host):\(kafka.port)"))
        defer { client.close() }
        let requestTopic = "rr-metrics-requests-\(runID)"
        let replyTopic = "rr-metrics-replies-\(runID)"
        try await client.createTopic(requestTopic, partitions: 1)
        try await client.createTopic(replyTopic, partitions: 1)
        var configuration = RequestReplyConfiguration(
            name: "metrics-\(runID)", requests: "spool:\(root)/REQ", kafka: "kafka://\(kafka.host):\(kafka.port)",
            requestTopic: requestTopic, replyTopic: replyTopic, deadLetterQueue: "DLQ",
            routes: RouteTable(defaultRoute: .modern, routes: ["old": .legacy]))
        configuration.legacyServiceQueue = "LEGACY"
        configuration.legacyReplyQueue = "LEGACY-REPLIES"
        // Long enough that a modern reply on freshly started brokers under load still beats it (800 ms did not,
        // in CI-like runs); only the "drop" request is meant to time out.
        configuration.timeout = .seconds(3)
        configuration.replyFetchWait = .milliseconds(5)
        let router = try RequestReplyRouter(configuration: configuration, queue: spool, isSTOMP: false, client: client)
        let routerTask = Task { try await router.run() }

        // The modern service: echoes each request to the topic and partition it names, with its correlation.
        let responderClient = try KafkaClient(configuration: KafkaClientConfiguration(url: "kafka://\(kafka.host):\(kafka.port)"))
        defer { responderClient.close() }
        let responder = Task {
            let producer = try KafkaProducer(client: responderClient)
            var fetch = KafkaConsumerConfiguration()
            fetch.maximumWait = .milliseconds(5)
            for try await stored in KafkaConsumer(client: responderClient, assignment: [(requestTopic, 0, .earliest)], configuration: fetch) {
                guard let correlation = stored.record.headers.last(where: { $0.name == "kafka_correlationId" }) else { continue }
                let reply = StreamRecord(key: nil, value: stored.record.value, headers: [correlation], timestamp: 0)
                _ = try await producer.send(reply, topic: replyTopic, partition: 0)
            }
        }
        // The legacy service: answers every request but the one whose body is "drop".
        let legacyService = Task {
            while !Task.isCancelled {
                guard let request = try await spool.receive(from: "LEGACY", timeout: .milliseconds(100)) else { continue }
                if request.message.body != Array("drop".utf8), let replyTo = request.message.replyTo {
                    try await spool.send(QueueMessage(body: request.message.body, correlationID: request.message.correlationID), to: replyTo)
                }
                try await spool.acknowledge(request)
            }
        }
        try await Task.sleep(for: .milliseconds(300))  // the consumers at the log end

        func request(_ body: String, type: String?) -> QueueMessage {
            var message = QueueMessage(body: Array(body.utf8))
            message.replyTo = "CALLER"
            message.correlationID = body
            if let type { message.properties["type"] = type }
            return message
        }
        try spool.sendNow((0..<5).map { request("m\($0)", type: nil) }, to: "REQ")
        try spool.sendNow((0..<3).map { request("l\($0)", type: "old") } + [request("drop", type: "old")], to: "REQ")
        // A reply nobody asked for.
        let producer = try KafkaProducer(client: client)
        _ = try await producer.send(
            StreamRecord(key: nil, value: [1], headers: [RecordHeader(name: "kafka_correlationId", text: "nobody")], timestamp: 0),
            topic: replyTopic, partition: 0)

        var replies: [String] = []
        while replies.count < 9 {
            guard let reply = try await spool.receive(from: "CALLER", timeout: .seconds(10)) else { break }
            replies.append(reply.message.correlationID ?? "?")
            try await spool.acknowledge(reply)
        }
        #expect(replies.sorted() == ["drop", "l0", "l1", "l2", "m0", "m1", "m2", "m3", "m4"])
        // Unknown replies are counted when fetched: wait for it (bounded).
        for _ in 0..<100 where router.statistics.unknownReplies == 0 { try await Task.sleep(for: .milliseconds(20)) }
        // A reply is observed once the queue confirmed its send, which can come after the caller has it: wait for
        // the 9 deliveries (5 modern, 3 legacy, 1 timeout error reply) to be counted (bounded).
        for _ in 0..<100 where router.statistics.repliesDelivered < 9 { try await Task.sleep(for: .milliseconds(20)) }
        // A request's held time is observed when Kafka acknowledged it, which can come after the responder (and
        // so the caller) already has it: wait for the 9 forwarded requests to be observed (bounded).
        func heldRequests() -> Int {
            let text = BridgeDaemon.requestReplyText([router])
            return text.split(separator: "\n").filter {
                $0.hasPrefix("ferry_request_reply_held_seconds_count{") && $0.contains("direction=\"request\"")
            }.reduce(0) { $0 + (Int($1.split(separator: " ").last ?? "") ?? 0) }
        }
        for _ in 0..<100 where heldRequests() < 9 { try await Task.sleep(for: .milliseconds(20)) }

        let server = try OperationsHTTPServer(host: "127.0.0.1", port: 0) { _, _ in
            HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", text: BridgeDaemon.requestReplyText([router]))
        }
        defer { server.stop() }
        let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/metrics"))
        let (data, _) = try await URLSession.shared.data(from: url)
        let text = String(decoding: data, as: UTF8.self)
        router.requestStop()
        responder.cancel()
        legacyService.cancel()
        try await routerTask.value

        #expect(text.contains("# TYPE ferry_request_reply_seconds histogram\n"))
        #expect(text.contains("# TYPE ferry_request_reply_held_seconds histogram\n"))
        let values = Self.samples(text)
        let endpoint = "endpoint=\"metrics-\(runID)\""
        func value(_ name: String, _ labels: String) -> Double? { values["\(name){\(endpoint)\(labels)}"] }
        // Round trips: 5 modern replies; 3 legacy replies and the timeout's error reply.
        #expect(value("ferry_request_reply_seconds_count", ",route=\"modern\"") == 5)
        #expect(value("ferry_request_reply_seconds_count", ",route=\"legacy\"") == 4)
        #expect(value("ferry_request_reply_seconds_count", ",route=\"shadow\"") == 0)
        #expect(value("ferry_request_reply_seconds_bucket", ",route=\"legacy\",le=\"+Inf\"") == 4)
        // The timed-out request took at least the timeout (the others less, but how much less depends on the
        // machine's load, so no bucket below the timeout is asserted).
        #expect((value("ferry_request_reply_seconds_sum", ",route=\"legacy\"") ?? 0) >= 3)
        // Held: every request forwarded; a reply held for each delivered reply (not the error reply).
        for (route, requests, replies) in [("modern", 5.0, 5.0), ("legacy", 4, 3)] {
            let labels = ",route=\"\(route)\""
            #expect(value("ferry_request_reply_held_seconds_count", labels + ",direction=\"request\"") == requests)
            #expect(value("ferry_request_reply_held_seconds_count", labels + ",direction=\"reply\"") == replies)
        }
        // Ferry's own share of a modern round trip is smaller than the round trip (the responder's time is outside it).
        let modernHeld = (value("ferry_request_reply_held_seconds_sum", ",route=\"modern\",direction=\"request\"") ?? .infinity)
            + (value("ferry_request_reply_held_seconds_sum", ",route=\"modern\",direction=\"reply\"") ?? .infinity)
        #expect(modernHeld > 0 && modernHeld < (value("ferry_request_reply_seconds_sum", ",route=\"modern\"") ?? 0))
        #expect(value("ferry_request_reply_requests_total", "") == 9)
        #expect(value("ferry_request_reply_replies_delivered_total", "") == 9)
        #expect(value("ferry_request_reply_timeouts_total", "") == 1)
        #expect(value("ferry_request_reply_unknown_replies_total", "") == 1)
        #expect(value("ferry_request_reply_late_replies_total", "") == 0)
        #expect(value("ferry_request_reply_shadow_mismatches_total", "") == 0)
    }
}
