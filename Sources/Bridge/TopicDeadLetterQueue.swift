import Foundation
public import LegacyQueue
public import StreamLog

/// A dead-letter topic behind the queue interface the pipelines send dead letters to: each dead letter becomes one
/// record with the original bytes as its value and every property (the `ferry.error.*` reasons and the original
/// message's properties) as a UTF-8 record header, in name order, plus `content-type` and
/// `ferry-correlation-id` when the message had them. Records are unkeyed (partition 0) and stamped with the time
/// they were dead-lettered. The topic is created (1 partition, or ``partitions``) on first use when missing.
///
/// Only ``send(_:to:)`` works: a dead-letter topic is not read through the bridge's queue interface.
public final class TopicDeadLetterQueue: LegacyQueue {
    /// The log the topic lives in.
    public let log: any StreamLog
    /// Partitions of the topic when the bridge creates it.
    public let partitions: Int

    /// Dead letters into topics of `log`; the destination passed to ``send(_:to:)`` is the topic.
    public init(log: any StreamLog, partitions: Int = 1) {
        self.log = log
        self.partitions = partitions
    }

    /// The record a dead letter becomes.
    public static func record(for message: QueueMessage, timestamp: Int64) -> StreamRecord {
        var headers: [RecordHeader] = []
        for (name, value) in message.properties.sorted(by: { $0.key < $1.key }) {
            headers.append(RecordHeader(name: name, text: value))
        }
        if let type = message.contentType { headers.append(RecordHeader(name: "content-type", text: type)) }
        if let correlation = message.correlationID { headers.append(RecordHeader(name: "ferry-correlation-id", text: correlation)) }
        return StreamRecord(key: nil, value: message.body, headers: headers, timestamp: timestamp)
    }

    public func send(_ message: QueueMessage, to destination: String) async throws {
        try await send([message], to: destination)
    }

    public func send(_ messages: [QueueMessage], to destination: String) async throws {
        guard !messages.isEmpty else { return }
        if try await !log.topics().contains(where: { $0.name == destination }) {
            try await log.createTopic(destination, partitions: partitions)
        }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        _ = try await log.publish(messages.map { Self.record(for: $0, timestamp: now) }, topic: destination)
    }

    public func receive(from destination: String, timeout: Duration) async throws -> ReceivedMessage? {
        throw Self.writeOnly(destination)
    }

    public func acknowledge(_ message: ReceivedMessage) async throws { throw Self.writeOnly(message.destination) }

    public func reject(_ message: ReceivedMessage, reason: String) async throws { throw Self.writeOnly(message.destination) }

    public func browse(_ destination: String, limit: Int) async throws -> [ReceivedMessage] {
        throw Self.writeOnly(destination)
    }

    /// Closing is the log owner's business (the daemon closes each log once).
    public func close() async throws {}

    private static func writeOnly(_ destination: String) -> BridgeError {
        .endpoint(pipeline: "", path: destination, reason: "a dead-letter topic is written only")
    }
}

/// A dead-letter topic: `"deadLetter": {"topic": "claims.dlq", "log": "kafka://broker:9092", "partitions": 1}`.
public struct DeadLetterTopicConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The embedded log's directory or `kafka://host:port[,…]`. Default: the pipeline's sink log (queue → stream,
    /// directory) or source log (stream → queue).
    public var log: String
    /// The topic.
    public var topic: String
    /// Partitions when the bridge creates the topic. Default: 1.
    public var partitions: Int

    /// A dead-letter topic.
    public init(log: String, topic: String, partitions: Int = 1) {
        self.log = log
        self.topic = topic
        self.partitions = partitions
    }

    /// `topic:LOG#TOPIC`, Kafka credentials dropped.
    public var description: String {
        var shown = log
        if shown.hasPrefix("kafka://"), let at = shown.lastIndex(of: "@") { shown = "kafka://" + shown[shown.index(after: at)...] }
        return "topic:\(shown)#\(topic)"
    }
}
