/// Why a stream-log operation failed. Each case names the topic, partition, file or offset involved.
public enum StreamLogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No topic of that name exists.
    case unknownTopic(String)
    /// The partition number is outside `0..<partitionCount`.
    case unknownPartition(topic: String, partition: Int, partitionCount: Int)
    /// A topic name breaks Kafka's rules (1–249 of `[a-zA-Z0-9._-]`, not `.` or `..`).
    case invalidTopicName(String, reason: String)
    /// A topic exists with another partition count than the one asked for.
    case partitionCountMismatch(topic: String, existing: Int, requested: Int)
    /// The requested offset lies outside what the partition holds.
    case offsetOutOfRange(topic: String, partition: Int, requested: Int64, earliest: Int64, next: Int64)
    /// A stored record failed its CRC32C check; it is never served.
    case corruptRecord(file: String, position: Int64, detail: String)
    /// Another process holds the log directory's write lock.
    case locked(directory: String, holder: String)
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32, message: String)
    /// A record is larger than the log accepts.
    case recordTooLarge(size: Int, maximum: Int)
    /// A configuration value is out of range.
    case invalidConfiguration(field: String, reason: String)
    /// The log was closed.
    case closed

    public var description: String {
        switch self {
        case let .unknownTopic(topic): "unknown topic '\(topic)'"
        case let .unknownPartition(topic, partition, count):
            "topic '\(topic)' has no partition \(partition) (it has \(count))"
        case let .invalidTopicName(name, reason): "invalid topic name '\(name)': \(reason)"
        case let .partitionCountMismatch(topic, existing, requested):
            "topic '\(topic)' exists with \(existing) partitions, not \(requested)"
        case let .offsetOutOfRange(topic, partition, requested, earliest, next):
            "offset \(requested) is out of range for \(topic)/\(partition) (earliest \(earliest), next \(next))"
        case let .corruptRecord(file, position, detail): "corrupt record in \(file) at byte \(position): \(detail)"
        case let .locked(directory, holder): "log directory \(directory) is locked by \(holder)"
        case let .io(operation, path, errno, message): "\(operation) \(path) failed: \(message) (errno \(errno))"
        case let .recordTooLarge(size, maximum): "record of \(size) bytes exceeds the maximum of \(maximum)"
        case let .invalidConfiguration(field, reason): "invalid configuration \(field): \(reason)"
        case .closed: "the log is closed"
        }
    }
}
