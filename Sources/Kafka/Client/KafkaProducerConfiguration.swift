/// How a ``KafkaProducer`` batches and acknowledges. `Sendable` value; validated by ``validate()``.
public struct KafkaProducerConfiguration: Sendable, Hashable {
    /// `acks`: -1 (all in-sync replicas) or 1 (the leader). Default: -1. Idempotence requires -1.
    public var acks: Int16 = -1
    /// Idempotent produce (InitProducerId, per-partition sequence numbers): a retried batch is never written
    /// twice. Default: true.
    public var idempotent: Bool = true
    /// How long a partition's first record waits for others to share its batch. Default: 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// The largest batch, in record bytes (a single bigger record goes alone). Default: 1 MiB.
    public var batchSize: Int = 1 << 20
    /// Record bytes buffered (waiting or in flight) before ``KafkaProducer/send(_:topic:partition:)`` suspends
    /// (back-pressure). Default: 32 MiB.
    public var bufferMemory: Int = 32 << 20
    /// Batch compression: none or gzip. Default: none.
    public var compression: Compression = .none
    /// How long the broker may wait for replication (`TimeoutMs`). Default: 30 s.
    public var deliveryTimeout: Duration = .seconds(30)
    /// Batches of one partition on the wire at once, awaiting their acknowledgement (Kafka's
    /// `max.in.flight.requests.per.connection`, per partition here): 1...5, as idempotence allows. Order is kept
    /// by sequence numbers and in-order retries; without idempotence the producer keeps one. Default: 5.
    public var maximumInFlightBatches: Int = 5

    /// A configuration with the defaults documented on each field.
    public init() {}

    /// Checks every field; the error names the first bad one.
    public func validate() throws(KafkaError) {
        if acks != -1 && acks != 1 { throw .invalidConfiguration(field: "acks", reason: "must be -1 (all) or 1") }
        if idempotent && acks != -1 { throw .invalidConfiguration(field: "acks", reason: "idempotence needs acks=-1 (all)") }
        if linger < .zero { throw .invalidConfiguration(field: "linger", reason: "must not be negative") }
        if batchSize < 1 { throw .invalidConfiguration(field: "batchSize", reason: "must be positive") }
        if bufferMemory < batchSize { throw .invalidConfiguration(field: "bufferMemory", reason: "must be at least batchSize") }
        if !(1...5).contains(maximumInFlightBatches) {
            throw .invalidConfiguration(field: "maximumInFlightBatches", reason: "must be 1...5 (the idempotent producer's limit)")
        }
        if compression != .none && compression != .gzip {
            throw .invalidConfiguration(field: "compression", reason: "\(compression.name) is not supported (none, gzip)")
        }
    }
}
