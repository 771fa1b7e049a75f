/// Committed offsets of consumer groups (FindCoordinator, OffsetCommit, OffsetFetch), outside group
/// membership: what a manually assigned consumer or a StreamLog caller commits.
extension KafkaClient {
    /// The connection to `group`'s coordinator.
    public func coordinatorConnection(group: String) async throws(KafkaError) -> KafkaConnection {
        let connection = try await anyConnection()
        let response = try await connection.send(FindCoordinatorRequest(group: group), timeout: configuration.requestTimeout)
        guard response.errorCode == .none else {
            throw .broker(code: response.errorCode, context: "coordinator of group \(group)", message: response.errorMessage)
        }
        if response.nodeID == connection.nodeID { return connection }
        return try await self.connection(to: response.nodeID, fallback: KafkaBrokerAddress(host: response.host, port: Int(response.port)))
    }

    /// Commits `offset` (the next record to process) for `group` on `topic`/`partition`.
    public func commit(group: String, topic: String, partition: Int, offset: Int64) async throws(KafkaError) {
        try await withRetries(topic: nil) { () async throws(KafkaError) in
            let connection = try await coordinatorConnection(group: group)
            let response = try await connection.send(
                OffsetCommitRequest(group: group, offsets: [(topic: topic, partitions: [(partition: Int32(partition), offset: offset)])]),
                timeout: configuration.requestTimeout)
            let code = response.errors[topic]?[Int32(partition)] ?? .none
            guard code == .none else { throw .broker(code: code, context: "commit of group \(group) on \(topic)/\(partition)", message: nil) }
        }
    }

    /// The offset `group` committed for `topic`/`partition`, nil when none.
    public func committedOffset(group: String, topic: String, partition: Int) async throws(KafkaError) -> Int64? {
        try await withRetries(topic: nil) { () async throws(KafkaError) -> Int64? in
            let connection = try await coordinatorConnection(group: group)
            let response = try await connection.send(
                OffsetFetchRequest(group: group, topics: [(topic: topic, partitions: [Int32(partition)])]),
                timeout: configuration.requestTimeout)
            guard response.errorCode == .none else {
                throw .broker(code: response.errorCode, context: "committed offsets of group \(group)", message: nil)
            }
            guard let entry = response.offsets[topic]?[Int32(partition)] else { return nil }
            guard entry.errorCode == .none else {
                throw .broker(code: entry.errorCode, context: "committed offset of group \(group) on \(topic)/\(partition)", message: nil)
            }
            return entry.offset >= 0 ? entry.offset : nil
        }
    }
}
