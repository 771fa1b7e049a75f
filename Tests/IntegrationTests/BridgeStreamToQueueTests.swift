import Bridge
import Events
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Testing

/// The stream → queue pipeline on the real brokers `scripts/test` starts: a tansu (Kafka) topic → ActiveMQ.
@Suite("Bridge stream → queue on tansu and ActiveMQ (real brokers from scripts/test)", .serialized)
struct BridgeStreamToQueueTests {
    @Test("Kafka topic → STOMP queue: every event once in per-key order, the bad record dead-lettered, offsets committed")
    func kafkaToQueue() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let topic = "ferry-out-\(UInt32.random(in: 0...UInt32.max))"
        let group = topic + "-bridge"
        let log = try KafkaStreamLog(url: kafkaURL)
        try await log.createTopic(topic, partitions: 3)
        let count = 150
        var records: [StreamRecord] = []
        for index in 0..<count {
            let event = try CloudEventJSONFormat.decode(
                Array(#"{"specversion":"1.0","id":"out-\#(index)","source":"/test","type":"t","partitionkey":"m\#(index % 7)","data":{"seq":\#(index)}}"#.utf8))
            records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0))
        }
        _ = try await log.publish(records, topic: topic)
        _ = try await log.append(
            [StreamRecord(key: Array("m1".utf8), value: Array("<not an event/>".utf8), headers: [RecordHeader(name: "app.batch", text: "9")], timestamp: 0)],
            topic: topic, partition: 1)

        var configuration = try STOMPQueueTests.configuration()
        configuration.maxRetries = 1000
        let client = try await STOMPClient.connect(configuration)
        let queue = STOMPQueueTests.uniqueQueue("bridge-out")
        let pipelineConfiguration = StreamToQueuePipelineConfiguration(
            name: "kafka-amq", source: StreamSourceConfiguration(log: kafkaURL, topic: topic, group: group),
            sink: "stomp://\(stomp.host):\(stomp.port)\(queue)", deadLetter: "stomp://\(stomp.host):\(stomp.port)\(queue).DLQ",
            maxInFlight: 40, retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(500))
        let pipeline = StreamToQueuePipeline(
            configuration: pipelineConfiguration, source: log, sink: client, sinkDestination: queue, deadLetters: client,
            deadLetterDestination: queue + ".DLQ", encoder: StreamEventEncoder(engine: nil))
        let task = Task { try await pipeline.run() }
        let deadline = ContinuousClock.now + .seconds(120)
        while pipeline.statistics.committed < count + 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        pipeline.requestStop()
        try await task.value
        #expect(pipeline.statistics.sent == count)
        #expect(pipeline.statistics.deadLettered == 1)

        // Checked from outside: a separate STOMP consumer.
        let reader = try await STOMPClient.connect(configuration)
        var ids: [String] = []
        var lastSeqByKey: [String: Int] = [:]
        while let message = try await reader.receive(from: queue, timeout: .seconds(3)) {
            let event = try CloudEventJSONFormat.decode(message.message.body)
            ids.append(event.id)
            #expect(message.message.properties["ce_id"] == event.id)
            let key = try #require(event.partitionKey)
            // JMSXGroupID selects the message group but ActiveMQ 5.17 does not return it on MESSAGE frames.
            #expect(message.message.properties["ce_partitionkey"] == key)
            let seq = Int(String(decoding: event.data?.bytes ?? [], as: UTF8.self).filter(\.isNumber)) ?? -1
            #expect(seq > lastSeqByKey[key, default: -1], "key \(key) out of order")
            lastSeqByKey[key] = seq
            try await reader.acknowledge(message)
        }
        #expect(ids.count == count)
        #expect(Set(ids) == Set((0..<count).map { "out-\($0)" }))
        let letter = try #require(try await reader.receive(from: queue + ".DLQ", timeout: .seconds(10)))
        #expect(letter.message.body == Array("<not an event/>".utf8))
        #expect(letter.message.properties["app.batch"] == "9")
        #expect(letter.message.properties[DeadLetterHeader.stage] == "decode")
        #expect(letter.message.properties[DeadLetterHeader.source] == "\(kafkaURL)#\(topic)")
        #expect(letter.message.properties[DeadLetterHeader.offset]?.hasPrefix("\(topic)/1/") == true)
        try await reader.acknowledge(letter)
        for partition in 0..<3 {
            let end = try await log.offsets(topic: topic, partition: partition).next
            #expect(try await log.committedOffset(group: group, topic: topic, partition: partition) == end)
        }
        try await reader.close()
        try await client.close()
        log.close()
    }

    @Test("STOMP queue → Kafka with a dead-letter topic on Kafka: the poison message is a record with the reason headers")
    func deadLetterTopicOnKafka() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let topic = "ferry-in-\(UInt32.random(in: 0...UInt32.max))"
        var configuration = try STOMPQueueTests.configuration()
        configuration.maxRetries = 1000
        let client = try await STOMPClient.connect(configuration)
        let queue = STOMPQueueTests.uniqueQueue("bridge-dlt")
        for index in 0..<20 {
            try await client.send(
                QueueMessage(text: #"{"specversion":"1.0","id":"d-\#(index)","source":"/t","type":"t","partitionkey":"k\#(index % 3)","data":{}}"#),
                to: queue)
            if index == 7 { try await client.send(QueueMessage(text: "{broken", properties: ["app.batch": "5"]), to: queue) }
        }
        let log = try KafkaStreamLog(url: kafkaURL)
        var pipelineConfiguration = PipelineConfiguration(
            name: "amq-kafka-dlt", source: "stomp://\(stomp.host):\(stomp.port)\(queue)",
            sink: SinkConfiguration(log: kafkaURL, topic: topic, partitions: 2), deadLetter: "topic:\(kafkaURL)#\(topic).dlq",
            maxAttempts: 1, maxInFlight: 16, retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(500))
        pipelineConfiguration.deadLetterTopic = DeadLetterTopicConfiguration(log: kafkaURL, topic: topic + ".dlq")
        let pipeline = BridgePipeline(
            configuration: pipelineConfiguration, source: client, sourceDestination: queue, sink: log,
            deadLetters: TopicDeadLetterQueue(log: log), deadLetterDestination: topic + ".dlq",
            converter: EventConverter(engine: nil))
        let task = Task { try await pipeline.run() }
        let deadline = ContinuousClock.now + .seconds(120)
        while pipeline.statistics.acknowledged < 21 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        pipeline.requestStop()
        try await task.value
        #expect(pipeline.statistics.deadLettered == 1)

        let letters = try await log.read(topic: topic + ".dlq", partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        #expect(letters.count == 1)
        let letter = try #require(letters.first?.record)
        #expect(letter.value == Array("{broken".utf8))
        #expect(letter.header(DeadLetterHeader.stage)?.textValue == "decode")
        #expect(letter.header(DeadLetterHeader.source)?.textValue == "stomp://\(stomp.host):\(stomp.port)\(queue)")
        #expect(letter.header(DeadLetterHeader.messageID)?.textValue?.hasPrefix("ID:") == true)
        #expect(letter.header("app.batch")?.textValue == "5")
        #expect(try await client.receive(from: queue, timeout: .seconds(1)) == nil)
        try await client.close()
        log.close()
    }
}
