public import StreamLog
internal import Synchronization

/// How a ``KafkaGroupConsumer`` takes part in its group. `Sendable` value; validated by ``validate()``.
public struct KafkaGroupConsumerConfiguration: Sendable, Hashable {
    /// The consumer group id.
    public var group: String
    /// The topics subscribed to.
    public var topics: [String]
    /// `session.timeout.ms`: a member silent this long is removed. Default: 10 s. (tansu completes a join
    /// after about half of it.)
    public var sessionTimeout: Duration = .seconds(10)
    /// `rebalance.timeout.ms`: how long the coordinator waits for members to rejoin. Default: 30 s.
    public var rebalanceTimeout: Duration = .seconds(30)
    /// Time between heartbeats, while iterating. Default: 1 s (at most a third of the session timeout).
    public var heartbeatInterval: Duration = .seconds(1)
    /// Where a partition without a committed offset starts. Default: ``KafkaStartOffset/earliest``.
    public var startWithoutCommit: KafkaStartOffset = .earliest
    /// Fetch sizes and limits.
    public var fetch: KafkaConsumerConfiguration = .init()

    /// A configuration with the defaults documented on each field.
    public init(group: String, topics: [String]) {
        self.group = group
        self.topics = topics
    }

    /// Checks every field; the error names the first bad one.
    public func validate() throws(KafkaError) {
        if group.isEmpty { throw .invalidConfiguration(field: "group", reason: "is empty") }
        if topics.isEmpty { throw .invalidConfiguration(field: "topics", reason: "is empty") }
        if heartbeatInterval * 3 > sessionTimeout {
            throw .invalidConfiguration(field: "heartbeatInterval", reason: "must be at most a third of sessionTimeout")
        }
    }
}

/// A consumer-group member: FindCoordinator, JoinGroup, SyncGroup with Kafka's range assignor (when it leads),
/// Heartbeat, OffsetCommit and LeaveGroup, with rebalances handled. Iterate it for the records of the
/// partitions the group gives it; heartbeats are sent from the iteration, so a member that stops iterating for
/// longer than the session timeout leaves the group (like Kafka's `max.poll.interval.ms`).
///
/// At-least-once: ``markProcessed(_:)`` records progress; ``commit()`` (and every rebalance and ``close()``)
/// commits only what was marked.
public final class KafkaGroupConsumer: Sendable, AsyncSequence {
    public typealias Element = StoredRecord

    /// The cluster connection.
    public let client: KafkaClient
    /// The group, topics and timing.
    public let configuration: KafkaGroupConsumerConfiguration

    struct Membership: Sendable {
        var memberID = ""
        var generationID: Int32 = -1
        var assignment: [String: [Int32]] = [:]
        var needsJoin = true
        var processed: [String: [Int: Int64]] = [:]
        var lastHeartbeat = ContinuousClock.now
        var closed = false
    }
    let state = Mutex(Membership())

    /// A member of `configuration.group`; it joins on first iteration or ``join()``.
    public init(client: KafkaClient, configuration: KafkaGroupConsumerConfiguration) throws(KafkaError) {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
    }

    /// The partitions currently assigned to this member, by topic.
    public var assignment: [String: [Int32]] { state.withLock { $0.assignment } }
    /// This member's id and generation (empty and -1 before the first join).
    public var generation: (memberID: String, generationID: Int32) { state.withLock { ($0.memberID, $0.generationID) } }

    private func milliseconds(_ duration: Duration) -> Int32 {
        Int32(clamping: duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// Joins (or rejoins) the group and returns the assignment. Commits what was marked first when rejoining.
    @discardableResult
    public func join() async throws(KafkaError) -> [String: [Int32]] {
        if state.withLock({ $0.generationID >= 0 }) { try? await commit() }
        let group = configuration.group
        var attempts = 0
        while true {
            attempts += 1
            let connection = try await client.coordinatorConnection(group: group)
            let memberID = state.withLock { $0.memberID }
            let joined = try await connection.send(
                JoinGroupRequest(
                    group: group, sessionTimeoutMilliseconds: milliseconds(configuration.sessionTimeout),
                    rebalanceTimeoutMilliseconds: milliseconds(configuration.rebalanceTimeout), memberID: memberID,
                    protocols: [(name: "range", metadata: ConsumerProtocol.subscription(topics: configuration.topics))]),
                timeout: client.configuration.requestTimeout + configuration.rebalanceTimeout)
            switch joined.errorCode {
            case .none: break
            case KafkaErrorCode(rawValue: 79):  // MEMBER_ID_REQUIRED: rejoin with the id the broker chose
                state.withLock { $0.memberID = joined.memberID }
                continue
            case KafkaErrorCode(rawValue: 25):  // UNKNOWN_MEMBER_ID
                state.withLock { $0.memberID = "" }
                continue
            case let code where (code.isRetriable || code == KafkaErrorCode(rawValue: 27)) && attempts < 20:
                try? await Task.sleep(for: client.configuration.retryBackoff)
                continue
            default:
                throw .broker(code: joined.errorCode, context: "JoinGroup of group \(group)", message: nil)
            }
            var assignments: [(memberID: String, assignment: [UInt8])] = []
            if joined.leader == joined.memberID {
                var subscriptions: [String: [String]] = [:]
                for member in joined.members {
                    subscriptions[member.memberID] = try ConsumerProtocol.parseSubscription(member.metadata)
                }
                var counts: [String: Int] = [:]
                for topic in Set(subscriptions.values.joined()) {
                    counts[topic] = try await client.topicMetadata(topic, refresh: true).partitionCount
                }
                let plan = ConsumerProtocol.rangeAssign(members: subscriptions, partitionCounts: counts)
                assignments = plan.sorted { $0.key < $1.key }.map { ($0.key, ConsumerProtocol.assignment($0.value)) }
            }
            let synced = try await connection.send(
                SyncGroupRequest(
                    group: group, generationID: joined.generationID, memberID: joined.memberID,
                    protocolName: joined.protocolName ?? "range", assignments: assignments),
                timeout: client.configuration.requestTimeout + configuration.rebalanceTimeout)
            if synced.errorCode == KafkaErrorCode(rawValue: 27) || synced.errorCode == KafkaErrorCode(rawValue: 22) {
                continue  // REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION: join again
            }
            guard synced.errorCode == .none else {
                throw .broker(code: synced.errorCode, context: "SyncGroup of group \(group)", message: nil)
            }
            let assignment = try ConsumerProtocol.parseAssignment(synced.assignment)
            state.withLock { state in
                state.memberID = joined.memberID
                state.generationID = joined.generationID
                state.assignment = assignment
                state.needsJoin = false
                state.lastHeartbeat = .now
                state.processed = state.processed.filter { assignment[$0.key] != nil }
            }
            return assignment
        }
    }

    /// Sends a heartbeat; returns false (and marks a rejoin as needed) when the group is rebalancing or this
    /// member's generation is over.
    @discardableResult
    public func heartbeat() async throws(KafkaError) -> Bool {
        let (member, generation) = state.withLock { ($0.memberID, $0.generationID) }
        let connection = try await client.coordinatorConnection(group: configuration.group)
        let code = try await connection.send(
            HeartbeatRequest(group: configuration.group, generationID: generation, memberID: member),
            timeout: client.configuration.requestTimeout)
        state.withLock { $0.lastHeartbeat = .now }
        switch code {
        case .none: return true
        case KafkaErrorCode(rawValue: 27), KafkaErrorCode(rawValue: 22):
            state.withLock { $0.needsJoin = true }
            return false
        case KafkaErrorCode(rawValue: 25):
            state.withLock { state in
                state.needsJoin = true
                state.memberID = ""
                state.generationID = -1
            }
            return false
        case let code where code.isRetriable:
            return true
        default:
            throw .broker(code: code, context: "Heartbeat of group \(configuration.group)", message: nil)
        }
    }

    /// Notes that `record` and everything before it in its partition are processed.
    public func markProcessed(_ record: StoredRecord) {
        state.withLock { state in
            let next = record.offset + 1
            if (state.processed[record.topic]?[record.partition] ?? -1) < next {
                state.processed[record.topic, default: [:]][record.partition] = next
            }
        }
    }

    /// Commits the offsets after the records marked processed, under this member's generation.
    public func commit() async throws(KafkaError) {
        let (marks, member, generation) = state.withLock { ($0.processed, $0.memberID, $0.generationID) }
        guard !marks.isEmpty else { return }
        let offsets = marks.sorted { $0.key < $1.key }.map { topic, partitions in
            (topic: topic, partitions: partitions.sorted { $0.key < $1.key }.map { (partition: Int32($0.key), offset: $0.value) })
        }
        let connection = try await client.coordinatorConnection(group: configuration.group)
        let response = try await connection.send(
            OffsetCommitRequest(group: configuration.group, generationID: generation, memberID: member, offsets: offsets),
            timeout: client.configuration.requestTimeout)
        for (topic, partitions) in response.errors {
            for (partition, code) in partitions where code != .none {
                throw .broker(code: code, context: "commit of group \(configuration.group) on \(topic)/\(partition)", message: nil)
            }
        }
    }

    /// Commits what was marked, then leaves the group so the others take over at once.
    public func close() async {
        try? await commit()
        let member = state.withLock { state in
            state.closed = true
            return state.memberID
        }
        guard !member.isEmpty, let connection = try? await client.coordinatorConnection(group: configuration.group) else { return }
        _ = try? await connection.send(LeaveGroupRequest(group: configuration.group, memberID: member), timeout: client.configuration.requestTimeout)
        state.withLock { state in
            state.memberID = ""
            state.generationID = -1
            state.assignment = [:]
        }
    }

    /// Where to start reading `topic`/`partition`: the group's committed offset, else the configured start.
    func startOffset(topic: String, partition: Int) async throws(KafkaError) -> Int64 {
        if let committed = try await client.committedOffset(group: configuration.group, topic: topic, partition: partition) {
            return committed
        }
        return try await KafkaConsumer(client: client, assignment: []).resolve(configuration.startWithoutCommit, topic: topic, partition: partition)
    }

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: self) }

    /// Joins, heartbeats, rejoins on rebalance and fetches the assigned partitions in turn. Returns nil when the
    /// task is cancelled or the consumer closed.
    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaGroupConsumer
        var partitions: [(topic: String, partition: Int)] = []
        var positions: [String: [Int: Int64]] = [:]
        var buffer: [StoredRecord] = []
        var bufferIndex = 0
        var turn = 0
        var generationSeen: Int32 = -1
        /// The Fetch sent ahead for the next turn's partition, and the generation and position it was sent
        /// for: used only when they still match (a rebalance, or a position looked up anew, discards it).
        var prefetched: (generation: Int32, topic: String, partition: Int, offset: Int64, fetch: KafkaPrefetchedFetch<FetchAnswer>)?
        typealias FetchAnswer = (records: [KafkaRecord], highWatermark: Int64, logStartOffset: Int64)

        public mutating func next() async throws(KafkaError) -> StoredRecord? {
            while bufferIndex >= buffer.count {
                if Task.isCancelled || consumer.state.withLock({ $0.closed }) {
                    prefetched = nil
                    return nil
                }
                if consumer.state.withLock({ $0.needsJoin }) { try await consumer.join() }
                let (generation, assignment) = consumer.state.withLock { ($0.generationID, $0.assignment) }
                if generation != generationSeen {
                    // A new generation: positions restart from the group's committed offsets.
                    generationSeen = generation
                    partitions = assignment.sorted { $0.key < $1.key }.flatMap { topic, list in list.sorted().map { (topic, Int($0)) } }
                    positions = [:]
                    prefetched = nil
                    buffer = []
                    bufferIndex = 0
                    continue
                }
                let due = consumer.state.withLock { ContinuousClock.now - $0.lastHeartbeat >= consumer.configuration.heartbeatInterval }
                if due {
                    guard try await consumer.heartbeat() else { continue }
                }
                guard !partitions.isEmpty else {
                    try? await Task.sleep(for: consumer.configuration.heartbeatInterval)
                    continue
                }
                let (topic, partition) = partitions[turn % partitions.count]
                turn &+= 1
                let offset: Int64
                if let known = positions[topic]?[partition] {
                    offset = known
                } else {
                    offset = try await consumer.startOffset(topic: topic, partition: partition)
                    positions[topic, default: [:]][partition] = offset
                }
                let fetched: FetchAnswer
                if let ahead = prefetched, ahead.generation == generation, ahead.topic == topic, ahead.partition == partition,
                    ahead.offset == offset
                {
                    prefetched = nil
                    fetched = try await ahead.fetch.answer()
                } else {
                    prefetched = nil
                    fetched = try await fetch(topic: topic, partition: partition, offset: offset, prefetch: false)
                }
                buffer = fetched.records.map { StoredRecord(topic: topic, partition: partition, offset: $0.offset, record: $0.record) }
                bufferIndex = 0
                if let last = fetched.records.last { positions[topic, default: [:]][partition] = last.offset + 1 }
                // Prefetch: the next turn's partition, when its position is known (no lookup needed).
                let next = partitions[turn % partitions.count]
                if consumer.configuration.fetch.prefetchBytes > 0, let nextOffset = positions[next.topic]?[next.partition] {
                    let consumer = consumer
                    prefetched = (
                        generation, next.topic, next.partition, nextOffset,
                        KafkaPrefetchedFetch { () async throws(KafkaError) in
                            try await Self.fetch(consumer, topic: next.topic, partition: next.partition, offset: nextOffset, prefetch: true)
                        }
                    )
                }
            }
            defer { bufferIndex += 1 }
            return buffer[bufferIndex]
        }

        func fetch(topic: String, partition: Int, offset: Int64, prefetch: Bool) async throws(KafkaError) -> FetchAnswer {
            try await Self.fetch(consumer, topic: topic, partition: partition, offset: offset, prefetch: prefetch)
        }

        /// One Fetch of `topic`/`partition` from `offset`; a prefetch asks for at most `prefetchBytes`.
        static func fetch(
            _ consumer: KafkaGroupConsumer, topic: String, partition: Int, offset: Int64, prefetch: Bool
        ) async throws(KafkaError) -> FetchAnswer {
            let configuration = consumer.configuration
            let wait = Swift.min(configuration.fetch.maximumWait, configuration.heartbeatInterval)
            let bytes = prefetch
                ? Swift.min(configuration.fetch.maximumBytesPerPartition, configuration.fetch.prefetchBytes)
                : configuration.fetch.maximumBytesPerPartition
            return try await consumer.client.fetch(
                topic: topic, partition: partition, offset: offset, maximumBytes: bytes, maximumWait: wait,
                limits: configuration.fetch.limits)
        }
    }
}
