public import ByteCoding

/// Metadata (key 3): brokers, and each topic's partitions with their leaders. Reference: `MetadataRequest.json`,
/// `MetadataResponse.json`. This client writes v9 (flexible, topics by name).
public struct MetadataRequest: KafkaRequest {
    public static let apiKey = APIKey.metadata
    public static let supportedVersions: ClosedRange<Int16> = 9...9
    public static let firstFlexibleVersion: Int16 = 9

    /// `Topics`: the topics to describe; nil for all topics.
    public var topics: [String]?
    /// `AllowAutoTopicCreation`.
    public var allowAutoTopicCreation: Bool

    public init(topics: [String]?, allowAutoTopicCreation: Bool = false) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
    }

    /// A broker of the cluster.
    public struct Broker: Hashable, Sendable {
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        public var rack: String?
    }

    /// One partition's leadership.
    public struct Partition: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var partitionIndex: Int32
        public var leaderID: Int32
        public var leaderEpoch: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]
    }

    /// One topic.
    public struct Topic: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var name: String
        public var isInternal: Bool
        public var partitions: [Partition]
    }

    /// The response.
    public struct Response: Hashable, Sendable {
        public var brokers: [Broker]
        public var clusterID: String?
        public var controllerID: Int32
        public var topics: [Topic]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeArrayCount(topics?.count, flexible: true)
        for topic in topics ?? [] {
            writer.writeString(topic, flexible: true)
            writer.writeEmptyTaggedFields()
        }
        writer.writeBool(allowAutoTopicCreation)
        writer.writeBool(false)  // include_cluster_authorized_operations (v8-10)
        writer.writeBool(false)  // include_topic_authorized_operations
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()  // throttle_time_ms
        let brokerCount = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 11)
        var brokers: [Broker] = []
        for _ in 0..<brokerCount {
            let node = try reader.readInt32()
            let host = try reader.readString(flexible: true)
            let port = try reader.readInt32()
            let rack = try reader.readNullableString(flexible: true)
            try reader.skipTaggedFields()
            brokers.append(Broker(nodeID: node, host: host, port: port, rack: rack))
        }
        let clusterID = try reader.readNullableString(flexible: true)
        let controller = try reader.readInt32()
        let topicCount = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 9)
        var topics: [Topic] = []
        for _ in 0..<topicCount {
            let error = KafkaErrorCode(rawValue: try reader.readInt16())
            let name = try reader.readString(flexible: true)
            let isInternal = try reader.readBool()
            let partitionCount = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 18)
            var partitions: [Partition] = []
            partitions.reserveCapacity(partitionCount)
            for _ in 0..<partitionCount {
                let partitionError = KafkaErrorCode(rawValue: try reader.readInt16())
                let index = try reader.readInt32()
                let leader = try reader.readInt32()
                let epoch = try reader.readInt32()
                let replicas = try reader.readInt32Array(flexible: true)
                let isr = try reader.readInt32Array(flexible: true)
                _ = try reader.readInt32Array(flexible: true)  // offline_replicas
                try reader.skipTaggedFields()
                partitions.append(
                    Partition(
                        errorCode: partitionError, partitionIndex: index, leaderID: leader, leaderEpoch: epoch,
                        replicaNodes: replicas, isrNodes: isr))
            }
            _ = try reader.readInt32()  // topic_authorized_operations
            try reader.skipTaggedFields()
            topics.append(Topic(errorCode: error, name: name, isInternal: isInternal, partitions: partitions))
        }
        _ = try reader.readInt32()  // cluster_authorized_operations (v8-10)
        try reader.skipTaggedFields()
        return Response(brokers: brokers, clusterID: clusterID, controllerID: controller, topics: topics)
    }
}
