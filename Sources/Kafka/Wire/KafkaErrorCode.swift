/// A Kafka protocol error code as a broker returns it (`error_code: int16`), with its name and whether a
/// client may retry. Reference: Apache Kafka `org.apache.kafka.common.protocol.Errors`.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value; 0 is success, -1 an unknown server error.
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// The name Kafka gives the code (`NOT_LEADER_OR_FOLLOWER`), or `UNKNOWN_CODE_<n>` for a code this client
    /// does not know.
    public var name: String { Self.table[rawValue]?.name ?? "UNKNOWN_CODE_\(rawValue)" }

    /// True when Kafka marks the error retriable (a `RetriableException`): the same request may succeed later,
    /// possibly after a Metadata refresh. Unknown codes are not retriable.
    public var isRetriable: Bool { Self.table[rawValue]?.retriable ?? false }

    /// True when the client should refresh its metadata before retrying (leadership or topic layout changed).
    public var invalidatesMetadata: Bool {
        [3, 5, 6, 9, 15, 16, 74, 76].contains(rawValue)
    }

    public var description: String { "\(name) (\(rawValue))" }

    public static let none = KafkaErrorCode(rawValue: 0)
    public static let unknownServerError = KafkaErrorCode(rawValue: -1)
    public static let offsetOutOfRange = KafkaErrorCode(rawValue: 1)
    public static let corruptMessage = KafkaErrorCode(rawValue: 2)
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    public static let notLeaderOrFollower = KafkaErrorCode(rawValue: 6)
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    public static let messageTooLarge = KafkaErrorCode(rawValue: 10)
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    public static let unsupportedVersion = KafkaErrorCode(rawValue: 35)
    public static let topicAlreadyExists = KafkaErrorCode(rawValue: 36)
    public static let invalidPartitions = KafkaErrorCode(rawValue: 37)
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    public static let duplicateSequenceNumber = KafkaErrorCode(rawValue: 46)
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    public static let unknownProducerId = KafkaErrorCode(rawValue: 59)

    /// Name and retriability per code (the codes a client meets in practice; others print as unknown).
    static let table: [Int16: (name: String, retriable: Bool)] = [
        -1: ("UNKNOWN_SERVER_ERROR", false), 0: ("NONE", false), 1: ("OFFSET_OUT_OF_RANGE", false),
        2: ("CORRUPT_MESSAGE", true), 3: ("UNKNOWN_TOPIC_OR_PARTITION", true), 4: ("INVALID_FETCH_SIZE", false),
        5: ("LEADER_NOT_AVAILABLE", true), 6: ("NOT_LEADER_OR_FOLLOWER", true), 7: ("REQUEST_TIMED_OUT", true),
        8: ("BROKER_NOT_AVAILABLE", false), 9: ("REPLICA_NOT_AVAILABLE", true), 10: ("MESSAGE_TOO_LARGE", false),
        11: ("STALE_CONTROLLER_EPOCH", false), 12: ("OFFSET_METADATA_TOO_LARGE", false),
        13: ("NETWORK_EXCEPTION", true), 14: ("COORDINATOR_LOAD_IN_PROGRESS", true),
        15: ("COORDINATOR_NOT_AVAILABLE", true), 16: ("NOT_COORDINATOR", true), 17: ("INVALID_TOPIC_EXCEPTION", false),
        18: ("RECORD_LIST_TOO_LARGE", false), 19: ("NOT_ENOUGH_REPLICAS", true),
        20: ("NOT_ENOUGH_REPLICAS_AFTER_APPEND", true), 21: ("INVALID_REQUIRED_ACKS", false),
        22: ("ILLEGAL_GENERATION", false), 23: ("INCONSISTENT_GROUP_PROTOCOL", false), 24: ("INVALID_GROUP_ID", false),
        25: ("UNKNOWN_MEMBER_ID", false), 26: ("INVALID_SESSION_TIMEOUT", false), 27: ("REBALANCE_IN_PROGRESS", false),
        28: ("INVALID_COMMIT_OFFSET_SIZE", false), 29: ("TOPIC_AUTHORIZATION_FAILED", false),
        30: ("GROUP_AUTHORIZATION_FAILED", false), 31: ("CLUSTER_AUTHORIZATION_FAILED", false),
        32: ("INVALID_TIMESTAMP", false), 33: ("UNSUPPORTED_SASL_MECHANISM", false),
        34: ("ILLEGAL_SASL_STATE", false), 35: ("UNSUPPORTED_VERSION", false), 36: ("TOPIC_ALREADY_EXISTS", false),
        37: ("INVALID_PARTITIONS", false), 38: ("INVALID_REPLICATION_FACTOR", false),
        39: ("INVALID_REPLICA_ASSIGNMENT", false), 40: ("INVALID_CONFIG", false), 41: ("NOT_CONTROLLER", true),
        42: ("INVALID_REQUEST", false), 43: ("UNSUPPORTED_FOR_MESSAGE_FORMAT", false),
        44: ("POLICY_VIOLATION", false), 45: ("OUT_OF_ORDER_SEQUENCE_NUMBER", false),
        46: ("DUPLICATE_SEQUENCE_NUMBER", false), 47: ("INVALID_PRODUCER_EPOCH", false),
        48: ("INVALID_TXN_STATE", false), 49: ("INVALID_PRODUCER_ID_MAPPING", false),
        50: ("INVALID_TRANSACTION_TIMEOUT", false), 51: ("CONCURRENT_TRANSACTIONS", true),
        56: ("KAFKA_STORAGE_ERROR", true), 58: ("SASL_AUTHENTICATION_FAILED", false),
        59: ("UNKNOWN_PRODUCER_ID", false), 60: ("REASSIGNMENT_IN_PROGRESS", false),
        72: ("LISTENER_NOT_FOUND", true), 74: ("FENCED_LEADER_EPOCH", true), 75: ("UNKNOWN_LEADER_EPOCH", true),
        76: ("UNSUPPORTED_COMPRESSION_TYPE", false), 78: ("OFFSET_NOT_AVAILABLE", true),
        79: ("MEMBER_ID_REQUIRED", false), 82: ("FENCED_INSTANCE_ID", false), 87: ("INVALID_RECORD", false),
        89: ("THROTTLING_QUOTA_EXCEEDED", true), 100: ("UNKNOWN_TOPIC_ID", true),
    ]
}
