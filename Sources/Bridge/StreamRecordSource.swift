public import StreamLog
import Synchronization

/// Where a ``StreamToQueuePipeline`` reads records and records its progress.
public protocol StreamRecordSource: Sendable {
    /// Prepares to read (the topic exists; a group member joins). Retried until it succeeds.
    func start() async throws
    /// The next records of one partition after those handed out before, at most `maxRecords`, in offset order;
    /// empty when none are waiting.
    func poll(maxRecords: Int) async throws -> [StoredRecord]
    /// Records that `last` and everything before it in its partition were delivered. Returns false when the
    /// progress could not be recorded for good reason (a group member lost the partition in a rebalance: the new
    /// owner reads those records again); throws when it should be retried.
    func commit(through last: StoredRecord) async throws -> Bool
    /// Ends the reading (a group member leaves the group, so the others take over at once).
    func stop() async
    /// How far the group's committed offsets are behind the log end, per partition this source reads (a group
    /// member: the partitions it holds). Default: none.
    func lag() async throws -> [PartitionLag]
}

extension StreamRecordSource {
    public func lag() async throws -> [PartitionLag] { [] }
}

/// Consumer lag of one partition: the log-end offset (Kafka: ListOffsets latest, the high watermark) minus the
/// group's committed offset (the earliest stored offset when the group never committed).
public struct PartitionLag: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int
    /// The offset the next appended record gets.
    public var logEnd: Int64
    /// The group's committed offset: the next record it will deliver.
    public var committed: Int64
    /// Records appended and not yet delivered and committed (never negative).
    public var lag: Int64 { max(0, logEnd - committed) }

    /// The lag of `partition` of `topic`.
    public init(topic: String, partition: Int, logEnd: Int64, committed: Int64) {
        self.topic = topic
        self.partition = partition
        self.logEnd = logEnd
        self.committed = committed
    }

    /// The lag of `partition` of `topic` in `log` for `group`.
    public static func read(log: any StreamLog, topic: String, partition: Int, group: String) async throws -> PartitionLag {
        let bounds = try await log.offsets(topic: topic, partition: partition)
        let committed = try await log.committedOffset(group: group, topic: topic, partition: partition) ?? bounds.earliest
        return PartitionLag(topic: topic, partition: partition, logEnd: bounds.next, committed: committed)
    }
}

/// Reads every partition of a topic of any ``StreamLog`` (the embedded LocalLog, or Kafka without group
/// membership), starting at group `group`'s committed offsets (the earliest record when it never committed),
/// partitions in turn; commits with ``StreamLog/commit(group:topic:partition:offset:)``.
public final class LogStreamSource: StreamRecordSource {
    /// The log read.
    public let log: any StreamLog
    /// The topic.
    public let topic: String
    /// The group whose committed offsets say where to start.
    public let group: String
    private let state = Mutex(Positions())

    private struct Positions {
        var next: [Int64] = []
        var turn = 0
    }

    /// A source on `topic` of `log` for `group`.
    public init(log: any StreamLog, topic: String, group: String) {
        self.log = log
        self.topic = topic
        self.group = group
    }

    public func start() async throws {
        let partitions = try await log.partitionCount(of: topic)
        var next: [Int64] = []
        for partition in 0..<partitions {
            if let committed = try await log.committedOffset(group: group, topic: topic, partition: partition) {
                next.append(committed)
            } else {
                next.append(try await log.offsets(topic: topic, partition: partition).earliest)
            }
        }
        state.withLock { $0.next = next }
    }

    public func poll(maxRecords: Int) async throws -> [StoredRecord] {
        let (positions, turn) = state.withLock { ($0.next, $0.turn) }
        for step in 0..<positions.count {
            let partition = (turn + step) % positions.count
            let records = try await log.read(
                topic: topic, partition: partition, from: positions[partition], maxRecords: maxRecords, maxBytes: 8 << 20)
            guard let last = records.last else { continue }
            state.withLock { state in
                state.next[partition] = last.offset + 1
                state.turn = partition + 1
            }
            return records
        }
        return []
    }

    public func commit(through last: StoredRecord) async throws -> Bool {
        try await log.commit(group: group, topic: topic, partition: last.partition, offset: last.offset + 1)
        return true
    }

    public func stop() async {}

    /// Every partition's lag from the log itself (LocalLog: its index; Kafka: ListOffsets and OffsetFetch).
    public func lag() async throws -> [PartitionLag] {
        var result: [PartitionLag] = []
        for partition in 0..<(try await log.partitionCount(of: topic)) {
            result.append(try await PartitionLag.read(log: log, topic: topic, partition: partition, group: group))
        }
        return result
    }
}
