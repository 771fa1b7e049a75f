import Foundation
public import LegacyQueue
public import StreamLog
import Synchronization

/// Counters of one pipeline since it started.
public struct PipelineStatistics: Sendable, Equatable {
    /// Health of the endpoints, for `/readyz` and `ferry_bridge_last_error_timestamp_seconds`.
    public var health = EndpointHealth()
    /// Messages received from the source (redeliveries included).
    public var received = 0
    /// Events appended to the sink.
    public var appended = 0
    /// Messages acknowledged on the source after their events were appended (or their dead letter sent).
    public var acknowledged = 0
    /// Messages given back to the source after a conversion failure, to be tried again.
    public var rejected = 0
    /// Messages sent to the dead-letter queue.
    public var deadLettered = 0
    /// Sink appends retried after an error.
    public var sinkRetries = 0
    /// Source receives retried after an error.
    public var sourceRetries = 0
    /// Acknowledgements that failed (the source redelivers those messages; duplicates carry the same event ids).
    public var failedAcknowledgements = 0
}

/// One queue → stream pipeline with at-least-once delivery.
///
/// The pipeline keeps at most ``PipelineConfiguration/maxInFlight`` messages unacknowledged (then stops
/// reading: back-pressure). It receives and converts messages while earlier ones are being appended, appends
/// their events to the sink in receive order (records of one key go to one partition, so per-key order
/// holds), waits for the append to be durable, and only then acknowledges the messages.
/// A message that cannot be converted is given back to the source until it was delivered
/// ``PipelineConfiguration/maxAttempts`` times, then sent to the dead-letter queue with its original bytes and
/// ``DeadLetterHeader`` reasons, and acknowledged. Sink and source errors are retried with jittered
/// exponential backoff, for ever: nothing is acknowledged that is not appended.
///
/// A crash at any point loses nothing: unacknowledged messages are redelivered and map to the same event ids.
public final class BridgePipeline: Sendable {
    /// The settings.
    public let configuration: PipelineConfiguration
    private let source: any LegacyQueue
    private let sourceDestination: String
    private let sink: any StreamLog
    private let deadLetters: any LegacyQueue
    private let deadLetterDestination: String
    private let converter: EventConverter
    private let state = Mutex(State())

    private struct State {
        var isStopRequested = false
        var statistics = PipelineStatistics()
    }

    /// A pipeline over opened endpoints.
    /// - Parameters:
    ///   - source: the queue read from, with `sourceDestination` its destination.
    ///   - sink: the stream log; the topic is ``SinkConfiguration/topic`` of `configuration`.
    ///   - deadLetters: the queue dead letters go to, with `deadLetterDestination`.
    public init(
        configuration: PipelineConfiguration, source: any LegacyQueue, sourceDestination: String,
        sink: any StreamLog, deadLetters: any LegacyQueue, deadLetterDestination: String, converter: EventConverter
    ) {
        self.configuration = configuration
        self.source = source
        self.sourceDestination = sourceDestination
        self.sink = sink
        self.deadLetters = deadLetters
        self.deadLetterDestination = deadLetterDestination
        self.converter = converter
    }

    /// The counters so far.
    public var statistics: PipelineStatistics { state.withLock { $0.statistics } }

    /// Asks ``run()`` to stop reading the source, finish the messages in flight and return.
    public func requestStop() { state.withLock { $0.isStopRequested = true } }

    private var isStopRequested: Bool { state.withLock { $0.isStopRequested } }

    private func count(_ update: (inout PipelineStatistics) -> Void) { state.withLock { update(&$0.statistics) } }

    /// Runs until ``requestStop()`` (after draining what is in flight) or until cancelled (abandoning what is
    /// in flight, which the source redelivers). Creates the sink topic when it is missing.
    ///
    /// Two stages overlap: the receiver reads and converts messages while the appender appends what was
    /// received before, so the source is read while an append waits for durability. The appender takes
    /// everything received so far as one batch (bigger batches when appends are slow), appends the batches one
    /// after the other (the partitions of one batch at the same time), and acknowledges a batch's messages
    /// once all of its records are durable (all the batch's ACK frames in one write on STOMP). Batches are
    /// appended in receive order and one key always maps to one partition, so per-key order holds.
    public func run() async throws {
        try await prepareTopic()
        let window = InFlightWindow(capacity: configuration.maxInFlight)
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do { try await self.receive(into: window) } catch {
                        window.cancel()
                        throw error
                    }
                }
                group.addTask {
                    do { try await self.append(from: window) } catch {
                        window.cancel()
                        throw error
                    }
                }
                try await group.waitForAll()
            }
        } onCancel: {
            window.cancel()
        }
    }

    /// Creates the topic with the configured partitions unless it exists.
    private func prepareTopic() async throws {
        let topic = configuration.sink.topic
        try await retrying(counter: \.sinkRetries) {
            if try await sink.topics().contains(where: { $0.name == topic }) { return }
            try await sink.createTopic(topic, partitions: configuration.sink.partitions)
        }
    }

    /// The receiving stage: takes a place in the window, receives, converts, and queues the message for the
    /// appender; a message that does not convert is rejected or dead-lettered here (it holds no records, and
    /// settling it acknowledges nothing else). Ends when a stop is requested.
    /// The endpoints on each side, for connection checks (`/readyz`).
    var endpoints: (source: [any Sendable], sink: [any Sendable]) { ([source], [sink, deadLetters]) }

    private func receive(into window: InFlightWindow) async throws {
        defer { window.finish() }
        while !isStopRequested {
            try Task.checkCancellation()
            try await window.reservePlace()
            let next = try await retrying(counter: \.sourceRetries) {
                try await source.receive(from: sourceDestination, timeout: .milliseconds(100))
            }
            guard let message = next else {
                window.release(1)
                continue
            }
            count { $0.received += 1 }
            do throws(ConversionFailure) {
                window.submit(InFlightWindow.Entry(message: message, records: try converter.records(for: message)))
            } catch {
                try await handleFailure(message, error)
                window.release(1)
            }
        }
    }

    /// The appending stage: appends each batch the window hands over, waits for it to be durable, then
    /// acknowledges its messages in receive order and frees their places.
    private func append(from window: InFlightWindow) async throws {
        let topic = configuration.sink.topic
        while let batch = try await window.takePending() {
            var records: [StreamRecord] = []
            for entry in batch { records += entry.records }
            var appended = batch.map(\.message)  // var: a permanent sink rejection removes messages
            if !records.isEmpty {
                do {
                    try await appendDurably(records, topic: topic)
                    count { $0.appended += records.count }
                } catch where SinkRejection.isPermanent(error) {
                    appended = try await appendEachAlone(batch, topic: topic)
                }
            }
            let failed = await source.acknowledge(all: appended)
            count {
                $0.acknowledged += appended.count - failed
                $0.failedAcknowledgements += failed
            }
            window.release(batch.count)
        }
    }

    /// After the sink rejected a batch for good: appends each message's records on their own; a message whose
    /// records the sink rejects for good goes the way of a conversion failure (stage `append`: given back until
    /// `maxAttempts`, then dead-lettered). Returns the messages appended.
    /// (Records of partitions that were durable before the rejection may be appended again: at least once, same ids.)
    private func appendEachAlone(_ entries: [InFlightWindow.Entry], topic: String) async throws -> [ReceivedMessage] {
        var appended: [ReceivedMessage] = []
        for entry in entries {
            let (message, records) = (entry.message, entry.records)
            if records.isEmpty { appended.append(message); continue }
            do {
                try await retrying(counter: \.sinkRetries, isPermanent: SinkRejection.isPermanent) {
                    _ = try await sink.publish(records, topic: topic)
                }
                count { $0.appended += records.count }
                appended.append(message)
            } catch {
                guard let failure = SinkRejection.failure(for: error) else { throw error }
                try await handleFailure(message, failure)
            }
        }
        return appended
    }

    /// Appends `records` to their partitions (Kafka's partitioner on the key; unkeyed records to partition 0),
    /// all partitions at once, retrying the partitions whose append failed until every one is durable.
    private func appendDurably(_ records: [StreamRecord], topic: String) async throws {
        let partitionCount = try await retrying(counter: \.sinkRetries) { try await sink.partitionCount(of: topic) }
        var byPartition: [Int: [StreamRecord]] = [:]
        for record in records {
            let partition = record.key.map { KafkaPartitioner.partition(forKey: $0, partitionCount: partitionCount) } ?? 0
            byPartition[partition, default: []].append(record)
        }
        var backoff = RetryBackoff(initial: configuration.retryBackoff, maximum: configuration.maxRetryBackoff)
        var failed = false
        while true {
            let failure: (any Error)?
            (byPartition, failure) = await appendOnce(byPartition, topic: topic)
            guard let failure else {
                if failed { count { $0.health.recovered(isSink: true) } }
                return
            }
            if Task.isCancelled || failure is CancellationError { throw CancellationError() }
            if SinkRejection.isPermanent(failure) { throw failure }
            failed = true
            let failedAppends = byPartition.count  // one retry per partition append that failed
            count {
                $0.sinkRetries += failedAppends
                $0.health.failed(isSink: true)
            }
            try await backoff.wait()
        }
    }

    /// Appends each partition's records (at the same time on Kafka); returns the partitions that failed, with an
    /// error.
    private func appendOnce(_ byPartition: [Int: [StreamRecord]], topic: String) async
        -> (failed: [Int: [StreamRecord]], error: (any Error)?)
    {
        let sink = self.sink
        if sink is LocalLog {
            // LocalLog appends block their thread (write + fsync): one partition after another, so a pipeline
            // never holds more than one of the cooperative pool's few threads in an fsync.
            var failed: [Int: [StreamRecord]] = [:]
            var firstError: (any Error)?
            for (partition, records) in byPartition.sorted(by: { $0.key < $1.key }) {
                do { _ = try await sink.append(records, topic: topic, partition: partition) } catch {
                    failed[partition] = records
                    if firstError == nil { firstError = error }
                }
            }
            return (failed, firstError)
        }
        return await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (partition, records) in byPartition {
                group.addTask {
                    do {
                        _ = try await sink.append(records, topic: topic, partition: partition)
                        return (partition, nil)
                    } catch {
                        return (partition, error)
                    }
                }
            }
            var failed: [Int: [StreamRecord]] = [:]
            var firstError: (any Error)?
            for await (partition, error) in group {
                guard let error else { continue }
                failed[partition] = byPartition[partition]
                if firstError == nil { firstError = error }
            }
            return (failed, firstError)
        }
    }

    private func acknowledge(_ message: ReceivedMessage) async {
        do {
            try await source.acknowledge(message)
            count { $0.acknowledged += 1 }
        } catch {
            count { $0.failedAcknowledgements += 1 }
        }
    }

    /// Gives `message` back to the source, or dead-letters it once it used its attempts.
    private func handleFailure(_ message: ReceivedMessage, _ failure: ConversionFailure) async throws {
        let attempts = message.retryCount + 1
        if attempts < configuration.maxAttempts {
            try await retrying(counter: \.sourceRetries) {
                try await source.reject(message, reason: "\(failure.stage): \(failure.errorClass)")
            }
            count { $0.rejected += 1 }
            return
        }
        var letter = message.message
        letter.properties[DeadLetterHeader.stage] = failure.stage
        letter.properties[DeadLetterHeader.errorClass] = failure.errorClass
        letter.properties[DeadLetterHeader.message] = failure.message
        letter.properties[DeadLetterHeader.source] = QueueEndpoint.redacted(configuration.source)
        letter.properties[DeadLetterHeader.messageID] = message.messageID
        letter.properties[DeadLetterHeader.timestamp] = String(Self.nowMilliseconds())
        letter.properties[DeadLetterHeader.attempts] = String(attempts)
        letter.properties[DeadLetterHeader.pipeline] = configuration.name
        letter.properties[FerryHeader.originalDestination] = message.destination
        letter.properties[FerryHeader.originalMessageID] = message.messageID
        try await retrying(counter: \.sinkRetries) { try await deadLetters.send(letter, to: deadLetterDestination) }
        count { $0.deadLettered += 1 }
        await acknowledge(message)
    }

    /// Runs `operation` until it succeeds, waiting a jittered, exponentially growing delay after each error
    /// (counted in `counter`; the side's health follows). An error `isPermanent` calls true is thrown at once.
    /// Cancellation ends it.
    private func retrying<T>(
        counter: WritableKeyPath<PipelineStatistics, Int>, isPermanent: (any Error) -> Bool = { _ in false },
        _ operation: () async throws -> T
    ) async throws -> T {
        let isSink = counter == \.sinkRetries
        return try await RetryBackoff.retrying(
            initial: configuration.retryBackoff, maximum: configuration.maxRetryBackoff, isPermanent: isPermanent,
            failed: {
                count {
                    $0[keyPath: counter] += 1
                    $0.health.failed(isSink: isSink)
                }
            },
            recovered: { count { $0.health.recovered(isSink: isSink) } }, operation)
    }

    private static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
