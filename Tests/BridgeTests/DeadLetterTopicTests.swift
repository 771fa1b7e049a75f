import Bridge
import Events
import Foundation
import LegacyQueue
import StreamLog
import Testing

@Suite("Bridge dead letters: to a topic, and for records the sink rejects for good")
struct DeadLetterTopicTests {
    @Test("a poison message goes to the dead-letter topic: original bytes as the value, reasons and properties as headers")
    func poisonToTopic() async throws {
        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
        let log = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        var messages = (0..<10).map { eventJSON(id: "e-\($0)", key: "k\($0 % 2)", seq: $0) }
        messages.insert(QueueMessage(text: "<not-an-event/>", properties: ["app.batch": "3"]), at: 4)
        try spool.sendNow(messages, to: "IN")
        var configuration = testPipelineConfiguration(root: root, maxAttempts: 2)
        configuration.deadLetterTopic = DeadLetterTopicConfiguration(log: "\(root)/log", topic: "events.dlq")
        let pipeline = BridgePipeline(
            configuration: configuration, source: spool, sourceDestination: "IN", sink: log,
            deadLetters: TopicDeadLetterQueue(log: log), deadLetterDestination: "events.dlq",
            converter: EventConverter(engine: nil))
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.acknowledged == 11 })
        pipeline.requestStop()
        try await task.value

        #expect(try await allRecords(log, topic: "events").flatMap { $0 }.count == 10)
        let letters = try log.read(topic: "events.dlq", partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        #expect(letters.count == 1)
        let letter = try #require(letters.first?.record)
        #expect(letter.value == Array("<not-an-event/>".utf8))
        #expect(letter.key == nil)
        #expect(letter.header(DeadLetterHeader.stage)?.textValue == "decode")
        #expect(letter.header(DeadLetterHeader.errorClass)?.textValue == "CloudEventError")
        #expect(letter.header(DeadLetterHeader.attempts)?.textValue == "2")
        #expect(letter.header(DeadLetterHeader.pipeline)?.textValue == "test")
        #expect(letter.header(DeadLetterHeader.source)?.textValue == "spool:\(root)/spool/IN")
        #expect(letter.header("app.batch")?.textValue == "3")
        #expect(letter.headers.map(\.name) == letter.headers.map(\.name).sorted(), "headers in name order")
    }

    @Test("an event over the log's record limit is dead-lettered at stage append; the rest of the batch is appended")
    func oversizedEvent() async throws {
        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
        var logConfiguration = LocalLogConfiguration(directory: "\(root)/log", fsync: .always)
        logConfiguration.maxRecordBytes = 2000
        let log = try LocalLog(logConfiguration)
        var messages = (0..<12).map { eventJSON(id: "e-\($0)", key: "k\($0 % 3)", seq: $0) }
        let big = #"{"specversion":"1.0","id":"big","source":"/test","type":"t","partitionkey":"k1","data":{"note":"\#(String(repeating: "x", count: 5000))"}}"#
        messages.insert(QueueMessage(text: big), at: 5)
        try spool.sendNow(messages, to: "IN")
        let pipeline = BridgePipeline(
            configuration: testPipelineConfiguration(root: root, maxAttempts: 2, maxInFlight: 20), source: spool,
            sourceDestination: "IN", sink: log, deadLetters: spool, deadLetterDestination: "DLQ",
            converter: EventConverter(engine: nil))
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.acknowledged == 13 })
        pipeline.requestStop()
        try await task.value

        let appended = try await allRecords(log, topic: "events").flatMap { $0 }
        #expect(Set(appended.map(\.eventID)) == Set((0..<12).map { "e-\($0)" }))
        #expect(pipeline.statistics.deadLettered == 1)
        #expect(pipeline.statistics.rejected == 1)
        let letter = try #require(try spool.browseNow("DLQ", limit: 5).first)
        #expect(letter.message.body == Array(big.utf8))
        #expect(letter.message.properties[DeadLetterHeader.stage] == "append")
        #expect(letter.message.properties[DeadLetterHeader.errorClass] == "StreamLogError")
        #expect(letter.message.properties[DeadLetterHeader.message]?.contains("exceeds the maximum of 2000") == true)
    }

    @Test("stream → queue: an undecodable record goes to a dead-letter topic with ferry.error.offset")
    func streamRecordToTopic() async throws {
        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
        let log = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        try log.createTopic("out", partitions: 1)
        let event = try CloudEventJSONFormat.decode(eventJSON(id: "ok", key: "k", seq: 1).body)
        _ = try log.append(
            [try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0),
             StreamRecord(key: nil, value: [0xFF, 0x00], headers: [RecordHeader(name: "origin", text: "test")], timestamp: 0)],
            topic: "out", partition: 0)
        let pipeline = StreamToQueuePipeline(
            configuration: StreamToQueuePipelineConfiguration(
                name: "out", source: StreamSourceConfiguration(log: "\(root)/log", topic: "out", group: "g"),
                sink: "spool:\(root)/spool/OUT", deadLetter: "topic:\(root)/log#out.dlq", pollInterval: .milliseconds(10)),
            source: log, sink: spool, sinkDestination: "OUT", deadLetters: TopicDeadLetterQueue(log: log),
            deadLetterDestination: "out.dlq", encoder: StreamEventEncoder(engine: nil))
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.committed == 2 })
        pipeline.requestStop()
        try await task.value
        let letters = try log.read(topic: "out.dlq", partition: 0, from: 0, maxRecords: 10, maxBytes: 1 << 20)
        let letter = try #require(letters.first?.record)
        #expect(letters.count == 1)
        #expect(letter.value == [0xFF, 0x00])
        #expect(letter.header(DeadLetterHeader.offset)?.textValue == "out/0/1")
        #expect(letter.header(DeadLetterHeader.stage)?.textValue == "decode")
        #expect(letter.header("origin")?.textValue == "test")
        #expect(try spool.depth(of: "OUT").waiting == 1)
    }
}
