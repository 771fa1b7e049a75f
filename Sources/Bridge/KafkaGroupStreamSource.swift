public import Kafka
public import StreamLog
import Synchronization

/// Reads a Kafka topic as a member of consumer group `group` (JoinGroup/SyncGroup with the range assignor,
/// heartbeats, rejoining on rebalance): several bridge instances with the same group share the partitions, and one
/// takes over the partitions of an instance that leaves or dies (after the session timeout). Progress is committed
/// with the member's generation, so a member that lost a partition cannot move its offset: the new owner reads the
/// records after the last commit again (duplicates carry the same event ids).
public final class KafkaGroupStreamSource: StreamRecordSource {
    /// The group member.
    public let consumer: KafkaGroupConsumer
    /// The topic.
    public let topic: String
    private let state = Mutex(Membership())

    private struct Membership {
        var needsJoin = true
        var partitions: [Int] = []
        var next: [Int: Int64] = [:]
        var turn = 0
    }

    /// A member of `group` reading `topic` through `client`. Timing defaults to `KafkaGroupConsumerConfiguration`'s
    /// (session 10 s, heartbeat 1 s) unless `configuration` is given.
    public init(client: KafkaClient, topic: String, group: String, configuration: KafkaGroupConsumerConfiguration? = nil)
        throws(KafkaError)
    {
        var settings = configuration ?? KafkaGroupConsumerConfiguration(group: group, topics: [topic])
        settings.group = group
        settings.topics = [topic]
        consumer = try KafkaGroupConsumer(client: client, configuration: settings)
        self.topic = topic
    }

    /// The partitions of ``topic`` this member holds now.
    public var assignedPartitions: [Int] { state.withLock { $0.partitions } }

    public func start() async throws {
        _ = try await consumer.client.topicMetadata(topic, refresh: true)  // the topic exists
        try await join()
    }

    private func join() async throws {
        let assignment = try await consumer.join()
        let partitions = (assignment[topic] ?? []).map(Int.init).sorted()
        state.withLock { state in
            state.needsJoin = false
            state.partitions = partitions
            state.next = [:]  // a new generation starts from the group's committed offsets
            state.turn = 0
        }
    }

    public func poll(maxRecords: Int) async throws -> [StoredRecord] {
        if state.withLock({ $0.needsJoin }) { try await join() }
        let heartbeatDue = ContinuousClock.now - lastHeartbeat >= consumer.configuration.heartbeatInterval
        if heartbeatDue {
            lastHeartbeat = .now
            guard try await consumer.heartbeat() else {
                state.withLock { $0.needsJoin = true }
                return []
            }
        }
        let (partitions, turn) = state.withLock { ($0.partitions, $0.turn) }
        guard !partitions.isEmpty else { return [] }
        let partition = partitions[turn % partitions.count]
        state.withLock { $0.turn = turn + 1 }
        let offset: Int64
        if let known = state.withLock({ $0.next[partition] }) {
            offset = known
        } else if let committed = try await consumer.client.committedOffset(
            group: consumer.configuration.group, topic: topic, partition: partition)
        {
            offset = committed
        } else {
            offset = try await KafkaConsumer(client: consumer.client, assignment: [])
                .resolve(.earliest, topic: topic, partition: partition)
        }
        let fetched = try await consumer.client.fetch(
            topic: topic, partition: partition, offset: offset, maximumBytes: 8 << 20,
            maximumWait: min(.milliseconds(200), consumer.configuration.heartbeatInterval))
        let records = fetched.records.prefix(maxRecords).map {
            StoredRecord(topic: topic, partition: partition, offset: $0.offset, record: $0.record)
        }
        if let last = records.last { state.withLock { $0.next[partition] = last.offset + 1 } }
        return records
    }

    private var lastHeartbeat: ContinuousClock.Instant {
        get { heartbeatClock.withLock { $0 } }
        set { heartbeatClock.withLock { $0 = newValue } }
    }
    private let heartbeatClock = Mutex(ContinuousClock.now)

    public func commit(through last: StoredRecord) async throws -> Bool {
        consumer.markProcessed(last)
        do {
            try await consumer.commit()
            return true
        } catch {
            // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS: the partition may have moved.
            if let code = error.brokerCode, [22, 25, 27].contains(code.rawValue) {
                state.withLock { $0.needsJoin = true }
                return false
            }
            throw error
        }
    }

    public func stop() async {
        await consumer.close()
    }

    /// The lag of the partitions this member holds: ListOffsets latest (or the Fetch high watermark when larger:
    /// tansu 0.6 answers ListOffsets with the last batch's base offset + 1) minus the group's committed offset.
    public func lag() async throws -> [PartitionLag] {
        let client = consumer.client
        let group = consumer.configuration.group
        var result: [PartitionLag] = []
        for partition in assignedPartitions {
            let (earliest, end) = try await client.logBounds(topic: topic, partition: partition)
            let committed = try await client.committedOffset(group: group, topic: topic, partition: partition) ?? earliest
            result.append(PartitionLag(topic: topic, partition: partition, logEnd: end, committed: committed))
        }
        return result
    }
}

extension KafkaClient {
    /// The earliest offset and the log end of a partition: ListOffsets earliest and latest, the latter raised to the
    /// Fetch high watermark when that is larger (tansu 0.6 answers ListOffsets latest with the last batch's base
    /// offset + 1).
    func logBounds(topic: String, partition: Int) async throws -> (earliest: Int64, end: Int64) {
        let earliest = try await listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.earliest)
        var end = try await listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.latest)
        if end > earliest {
            let probe = try await fetch(topic: topic, partition: partition, offset: end - 1, maximumBytes: 1, maximumWait: .milliseconds(50))
            end = max(end, probe.highWatermark)
        }
        return (earliest, end)
    }
}
