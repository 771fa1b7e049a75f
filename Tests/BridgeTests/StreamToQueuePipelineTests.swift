import Bridge
import Events
import Foundation
import LegacyQueue
import Mapping
import StreamLog
import Synchronization
import Testing

@Suite("Bridge pipeline: LocalLog → spool queue")
struct StreamToQueuePipelineTests {
    /// A LocalLog topic `out` of 3 partitions and a spool with OUT and DLQ.
    struct Rig {
        let root: String
        let spool: SpoolDirectoryQueue
        let local: LocalLog

        init() async throws {
            root = try makeTemporaryDirectory()
            spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
            local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
            try local.createTopic("out", partitions: 3)
        }

        func pipeline(
            source: (any StreamLog)? = nil, maxInFlight: Int = 7, lagRefreshInterval: Duration = .seconds(5)
        ) -> StreamToQueuePipeline {
            let configuration = StreamToQueuePipelineConfiguration(
                name: "out", source: StreamSourceConfiguration(log: "\(root)/log", topic: "out", group: "g"),
                sink: "spool:\(root)/spool/OUT", deadLetter: "spool:\(root)/spool/DLQ", maxInFlight: maxInFlight,
                retryBackoff: .milliseconds(5), maxRetryBackoff: .milliseconds(20), pollInterval: .milliseconds(10),
                lagRefreshInterval: lagRefreshInterval)
            return StreamToQueuePipeline(
                configuration: configuration, source: source ?? local, sink: spool, sinkDestination: "OUT",
                deadLetters: spool, deadLetterDestination: "DLQ", encoder: StreamEventEncoder(engine: nil))
        }

        /// Publishes events `first..<first+count` keyed by `member-(n % 5)`, in Kafka binary mode.
        func publish(_ count: Int, from first: Int = 0) async throws {
            var records: [StreamRecord] = []
            for n in first..<(first + count) {
                let event = try CloudEventJSONFormat.decode(eventJSON(id: "event-\(n)", key: "member-\(n % 5)", seq: n).body)
                records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0))
            }
            _ = try await local.publish(records, topic: "out")
        }

        /// Every message waiting on `queue`, taken and acknowledged.
        func drain(_ queue: String) async throws -> [ReceivedMessage] {
            var messages: [ReceivedMessage] = []
            while let message = try spool.receiveNow(from: queue) {
                messages.append(message)
                try await spool.acknowledge(message)
            }
            return messages
        }
    }

    @Test("every event becomes one message with its id, in per-key order; offsets committed; a restart sends nothing again")
    func deliversEverything() async throws {
        let rig = try await Rig()
        try await rig.publish(40)
        // Not a CloudEvent: no ce_ headers, no content type.
        _ = try rig.local.append(
            [StreamRecord(key: Array("member-1".utf8), value: Array("garbage".utf8), timestamp: 0)], topic: "out", partition: 2)
        try await rig.publish(20, from: 40)

        let pipeline = rig.pipeline()
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.committed == 61 })
        pipeline.requestStop()
        try await task.value

        let messages = try await rig.drain("OUT")
        #expect(messages.count == 60)
        #expect(Set(messages.compactMap { $0.message.properties["ce_id"] }) == Set((0..<60).map { "event-\($0)" }))
        var lastSeqByKey: [String: Int] = [:]
        for message in messages {
            let event = try CloudEventJSONFormat.decode(message.message.body)
            let key = try #require(message.message.groupID)
            #expect(key == event.partitionKey)
            #expect(message.message.properties["ce_partitionkey"] == key)
            #expect(message.message.contentType == CloudEventJSONFormat.mediaType)
            let seq = try #require(Int(String(decoding: event.data?.bytes ?? [], as: UTF8.self).filter(\.isNumber)))
            #expect(seq > lastSeqByKey[key, default: -1], "key \(key) out of order")
            lastSeqByKey[key] = seq
        }
        let letters = try await rig.drain("DLQ")
        #expect(letters.count == 1)
        let letter = try #require(letters.first)
        #expect(letter.message.body == Array("garbage".utf8))
        #expect(letter.message.properties[DeadLetterHeader.stage] == "decode")
        #expect(letter.message.properties[DeadLetterHeader.errorClass] == "CloudEventError")
        let offset = try #require(letter.message.properties[DeadLetterHeader.offset])
        #expect(offset.hasPrefix("out/2/"))
        #expect(letter.message.properties[DeadLetterHeader.pipeline] == "out")
        for partition in 0..<3 {
            let end = try rig.local.offsets(topic: "out", partition: partition).next
            #expect(try rig.local.committedOffset(group: "g", topic: "out", partition: partition) == end)
        }

        // A second run starts from the committed offsets: only new events are sent.
        try await rig.publish(5, from: 60)
        let again = rig.pipeline()
        let second = Task { try await again.run() }
        #expect(try await eventually { again.statistics.committed == 5 })
        again.requestStop()
        try await second.value
        let more = try await rig.drain("OUT")
        #expect(Set(more.compactMap { $0.message.properties["ce_id"] }) == Set((60..<65).map { "event-\($0)" }))
    }

    @Test("a crash after the send but before the commit: every event is sent again with the same id")
    func crashBeforeCommit() async throws {
        let rig = try await Rig()
        try await rig.publish(30)
        let hanging = HangingCommitLog(rig.local)
        let doomed = rig.pipeline(source: hanging, maxInFlight: 100)
        let task = Task { try await doomed.run() }
        #expect(try await eventually { hanging.commitsStarted > 0 })
        task.cancel()
        _ = try? await task.value
        #expect(doomed.statistics.committed == 0)
        let firstCopies = try await rig.drain("OUT")
        #expect(firstCopies.count == doomed.statistics.sent)
        #expect(firstCopies.count > 0)

        let restarted = rig.pipeline()
        let second = Task { try await restarted.run() }
        #expect(try await eventually { restarted.statistics.committed == 30 })
        restarted.requestStop()
        try await second.value
        let secondCopies = try await rig.drain("OUT")
        #expect(Set(secondCopies.compactMap { $0.message.properties["ce_id"] }) == Set((0..<30).map { "event-\($0)" }))
        // Duplicates are byte-identical messages with the same id.
        let bodies = Dictionary(secondCopies.map { ($0.message.properties["ce_id"]!, $0.message.body) }, uniquingKeysWith: { a, _ in a })
        for copy in firstCopies {
            let id = try #require(copy.message.properties["ce_id"])
            #expect(bodies[id] == copy.message.body)
        }
    }

    @Test("a send error is retried; nothing is committed before the queue confirms")
    func retriesSends() async throws {
        let rig = try await Rig()
        try await rig.publish(12)
        let flaky = FailingSendQueue(rig.spool, failures: 3)
        let configuration = rig.pipeline().configuration
        let pipeline = StreamToQueuePipeline(
            configuration: configuration, source: rig.local, sink: flaky, sinkDestination: "OUT",
            deadLetters: rig.spool, deadLetterDestination: "DLQ", encoder: StreamEventEncoder(engine: nil))
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.committed == 12 })
        pipeline.requestStop()
        try await task.value
        #expect(pipeline.statistics.sinkRetries == 3)
        #expect(try await rig.drain("OUT").count == 12)
    }

    @Test("consumer lag per partition: the log end before anything is committed, 0 after draining, the new records after more are published")
    func consumerLagFromTheLocalLog() async throws {
        let rig = try await Rig()
        try await rig.publish(30)
        let pipeline = rig.pipeline(lagRefreshInterval: .milliseconds(20))
        #expect(pipeline.consumerLag.isEmpty, "nothing read before the first refresh")
        try await pipeline.refreshLag()
        var ends: [Int64] = []
        for partition in 0..<3 { ends.append(try rig.local.offsets(topic: "out", partition: partition).next) }
        #expect(ends.reduce(0, +) == 30)
        #expect(pipeline.consumerLag.map(\.partition) == [0, 1, 2])
        #expect(pipeline.consumerLag.map(\.lag) == ends, "nothing committed yet: the lag is the log end")

        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.committed == 30 })
        #expect(try await eventually { pipeline.consumerLag.count == 3 && pipeline.consumerLag.allSatisfy { $0.lag == 0 } })
        pipeline.requestStop()
        try await task.value

        // Published while the pipeline is stopped: the lag is what it has not delivered.
        try await rig.publish(12, from: 30)
        try await pipeline.refreshLag()
        var grown: [Int64] = []
        for partition in 0..<3 {
            let end = try rig.local.offsets(topic: "out", partition: partition).next
            grown.append(end - ends[partition])
        }
        #expect(pipeline.consumerLag.map(\.lag) == grown)
        #expect(grown.reduce(0, +) == 12)
        let daemon = BridgeDaemon(
            configuration: BridgeConfiguration(pipelines: []), pipelines: [], streamPipelines: [pipeline])
        let metrics = daemon.prometheusMetrics()
        #expect(metrics.contains("# TYPE ferry_consumer_lag gauge\n"))
        for partition in 0..<3 {
            #expect(metrics.contains("ferry_consumer_lag{pipeline=\"out\",topic=\"out\",partition=\"\(partition)\"} \(grown[partition])\n"))
        }
        _ = try await rig.drain("OUT")
    }
}

/// A log whose commits never return (a process stopped between its send and its commit).
final class HangingCommitLog: StreamLog {
    let base: any StreamLog
    private let started = Mutex(0)
    var commitsStarted: Int { started.withLock { $0 } }
    init(_ base: any StreamLog) { self.base = base }
    func createTopic(_ topic: String, partitions: Int) async throws { try await base.createTopic(topic, partitions: partitions) }
    func topics() async throws -> [TopicDescription] { try await base.topics() }
    func append(_ records: [StreamRecord], topic: String, partition: Int) async throws -> AppendResult {
        try await base.append(records, topic: topic, partition: partition)
    }
    func read(topic: String, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws -> [StoredRecord] {
        try await base.read(topic: topic, partition: partition, from: offset, maxRecords: maxRecords, maxBytes: maxBytes)
    }
    func offsets(topic: String, partition: Int) async throws -> PartitionOffsets { try await base.offsets(topic: topic, partition: partition) }
    func commit(group: String, topic: String, partition: Int, offset: Int64) async throws {
        started.withLock { $0 += 1 }
        try await Task.sleep(for: .seconds(3600))
    }
    func committedOffset(group: String, topic: String, partition: Int) async throws -> Int64? {
        try await base.committedOffset(group: group, topic: topic, partition: partition)
    }
}

/// A queue whose first `failures` batch sends throw.
final class FailingSendQueue: LegacyQueue {
    let base: any LegacyQueue
    private let left: Mutex<Int>
    init(_ base: any LegacyQueue, failures: Int) {
        self.base = base
        left = Mutex(failures)
    }
    func send(_ message: QueueMessage, to destination: String) async throws { try await send([message], to: destination) }
    func send(_ messages: [QueueMessage], to destination: String) async throws {
        let fail = left.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { throw InjectedFailure() }
        try await base.send(messages, to: destination)
    }
    func receive(from destination: String, timeout: Duration) async throws -> ReceivedMessage? {
        try await base.receive(from: destination, timeout: timeout)
    }
    func acknowledge(_ message: ReceivedMessage) async throws { try await base.acknowledge(message) }
    func reject(_ message: ReceivedMessage, reason: String) async throws { try await base.reject(message, reason: reason) }
    func browse(_ destination: String, limit: Int) async throws -> [ReceivedMessage] { try await base.browse(destination, limit: limit) }
    func close() async throws { try await base.close() }
}

@Suite("Bridge pipeline: LocalLog → spool queue through a mapping's reverse (claim-status replies as MQ frames)")
struct StreamToQueueMappingTests {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test("each event becomes an MQ reply frame that maps back to the same event; an unencodable one is dead-lettered")
    func encodesThroughTheReverse() async throws {
        let mapping = try MappingDefinition(contentsOf: Self.repositoryRoot + "/mappings/claim-status-reply/mapping.json")
        let engine = MappingEngine(mapping: mapping)
        let input = try #require(FileManager.default.contents(atPath: Self.repositoryRoot + "/samples/mq/claim-status.replies.mqf"))
        let originals = try engine.events(from: Array(input), inputName: "replies.mqf")
        #expect(originals.count == 2)
        var events = try originals.map { try CloudEventJSONFormat.decode($0.encoded()) }
        // A third event with a status the mapping's code table cannot carry back.
        var unencodable = events[0]
        unencodable.id = "no-code"
        let data = String(decoding: unencodable.data?.bytes ?? [], as: UTF8.self).replacingOccurrences(of: #""paid""#, with: #""lost""#)
        unencodable.data = .json(Array(data.utf8))
        events.append(unencodable)

        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
        let log = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        try log.createTopic("replies", partitions: 1)
        _ = try log.append(
            try events.map { try CloudEventKafkaBinding.encode($0, mode: .binary, fallbackTimestamp: 0) }, topic: "replies",
            partition: 0)
        let pipeline = StreamToQueuePipeline(
            configuration: StreamToQueuePipelineConfiguration(
                name: "replies", source: StreamSourceConfiguration(log: "\(root)/log", topic: "replies", group: "g"),
                mappingFile: "mappings/claim-status-reply/mapping.json", sink: "spool:\(root)/spool/REPLY",
                deadLetter: "spool:\(root)/spool/DLQ", pollInterval: .milliseconds(10)),
            source: log, sink: spool, sinkDestination: "REPLY", deadLetters: spool, deadLetterDestination: "DLQ",
            encoder: StreamEventEncoder(engine: engine))
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.committed == 3 })
        pipeline.requestStop()
        try await task.value

        var replies: [ReceivedMessage] = []
        while let message = try spool.receiveNow(from: "REPLY") { replies.append(message) }
        #expect(replies.count == 2)
        for (reply, original) in zip(replies, originals) {
            #expect(reply.message.bodyKind == .bytes)
            #expect(reply.message.body.starts(with: engine.encodedFileHeader))
            // The frame maps back to the very event it came from: same deterministic id, same data.
            let again = try #require(try engine.events(from: reply.message.body, inputName: "reply").first)
            #expect(again["id"] == original["id"])
            #expect(again["data"] == original["data"])
            #expect(reply.message.properties["ce_id"] == original["id"]?.stringValue)
            #expect(reply.message.correlationID == original["correlationid"]?.stringValue)
        }
        let letter = try #require(try spool.receiveNow(from: "DLQ"))
        #expect(letter.message.properties[DeadLetterHeader.stage] == "encode")
        #expect(letter.message.properties[DeadLetterHeader.errorClass] == "MappingError")
        #expect(letter.message.properties[DeadLetterHeader.message]?.contains("no code for the event's value of status") == true)
        #expect(letter.message.properties["ce_id"] == "no-code")
    }
}
