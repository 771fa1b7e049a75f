/// Topic administration (CreateTopics) and offset look-ups (ListOffsets) on the cluster.
extension KafkaClient {
    /// What ``createTopic(_:partitions:replicationFactor:configs:)`` did.
    public enum TopicCreation: Hashable, Sendable {
        /// The topic was created.
        case created
        /// The topic already existed with this many partitions; nothing was changed.
        case alreadyExists(partitions: Int)
    }

    /// Creates `topic`, succeeding without change when it already exists (topics as code). The existing
    /// partition count is reported so a caller can flag a mismatch.
    @discardableResult
    public func createTopic(
        _ topic: String, partitions: Int, replicationFactor: Int16 = -1, configs: [String: String] = [:]
    ) async throws(KafkaError) -> TopicCreation {
        guard partitions > 0, partitions <= Int(Int32.max) else {
            throw .invalidConfiguration(field: "partitions", reason: "must be 1...\(Int32.max)")
        }
        let request = CreateTopicsRequest(
            topics: [.init(name: topic, partitions: Int32(partitions), replicationFactor: replicationFactor, configs: configs)],
            timeoutMilliseconds: Int32(clamping: configuration.requestTimeout.components.seconds * 1000))
        let result = try await withRetries(topic: nil) { () async throws(KafkaError) -> CreateTopicsRequest.TopicResult in
            let connection = try await anyConnection()
            let response = try await connection.send(request, timeout: configuration.requestTimeout)
            guard let result = response.topics.first(where: { $0.name == topic }) else {
                throw .invalid(context: "CreateTopics response", detail: "topic \(topic) is missing")
            }
            if result.errorCode.isRetriable || result.errorCode.rawValue == 41 {
                throw .broker(code: result.errorCode, context: "topic \(topic)", message: result.errorMessage)
            }
            return result
        }
        switch result.errorCode {
        case .none:
            invalidateMetadata(topic: topic)
            return .created
        case .topicAlreadyExists:
            let metadata = try await withRetries(topic: topic) { () async throws(KafkaError) in
                try await topicMetadata(topic, refresh: true)
            }
            return .alreadyExists(partitions: metadata.partitionCount)
        default:
            throw .broker(code: result.errorCode, context: "topic \(topic)", message: result.errorMessage)
        }
    }

    /// The offset of `topic`/`partition` for `timestamp`: ``ListOffsetsRequest/earliest`` (-2),
    /// ``ListOffsetsRequest/latest`` (-1), or a time in ms since the epoch (the first offset whose timestamp
    /// is at or after it; -1 when there is none).
    public func listOffset(topic: String, partition: Int, timestamp: Int64) async throws(KafkaError) -> Int64 {
        try await withRetries(topic: topic) { () async throws(KafkaError) -> Int64 in
            let connection = try await leaderConnection(topic: topic, partition: partition)
            let response = try await connection.send(
                ListOffsetsRequest(topics: [(name: topic, partitions: [(partition: Int32(partition), timestamp: timestamp)])]),
                timeout: configuration.requestTimeout)
            guard let answer = response.topics[topic]?.first(where: { $0.partition == Int32(partition) }) else {
                throw .invalid(context: "ListOffsets response", detail: "\(topic)/\(partition) is missing")
            }
            guard answer.errorCode == .none else {
                throw .broker(code: answer.errorCode, context: "\(topic)/\(partition)", message: nil)
            }
            return answer.offset
        }
    }

    /// One Fetch of `topic`/`partition` from `offset`: the records at or after `offset` (at most about
    /// `maximumBytes`, at least one batch when one is available) and the high watermark (-1 when the broker
    /// answered without the partition: nothing new within `maximumWait`). The broker answers as soon as one
    /// byte is there, so `maximumWait` (default 500 ms) only bounds the wait on an idle partition; tansu
    /// returns nothing at all for a wait of 0.
    public func fetch(
        topic: String, partition: Int, offset: Int64, maximumBytes: Int, maximumWait: Duration = .milliseconds(500),
        limits: RecordBatchLimits = .init()
    ) async throws(KafkaError) -> (records: [KafkaRecord], highWatermark: Int64, logStartOffset: Int64) {
        let wait = Int32(clamping: maximumWait.components.seconds * 1000 + maximumWait.components.attoseconds / 1_000_000_000_000_000)
        let partitionData = try await withRetries(topic: topic) { () async throws(KafkaError) -> FetchRequest.PartitionResponse in
            let connection = try await leaderConnection(topic: topic, partition: partition)
            let request = FetchRequest(
                maximumWaitMilliseconds: wait, minimumBytes: 1, maximumBytes: Int32(clamping: maximumBytes),
                topics: [(name: topic, partitions: [.init(partition: Int32(partition), fetchOffset: offset, maximumBytes: Int32(clamping: maximumBytes))])])
            let response = try await connection.send(request, timeout: configuration.requestTimeout + maximumWait)
            guard response.errorCode == .none else { throw .broker(code: response.errorCode, context: "Fetch", message: nil) }
            guard let data = response.topics[topic]?.first(where: { $0.partition == Int32(partition) }) else {
                // Some brokers (tansu) answer a wait that expires with no partitions at all: nothing new yet.
                return FetchRequest.PartitionResponse(
                    partition: Int32(partition), errorCode: .none, highWatermark: -1, lastStableOffset: -1,
                    logStartOffset: -1, records: [])
            }
            guard data.errorCode == .none else {
                throw .broker(code: data.errorCode, context: "\(topic)/\(partition) at offset \(offset)", message: nil)
            }
            return data
        }
        let batches = try withKafkaErrors("Fetch records of \(topic)/\(partition)") {
            try partitionData.records.withUnsafeBytes { raw in try RecordBatch.decodeAll(raw, limits: limits) }
        }
        var records: [KafkaRecord] = []
        for batch in batches where !batch.isControl {
            for record in batch.records where record.offset >= offset { records.append(record) }
        }
        return (records, partitionData.highWatermark, partitionData.logStartOffset)
    }
}
