internal import Synchronization

/// A topic's partitions and their leaders, from Metadata.
public struct KafkaTopicMetadata: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// Leader node id per partition index (-1 when leaderless).
    public var leaders: [Int32]
    /// How many partitions the topic has.
    public var partitionCount: Int { leaders.count }
}

/// The cluster as one client sees it: bootstrap, one connection per broker, cached metadata refreshed on
/// demand and when a broker says leadership or layout changed, and retries with exponential backoff.
public final class KafkaClient: Sendable {
    /// Bootstrap list, timeouts and retries.
    public let configuration: KafkaClientConfiguration

    private struct State {
        var connections: [Int32: KafkaConnection] = [:]
        var bootstrap: KafkaConnection?
        var brokers: [Int32: KafkaBrokerAddress] = [:]
        var topics: [String: KafkaTopicMetadata] = [:]
        var closed = false
    }
    private let state = Mutex(State())

    /// A client for the cluster of `configuration`; it connects on first use.
    public init(configuration: KafkaClientConfiguration) throws(KafkaError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Closes every connection; later calls fail with ``KafkaError/closed``.
    public func close() {
        let open: [KafkaConnection] = state.withLock { state in
            state.closed = true
            defer {
                state.connections.removeAll()
                state.bootstrap = nil
            }
            return Array(state.connections.values) + (state.bootstrap.map { [$0] } ?? [])
        }
        for connection in open { connection.close() }
    }

    private func connect(_ address: KafkaBrokerAddress, nodeID: Int32) async throws(KafkaError) -> KafkaConnection {
        try await KafkaConnection.connect(
            host: address.host, port: address.port, nodeID: nodeID, clientID: configuration.clientID,
            connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout,
            maximumResponseSize: configuration.maximumResponseSize)
    }

    /// A connection to any broker: a known one first, then the bootstrap list in order.
    public func anyConnection() async throws(KafkaError) -> KafkaConnection {
        let (existing, known, closed): (KafkaConnection?, [(Int32, KafkaBrokerAddress)], Bool) = state.withLock { state in
            let open = state.connections.values.first { !$0.isClosed } ?? (state.bootstrap?.isClosed == false ? state.bootstrap : nil)
            return (open, state.brokers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, state.closed)
        }
        if closed { throw .closed }
        if let existing { return existing }
        var lastError = KafkaError.connection(broker: "bootstrap", reason: "no broker configured")
        for (node, address) in known {
            do { return try await connection(to: node) } catch { lastError = error; _ = address }
        }
        for address in configuration.bootstrapServers {
            do {
                let connection = try await connect(address, nodeID: -1)
                state.withLock { $0.bootstrap = connection }
                return connection
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// The connection to broker `nodeID`, reconnecting when the last one failed.
    public func connection(to nodeID: Int32) async throws(KafkaError) -> KafkaConnection {
        let (existing, address, closed) = state.withLock { state in
            (state.connections[nodeID].flatMap { $0.isClosed ? nil : $0 }, state.brokers[nodeID], state.closed)
        }
        if closed { throw .closed }
        if let existing { return existing }
        guard let address else {
            _ = try await refreshMetadata(topics: [])
            guard let found = state.withLock({ $0.brokers[nodeID] }) else {
                throw .invalid(context: "metadata", detail: "broker \(nodeID) is not in the cluster")
            }
            return try await connection(to: nodeID, at: found)
        }
        return try await connection(to: nodeID, at: address)
    }

    /// The connection to broker `nodeID`, at `fallback` when metadata does not list it yet.
    func connection(to nodeID: Int32, fallback: KafkaBrokerAddress) async throws(KafkaError) -> KafkaConnection {
        let known = state.withLock { $0.brokers[nodeID] }
        if known == nil { state.withLock { $0.brokers[nodeID] = fallback } }
        return try await connection(to: nodeID)
    }

    private func connection(to nodeID: Int32, at address: KafkaBrokerAddress) async throws(KafkaError) -> KafkaConnection {
        let fresh = try await connect(address, nodeID: nodeID)
        let (kept, extra): (KafkaConnection, KafkaConnection?) = state.withLock { state in
            if let other = state.connections[nodeID], !other.isClosed { return (other, fresh) }
            state.connections[nodeID] = fresh
            return (fresh, nil)
        }
        extra?.close()
        return kept
    }

    /// Fetches Metadata for `topics` (nil: all) and updates the cache.
    @discardableResult
    public func refreshMetadata(topics: [String]?, allowAutoTopicCreation: Bool = false) async throws(KafkaError)
        -> MetadataRequest.Response
    {
        let connection = try await anyConnection()
        let response = try await connection.send(
            MetadataRequest(topics: topics, allowAutoTopicCreation: allowAutoTopicCreation),
            timeout: configuration.requestTimeout)
        state.withLock { state in
            for broker in response.brokers {
                state.brokers[broker.nodeID] = KafkaBrokerAddress(host: broker.host, port: Int(broker.port))
            }
            for topic in response.topics {
                guard topic.errorCode == .none else {
                    state.topics[topic.name] = nil
                    continue
                }
                var leaders = [Int32](repeating: -1, count: topic.partitions.count)
                for partition in topic.partitions where partition.partitionIndex >= 0 && Int(partition.partitionIndex) < leaders.count {
                    leaders[Int(partition.partitionIndex)] = partition.errorCode == .none || partition.leaderID >= 0 ? partition.leaderID : -1
                }
                state.topics[topic.name] = KafkaTopicMetadata(name: topic.name, leaders: leaders)
            }
        }
        return response
    }

    /// The cached metadata of `topic`, fetched when missing; throws the broker's error for an unknown topic.
    public func topicMetadata(_ topic: String, refresh: Bool = false) async throws(KafkaError) -> KafkaTopicMetadata {
        if !refresh, let cached = state.withLock({ $0.topics[topic] }) { return cached }
        let response = try await refreshMetadata(topics: [topic])
        guard let entry = response.topics.first(where: { $0.name == topic }) else {
            throw .broker(code: .unknownTopicOrPartition, context: "topic \(topic)", message: nil)
        }
        guard entry.errorCode == .none else { throw .broker(code: entry.errorCode, context: "topic \(topic)", message: nil) }
        guard let cached = state.withLock({ $0.topics[topic] }) else {
            throw .broker(code: .unknownTopicOrPartition, context: "topic \(topic)", message: nil)
        }
        return cached
    }

    /// The connection to the leader of `topic`/`partition`.
    public func leaderConnection(topic: String, partition: Int) async throws(KafkaError) -> KafkaConnection {
        let metadata = try await topicMetadata(topic)
        guard partition >= 0, partition < metadata.partitionCount else {
            throw .broker(code: .unknownTopicOrPartition, context: "\(topic)/\(partition)", message: "the topic has \(metadata.partitionCount) partitions")
        }
        let leader = metadata.leaders[partition]
        guard leader >= 0 else { throw .broker(code: .leaderNotAvailable, context: "\(topic)/\(partition)", message: nil) }
        return try await connection(to: leader)
    }

    /// Forgets cached leaders so the next lookup asks the cluster.
    public func invalidateMetadata(topic: String) {
        _ = state.withLock { $0.topics.removeValue(forKey: topic) }
    }

    /// Runs `body`, retrying retriable failures with exponential backoff up to ``KafkaClientConfiguration/retries``
    /// times; metadata of `topic` is dropped first when the error says leadership or layout changed.
    public func withRetries<T: Sendable>(
        topic: String?, _ body: () async throws(KafkaError) -> T
    ) async throws(KafkaError) -> T {
        var attempt = 0
        var backoff = configuration.retryBackoff
        while true {
            do {
                return try await body()
            } catch {
                guard error.isRetriable, attempt < configuration.retries, !state.withLock({ $0.closed }) else { throw error }
                attempt += 1
                if let topic {
                    switch error {
                    case let .broker(code, _, _) where code.invalidatesMetadata: invalidateMetadata(topic: topic)
                    case .connection, .timedOut: invalidateMetadata(topic: topic)
                    default: break
                    }
                }
                do { try await Task.sleep(for: backoff) } catch { throw .closed }
                backoff = min(backoff * 2, configuration.maximumRetryBackoff)
            }
        }
    }
}
