public import StreamLog

/// The ``StreamLog`` interface on a Kafka cluster (`kafka://host:port,host:port`), so the bridge and the CLI
/// run on Kafka or the embedded LocalLog by configuration.
///
/// Appends go through an idempotent producer (acks=all) as one batch per call; reads are Fetches; offsets
/// are ListOffsets (plus the Fetch high watermark); commits are OffsetCommit/OffsetFetch for the group
/// outside group membership.
public final class KafkaStreamLog: StreamLog {
    /// The cluster connection.
    public let client: KafkaClient
    /// The idempotent producer appends go through.
    public let producer: KafkaProducer

    /// Connects lazily to the cluster of `url` (`kafka://host:port,…`).
    public convenience init(url: String, producer configuration: KafkaProducerConfiguration = .init()) throws(KafkaError) {
        try self.init(client: KafkaClient(configuration: KafkaClientConfiguration(url: url)), producer: configuration)
    }

    /// A stream log on `client`'s cluster; appends are sent at once (linger is set to zero).
    public init(client: KafkaClient, producer configuration: KafkaProducerConfiguration = .init()) throws(KafkaError) {
        self.client = client
        var configuration = configuration
        configuration.linger = .zero
        self.producer = try KafkaProducer(client: client, configuration: configuration)
    }

    /// Closes the connections.
    public func close() { client.close() }

    public func createTopic(_ topic: String, partitions: Int) async throws {
        switch try await client.createTopic(topic, partitions: partitions) {
        case .created: return
        case let .alreadyExists(existing):
            if existing != partitions {
                throw StreamLogError.partitionCountMismatch(topic: topic, existing: existing, requested: partitions)
            }
        }
    }

    public func topics() async throws -> [TopicDescription] {
        let metadata = try await client.refreshMetadata(topics: nil)
        return metadata.topics.filter { $0.errorCode == .none && !$0.isInternal }
            .map { TopicDescription(name: $0.name, partitionCount: $0.partitions.count) }
            .sorted { $0.name < $1.name }
    }

    /// Checks that `topic` has `partition`, throwing what LocalLog throws (``StreamLogError/unknownTopic(_:)``,
    /// ``StreamLogError/unknownPartition(topic:partition:partitionCount:)``) instead of retrying a topic that
    /// does not exist. Metadata is cached, so this costs a request only the first time.
    private func validate(topic: String, partition: Int) async throws {
        let metadata: KafkaTopicMetadata
        do {
            metadata = try await client.topicMetadata(topic)
        } catch where error.brokerCode == .unknownTopicOrPartition {
            throw StreamLogError.unknownTopic(topic)
        }
        guard partition >= 0, partition < metadata.partitionCount else {
            throw StreamLogError.unknownPartition(topic: topic, partition: partition, partitionCount: metadata.partitionCount)
        }
    }

    public func append(_ records: [StreamRecord], topic: String, partition: Int) async throws -> AppendResult {
        try await validate(topic: topic, partition: partition)
        return try await producer.send(batch: records, topic: topic, partition: partition)
    }

    public func read(topic: String, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws
        -> [StoredRecord]
    {
        let bounds = try await offsets(topic: topic, partition: partition)
        guard offset < bounds.next else { return [] }
        guard offset >= bounds.earliest else {
            throw StreamLogError.offsetOutOfRange(
                topic: topic, partition: partition, requested: offset, earliest: bounds.earliest, next: bounds.next)
        }
        let fetched = try await client.fetch(topic: topic, partition: partition, offset: offset, maximumBytes: max(maxBytes, 1))
        return fetched.records.prefix(max(maxRecords, 1)).map {
            StoredRecord(topic: topic, partition: partition, offset: $0.offset, record: $0.record)
        }
    }

    public func offsets(topic: String, partition: Int) async throws -> PartitionOffsets {
        try await validate(topic: topic, partition: partition)
        let earliest = try await client.listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.earliest)
        let latest = try await client.listOffset(topic: topic, partition: partition, timestamp: ListOffsetsRequest.latest)
        // tansu 0.6 answers ListOffsets(latest) with the last batch's base offset + 1; the Fetch high
        // watermark is right on every broker, so the larger of the two is the log end.
        var next = latest
        if latest > earliest {
            let probe = try await client.fetch(topic: topic, partition: partition, offset: latest - 1, maximumBytes: 1)
            next = max(latest, probe.highWatermark)
        }
        return PartitionOffsets(earliest: earliest, next: next)
    }

    public func commit(group: String, topic: String, partition: Int, offset: Int64) async throws {
        try await validate(topic: topic, partition: partition)
        try await client.commit(group: group, topic: topic, partition: partition, offset: offset)
    }

    public func committedOffset(group: String, topic: String, partition: Int) async throws -> Int64? {
        try await validate(topic: topic, partition: partition)
        return try await client.committedOffset(group: group, topic: topic, partition: partition)
    }
}
