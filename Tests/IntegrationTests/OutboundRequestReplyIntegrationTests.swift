import Bridge
import Dispatch
import Events
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Testing

/// Outbound request-reply on the real brokers `scripts/test` starts: a confluent-kafka requester (Spring's
/// `ReplyingKafkaTemplate` headers) on tansu, the bridge, and a legacy responder on ActiveMQ.
@Suite("Outbound request-reply on tansu and ActiveMQ (real brokers from scripts/test)", .serialized)
struct OutboundRequestReplyIntegrationTests {
    /// `BOOTSTRAP REQUEST_TOPIC REPLY_TOPIC COUNT`: produces COUNT requests in CloudEvents binary mode with
    /// `kafka_replyTopic`, `kafka_replyPartition` (i % 3, 4 bytes big-endian) and a random 16-byte
    /// `kafka_correlationId`, then reads the reply topic's 3 partitions from the start until COUNT replies came
    /// (or 120 s passed). Prints one JSON object per request (`request`) and per reply (`reply`).
    static let requesterScript = #"""
        import json, struct, sys, time, uuid
        from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
        bootstrap, requests, replies, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
        for i in range(count):
            correlation = uuid.uuid4().bytes
            headers = [("ce_specversion", b"1.0"), ("ce_id", f"request-{i}".encode()), ("ce_source", b"/portal"),
                       ("ce_type", b"org.example.claim.status.requested"), ("content-type", b"application/json"),
                       ("kafka_replyTopic", replies.encode()), ("kafka_replyPartition", struct.pack(">i", i % 3)),
                       ("kafka_correlationId", correlation)]
            producer.produce(requests, key=f"member-{i % 5}".encode(), value=json.dumps({"seq": i}).encode(), headers=headers)
            print(json.dumps({"request": i, "correlation": correlation.hex(), "partition": i % 3}), flush=True)
        producer.flush(30)
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-test-requester", "enable.auto.commit": False})
        consumer.assign([TopicPartition(replies, p, OFFSET_BEGINNING) for p in range(3)])
        seen, deadline = 0, time.time() + 120
        while seen < count and time.time() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            headers = {name: value for name, value in (message.headers() or [])}
            print(json.dumps({"reply": json.loads(message.value()), "partition": message.partition(),
                              "correlation": (headers.get("kafka_correlationId") or b"").hex(),
                              "type": (headers.get("ce_type") or b"").decode()}), flush=True)
            seen += 1
        consumer.close()
        """#

    @Test("every confluent-kafka request gets its own legacy reply on its reply topic and partition, with its correlation id")
    func requestsAnsweredThroughActiveMQ() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let python = try TestEnvironment.current.python()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let suffix = UInt32.random(in: 0...UInt32.max)
        let requestTopic = "ferry-outbound-requests-\(suffix)"
        let replyTopic = "ferry-outbound-replies-\(suffix)"
        let log = try KafkaStreamLog(url: kafkaURL)
        defer { log.close() }
        try await log.createTopic(requestTopic, partitions: 2)
        try await log.createTopic(replyTopic, partitions: 3)

        var stompConfiguration = try STOMPQueueTests.configuration()
        stompConfiguration.maxRetries = 1000
        let legacyQueue = STOMPQueueTests.uniqueQueue("legacy-claim-status")
        let replyQueue = STOMPQueueTests.uniqueQueue("bridge-replies")
        let bridgeClient = try await STOMPClient.connect(stompConfiguration)
        let replyClient = try await STOMPClient.connect(stompConfiguration)
        let broker = "stomp://\(stomp.host):\(stomp.port)"
        let configuration = OutboundRequestReplyConfiguration(
            name: "claim-status", requests: StreamSourceConfiguration(log: kafkaURL, topic: requestTopic, group: "g-\(suffix)"),
            legacyQueue: broker + legacyQueue, replyQueue: broker + replyQueue, deadLetter: broker + replyQueue + ".DLQ",
            timeout: .seconds(60), pollInterval: .milliseconds(50), retryBackoff: .milliseconds(20),
            maxRetryBackoff: .milliseconds(500))
        let bridge = OutboundRequestReplyBridge(
            configuration: configuration,
            requestSource: LogStreamSource(log: log, topic: requestTopic, group: "g-\(suffix)"), replyLog: log,
            legacyQueue: bridgeClient, legacyDestination: legacyQueue, replyQueue: replyClient, replyDestination: replyQueue,
            deadLetters: bridgeClient, deadLetterDestination: replyQueue + ".DLQ", requestEngine: nil, replyEngine: nil)
        let bridgeTask = Task { try await bridge.run() }

        // The legacy service: its own STOMP connection; answers each request on its reply-to with its correlation id.
        let count = 30
        let legacy = try await STOMPClient.connect(stompConfiguration)
        let responder = Task {
            var answered = 0
            var replyTos: Set<String> = []
            while answered < count && !Task.isCancelled {
                guard let request = try await legacy.receive(from: legacyQueue, timeout: .seconds(1)) else { continue }
                let event = try CloudEventJSONFormat.decode(request.message.body)
                let seq = try JSONValue(parsing: try CloudEventJSONFormat.encode(event))["data"]?["seq"]?.int64Value ?? -1
                var reply = QueueMessage(
                    text: #"{"specversion":"1.0","id":"reply-\#(seq)","source":"/legacy/claim-status","type":"org.example.claim.status.answered","datacontenttype":"application/json","data":{"answers":\#(seq)}}"#)
                reply.correlationID = request.message.correlationID
                try await legacy.reply(to: request, with: reply)
                try await legacy.acknowledge(request)
                replyTos.insert(request.message.replyTo ?? "")
                answered += 1
            }
            return replyTos
        }

        let run = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try python.run(
                        script: Self.requesterScript,
                        arguments: ["\(kafka.host):\(kafka.port)", requestTopic, replyTopic, String(count)],
                        timeout: .seconds(180))
                })
            }
        }
        let replyTos = try await responder.value
        bridge.requestStop()
        try await bridgeTask.value
        try await legacy.close()
        try await bridgeClient.close()
        try await replyClient.close()
        try #require(run.status == 0, "requester failed: \(run.standardError)")

        #expect(replyTos == [replyQueue])
        var expected: [String: (seq: Int, partition: Int)] = [:]
        var received: [String: [(answers: Int, partition: Int, type: String)]] = [:]
        for line in run.standardOutput.split(separator: "\n") {
            let value = try JSONValue(parsing: String(line))
            let correlation = try #require(value["correlation"]?.stringValue)
            let partition = Int(try #require(value["partition"]?.int64Value))
            if let request = value["request"]?.int64Value {
                expected[correlation] = (Int(request), partition)
            } else {
                let answers = Int(try #require(value["reply"]?["answers"]?.int64Value))
                received[correlation, default: []].append((answers, partition, value["type"]?.stringValue ?? ""))
            }
        }
        #expect(expected.count == count)
        #expect(received.count == count)
        for (correlation, request) in expected {
            let replies = received[correlation] ?? []
            #expect(replies.count == 1, "request \(request.seq): \(replies.count) replies")
            #expect(replies.first?.answers == request.seq)
            #expect(replies.first?.partition == request.partition)
            #expect(replies.first?.type == "org.example.claim.status.answered")
        }
        let statistics = bridge.statistics
        #expect(statistics.repliesDelivered == count)
        #expect(statistics.committed == count)
        #expect(statistics.unknownReplies == 0 && statistics.lateReplies == 0 && statistics.timedOut == 0)
    }
}
