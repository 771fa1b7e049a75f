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

    @Test("two bridges in one Kafka consumer group share the partitions; when one leaves the other takes over")
    func groupMembersShareATopic() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let topic = "ferry-group-out-\(UInt32.random(in: 0...UInt32.max))"
        let group = topic + "-bridge"
        let admin = try KafkaStreamLog(url: kafkaURL)
        try await admin.createTopic(topic, partitions: 4)
        var stompConfiguration = try STOMPQueueTests.configuration()
        stompConfiguration.maxRetries = 1000
        let queue = STOMPQueueTests.uniqueQueue("bridge-group")
        var timing = KafkaGroupConsumerConfiguration(group: group, topics: [topic])
        timing.sessionTimeout = .seconds(2)  // tansu completes a join after about half of it
        timing.heartbeatInterval = .milliseconds(500)
        timing.rebalanceTimeout = .seconds(4)

        func member(_ name: String) async throws -> (StreamToQueuePipeline, KafkaGroupStreamSource, KafkaStreamLog, STOMPClient) {
            let log = try KafkaStreamLog(url: kafkaURL)
            let source = try KafkaGroupStreamSource(client: log.client, topic: topic, group: group, configuration: timing)
            let client = try await STOMPClient.connect(stompConfiguration)
            let pipeline = StreamToQueuePipeline(
                configuration: StreamToQueuePipelineConfiguration(
                    name: name, source: StreamSourceConfiguration(log: kafkaURL, topic: topic, group: group),
                    sink: "stomp://\(stomp.host):\(stomp.port)\(queue)", deadLetter: "stomp://\(stomp.host):\(stomp.port)\(queue).DLQ",
                    maxInFlight: 50, retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(500),
                    pollInterval: .milliseconds(20)),
                recordSource: source, sink: client, sinkDestination: queue, deadLetters: client,
                deadLetterDestination: queue + ".DLQ", encoder: StreamEventEncoder(engine: nil))
            return (pipeline, source, log, client)
        }
        let (first, firstSource, firstLog, firstClient) = try await member("first")
        let (second, secondSource, secondLog, secondClient) = try await member("second")
        let firstTask = Task { try await first.run() }
        try await Task.sleep(for: .milliseconds(500))
        let secondTask = Task { try await second.run() }
        let deadline = ContinuousClock.now + .seconds(60)
        while !(firstSource.assignedPartitions.count == 2 && secondSource.assignedPartitions.count == 2)
            && ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(firstSource.assignedPartitions + secondSource.assignedPartitions) == [0, 1, 2, 3])
        #expect(firstSource.assignedPartitions.count == 2, "\(firstSource.assignedPartitions) / \(secondSource.assignedPartitions)")

        func publish(_ range: Range<Int>) async throws {
            var records: [StreamRecord] = []
            for index in range {
                let event = try CloudEventJSONFormat.decode(
                    Array(#"{"specversion":"1.0","id":"g-\#(index)","source":"/t","type":"t","partitionkey":"k\#(index % 13)","data":{"seq":\#(index)}}"#.utf8))
                records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0))
            }
            _ = try await admin.publish(records, topic: topic)
        }
        try await publish(0..<200)
        while first.statistics.committed + second.statistics.committed < 200 && ContinuousClock.now < deadline + .seconds(60) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(first.statistics.sent > 0 && second.statistics.sent > 0, "both members sent: \(first.statistics.sent) / \(second.statistics.sent)")
        #expect(first.statistics.sent + second.statistics.sent == 200)

        // The first leaves the group; the second takes all four partitions and the next events.
        first.requestStop()
        try await firstTask.value
        let takeover = ContinuousClock.now + .seconds(60)
        while secondSource.assignedPartitions.count != 4 && ContinuousClock.now < takeover {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(secondSource.assignedPartitions == [0, 1, 2, 3])
        try await publish(200..<240)
        while second.statistics.committed < 240 - first.statistics.committed && ContinuousClock.now < takeover + .seconds(30) {
            try await Task.sleep(for: .milliseconds(50))
        }
        second.requestStop()
        try await secondTask.value

        let reader = try await STOMPClient.connect(stompConfiguration)
        var ids: [String] = []
        while let message = try await reader.receive(from: queue, timeout: .seconds(3)) {
            ids.append(message.message.properties["ce_id"] ?? "?")
            try await reader.acknowledge(message)
        }
        #expect(Set(ids) == Set((0..<240).map { "g-\($0)" }))
        #expect(ids.count == 240, "no duplicates when members leave cleanly")
        try await reader.close()
        for client in [firstClient, secondClient] { try await client.close() }
        for log in [firstLog, secondLog, admin] { log.close() }
    }

    @Test("watched directory → Kafka (tansu): a JSON Lines file's events land in the topic, the file moves to done/")
    func directoryToKafka() async throws {
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let topic = "ferry-files-\(UInt32.random(in: 0...UInt32.max))"
        let root = NSTemporaryDirectory() + "ferry-bridge-dir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/inbox", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = (0..<50).map { #"{"specversion":"1.0","id":"file-\#($0)","source":"/t","type":"t","partitionkey":"k\#($0 % 5)","data":{"seq":\#($0)}}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: root + "/inbox/claims-1.jsonl"))
        try Data("{not json\n".utf8).write(to: URL(fileURLWithPath: root + "/inbox/claims-2.jsonl"))
        let log = try KafkaStreamLog(url: kafkaURL)
        let pipeline = DirectoryPipeline(
            configuration: DirectoryPipelineConfiguration(
                name: "files", source: DirectorySourceConfiguration(directory: root + "/inbox"),
                sink: SinkConfiguration(log: kafkaURL, topic: topic, partitions: 2), maxInFlight: 16,
                retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(500), pollInterval: .milliseconds(20)),
            sink: log, reader: FileEventReader(engine: nil))
        let task = Task { try await pipeline.run() }
        let deadline = ContinuousClock.now + .seconds(120)
        while pipeline.statistics.filesDone + pipeline.statistics.filesFailed < 2 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        pipeline.requestStop()
        try await task.value

        var ids: [String] = []
        for partition in 0..<2 {
            let records = try await log.read(topic: topic, partition: partition, from: 0, maxRecords: 1000, maxBytes: 1 << 24)
            var lastSeqByKey: [String: Int] = [:]
            for stored in records {
                ids.append(stored.record.headers.first { $0.name == "ce_id" }?.textValue ?? "?")
                let key = String(decoding: stored.record.key ?? [], as: UTF8.self)
                let seq = Int(String(decoding: stored.record.value ?? [], as: UTF8.self).filter(\.isNumber)) ?? -1
                #expect(seq > lastSeqByKey[key, default: -1], "key \(key) out of order")
                lastSeqByKey[key] = seq
            }
        }
        #expect(ids.count == 50)
        #expect(Set(ids) == Set((0..<50).map { "file-\($0)" }))
        #expect(FileManager.default.fileExists(atPath: root + "/inbox/done/claims-1.jsonl"))
        let reason = try String(contentsOfFile: root + "/inbox/error/claims-2.jsonl.reason", encoding: .utf8)
        #expect(reason.contains("record: 1\nbyte-offset: 0\nstage: decode\n"))
        log.close()
    }
}
