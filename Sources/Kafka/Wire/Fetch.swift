public import ByteCoding

/// Fetch (key 1): read record batches from partitions. Reference: `FetchRequest.json`, `FetchResponse.json`.
/// This client writes v12 (flexible, topics by name, no fetch sessions: session id 0, epoch -1).
public struct FetchRequest: KafkaRequest {
    public static let apiKey = APIKey.fetch
    public static let supportedVersions: ClosedRange<Int16> = 12...12
    public static let firstFlexibleVersion: Int16 = 12

    /// One partition to read from.
    public struct PartitionRequest: Sendable, Hashable {
        public var partition: Int32
        public var fetchOffset: Int64
        /// `PartitionMaxBytes`.
        public var maximumBytes: Int32
        public init(partition: Int32, fetchOffset: Int64, maximumBytes: Int32) {
            self.partition = partition
            self.fetchOffset = fetchOffset
            self.maximumBytes = maximumBytes
        }
    }

    /// `MaxWaitMs`.
    public var maximumWaitMilliseconds: Int32
    /// `MinBytes`.
    public var minimumBytes: Int32
    /// `MaxBytes`: the response limit over all partitions.
    public var maximumBytes: Int32
    /// `IsolationLevel`: 0 read uncommitted, 1 read committed.
    public var isolationLevel: Int8
    /// The partitions to read, by topic.
    public var topics: [(name: String, partitions: [PartitionRequest])]

    public init(
        maximumWaitMilliseconds: Int32, minimumBytes: Int32, maximumBytes: Int32, isolationLevel: Int8 = 0,
        topics: [(name: String, partitions: [PartitionRequest])]
    ) {
        self.maximumWaitMilliseconds = maximumWaitMilliseconds
        self.minimumBytes = minimumBytes
        self.maximumBytes = maximumBytes
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    /// One partition's data.
    public struct PartitionResponse: Hashable, Sendable {
        public var partition: Int32
        public var errorCode: KafkaErrorCode
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        public var logStartOffset: Int64
        /// The raw record batches (zero or more, the last possibly cut short by the byte limit): a slice of the
        /// response frame when parsed with ``parseResponse(_:in:version:)`` (no copy).
        public var records: ArraySlice<UInt8>
    }

    /// The response.
    public struct Response: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var topics: [String: [PartitionResponse]]
    }

    public func write(to writer: inout ByteWriter, version: Int16) {
        writer.writeInt32(-1)  // replica_id: a consumer
        writer.writeInt32(maximumWaitMilliseconds)
        writer.writeInt32(minimumBytes)
        writer.writeInt32(maximumBytes)
        writer.writeInt8(isolationLevel)
        writer.writeInt32(0)  // session_id
        writer.writeInt32(-1)  // session_epoch: no fetch session
        writer.writeArrayCount(topics.count, flexible: true)
        for topic in topics {
            writer.writeString(topic.name, flexible: true)
            writer.writeArrayCount(topic.partitions.count, flexible: true)
            for partition in topic.partitions {
                writer.writeInt32(partition.partition)
                writer.writeInt32(-1)  // current_leader_epoch: unknown
                writer.writeInt64(partition.fetchOffset)
                writer.writeInt32(-1)  // last_fetched_epoch
                writer.writeInt64(-1)  // log_start_offset (followers only)
                writer.writeInt32(partition.maximumBytes)
                writer.writeEmptyTaggedFields()
            }
            writer.writeEmptyTaggedFields()
        }
        writer.writeArrayCount(0, flexible: true)  // forgotten_topics_data
        writer.writeString("", flexible: true)  // rack_id
        writer.writeEmptyTaggedFields()
    }

    public static func parseResponse(_ reader: inout ByteReader, version: Int16) throws(ByteCodingError) -> Response {
        try parse(&reader, frame: nil)
    }

    /// Parses the response, keeping each partition's records as a slice of `frame` (the buffer `reader` reads).
    public static func parseResponse(_ reader: inout ByteReader, in frame: [UInt8], version: Int16)
        throws(ByteCodingError) -> Response
    {
        // The slices index `frame` by the reader's position: only when the reader covers all of it.
        try parse(&reader, frame: reader.buffer.count == frame.count ? frame : nil)
    }

    private static func parse(_ reader: inout ByteReader, frame: [UInt8]?) throws(ByteCodingError) -> Response {
        _ = try reader.readInt32()  // throttle_time_ms
        let error = KafkaErrorCode(rawValue: try reader.readInt16())
        _ = try reader.readInt32()  // session_id
        var topics: [String: [PartitionResponse]] = [:]
        let topicCount = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 3)
        for _ in 0..<topicCount {
            let name = try reader.readString(flexible: true)
            let count = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 38)
            var partitions: [PartitionResponse] = []
            for _ in 0..<count {
                let index = try reader.readInt32()
                let partitionError = KafkaErrorCode(rawValue: try reader.readInt16())
                let highWatermark = try reader.readInt64()
                let lastStable = try reader.readInt64()
                let logStart = try reader.readInt64()
                let aborted = try reader.readArrayCountOrZero(flexible: true, minimumElementSize: 17)
                for _ in 0..<aborted {
                    _ = try reader.readInt64()
                    _ = try reader.readInt64()
                    try reader.skipTaggedFields()
                }
                _ = try reader.readInt32()  // preferred_read_replica
                let records: ArraySlice<UInt8>
                if let view = try reader.readNullableBytesView(flexible: true) {
                    records = frame.map { $0[(reader.position - view.count)..<reader.position] } ?? ArraySlice(view)
                } else {
                    records = []
                }
                try reader.skipTaggedFields()
                partitions.append(
                    PartitionResponse(
                        partition: index, errorCode: partitionError, highWatermark: highWatermark,
                        lastStableOffset: lastStable, logStartOffset: logStart, records: records))
            }
            try reader.skipTaggedFields()
            topics[name, default: []].append(contentsOf: partitions)
        }
        try reader.skipTaggedFields()
        return Response(errorCode: error, topics: topics)
    }
}
