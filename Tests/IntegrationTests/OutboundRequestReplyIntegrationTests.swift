import Bridge
import Dispatch
import Events
import Foundation
import Kafka
import LegacyQueue
import Mapping
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
                    try python.runBlocking(
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

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test("claim-status MQ frames through ActiveMQ: replies matched by CorrelId alone; the unanswered request times out and its late reply is dead-lettered")
    func mqFramesTimeoutAndLateReply() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let suffix = UInt32.random(in: 0...UInt32.max)
        let requestTopic = "ferry-outbound-mq-requests-\(suffix)"
        let replyTopic = "ferry-outbound-mq-replies-\(suffix)"
        let log = try KafkaStreamLog(url: kafkaURL)
        defer { log.close() }
        try await log.createTopic(requestTopic, partitions: 1)
        try await log.createTopic(replyTopic, partitions: 3)
        let count = 6
        for n in 0..<count {
            let event = try CloudEventJSONFormat.decode(Array(
                #"{"specversion":"1.0","id":"claim-status-\#(n)","source":"/portal","type":"org.example.payer.claim.status.requested.v1","partitionkey":"MBR000000\#(n)","datacontenttype":"application/json","data":{"claimId":"PCN000\#(n)","memberId":"MBR000000\#(n)","providerNpi":"1234567893","serviceDate":"2026-12-01"}}"#.utf8))
            var record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0)
            record.headers += [
                RecordHeader(name: "kafka_replyTopic", text: replyTopic),
                RecordHeader(name: "kafka_replyPartition", value: [0, 0, 0, UInt8(n % 3)]),
                RecordHeader(name: "kafka_correlationId", value: Array("requester-\(n)".utf8)),
            ]
            _ = try await log.append([record], topic: requestTopic, partition: 0)
        }

        var stompConfiguration = try STOMPQueueTests.configuration()
        stompConfiguration.maxRetries = 1000
        let legacyQueue = STOMPQueueTests.uniqueQueue("legacy-claim-status-mq")
        let replyQueue = STOMPQueueTests.uniqueQueue("bridge-replies-mq")
        let deadLetterQueue = replyQueue + ".DLQ"
        let bridgeClient = try await STOMPClient.connect(stompConfiguration)
        let replyClient = try await STOMPClient.connect(stompConfiguration)
        let broker = "stomp://\(stomp.host):\(stomp.port)"
        let requestEngine = MappingEngine(mapping: try MappingDefinition(
            contentsOf: Self.repositoryRoot + "/mappings/claim-status-request/mapping.json"))
        let replyEngine = MappingEngine(mapping: try MappingDefinition(
            contentsOf: Self.repositoryRoot + "/mappings/claim-status-reply/mapping.json"))
        let configuration = OutboundRequestReplyConfiguration(
            name: "claim-status-mq", requests: StreamSourceConfiguration(log: kafkaURL, topic: requestTopic, group: "g-\(suffix)"),
            legacyQueue: broker + legacyQueue, replyQueue: broker + replyQueue, deadLetter: broker + deadLetterQueue,
            timeout: .seconds(4), pollInterval: .milliseconds(50), retryBackoff: .milliseconds(20),
            maxRetryBackoff: .milliseconds(500))
        let bridge = OutboundRequestReplyBridge(
            configuration: configuration,
            requestSource: LogStreamSource(log: log, topic: requestTopic, group: "g-\(suffix)"), replyLog: log,
            legacyQueue: bridgeClient, legacyDestination: legacyQueue, replyQueue: replyClient, replyDestination: replyQueue,
            deadLetters: bridgeClient, deadLetterDestination: deadLetterQueue, requestEngine: requestEngine,
            replyEngine: replyEngine)
        let bridgeTask = Task { try await bridge.run() }

        // The legacy claims system: reads each MQ request frame (ReplyToQ, MsgId from the MQMD) and answers with an MQ
        // reply frame whose CorrelId is the request's MsgId, on the queue ReplyToQ names, with no STOMP correlation-id.
        let legacy = try await STOMPClient.connect(stompConfiguration)
        var held: (replyTo: String, frame: [UInt8])?
        var answered = 0
        let deadline = ContinuousClock.now + .seconds(90)
        while answered + (held == nil ? 0 : 1) < count && ContinuousClock.now < deadline {
            guard let request = try await legacy.receive(from: legacyQueue, timeout: .seconds(1)) else { continue }
            let asked = try #require(try requestEngine.events(from: request.message.body, inputName: "request").first)
            let data = try #require(asked["data"])
            let claim = try #require(data["claimId"]?.stringValue)
            let messageID = try #require(data["requestMessageId"]?.stringValue)
            let replyTo = try #require(data["replyTo"]?.stringValue)
            let answer = try JSONValue(parsing: #"{"specversion":"1.0","id":"7a0f1c52-2f4e-4d8e-9c1b-3d6e5f7a8b9c","source":"/claims","type":"x","correlationid":"\#(messageID)","data":{"claimId":"\#(claim)","memberId":"\#(data["memberId"]?.stringValue ?? "")","status":"pending","statusDate":"2026-12-12","statusTime":"08:30:00","paidAmount":0.00,"adjudicated":"2026-12-10"}}"#)
            let frame = replyEngine.encodedFileHeader + (try replyEngine.encode(event: answer))
            if claim == "PCN000\(count - 1)" {
                held = (replyTo, frame)  // answered only after the bridge gave up on it
            } else {
                try await legacy.send(QueueMessage(body: frame, bodyKind: .bytes), to: "/queue/" + replyTo)
                answered += 1
            }
            try await legacy.acknowledge(request)
        }
        #expect(answered == count - 1)
        let late = try #require(held)
        #expect("/queue/" + late.replyTo == replyQueue)
        let waitUntil = ContinuousClock.now + .seconds(60)
        while (bridge.statistics.timedOut < 1 || bridge.statistics.repliesDelivered < count - 1) && ContinuousClock.now < waitUntil {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await legacy.send(QueueMessage(body: late.frame, bodyKind: .bytes), to: "/queue/" + late.replyTo)
        while bridge.statistics.lateReplies < 1 && ContinuousClock.now < waitUntil {
            try await Task.sleep(for: .milliseconds(50))
        }
        bridge.requestStop()
        try await bridgeTask.value

        let statistics = bridge.statistics
        #expect(statistics.repliesDelivered == count - 1)
        #expect(statistics.timedOut == 1)
        #expect(statistics.lateReplies == 1)
        #expect(statistics.unknownReplies == 0)

        // What the requesters see on the reply topic.
        var byRequester: [String: (partition: Int, type: String, subject: String?)] = [:]
        for partition in 0..<3 {
            for stored in try await log.read(topic: replyTopic, partition: partition, from: 0, maxRecords: 100, maxBytes: 1 << 20) {
                let requester = String(decoding: stored.record.headers.first { $0.name == "kafka_correlationId" }?.value ?? [], as: UTF8.self)
                let event = try CloudEventKafkaBinding.decode(stored.record)
                #expect(byRequester[requester] == nil, "two replies for \(requester)")
                byRequester[requester] = (stored.partition, event.type, event.subject)
            }
        }
        #expect(byRequester.count == count)
        for n in 0..<count {
            let reply = try #require(byRequester["requester-\(n)"])
            #expect(reply.partition == n % 3)
            if n == count - 1 {
                #expect(reply.type == "org.ferry.bridge.request.timed-out.v1")
            } else {
                #expect(reply.type == "org.example.payer.claim.status.answered.v1")
                #expect(reply.subject == "PCN000\(n)")
            }
        }

        // The late reply, dead-lettered with its frame intact.
        let letter = try #require(try await legacy.receive(from: deadLetterQueue, timeout: .seconds(10)))
        try await legacy.acknowledge(letter)
        #expect(letter.message.properties["ferry.error.class"] == "LateReply")
        #expect(letter.message.body == late.frame)
        try await legacy.close()
        try await bridgeClient.close()
        try await replyClient.close()
    }
}
