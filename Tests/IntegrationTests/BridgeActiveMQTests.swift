import Bridge
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Testing

/// The bridge pipeline on the real ActiveMQ that `scripts/test` starts: STOMP queue → embedded LocalLog.
@Suite("Bridge on ActiveMQ (real broker from scripts/test)", .serialized)
struct BridgeActiveMQTests {
    @Test("STOMP queue → LocalLog: every event appended once, the poison dead-lettered with reason headers, the queue empty")
    func queueToLocalLog() async throws {
        var configuration = try STOMPQueueTests.configuration()
        configuration.maxRetries = 1000
        let queue = STOMPQueueTests.uniqueQueue("bridge")
        let deadLetterQueue = queue + ".DLQ"
        let client = try await STOMPClient.connect(configuration)
        var messages: [QueueMessage] = []
        for index in 0..<200 {
            messages.append(
                QueueMessage(
                    text: #"{"specversion":"1.0","id":"amq-\#(index)","source":"/test","type":"t","partitionkey":"k\#(index % 9)","data":{"seq":\#(index)}}"#))
            if index == 100 { messages.append(QueueMessage(text: "<claim>not an event</claim>", properties: ["app.batch": "7"])) }
        }
        for message in messages { try await client.send(message, to: queue) }

        let directory = NSTemporaryDirectory() + "ferry-bridge-amq-\(UUID().uuidString)"
        let log = try LocalLog(LocalLogConfiguration(directory: directory, fsync: .always))
        let broker = try TestEnvironment.current.stompBroker()
        let pipeline = BridgePipeline(
            configuration: PipelineConfiguration(
                name: "amq", source: "stomp://\(broker.host):\(broker.port)\(queue)",
                sink: SinkConfiguration(log: directory, topic: "events", partitions: 3),
                deadLetter: "stomp://\(broker.host):\(broker.port)\(deadLetterQueue)", maxAttempts: 2, maxInFlight: 32,
                retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(200)),
            source: client, sourceDestination: queue, sink: log, deadLetters: client,
            deadLetterDestination: deadLetterQueue, converter: EventConverter(engine: nil))
        let task = Task { try await pipeline.run() }
        let deadline = ContinuousClock.now + .seconds(120)
        while pipeline.statistics.acknowledged < 201 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        pipeline.requestStop()
        try await task.value

        #expect(pipeline.statistics.acknowledged == 201)
        #expect(pipeline.statistics.deadLettered == 1)
        #expect(pipeline.statistics.rejected == 1)
        var ids: [String] = []
        for partition in 0..<3 {
            let records = try log.read(topic: "events", partition: partition, from: 0, maxRecords: 10_000, maxBytes: 1 << 26)
            ids += records.map { stored in stored.record.headers.first { $0.name == "ce_id" }?.textValue ?? "?" }
        }
        #expect(ids.count == 200)
        #expect(Set(ids) == Set((0..<200).map { "amq-\($0)" }))

        let letter = try #require(try await client.receive(from: deadLetterQueue, timeout: .seconds(10)))
        #expect(letter.message.body == Array("<claim>not an event</claim>".utf8))
        #expect(letter.message.properties["app.batch"] == "7")
        #expect(letter.message.properties[DeadLetterHeader.stage] == "decode")
        #expect(letter.message.properties[DeadLetterHeader.errorClass] == "CloudEventError")
        #expect(letter.message.properties[DeadLetterHeader.attempts] == "2")
        #expect(letter.message.properties[DeadLetterHeader.source] == "stomp://\(broker.host):\(broker.port)\(queue)")
        #expect(letter.message.properties[DeadLetterHeader.messageID]?.hasPrefix("ID:") == true)
        #expect(letter.message.properties[DeadLetterHeader.message]?.isEmpty == false)
        #expect(letter.message.properties[DeadLetterHeader.pipeline] == "amq")
        #expect(letter.message.properties[FerryHeader.originalDestination] == queue)
        let stamped = try #require(letter.message.properties[DeadLetterHeader.timestamp].flatMap { Int64($0) })
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(stamped <= now && now - stamped < 120_000, "ferry.error.timestamp \(stamped) is not a recent epoch-ms time")
        #expect(letter.message.isPersistent)
        try await client.acknowledge(letter)
        #expect(try await client.receive(from: queue, timeout: .seconds(1)) == nil)
        try await client.close()
        try log.close()
    }

    @Test("STOMP queue → Kafka (tansu): the bridge creates the topic; every event once, in per-key order, queue empty")
    func queueToKafka() async throws {
        var configuration = try STOMPQueueTests.configuration()
        configuration.maxRetries = 1000
        let queue = STOMPQueueTests.uniqueQueue("bridge-kafka")
        let client = try await STOMPClient.connect(configuration)
        let count = 300
        for index in 0..<count {
            try await client.send(
                QueueMessage(
                    text: #"{"specversion":"1.0","id":"k-\#(index)","source":"/test","type":"t","partitionkey":"m\#(index % 11)","data":{"seq":\#(index)}}"#),
                to: queue)
        }
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let topic = "ferry-bridge-\(UInt32.random(in: 0...UInt32.max))"
        let log = try KafkaStreamLog(url: kafkaURL)
        let pipeline = BridgePipeline(
            configuration: PipelineConfiguration(
                name: "amq-kafka", source: "stomp://\(stomp.host):\(stomp.port)\(queue)",
                sink: SinkConfiguration(log: kafkaURL, topic: topic, partitions: 3),
                deadLetter: "stomp://\(stomp.host):\(stomp.port)\(queue).DLQ", maxInFlight: 64,
                retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(500)),
            source: client, sourceDestination: queue, sink: log, deadLetters: client,
            deadLetterDestination: queue + ".DLQ", converter: EventConverter(engine: nil))
        let task = Task { try await pipeline.run() }
        let deadline = ContinuousClock.now + .seconds(120)
        while pipeline.statistics.acknowledged < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        pipeline.requestStop()
        try await task.value
        #expect(pipeline.statistics.acknowledged == count)

        #expect(try await log.partitionCount(of: topic) == 3)
        var ids: [String] = []
        for partition in 0..<3 {
            let records = try await log.read(topic: topic, partition: partition, from: 0, maxRecords: 10_000, maxBytes: 1 << 26)
            var lastSeqByKey: [String: Int] = [:]
            for stored in records {
                ids.append(stored.record.headers.first { $0.name == "ce_id" }?.textValue ?? "?")
                let key = String(decoding: stored.record.key ?? [], as: UTF8.self)
                let text = String(decoding: stored.record.value ?? [], as: UTF8.self)
                let seq = Int(text.split(separator: ":").last?.prefix { $0.isNumber } ?? "") ?? -1
                #expect(seq > lastSeqByKey[key, default: -1], "key \(key) out of order")
                lastSeqByKey[key] = seq
            }
        }
        #expect(ids.count == count)
        #expect(Set(ids) == Set((0..<count).map { "k-\($0)" }))
        #expect(try await client.receive(from: queue, timeout: .seconds(1)) == nil)
        try await client.close()
        log.close()
    }
}
