public import ByteCoding

/// FindCoordinator (key 10): the broker coordinating a consumer group. Reference: `FindCoordinatorRequest.json`,
/// `FindCoordinatorResponse.json`. This client writes v4 (flexible, batched keys; one group per request).
public struct FindCoordinatorRequest: KafkaRequest {
    public static let apiKey = APIKey.findCoordinator
    public static let supportedVersions: ClosedRange<Int16> = 4...4
    public static let firstFlexibleVersion: Int16 = 3

    /// The consumer group id (`KeyType` 0).
    public var group: String
    public init(group: String) { self.group = group }

    /// The coordinator.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        public var errorMessage: String?
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeInt8(0)  // key_type: group
        writer.writeArrayCount(1, flexible: true)
        writer.writeString(group, flexible: true)
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()  // throttle_time_ms
        let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 14)
        var result = Response(errorCode: .coordinatorNotAvailable, nodeID: -1, host: "", port: -1, errorMessage: nil)
        for index in 0..<count {
            _ = try reader.readString(flexible: true)  // key
            let node = try reader.readInt32()
            let host = try reader.readString(flexible: true)
            let port = try reader.readInt32()
            let error = KafkaErrorCode(rawValue: try reader.readInt16())
            let message = try reader.readNullableString(flexible: true)
            try reader.skipTaggedFields()
            if index == 0 { result = Response(errorCode: error, nodeID: node, host: host, port: port, errorMessage: message) }
        }
        try reader.skipTaggedFields()
        return result
    }
}

/// OffsetCommit (key 8): a group's committed offsets. Reference: `OffsetCommitRequest.json`,
/// `OffsetCommitResponse.json`. This client writes v8 (flexible); outside a group generation (generation -1,
/// empty member id) as a simple consumer does.
public struct OffsetCommitRequest: KafkaRequest {
    public static let apiKey = APIKey.offsetCommit
    public static let supportedVersions: ClosedRange<Int16> = 8...8
    public static let firstFlexibleVersion: Int16 = 8

    public var group: String
    public var generationID: Int32
    public var memberID: String
    /// `(topic, [(partition, offset)])`: the offset is that of the next record to process.
    public var offsets: [(topic: String, partitions: [(partition: Int32, offset: Int64)])]

    public init(group: String, generationID: Int32 = -1, memberID: String = "",
                offsets: [(topic: String, partitions: [(partition: Int32, offset: Int64)])]) {
        self.group = group
        self.generationID = generationID
        self.memberID = memberID
        self.offsets = offsets
    }

    /// Error code per topic and partition.
    public struct Response: Hashable, Sendable {
        public var errors: [String: [Int32: KafkaErrorCode]]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeString(group, flexible: true)
        writer.writeInt32(generationID)
        writer.writeString(memberID, flexible: true)
        writer.writeNullableString(nil, flexible: true)  // group_instance_id
        writer.writeArrayCount(offsets.count, flexible: true)
        for topic in offsets {
            writer.writeString(topic.topic, flexible: true)
            writer.writeArrayCount(topic.partitions.count, flexible: true)
            for partition in topic.partitions {
                writer.writeInt32(partition.partition)
                writer.writeInt64(partition.offset)
                writer.writeInt32(-1)  // committed_leader_epoch
                writer.writeNullableString(nil, flexible: true)  // committed_metadata
                writer.writeEmptyTaggedFields()
            }
            writer.writeEmptyTaggedFields()
        }
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()
        var errors: [String: [Int32: KafkaErrorCode]] = [:]
        let topics = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 3)
        for _ in 0..<topics {
            let name = try reader.readString(flexible: true)
            let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 7)
            for _ in 0..<count {
                let partition = try reader.readInt32()
                errors[name, default: [:]][partition] = KafkaErrorCode(rawValue: try reader.readInt16())
                try reader.skipTaggedFields()
            }
            try reader.skipTaggedFields()
        }
        try reader.skipTaggedFields()
        return Response(errors: errors)
    }
}

/// OffsetFetch (key 9): a group's committed offsets. Reference: `OffsetFetchRequest.json`,
/// `OffsetFetchResponse.json`. This client writes v7 (flexible, one group).
public struct OffsetFetchRequest: KafkaRequest {
    public static let apiKey = APIKey.offsetFetch
    public static let supportedVersions: ClosedRange<Int16> = 7...7
    public static let firstFlexibleVersion: Int16 = 6

    public var group: String
    public var topics: [(topic: String, partitions: [Int32])]
    public init(group: String, topics: [(topic: String, partitions: [Int32])]) {
        self.group = group
        self.topics = topics
    }

    /// Committed offset per topic and partition (-1: none) with its error code.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var offsets: [String: [Int32: (offset: Int64, errorCode: KafkaErrorCode)]]
        public static func == (lhs: Response, rhs: Response) -> Bool {
            lhs.errorCode == rhs.errorCode && lhs.offsets.keys == rhs.offsets.keys
                && lhs.offsets.allSatisfy { key, value in
                    let other = rhs.offsets[key] ?? [:]
                    return value.keys == other.keys && value.allSatisfy { other[$0.key]?.offset == $0.value.offset && other[$0.key]?.errorCode == $0.value.errorCode }
                }
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(errorCode) }
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeString(group, flexible: true)
        writer.writeArrayCount(topics.count, flexible: true)
        for topic in topics {
            writer.writeString(topic.topic, flexible: true)
            writer.writeInt32Array(topic.partitions, flexible: true)
            writer.writeEmptyTaggedFields()
        }
        writer.writeBool(false)  // require_stable
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()
        var offsets: [String: [Int32: (offset: Int64, errorCode: KafkaErrorCode)]] = [:]
        let topics = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 3)
        for _ in 0..<topics {
            let name = try reader.readString(flexible: true)
            let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 20)
            for _ in 0..<count {
                let partition = try reader.readInt32()
                let offset = try reader.readInt64()
                _ = try reader.readInt32()  // committed_leader_epoch
                _ = try reader.readNullableString(flexible: true)  // metadata
                let error = KafkaErrorCode(rawValue: try reader.readInt16())
                try reader.skipTaggedFields()
                offsets[name, default: [:]][partition] = (offset, error)
            }
            try reader.skipTaggedFields()
        }
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        try reader.skipTaggedFields()
        return Response(errorCode: error, offsets: offsets)
    }
}
