public import StreamLog
internal import Synchronization

/// Where a consumer starts reading a partition.
public enum KafkaStartOffset: Hashable, Sendable {
    /// The earliest offset still stored.
    case earliest
    /// The log end: only records produced from now on.
    case latest
    /// The first record with a timestamp at or after this time (ms since the epoch); the log end when none.
    case timestamp(Int64)
    /// This exact offset.
    case offset(Int64)
}

/// How a ``KafkaConsumer`` fetches. `Sendable` value.
public struct KafkaConsumerConfiguration: Sendable, Hashable {
    /// Largest Fetch answer per partition (`PartitionMaxBytes`/`MaxBytes`). Default: 1 MiB.
    public var maximumBytesPerPartition: Int = 1 << 20
    /// How long an idle partition is waited on per Fetch. Default: 500 ms.
    public var maximumWait: Duration = .milliseconds(500)
    /// Limits while decoding batches. Default: 64 MiB decompressed, CRC checked.
    public var limits: RecordBatchLimits = .init()
    /// Prefetch (what librdkafka does on its own threads, bounded like its `queued.max.messages.kbytes`): as soon as a Fetch answer
    /// is parsed, the next Fetch (from the positions after it) is sent, so it is under way while the caller
    /// iterates the records already buffered. One such Fetch at most is in flight ahead of the caller, and this
    /// is its `MaxBytes` (and the cap on its `PartitionMaxBytes`): the bound on the bytes buffered ahead of
    /// the caller (Kafka still answers a first batch larger than it whole). 0 turns prefetch off. Default: 4 MiB.
    public var prefetchBytes: Int = 4 << 20
    /// A configuration with the defaults documented on each field.
    public init() {}
}

/// A consumer with manual assignment: reads chosen partitions from chosen offsets as an ``AsyncSequence`` of
/// ``StoredRecord``s, in offset order per partition (partitions are read in turn).
///
/// At-least-once: ``commit(group:)`` commits only what the caller passed to ``markProcessed(_:)``.
public final class KafkaConsumer: Sendable, AsyncSequence {
    public typealias Element = StoredRecord

    /// The cluster connection.
    public let client: KafkaClient
    /// Fetch sizes and limits.
    public let configuration: KafkaConsumerConfiguration
    private let assignment: [(topic: String, partition: Int, start: KafkaStartOffset)]
    private let processed = Mutex<[String: [Int: Int64]]>([:])

    /// A consumer of `assignment`: `(topic, partition, where to start)`.
    public init(
        client: KafkaClient, assignment: [(topic: String, partition: Int, start: KafkaStartOffset)],
        configuration: KafkaConsumerConfiguration = .init()
    ) {
        self.client = client
        self.assignment = assignment
        self.configuration = configuration
    }

    /// Resolves a start position to an offset.
    public func resolve(_ start: KafkaStartOffset, topic: String, partition: Int) async throws(KafkaError) -> Int64 {
        switch start {
        case let .offset(offset): return offset
        case .earliest: return try await client.listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.earliest)
        case .latest: return try await client.listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.latest)
        case let .timestamp(time):
            let offset = try await client.listOffset(topic: topic, partition: partition, timestamp: time)
            if offset >= 0 { return offset }
            return try await client.listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.latest)
        }
    }

    /// Notes that `record` and everything before it in its partition are processed.
    public func markProcessed(_ record: StoredRecord) {
        processed.withLock { marks in
            let next = record.offset + 1
            if (marks[record.topic]?[record.partition] ?? -1) < next { marks[record.topic, default: [:]][record.partition] = next }
        }
    }

    /// Commits, for `group`, the offset after the last record marked processed in each partition.
    public func commit(group: String) async throws(KafkaError) {
        let marks = processed.withLock { $0 }
        for (topic, partitions) in marks.sorted(by: { $0.key < $1.key }) {
            for (partition, offset) in partitions.sorted(by: { $0.key < $1.key }) {
                try await client.commit(group: group, topic: topic, partition: partition, offset: offset)
            }
        }
    }

    public func makeAsyncIterator() -> Iterator { Iterator(consumer: self) }

    /// Fetches every assigned partition in one Fetch per leader broker, round after round; ends only when the
    /// task is cancelled (returns nil) or a fetch fails.
    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        var positions: [Int64?]
        var buffer: [StoredRecord] = []
        var bufferIndex = 0
        /// The Fetch sent ahead from `positions` (all known then) when the buffer was last filled.
        var prefetched: KafkaPrefetchedFetch<[KafkaFetchedPartition]>?

        init(consumer: KafkaConsumer) {
            self.consumer = consumer
            self.positions = Array(repeating: nil, count: consumer.assignment.count)
        }

        public mutating func next() async throws(KafkaError) -> StoredRecord? {
            guard !consumer.assignment.isEmpty else { return nil }
            while bufferIndex >= buffer.count {
                if Task.isCancelled {
                    prefetched = nil
                    return nil
                }
                let fetched: [KafkaFetchedPartition]
                if let ahead = prefetched {
                    // Sent from the positions after the last answer, which nothing moves in between.
                    prefetched = nil
                    fetched = try await ahead.answer()
                } else {
                    var request: [(topic: String, partition: Int, offset: Int64)] = []
                    for (index, item) in consumer.assignment.enumerated() {
                        let offset: Int64
                        if let known = positions[index] {
                            offset = known
                        } else {
                            offset = try await consumer.resolve(item.start, topic: item.topic, partition: item.partition)
                            positions[index] = offset
                        }
                        request.append((item.topic, item.partition, offset))
                    }
                    fetched = try await consumer.client.fetch(
                        request, maximumBytesPerPartition: consumer.configuration.maximumBytesPerPartition,
                        maximumWait: consumer.configuration.maximumWait, limits: consumer.configuration.limits)
                }
                buffer.removeAll(keepingCapacity: true)
                bufferIndex = 0
                for part in fetched {
                    guard let last = part.records.last,
                        let index = consumer.assignment.firstIndex(where: { $0.topic == part.topic && $0.partition == part.partition })
                    else { continue }
                    for record in part.records {
                        buffer.append(StoredRecord(topic: part.topic, partition: part.partition, offset: record.offset, record: record.record))
                    }
                    positions[index] = last.offset + 1
                }
                prefetchNext()
            }
            defer { bufferIndex += 1 }
            return buffer[bufferIndex]
        }

        /// Sends the next Fetch, from the current positions, unless prefetch is off.
        mutating func prefetchNext() {
            let configuration = consumer.configuration
            guard configuration.prefetchBytes > 0 else { return }
            var request: [(topic: String, partition: Int, offset: Int64)] = []
            for (index, item) in consumer.assignment.enumerated() {
                guard let offset = positions[index] else { return }
                request.append((item.topic, item.partition, offset))
            }
            let client = consumer.client
            let positions = request
            prefetched = KafkaPrefetchedFetch { () async throws(KafkaError) in
                try await client.fetch(
                    positions, maximumBytesPerPartition: Swift.min(configuration.maximumBytesPerPartition, configuration.prefetchBytes),
                    maximumBytes: configuration.prefetchBytes, maximumWait: configuration.maximumWait, limits: configuration.limits)
            }
        }
    }
}
