public import ByteCoding

/// ListOffsets (key 2): the offset for a timestamp, or the earliest (-2) / latest (-1) offset. Reference:
/// `ListOffsetsRequest.json`, `ListOffsetsResponse.json`. This client writes v7 (flexible).
public struct ListOffsetsRequest: KafkaRequest {
    public static let apiKey = APIKey.listOffsets
    public static let supportedVersions: ClosedRange<Int16> = 6...7
    public static let firstFlexibleVersion: Int16 = 6

    /// `Timestamp` value asking for the earliest offset.
    public static let earliest: Int64 = -2
    /// `Timestamp` value asking for the latest (log-end) offset.
    public static let latest: Int64 = -1

    /// The partitions to look up, by topic: `(partition, timestamp)`.
    public var topics: [(name: String, partitions: [(partition: Int32, timestamp: Int64)])]
    /// `IsolationLevel`.
    public var isolationLevel: Int8

    public init(topics: [(name: String, partitions: [(partition: Int32, timestamp: Int64)])], isolationLevel: Int8 = 0) {
        self.topics = topics
        self.isolationLevel = isolationLevel
    }

    /// One partition's answer.
    public struct PartitionResponse: Hashable, Sendable {
        public var partition: Int32
        public var errorCode: KafkaErrorCode
        public var timestamp: Int64
        /// The offset; -1 when no record has a timestamp at or after the one asked for.
        public var offset: Int64
    }

    /// The response, per topic.
    public struct Response: Hashable, Sendable {
        public var topics: [String: [PartitionResponse]]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeInt32(-1)  // replica_id
        writer.writeInt8(isolationLevel)
        writer.writeArrayCount(topics.count, flexible: true)
        for topic in topics {
            writer.writeString(topic.name, flexible: true)
            writer.writeArrayCount(topic.partitions.count, flexible: true)
            for partition in topic.partitions {
                writer.writeInt32(partition.partition)
                writer.writeInt32(-1)  // current_leader_epoch
                writer.writeInt64(partition.timestamp)
                writer.writeEmptyTaggedFields()
            }
            writer.writeEmptyTaggedFields()
        }
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()  // throttle_time_ms
        var topics: [String: [PartitionResponse]] = [:]
        let topicCount = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 3)
        for _ in 0..<topicCount {
            let name = try reader.readString(flexible: true)
            let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 27)
            var partitions: [PartitionResponse] = []
            for _ in 0..<count {
                let index = try reader.readInt32()
                let error = KafkaErrorCode(rawValue: try reader.readInt16())
                let timestamp = try reader.readInt64()
                let offset = try reader.readInt64()
                _ = try reader.readInt32()  // leader_epoch
                try reader.skipTaggedFields()
                partitions.append(PartitionResponse(partition: index, errorCode: error, timestamp: timestamp, offset: offset))
            }
            try reader.skipTaggedFields()
            topics[name, default: []].append(contentsOf: partitions)
        }
        try reader.skipTaggedFields()
        return Response(topics: topics)
    }
}

/// InitProducerId (key 22): a producer id and epoch for idempotent (or transactional) produce. Reference:
/// `InitProducerIdRequest.json`, `InitProducerIdResponse.json`. This client writes v4 (flexible), without a
/// transactional id.
public struct InitProducerIdRequest: KafkaRequest {
    public static let apiKey = APIKey.initProducerId
    public static let supportedVersions: ClosedRange<Int16> = 0...4
    public static let firstFlexibleVersion: Int16 = 2
    /// The first version that sends `ProducerId`/`ProducerEpoch`: an existing producer asks for its epoch to be
    /// bumped (KIP-360). Below it, every request asks for a new producer id.
    public static let firstEpochBumpVersion: Int16 = 3

    /// `TransactionTimeoutMs`.
    public var transactionTimeoutMilliseconds: Int32
    /// `ProducerId` (v3+): the producer whose epoch is to be bumped, -1 for a new producer id.
    public var producerID: Int64
    /// `ProducerEpoch` (v3+): that producer's current epoch, -1 for a new producer id.
    public var producerEpoch: Int16
    /// A request for a new producer id, or (v3+) for a bumped epoch of `producerID` at `producerEpoch`.
    public init(transactionTimeoutMilliseconds: Int32 = 60_000, producerID: Int64 = -1, producerEpoch: Int16 = -1) {
        self.transactionTimeoutMilliseconds = transactionTimeoutMilliseconds
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    /// The response.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var producerID: Int64
        public var producerEpoch: Int16
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        let flexible = version >= Self.firstFlexibleVersion
        writer.writeNullableString(nil, flexible: flexible)  // transactional_id
        writer.writeInt32(transactionTimeoutMilliseconds)
        if version >= Self.firstEpochBumpVersion {
            writer.writeInt64(producerID)
            writer.writeInt16(producerEpoch)
        }
        writer.writeEmptyTaggedFields(flexible: flexible)
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()  // throttle_time_ms
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        let id = try reader.readInt64()
        let epoch = try reader.readInt16()
        if version >= Self.firstFlexibleVersion { try reader.skipTaggedFields() }
        return Response(errorCode: error, producerID: id, producerEpoch: epoch)
    }
}

/// CreateTopics (key 19). Reference: `CreateTopicsRequest.json`, `CreateTopicsResponse.json`. This client
/// writes v5 (flexible), broker-chosen replica assignment, no configs.
public struct CreateTopicsRequest: KafkaRequest {
    public static let apiKey = APIKey.createTopics
    public static let supportedVersions: ClosedRange<Int16> = 5...5
    public static let firstFlexibleVersion: Int16 = 5

    /// A topic to create.
    public struct Topic: Hashable, Sendable {
        public var name: String
        public var partitions: Int32
        /// -1: the broker's default.
        public var replicationFactor: Int16
        /// Topic configs (`cleanup.policy` …).
        public var configs: [String: String]
        public init(name: String, partitions: Int32, replicationFactor: Int16 = -1, configs: [String: String] = [:]) {
            self.name = name
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }
    }

    public var topics: [Topic]
    public var timeoutMilliseconds: Int32
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMilliseconds: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMilliseconds = timeoutMilliseconds
        self.validateOnly = validateOnly
    }

    /// One topic's outcome.
    public struct TopicResult: Hashable, Sendable {
        public var name: String
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        public var partitions: Int32
        public var replicationFactor: Int16
    }

    /// The response.
    public struct Response: Hashable, Sendable {
        public var topics: [TopicResult]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeArrayCount(topics.count, flexible: true)
        for topic in topics {
            writer.writeString(topic.name, flexible: true)
            writer.writeInt32(topic.partitions)
            writer.writeInt16(topic.replicationFactor)
            writer.writeArrayCount(0, flexible: true)  // assignments
            writer.writeArrayCount(topic.configs.count, flexible: true)
            for (name, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                writer.writeString(name, flexible: true)
                writer.writeNullableString(value, flexible: true)
                writer.writeEmptyTaggedFields()
            }
            writer.writeEmptyTaggedFields()
        }
        writer.writeInt32(timeoutMilliseconds)
        writer.writeBool(validateOnly)
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()  // throttle_time_ms
        let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 12)
        var topics: [TopicResult] = []
        for _ in 0..<count {
            let name = try reader.readString(flexible: true)
            let error = KafkaErrorCode(rawValue: try reader.readInt16())
            let message = try reader.readNullableString(flexible: true)
            let partitions = try reader.readInt32()
            let replication = try reader.readInt16()
            if let configs = try reader.readArrayCount(flexible: true, minimumElementSize: 6) {
                for _ in 0..<configs {
                    _ = try reader.readString(flexible: true)
                    _ = try reader.readNullableString(flexible: true)
                    _ = try reader.readBool()
                    _ = try reader.readInt8()
                    _ = try reader.readBool()
                    try reader.skipTaggedFields()
                }
            }
            try reader.skipTaggedFields()
            topics.append(
                TopicResult(
                    name: name, errorCode: error, errorMessage: message, partitions: partitions,
                    replicationFactor: replication))
        }
        try reader.skipTaggedFields()
        return Response(topics: topics)
    }
}
