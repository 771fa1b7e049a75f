/// One header of a stream record: a name and an optional byte value, as in Kafka (order and duplicates kept).
public struct RecordHeader: Hashable, Sendable {
    /// The header name (Kafka header keys are UTF-8 strings).
    public var name: String
    /// The header value; nil is a Kafka null header value.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// A header whose value is `text` in UTF-8.
    public init(name: String, text: String) {
        self.name = name
        self.value = Array(text.utf8)
    }

    /// The value read as UTF-8, nil when absent or not valid UTF-8.
    public var textValue: String? {
        guard let value else { return nil }
        return String(validating: value, as: UTF8.self)
    }
}

/// A record to append to a stream log: key, value, headers and a timestamp, as in a Kafka record.
public struct StreamRecord: Hashable, Sendable {
    /// The record key (the entity key); nil for an unkeyed record.
    public var key: [UInt8]?
    /// The record value; nil for a tombstone.
    public var value: [UInt8]?
    /// Headers in order; names may repeat.
    public var headers: [RecordHeader]
    /// Creation time in milliseconds since the Unix epoch (Kafka CreateTime).
    public var timestamp: Int64

    public init(key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = [], timestamp: Int64) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The first header named `name`.
    public func header(_ name: String) -> RecordHeader? { headers.first { $0.name == name } }
}

/// A record as stored: its position in the log and its content.
public struct StoredRecord: Hashable, Sendable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int
    /// Its offset within the partition.
    public var offset: Int64
    /// What was appended.
    public var record: StreamRecord

    public init(topic: String, partition: Int, offset: Int64, record: StreamRecord) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.record = record
    }
}

/// Where an appended batch landed.
public struct AppendResult: Hashable, Sendable {
    /// The partition the batch was written to.
    public var partition: Int
    /// The offset of the batch's first record; the others follow contiguously.
    public var baseOffset: Int64
    /// How many records were appended.
    public var count: Int

    public init(partition: Int, baseOffset: Int64, count: Int) {
        self.partition = partition
        self.baseOffset = baseOffset
        self.count = count
    }

    /// The offset of the batch's last record.
    public var lastOffset: Int64 { baseOffset + Int64(count) - 1 }
}

/// A topic's name and partition count.
public struct TopicDescription: Hashable, Sendable {
    public var name: String
    public var partitionCount: Int

    public init(name: String, partitionCount: Int) {
        self.name = name
        self.partitionCount = partitionCount
    }
}

/// The offsets that bound a partition: the first still stored and the one the next append gets.
public struct PartitionOffsets: Hashable, Sendable {
    /// The earliest offset still readable (retention may have removed older ones).
    public var earliest: Int64
    /// The offset the next appended record will get (Kafka's log-end offset / high watermark).
    public var next: Int64

    public init(earliest: Int64, next: Int64) {
        self.earliest = earliest
        self.next = next
    }
}
