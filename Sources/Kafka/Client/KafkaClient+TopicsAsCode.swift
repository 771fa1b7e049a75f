/// A topic as declared in configuration (topics as code).
public struct KafkaTopicSpecification: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// The partition count it must have.
    public var partitions: Int
    /// -1: the broker's default.
    public var replicationFactor: Int16
    /// Topic configs (`cleanup.policy`, `retention.ms` …) the topic must have.
    public var configs: [String: String]
    /// A declaration; `replicationFactor` -1 leaves it to the broker.
    public init(name: String, partitions: Int, replicationFactor: Int16 = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// What ``KafkaClient/ensureTopics(_:)`` found or did for one topic.
public struct KafkaTopicReconciliation: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// True when the topic was created now.
    public var created: Bool
    /// The partition count it has (differs from the declaration when it already existed otherwise).
    public var partitions: Int
    /// Declared configs whose value on the cluster differs: `name → (declared, actual)`. Never changed here.
    public var configDifferences: [String: ConfigDifference]

    /// A config value as declared and as found on the cluster (nil: not set or sensitive).
    public struct ConfigDifference: Hashable, Sendable {
        /// The declared value.
        public var declared: String
        /// The value on the cluster.
        public var actual: String?
    }

    /// What was found or done for topic `name` (also for stores other than Kafka reporting in this shape).
    public init(name: String, created: Bool, partitions: Int, configDifferences: [String: ConfigDifference] = [:]) {
        self.name = name
        self.created = created
        self.partitions = partitions
        self.configDifferences = configDifferences
    }

    /// True when the cluster matches the declaration.
    public func matches(_ specification: KafkaTopicSpecification) -> Bool {
        partitions == specification.partitions && configDifferences.isEmpty
    }
}

extension KafkaClient {
    /// The configuration of `topic` (all keys, or only `keys`), from DescribeConfigs.
    public func describeTopicConfigs(_ topic: String, keys: [String]? = nil) async throws(KafkaError) -> [String: String?] {
        try await withRetries(topic: topic) { () async throws(KafkaError) -> [String: String?] in
            let connection = try await anyConnection()
            // All keys, filtered here: tansu 0.6 drops the connection when keys are named.
            let results = try await connection.send(DescribeConfigsRequest(topics: [(topic, nil)]), timeout: configuration.requestTimeout)
            guard let result = results.first(where: { $0.name == topic }) else {
                throw .invalid(context: "DescribeConfigs response", detail: "topic \(topic) is missing")
            }
            guard result.errorCode == .none else {
                throw .broker(code: result.errorCode, context: "configs of topic \(topic)", message: result.errorMessage)
            }
            var configs: [String: String?] = [:]
            for entry in result.entries where keys?.contains(entry.name) ?? true {
                configs[entry.name] = entry.isSensitive ? nil : entry.value
            }
            return configs
        }
    }

    /// Creates each declared topic that is missing (with its configs) and reports, for those that exist, how
    /// they differ from the declaration. Idempotent: running it again changes nothing.
    public func ensureTopics(_ specifications: [KafkaTopicSpecification]) async throws(KafkaError) -> [KafkaTopicReconciliation] {
        var results: [KafkaTopicReconciliation] = []
        for specification in specifications {
            let outcome = try await createTopic(
                specification.name, partitions: specification.partitions, replicationFactor: specification.replicationFactor,
                configs: specification.configs)
            var reconciliation = KafkaTopicReconciliation(
                name: specification.name, created: outcome == .created, partitions: specification.partitions, configDifferences: [:])
            if case let .alreadyExists(partitions) = outcome {
                reconciliation.partitions = partitions
            }
            if !specification.configs.isEmpty {
                let actual = try await describeTopicConfigs(specification.name, keys: specification.configs.keys.sorted())
                for (key, declared) in specification.configs where actual[key] ?? nil != declared {
                    reconciliation.configDifferences[key] = .init(declared: declared, actual: actual[key] ?? nil)
                }
            }
            results.append(reconciliation)
        }
        return results
    }
}
