/// The streaming log Ferry writes canonical events to and reads them from.
///
/// Two implementations: ``LocalLog``, an embedded durable log in a directory (the default, no server), and
/// Kafka (wire protocol, a later target), chosen by configuration. Both keep Kafka's model: topics of N
/// partitions, each an ordered sequence of records numbered by offset, plus committed offsets per consumer group.
public protocol StreamLog: Sendable {
    /// Creates `topic` with `partitions` partitions; succeeds without change when it already exists with that count.
    func createTopic(_ topic: String, partitions: Int) async throws
    /// Every topic with its partition count, sorted by name.
    func topics() async throws -> [TopicDescription]
    /// Appends `records` to one partition, in order, returning where they landed once they are durable
    /// according to the log's policy.
    func append(_ records: [StreamRecord], topic: String, partition: Int) async throws -> AppendResult
    /// Reads records of one partition starting at `offset`, up to `maxRecords` records or about `maxBytes` bytes
    /// (always at least one record when one is available). Empty when `offset` is the log end.
    func read(topic: String, partition: Int, from offset: Int64, maxRecords: Int, maxBytes: Int) async throws
        -> [StoredRecord]
    /// The earliest and next offsets of one partition.
    func offsets(topic: String, partition: Int) async throws -> PartitionOffsets
    /// Records that consumer group `group` has processed everything before `offset` in the partition.
    func commit(group: String, topic: String, partition: Int, offset: Int64) async throws
    /// The offset `group` committed for the partition, nil when it never committed.
    func committedOffset(group: String, topic: String, partition: Int) async throws -> Int64?
}

extension StreamLog {
    /// The partition count of `topic`.
    public func partitionCount(of topic: String) async throws -> Int {
        guard let found = try await topics().first(where: { $0.name == topic }) else {
            throw StreamLogError.unknownTopic(topic)
        }
        return found.partitionCount
    }

    /// Appends records to `topic`, choosing each keyed record's partition with ``KafkaPartitioner`` (so the
    /// same key lands in the same partition number as with Kafka's Java client). Unkeyed records go to
    /// `unkeyedPartition`. Records sharing a partition keep their relative order.
    public func publish(_ records: [StreamRecord], topic: String, unkeyedPartition: Int = 0) async throws
        -> [AppendResult]
    {
        let count = try await partitionCount(of: topic)
        var byPartition: [Int: [StreamRecord]] = [:]
        var order: [Int] = []
        for record in records {
            let partition = record.key.map { KafkaPartitioner.partition(forKey: $0, partitionCount: count) }
                ?? unkeyedPartition
            if byPartition[partition] == nil { order.append(partition) }
            byPartition[partition, default: []].append(record)
        }
        var results: [AppendResult] = []
        for partition in order {
            results.append(try await append(byPartition[partition]!, topic: topic, partition: partition))
        }
        return results
    }
}
