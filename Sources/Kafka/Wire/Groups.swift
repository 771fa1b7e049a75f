public import ByteCoding

extension APIKey {
    public static let joinGroup = APIKey(rawValue: 11)
    public static let heartbeat = APIKey(rawValue: 12)
    public static let leaveGroup = APIKey(rawValue: 13)
    public static let syncGroup = APIKey(rawValue: 14)
}

/// JoinGroup (key 11). Reference: `JoinGroupRequest.json`, `JoinGroupResponse.json`. This client writes v7
/// (flexible; protocol type and name echoed in the response).
public struct JoinGroupRequest: KafkaRequest {
    public static let apiKey = APIKey.joinGroup
    public static let supportedVersions: ClosedRange<Int16> = 7...7
    public static let firstFlexibleVersion: Int16 = 6

    public var group: String
    public var sessionTimeoutMilliseconds: Int32
    public var rebalanceTimeoutMilliseconds: Int32
    /// Empty on the first join; the broker then answers MEMBER_ID_REQUIRED with the id to use.
    public var memberID: String
    /// `ProtocolType`: "consumer".
    public var protocolType: String
    /// `(name, metadata)` per supported assignor, in preference order.
    public var protocols: [(name: String, metadata: [UInt8])]

    public init(
        group: String, sessionTimeoutMilliseconds: Int32, rebalanceTimeoutMilliseconds: Int32, memberID: String,
        protocolType: String = "consumer", protocols: [(name: String, metadata: [UInt8])]
    ) {
        self.group = group
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.rebalanceTimeoutMilliseconds = rebalanceTimeoutMilliseconds
        self.memberID = memberID
        self.protocolType = protocolType
        self.protocols = protocols
    }

    /// The outcome: the generation, the leader, and (for the leader) every member's metadata.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var generationID: Int32
        public var protocolName: String?
        public var leader: String
        public var memberID: String
        public var members: [Member]
    }

    /// A member as the leader sees it.
    public struct Member: Hashable, Sendable {
        public var memberID: String
        public var metadata: [UInt8]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeString(group, flexible: true)
        writer.writeInt32(sessionTimeoutMilliseconds)
        writer.writeInt32(rebalanceTimeoutMilliseconds)
        writer.writeString(memberID, flexible: true)
        writer.writeNullableString(nil, flexible: true)  // group_instance_id
        writer.writeString(protocolType, flexible: true)
        writer.writeArrayCount(protocols.count, flexible: true)
        for item in protocols {
            writer.writeString(item.name, flexible: true)
            writer.writeNullableBytes(item.metadata, flexible: true)
            writer.writeEmptyTaggedFields()
        }
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        let generation = try reader.readInt32()
        _ = try reader.readNullableString(flexible: true)  // protocol_type
        let name = try reader.readNullableString(flexible: true)
        let leader = try reader.readString(flexible: true)
        let member = try reader.readString(flexible: true)
        let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 4)
        var members: [Member] = []
        for _ in 0..<count {
            let id = try reader.readString(flexible: true)
            _ = try reader.readNullableString(flexible: true)  // group_instance_id
            let metadata = try reader.readNullableBytes(flexible: true) ?? []
            try reader.skipTaggedFields()
            members.append(Member(memberID: id, metadata: metadata))
        }
        try reader.skipTaggedFields()
        return Response(errorCode: error, generationID: generation, protocolName: name, leader: leader, memberID: member, members: members)
    }
}

/// SyncGroup (key 14): the leader hands out assignments; every member receives its own. Reference:
/// `SyncGroupRequest.json`, `SyncGroupResponse.json`. This client writes v5 (flexible).
public struct SyncGroupRequest: KafkaRequest {
    public static let apiKey = APIKey.syncGroup
    public static let supportedVersions: ClosedRange<Int16> = 5...5
    public static let firstFlexibleVersion: Int16 = 4

    public var group: String
    public var generationID: Int32
    public var memberID: String
    public var protocolType: String
    public var protocolName: String
    /// Empty unless this member is the leader.
    public var assignments: [(memberID: String, assignment: [UInt8])]

    public init(group: String, generationID: Int32, memberID: String, protocolType: String = "consumer",
                protocolName: String, assignments: [(memberID: String, assignment: [UInt8])]) {
        self.group = group
        self.generationID = generationID
        self.memberID = memberID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }

    /// This member's assignment.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var assignment: [UInt8]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeString(group, flexible: true)
        writer.writeInt32(generationID)
        writer.writeString(memberID, flexible: true)
        writer.writeNullableString(nil, flexible: true)  // group_instance_id
        writer.writeNullableString(protocolType, flexible: true)
        writer.writeNullableString(protocolName, flexible: true)
        writer.writeArrayCount(assignments.count, flexible: true)
        for item in assignments {
            writer.writeString(item.memberID, flexible: true)
            writer.writeNullableBytes(item.assignment, flexible: true)
            writer.writeEmptyTaggedFields()
        }
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        _ = try reader.readNullableString(flexible: true)
        _ = try reader.readNullableString(flexible: true)
        let assignment = try reader.readNullableBytes(flexible: true) ?? []
        try reader.skipTaggedFields()
        return Response(errorCode: error, assignment: assignment)
    }
}

/// Heartbeat (key 12). Reference: `HeartbeatRequest.json`. This client writes v4 (flexible).
public struct HeartbeatRequest: KafkaRequest {
    public static let apiKey = APIKey.heartbeat
    public static let supportedVersions: ClosedRange<Int16> = 4...4
    public static let firstFlexibleVersion: Int16 = 4

    public var group: String
    public var generationID: Int32
    public var memberID: String
    public init(group: String, generationID: Int32, memberID: String) {
        self.group = group
        self.generationID = generationID
        self.memberID = memberID
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeString(group, flexible: true)
        writer.writeInt32(generationID)
        writer.writeString(memberID, flexible: true)
        writer.writeNullableString(nil, flexible: true)
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> KafkaErrorCode {
        _ = try reader.readInt32()
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        try reader.skipTaggedFields()
        return error
    }
}

/// LeaveGroup (key 13). Reference: `LeaveGroupRequest.json`. This client writes v4 (flexible, member list).
public struct LeaveGroupRequest: KafkaRequest {
    public static let apiKey = APIKey.leaveGroup
    public static let supportedVersions: ClosedRange<Int16> = 4...4
    public static let firstFlexibleVersion: Int16 = 4

    public var group: String
    public var memberID: String
    public init(group: String, memberID: String) {
        self.group = group
        self.memberID = memberID
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeString(group, flexible: true)
        writer.writeArrayCount(1, flexible: true)
        writer.writeString(memberID, flexible: true)
        writer.writeNullableString(nil, flexible: true)
        writer.writeEmptyTaggedFields()
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> KafkaErrorCode {
        _ = try reader.readInt32()
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 4)
        for _ in 0..<count {
            _ = try reader.readString(flexible: true)
            _ = try reader.readNullableString(flexible: true)
            _ = try reader.readInt16()
            try reader.skipTaggedFields()
        }
        try reader.skipTaggedFields()
        return error
    }
}

/// The consumer protocol's embedded schemas (`ConsumerProtocolSubscription.json`,
/// `ConsumerProtocolAssignment.json`), version 0, non-flexible, and the range assignor.
public enum ConsumerProtocol {
    /// Subscription v0: `version:int16 topics:[string] user_data:nullable bytes`.
    public static func subscription(topics: [String]) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeInt16(0)
        writer.writeArrayCount(topics.count, flexible: false)
        for topic in topics { writer.writeString(topic, flexible: false) }
        writer.writeNullableBytes(nil, flexible: false)
        return writer.bytes
    }

    /// The topics of a subscription (any version: later fields are ignored).
    public static func parseSubscription(_ bytes: [UInt8]) throws(KafkaError) -> [String] {
        try withKafkaErrors("consumer subscription") {
            try bytes.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                _ = try reader.readInt16()
                let count = try reader.readArrayCountOrZero(flexible: false, minimumElementSize: 2)
                var topics: [String] = []
                for _ in 0..<count { topics.append(try reader.readString(flexible: false)) }
                return topics
            }
        }
    }

    /// Assignment v0: `version:int16 [topic:string partitions:[int32]] user_data:bytes`.
    public static func assignment(_ partitions: [String: [Int32]]) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeInt16(0)
        writer.writeArrayCount(partitions.count, flexible: false)
        for (topic, list) in partitions.sorted(by: { $0.key < $1.key }) {
            writer.writeString(topic, flexible: false)
            writer.writeInt32Array(list, flexible: false)
        }
        writer.writeNullableBytes(nil, flexible: false)
        return writer.bytes
    }

    /// The partitions of an assignment; an empty buffer is an empty assignment.
    public static func parseAssignment(_ bytes: [UInt8]) throws(KafkaError) -> [String: [Int32]] {
        guard !bytes.isEmpty else { return [:] }
        return try withKafkaErrors("consumer assignment") {
            try bytes.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                _ = try reader.readInt16()
                let count = try reader.readArrayCountOrZero(flexible: false, minimumElementSize: 6)
                var result: [String: [Int32]] = [:]
                for _ in 0..<count {
                    let topic = try reader.readString(flexible: false)
                    result[topic, default: []] += try reader.readInt32Array(flexible: false)
                }
                return result
            }
        }
    }

    /// Kafka's `RangeAssignor`: per topic, the subscribed members sorted by id each take a contiguous range;
    /// the first `partitions % members` take one more.
    public static func rangeAssign(members: [String: [String]], partitionCounts: [String: Int]) -> [String: [String: [Int32]]] {
        var result: [String: [String: [Int32]]] = [:]
        for member in members.keys { result[member] = [:] }
        var byTopic: [String: [String]] = [:]
        for (member, topics) in members { for topic in topics { byTopic[topic, default: []].append(member) } }
        for (topic, subscribers) in byTopic {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let sorted = subscribers.sorted()
            let each = count / sorted.count
            let extra = count % sorted.count
            var start = 0
            for (index, member) in sorted.enumerated() {
                let length = each + (index < extra ? 1 : 0)
                if length > 0 { result[member, default: [:]][topic] = (start..<(start + length)).map { Int32($0) } }
                start += length
            }
        }
        return result
    }
}
