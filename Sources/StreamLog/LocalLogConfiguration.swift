/// How a ``LocalLog`` stores and keeps records.
public struct LocalLogConfiguration: Sendable {
    /// Whether this process writes the log or only reads it.
    public enum Access: Sendable, Hashable {
        /// Appends, creates topics, commits offsets and repairs a torn tail on open. Takes an exclusive lock
        /// on the directory: one writing process at a time.
        case readWrite
        /// Reads only, without the lock, alongside a writer; sees what the writer has written. Never repairs.
        case readOnly
    }

    /// The log's root directory; created when missing (read-write only).
    public var directory: String
    /// Default: `.readWrite`.
    public var access: Access
    /// Default: `.interval(.seconds(1))`.
    public var fsync: FsyncPolicy
    /// Size at which the active segment of a partition is closed and a new one started. Default: 128 MiB.
    public var segmentBytes: Int
    /// Oldest segments of a partition are deleted while the partition holds more than this. Default: nil (no limit).
    public var retentionBytes: Int64?
    /// Segments whose newest record is older than this are deleted. Default: 7 days. nil keeps everything.
    public var retentionAge: Duration?
    /// Largest record (key + value + headers) accepted. Default: 16 MiB.
    public var maxRecordBytes: Int
    /// Bytes of log between two entries of a segment's offset index. Default: 4096.
    public var indexIntervalBytes: Int

    public init(
        directory: String, access: Access = .readWrite, fsync: FsyncPolicy = .interval(.seconds(1))
    ) {
        self.directory = directory
        self.access = access
        self.fsync = fsync
        self.segmentBytes = 128 << 20
        self.retentionBytes = nil
        self.retentionAge = .seconds(7 * 24 * 3600)
        self.maxRecordBytes = 16 << 20
        self.indexIntervalBytes = 4096
    }

    /// Checks every value, naming the offending field.
    public func validate() throws(StreamLogError) {
        if directory.isEmpty { throw .invalidConfiguration(field: "directory", reason: "must not be empty") }
        if segmentBytes < 1024 { throw .invalidConfiguration(field: "segmentBytes", reason: "must be at least 1024") }
        if let r = retentionBytes, r < 0 {
            throw .invalidConfiguration(field: "retentionBytes", reason: "must not be negative")
        }
        if let age = retentionAge, age <= .zero {
            throw .invalidConfiguration(field: "retentionAge", reason: "must be positive")
        }
        if maxRecordBytes < 1 || maxRecordBytes > 1 << 30 {
            throw .invalidConfiguration(field: "maxRecordBytes", reason: "must be in 1...1 GiB")
        }
        if indexIntervalBytes < 64 {
            throw .invalidConfiguration(field: "indexIntervalBytes", reason: "must be at least 64")
        }
        if case let .interval(d) = fsync, d <= .zero {
            throw .invalidConfiguration(field: "fsync", reason: "interval must be positive")
        }
    }
}
