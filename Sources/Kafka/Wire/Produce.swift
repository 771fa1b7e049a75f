public import ByteCoding

/// Produce (key 0): append record batches to partitions. Reference: `ProduceRequest.json`, `ProduceResponse.json`.
/// This client writes v9 (flexible).
public struct ProduceRequest: KafkaRequest {
    public static let apiKey = APIKey.produce
    public static let supportedVersions: ClosedRange<Int16> = 9...9
    public static let firstFlexibleVersion: Int16 = 9

    /// One partition's records: an encoded RecordBatch v2 (``RecordBatch/encode(into:)``).
    public struct PartitionData: Sendable {
        public var partition: Int32
        public var records: [UInt8]
        public init(partition: Int32, records: [UInt8]) {
            self.partition = partition
            self.records = records
        }
    }

    /// `TransactionalId`; nil outside transactions.
    public var transactionalID: String?
    /// `Acks`: -1 all in-sync replicas, 1 the leader, 0 none (no response is sent; not supported here).
    public var acks: Int16
    /// `TimeoutMs`: how long the broker waits for replication.
    public var timeoutMilliseconds: Int32
    /// `TopicData`, grouped by topic in order.
    public var topics: [(name: String, partitions: [PartitionData])]

    public init(acks: Int16, timeoutMilliseconds: Int32, topics: [(name: String, partitions: [PartitionData])]) {
        self.transactionalID = nil
        self.acks = acks
        self.timeoutMilliseconds = timeoutMilliseconds
        self.topics = topics
    }

    /// One partition's outcome.
    public struct PartitionResponse: Hashable, Sendable {
        public var partition: Int32
        public var errorCode: KafkaErrorCode
        /// The offset of the batch's first record.
        public var baseOffset: Int64
        /// -1 unless the topic uses LogAppendTime.
        public var logAppendTimeMilliseconds: Int64
        public var logStartOffset: Int64
        public var errorMessage: String?
    }

    /// The response, per topic.
    public struct Response: Hashable, Sendable {
        public var topics: [String: [PartitionResponse]]
        public var throttleTimeMilliseconds: Int32
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeNullableString(transactionalID, flexible: true)
        writer.writeInt16(acks)
        writer.writeInt32(timeoutMilliseconds)
        writer.writeArrayCount(topics.count, flexible: true)
        for topic in topics {
            writer.writeString(topic.name, flexible: true)
            writer.writeArrayCount(topic.partitions.count, flexible: true)
            for data in topic.partitions {
                writer.writeInt32(data.partition)
                writer.writeNullableBytes(data.records, flexible: true)
                writer.writeEmptyTaggedFields()
            }
            writer.writeEmptyTaggedFields()
        }
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        var topics: [String: [PartitionResponse]] = [:]
        let topicCount = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 3)
        for _ in 0..<topicCount {
            let name = try reader.readString(flexible: true)
            let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 34)
            var partitions: [PartitionResponse] = []
            for _ in 0..<count {
                let index = try reader.readInt32()
                let error = KafkaErrorCode(rawValue: try reader.readInt16())
                let base = try reader.readInt64()
                let appendTime = try reader.readInt64()
                let logStart = try reader.readInt64()
                let recordErrors = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 6)
                for _ in 0..<recordErrors {
                    _ = try reader.readInt32()
                    _ = try reader.readNullableString(flexible: true)
                    try reader.skipTaggedFields()
                }
                let message = try reader.readNullableString(flexible: true)
                try reader.skipTaggedFields()
                partitions.append(
                    PartitionResponse(
                        partition: index, errorCode: error, baseOffset: base, logAppendTimeMilliseconds: appendTime,
                        logStartOffset: logStart, errorMessage: message))
            }
            try reader.skipTaggedFields()
            topics[name, default: []].append(contentsOf: partitions)
        }
        let throttle = try reader.readInt32()
        try reader.skipTaggedFields()
        return Response(topics: topics, throttleTimeMilliseconds: throttle)
    }
}
