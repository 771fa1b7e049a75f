import Foundation
public import LegacyQueue
public import StreamLog
import Synchronization

/// One stream → queue pipeline (the reverse of ``PipelineConfiguration``): a topic of the embedded log or of
/// Kafka, read as consumer group ``StreamSourceConfiguration/group``, into a queue.
public struct StreamToQueuePipelineConfiguration: Sendable {
    /// A unique name (shared with the queue → stream pipelines), used in output and dead-letter headers.
    public var name: String
    /// The topic read and the group whose committed offsets record progress.
    public var source: StreamSourceConfiguration
    /// A reversible mapping: each event is encoded back into the legacy bytes through it. Default: none, meaning
    /// each event is sent as one CloudEvent in JSON format.
    public var mappingFile: String?
    /// The queue the messages go to: `spool:/dir/NAME` or `stomp://[user[:password]@]host:port/queue/NAME`.
    public var sink: String
    /// The dead-letter queue for records that cannot become a message (not a CloudEvent, rejected by the
    /// mapping's reverse).
    public var deadLetter: String
    /// A dead-letter topic instead of a queue (`"deadLetter": {"topic": …}`); ``deadLetter`` then describes it.
    /// Default: none.
    public var deadLetterTopic: DeadLetterTopicConfiguration?
    /// Records read from one partition and sent in one batch, at most; the offset is committed after the batch
    /// was confirmed by the queue. Default: 256.
    public var maxInFlight: Int
    /// The first wait after an error; doubles up to ``maxRetryBackoff``, with full jitter. Default: 100 ms.
    public var retryBackoff: Duration
    /// The longest wait between retries. Default: 5 s.
    public var maxRetryBackoff: Duration
    /// How long an idle pipeline waits before reading the topic again. Default: 100 ms.
    public var pollInterval: Duration
    /// How often the consumer lag (`ferry_consumer_lag`) is read again from the log, beside the pipeline's own
    /// work (so it keeps rising while the pipeline is stuck). Default: 5 s.
    public var lagRefreshInterval: Duration

    /// A pipeline; parameters default to the values documented on the properties.
    public init(
        name: String, source: StreamSourceConfiguration, mappingFile: String? = nil, sink: String, deadLetter: String,
        maxInFlight: Int = 256, retryBackoff: Duration = .milliseconds(100), maxRetryBackoff: Duration = .seconds(5),
        pollInterval: Duration = .milliseconds(100), lagRefreshInterval: Duration = .seconds(5)
    ) {
        self.lagRefreshInterval = lagRefreshInterval
        self.name = name
        self.source = source
        self.mappingFile = mappingFile
        self.sink = sink
        self.deadLetter = deadLetter
        self.maxInFlight = maxInFlight
        self.retryBackoff = retryBackoff
        self.maxRetryBackoff = maxRetryBackoff
        self.pollInterval = pollInterval
    }
}

/// Where a stream → queue pipeline reads.
public struct StreamSourceConfiguration: Sendable, Equatable {
    /// The embedded log's directory, or a Kafka cluster `kafka://host:port[,host:port…]`.
    public var log: String
    /// The topic; every partition is read.
    public var topic: String
    /// The consumer group whose committed offset (per partition) says what was sent. Default: `ferry-bridge-`
    /// followed by the pipeline name.
    public var group: String
    /// Whether the bridge joins ``group`` as a member (Kafka only): instances sharing the group share the
    /// partitions and take over from one that leaves. Without it, the bridge reads every partition and only
    /// commits the group's offsets, so one instance per group. Default: true for Kafka, false for the embedded log.
    public var joinsGroup: Bool

    /// A source.
    public init(log: String, topic: String, group: String, joinsGroup: Bool? = nil) {
        self.log = log
        self.topic = topic
        self.group = group
        self.joinsGroup = joinsGroup ?? log.hasPrefix("kafka://")
    }

    /// Whether ``log`` names a Kafka cluster.
    public var isKafka: Bool { log.hasPrefix("kafka://") }
}

/// Counters of one stream → queue pipeline since it started.
public struct StreamPipelineStatistics: Sendable, Equatable {
    /// Records read from the topic (re-reads after an error included).
    public var received = 0
    /// Messages the queue confirmed.
    public var sent = 0
    /// Records whose offset was committed after their message (or dead letter) was confirmed (a group member
    /// that lost its partitions in a rebalance does not count the batch it could not commit).
    public var committed = 0
    /// Records sent to the dead-letter queue.
    public var deadLettered = 0
    /// Queue sends retried after an error.
    public var sinkRetries = 0
    /// Topic reads and offset commits retried after an error.
    public var sourceRetries = 0
    /// Health of the endpoints, for `/readyz` and `ferry_bridge_last_error_timestamp_seconds`.
    public var health = EndpointHealth()
}

/// One stream → queue pipeline with at-least-once delivery.
///
/// Partition by partition, the pipeline reads up to ``StreamToQueuePipelineConfiguration/maxInFlight`` records
/// after the group's committed offset, turns each into a ``QueueMessage`` (``StreamEventEncoder``), sends them
/// to the queue as one batch (a STOMP transaction, committed with a receipt; spool files written and synced), and
/// only then commits the offset after the batch. A record that cannot become a message goes to the dead-letter
/// queue with its original bytes and ``DeadLetterHeader`` reasons (``DeadLetterHeader/offset`` naming the
/// record), before the offset moves past it. Read, send and commit errors are retried with jittered exponential
/// backoff, for ever. Messages of one partition arrive in offset order, and each carries the event's
/// `partitionkey` as JMSXGroupID so competing legacy consumers keep per-key order too.
///
/// A crash at any point loses nothing: the records after the committed offset are read and sent again; the
/// duplicates carry the same event id (`ce_id` property).
public final class StreamToQueuePipeline: Sendable {
    /// The settings.
    public let configuration: StreamToQueuePipelineConfiguration
    private let source: any StreamRecordSource
    private let sink: any LegacyQueue
    private let sinkDestination: String
    private let deadLetters: any LegacyQueue
    private let deadLetterDestination: String
    private let encoder: StreamEventEncoder
    private let state = Mutex(State())

    private struct State {
        var isStopRequested = false
        var statistics = StreamPipelineStatistics()
        var lag: [PartitionLag] = []
    }

    /// A pipeline over opened endpoints.
    /// - Parameters:
    ///   - source: the stream log read; the topic and group are in `configuration.source`.
    ///   - sink: the queue written, with `sinkDestination` its destination.
    ///   - deadLetters: the queue dead letters go to, with `deadLetterDestination`.
    public convenience init(
        configuration: StreamToQueuePipelineConfiguration, source: any StreamLog, sink: any LegacyQueue,
        sinkDestination: String, deadLetters: any LegacyQueue, deadLetterDestination: String,
        encoder: StreamEventEncoder
    ) {
        self.init(
            configuration: configuration,
            recordSource: LogStreamSource(log: source, topic: configuration.source.topic, group: configuration.source.group),
            sink: sink, sinkDestination: sinkDestination, deadLetters: deadLetters,
            deadLetterDestination: deadLetterDestination, encoder: encoder)
    }

    /// A pipeline reading `recordSource` (a ``LogStreamSource`` or a ``KafkaGroupStreamSource``).
    public init(
        configuration: StreamToQueuePipelineConfiguration, recordSource: any StreamRecordSource, sink: any LegacyQueue,
        sinkDestination: String, deadLetters: any LegacyQueue, deadLetterDestination: String,
        encoder: StreamEventEncoder
    ) {
        self.configuration = configuration
        self.source = recordSource
        self.sink = sink
        self.sinkDestination = sinkDestination
        self.deadLetters = deadLetters
        self.deadLetterDestination = deadLetterDestination
        self.encoder = encoder
    }

    /// The counters so far.
    public var statistics: StreamPipelineStatistics { state.withLock { $0.statistics } }

    /// The consumer lag per partition as last read (``refreshLag()``; every
    /// ``StreamToQueuePipelineConfiguration/lagRefreshInterval`` while ``run()`` runs). Empty before the first read.
    public var consumerLag: [PartitionLag] { state.withLock { $0.lag } }

    /// Reads the consumer lag of every partition the source reads from the log now.
    public func refreshLag() async throws {
        let lag = try await source.lag()
        state.withLock { $0.lag = lag }
    }

    /// The endpoints on each side, for connection checks (`/readyz`).
    var endpoints: (source: [any Sendable], sink: [any Sendable]) { ([source], [sink, deadLetters]) }

    /// Asks ``run()`` to finish the batch in flight (send, commit) and return.
    public func requestStop() { state.withLock { $0.isStopRequested = true } }

    private var isStopRequested: Bool { state.withLock { $0.isStopRequested } }

    private func count(_ update: (inout StreamPipelineStatistics) -> Void) { state.withLock { update(&$0.statistics) } }

    /// Runs until ``requestStop()`` (after committing the batch in flight) or until cancelled (abandoning it;
    /// it is read again from the committed offset). Waits for the topic while it does not exist (and, for a
    /// group member, for its first assignment).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                // Beside the work, so the lag keeps being read while a send is retried; a failed read keeps the
                // last figures (the pipeline's own retries report the broker's health).
                while !Task.isCancelled {
                    try? await refreshLag()
                    do { try await Task.sleep(for: configuration.lagRefreshInterval) } catch { return }
                }
            }
            defer { group.cancelAll() }
            try await work()
        }
    }

    private func work() async throws {
        try await retrying(counter: \.sourceRetries) { try await source.start() }
        while !isStopRequested {
            try Task.checkCancellation()
            let records = try await retrying(counter: \.sourceRetries) {
                try await source.poll(maxRecords: configuration.maxInFlight)
            }
            guard let last = records.last else {
                try await Task.sleep(for: configuration.pollInterval)
                continue
            }
            count { $0.received += records.count }
            try await process(records)
            let committed = try await retrying(counter: \.sourceRetries) { try await source.commit(through: last) }
            if committed { count { $0.committed += records.count } }
        }
        await source.stop()
    }

    /// Encodes `records`, sends the messages as one batch and the dead letters after it.
    private func process(_ records: [StoredRecord]) async throws {
        var messages: [QueueMessage] = []
        var letters: [QueueMessage] = []
        messages.reserveCapacity(records.count)
        for stored in records {
            do throws(ConversionFailure) {
                messages.append(try encoder.message(for: stored))
            } catch {
                letters.append(deadLetter(for: stored, failure: error))
            }
        }
        if !messages.isEmpty {
            try await retrying(counter: \.sinkRetries) { try await sink.send(messages, to: sinkDestination) }
            count { $0.sent += messages.count }
        }
        if !letters.isEmpty {
            try await retrying(counter: \.sinkRetries) { try await deadLetters.send(letters, to: deadLetterDestination) }
            count { $0.deadLettered += letters.count }
        }
    }

    /// The record's original value with its headers (as text properties) and the reason headers.
    private func deadLetter(for stored: StoredRecord, failure: ConversionFailure) -> QueueMessage {
        QueueMessage.deadLetter(of: stored, failure: failure, source: configuration.source, pipeline: configuration.name)
    }

    /// Runs `operation` until it succeeds, waiting a jittered, exponentially growing delay after each error
    /// (counted in `counter`; the side's health follows). Cancellation ends it.
    private func retrying<T>(
        counter: WritableKeyPath<StreamPipelineStatistics, Int>, _ operation: () async throws -> T
    ) async throws -> T {
        let isSink = counter == \.sinkRetries
        return try await RetryBackoff.retrying(
            initial: configuration.retryBackoff, maximum: configuration.maxRetryBackoff,
            failed: {
                count {
                    $0[keyPath: counter] += 1
                    $0.health.failed(isSink: isSink)
                }
            },
            recovered: { count { $0.health.recovered(isSink: isSink) } }, operation)
    }
}

extension DeadLetterHeader {
    /// Where a dead-lettered stream record was read: `topic/partition/offset`.
    public static let offset = "ferry.error.offset"
}
