import Bridge
import Foundation
import LegacyQueue
import StreamLog
import Synchronization

/// A fresh temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "ferry-bridge-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A CloudEvent in JSON format with id `id`, partition key `key` and `seq` in its data.
func eventJSON(id: String, key: String, seq: Int) -> QueueMessage {
    QueueMessage(
        text: #"{"specversion":"1.0","id":"\#(id)","source":"/test","type":"org.example.test","partitionkey":"\#(key)","datacontenttype":"application/json","data":{"seq":\#(seq)}}"#)
}

/// What happened, in order, across the wrapped queue and log.
final class Journal: Sendable {
    private let entries = Mutex<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// A queue that journals acknowledgements (by message id) before delegating.
final class JournalingQueue: LegacyQueue {
    let base: any LegacyQueue
    let journal: Journal
    init(_ base: any LegacyQueue, journal: Journal) {
        self.base = base
        self.journal = journal
    }
    func send(_ message: QueueMessage, to destination: String) async throws { try await base.send(message, to: destination) }
    func send(_ messages: [QueueMessage], to destination: String) async throws { try await base.send(messages, to: destination) }
    func receive(from destination: String, timeout: Duration) async throws -> ReceivedMessage? {
        let message = try await base.receive(from: destination, timeout: timeout)
        if let message { journal.record("receive \(Self.eventID(message))") }
        return message
    }
    func acknowledge(_ message: ReceivedMessage) async throws {
        try await base.acknowledge(message)
        journal.record("ack \(Self.eventID(message))")
    }
    func reject(_ message: ReceivedMessage, reason: String) async throws { try await base.reject(message, reason: reason) }
    func browse(_ destination: String, limit: Int) async throws -> [ReceivedMessage] { try await base.browse(destination, limit: limit) }
    func close() async throws { try await base.close() }

    /// The `id` of the event in the body, or `?` when it has none.
    static func eventID(_ message: ReceivedMessage) -> String {
        let text = String(decoding: message.message.body, as: UTF8.self)
        guard let start = text.range(of: #""id":""#), let end = text[start.upperBound...].firstIndex(of: "\"") else { return "?" }
        return String(text[start.upperBound..<end])
    }
}

/// What the wrapped log does on an append.
enum AppendBehaviour: Sendable {
    case normal
    /// Throw for the first `count` appends.
    case failFirst(Int)
    /// Append normally `count` times, then append and never return (a process dying before it acknowledges).
    case hangAfter(Int)
    /// Append, then wait this long before returning (a slow disk).
    case slow(Duration)
}

struct InjectedFailure: Error {}

/// A log that journals appended event ids once the base log confirmed them, with injected failures.
final class JournalingLog: StreamLog {
    let base: any StreamLog
    let journal: Journal
    let behaviour: AppendBehaviour
    private let appends = Mutex(0)
    private let hung = Mutex(false)
    /// Whether an append entered its never-ending wait (``AppendBehaviour/hangAfter(_:)``).
    var hasHung: Bool { hung.withLock { $0 } }
    init(_ base: any StreamLog, journal: Journal, behaviour: AppendBehaviour = .normal) {
        self.base = base
        self.journal = journal
        self.behaviour = behaviour
    }
    func createTopic(_ topic: String, partitions: Int) async throws { try await base.createTopic(topic, partitions: partitions) }
    func topics() async throws -> [TopicDescription] { try await base.topics() }
    func append(_ records: [StreamRecord], topic: String, partition: Int) async throws -> AppendResult {
        let number = appends.withLock { count in count += 1; return count }
        if case let .failFirst(limit) = behaviour, number <= limit { throw InjectedFailure() }
        let result = try await base.append(records, topic: topic, partition: partition)
        for record in records { journal.record("append \(record.eventID)") }
        switch behaviour {
        case let .hangAfter(limit) where number > limit:
            hung.withLock { $0 = true }
            try await Task.sleep(for: .seconds(3600))
        case let .slow(delay): try await Task.sleep(for: delay)
        default: break
        }
        return result
    }
    func read(topic: String, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws -> [StoredRecord] {
        try await base.read(topic: topic, partition: partition, from: offset, maxRecords: maxRecords, maxBytes: maxBytes)
    }
    func offsets(topic: String, partition: Int) async throws -> PartitionOffsets { try await base.offsets(topic: topic, partition: partition) }
    func commit(group: String, topic: String, partition: Int, offset: Int64) async throws {
        try await base.commit(group: group, topic: topic, partition: partition, offset: offset)
    }
    func committedOffset(group: String, topic: String, partition: Int) async throws -> Int64? {
        try await base.committedOffset(group: group, topic: topic, partition: partition)
    }
}

extension StreamRecord {
    /// The `ce_id` header.
    var eventID: String { headers.first { $0.name == "ce_id" }?.textValue ?? "?" }
    /// The `seq` of the test event's data.
    var seq: Int? {
        guard let value else { return nil }
        let text = String(decoding: value, as: UTF8.self)
        guard let range = text.range(of: #""seq":"#) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Every record of `topic`, partition by partition.
func allRecords(_ log: any StreamLog, topic: String) async throws -> [[StreamRecord]] {
    var result: [[StreamRecord]] = []
    for partition in 0..<(try await log.partitionCount(of: topic)) {
        let stored = try await log.read(topic: topic, partition: partition, from: 0, maxRecords: 1_000_000, maxBytes: 1 << 30)
        result.append(stored.map(\.record))
    }
    return result
}

/// A pipeline configuration for the tests (the URLs are informational: the pipeline gets opened endpoints).
func testPipelineConfiguration(
    root: String, maxAttempts: Int = 3, maxInFlight: Int = 8, partitions: Int = 3
) -> PipelineConfiguration {
    PipelineConfiguration(
        name: "test", source: "spool:\(root)/spool/IN", sink: SinkConfiguration(log: "\(root)/log", topic: "events", partitions: partitions),
        deadLetter: "spool:\(root)/spool/DLQ", maxAttempts: maxAttempts, maxInFlight: maxInFlight,
        retryBackoff: .milliseconds(5), maxRetryBackoff: .milliseconds(20))
}

/// Waits until `condition` holds, for at most `timeout`.
func eventually(timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
