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

/// One partition's part of a multi-partition ``KafkaClient/fetch(_:maximumBytesPerPartition:maximumBytes:maximumWait:limits:)``.
public struct KafkaFetchedPartition: Sendable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int
    /// The records at or after the requested offset (control batches skipped).
    public var records: [KafkaRecord]
    /// The high watermark, -1 when the broker did not answer for the partition this round.
    public var highWatermark: Int64
}

extension KafkaClient {
    /// Fetches many partitions at once: one Fetch per leader broker, the brokers asked concurrently.
    ///
    /// A partition whose leader moved (a retriable error) comes back empty and its topic's metadata is
    /// dropped, so the next call asks the new leader; other broker errors throw.
    public func fetch(
        _ positions: [(topic: String, partition: Int, offset: Int64)], maximumBytesPerPartition: Int,
        maximumBytes: Int = 50 << 20, maximumWait: Duration = .milliseconds(500), limits: RecordBatchLimits = .init()
    ) async throws(KafkaError) -> [KafkaFetchedPartition] {
        var byLeader: [Int32: [(topic: String, partition: Int, offset: Int64)]] = [:]
        for position in positions {
            let metadata = try await withRetries(topic: position.topic) { () async throws(KafkaError) in
                try await topicMetadata(position.topic)
            }
            guard position.partition >= 0, position.partition < metadata.partitionCount else {
                throw .broker(code: .unknownTopicOrPartition, context: "\(position.topic)/\(position.partition)", message: nil)
            }
            byLeader[metadata.leaders[position.partition], default: []].append(position)
        }
        let wait = Int32(clamping: maximumWait.components.seconds * 1000 + maximumWait.components.attoseconds / 1_000_000_000_000_000)
        do {
            return try await withThrowingTaskGroup(of: [KafkaFetchedPartition].self) { group in
                for (leader, list) in byLeader {
                    group.addTask {
                        try await self.fetch(from: leader, list, wait: wait, maximumBytesPerPartition: maximumBytesPerPartition,
                                             maximumBytes: maximumBytes, maximumWait: maximumWait, limits: limits)
                    }
                }
                var results: [KafkaFetchedPartition] = []
                for try await part in group { results += part }
                return results
            }
        } catch let error as KafkaError {
            throw error
        } catch {
            throw .invalid(context: "Fetch", detail: "\(error)")
        }
    }

    private func fetch(
        from leader: Int32, _ list: [(topic: String, partition: Int, offset: Int64)], wait: Int32,
        maximumBytesPerPartition: Int, maximumBytes: Int, maximumWait: Duration, limits: RecordBatchLimits
    ) async throws(KafkaError) -> [KafkaFetchedPartition] {
        var topics: [(name: String, partitions: [FetchRequest.PartitionRequest])] = []
        for item in list {
            let request = FetchRequest.PartitionRequest(
                partition: Int32(item.partition), fetchOffset: item.offset, maximumBytes: Int32(clamping: maximumBytesPerPartition))
            if let index = topics.firstIndex(where: { $0.name == item.topic }) {
                topics[index].partitions.append(request)
            } else {
                topics.append((item.topic, [request]))
            }
        }
        let empty = list.map { KafkaFetchedPartition(topic: $0.topic, partition: $0.partition, records: [], highWatermark: -1) }
        let connection: KafkaConnection
        do {
            connection = try await self.connection(to: leader)
        } catch where error.isRetriable {
            for topic in Set(list.map(\.topic)) { invalidateMetadata(topic: topic) }
            return empty
        }
        let response: FetchRequest.Response
        do {
            response = try await connection.send(
                FetchRequest(maximumWaitMilliseconds: wait, minimumBytes: 1, maximumBytes: Int32(clamping: maximumBytes), topics: topics),
                timeout: configuration.requestTimeout + maximumWait)
        } catch where error.isRetriable {
            for topic in Set(list.map(\.topic)) { invalidateMetadata(topic: topic) }
            return empty
        }
        guard response.errorCode == .none else { throw .broker(code: response.errorCode, context: "Fetch", message: nil) }
        var results: [KafkaFetchedPartition] = []
        for item in list {
            guard let data = response.topics[item.topic]?.first(where: { $0.partition == Int32(item.partition) }) else {
                results.append(KafkaFetchedPartition(topic: item.topic, partition: item.partition, records: [], highWatermark: -1))
                continue
            }
            guard data.errorCode == .none else {
                if data.errorCode.isRetriable {
                    invalidateMetadata(topic: item.topic)
                    results.append(KafkaFetchedPartition(topic: item.topic, partition: item.partition, records: [], highWatermark: -1))
                    continue
                }
                throw .broker(code: data.errorCode, context: "\(item.topic)/\(item.partition) at offset \(item.offset)", message: nil)
            }
            let batches = try withKafkaErrors("Fetch records of \(item.topic)/\(item.partition)") {
                try data.records.withUnsafeBytes { raw in try RecordBatch.decodeAll(raw, limits: limits) }
            }
            var records: [KafkaRecord] = []
            for batch in batches where !batch.isControl {
                for record in batch.records where record.offset >= item.offset { records.append(record) }
            }
            results.append(KafkaFetchedPartition(topic: item.topic, partition: item.partition, records: records, highWatermark: data.highWatermark))
        }
        return results
    }
}
