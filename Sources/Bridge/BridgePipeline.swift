import Foundation
public import LegacyQueue
public import StreamLog
import Synchronization

/// Counters of one pipeline since it started.
public struct PipelineStatistics: Sendable, Equatable {
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
    /// Health of the endpoints, for `/readyz` and `ferry_bridge_last_error_timestamp_seconds`.
    public var health = EndpointHealth()
}

/// One queue → stream pipeline with at-least-once delivery.
///
/// The pipeline receives up to ``PipelineConfiguration/maxInFlight`` messages (then stops reading: back-pressure),
/// converts them, appends their events to the sink in receive order (records of one key go to one partition,
/// so per-key order holds), waits for the append to be durable, and only then acknowledges the messages.
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

    /// The endpoints on each side, for connection checks (`/readyz`).
    var endpoints: (source: [any Sendable], sink: [any Sendable]) { ([source], [sink, deadLetters]) }

    /// Asks ``run()`` to stop reading the source, finish the messages in flight and return.
    public func requestStop() { state.withLock { $0.isStopRequested = true } }

    private var isStopRequested: Bool { state.withLock { $0.isStopRequested } }

    private func count(_ update: (inout PipelineStatistics) -> Void) { state.withLock { update(&$0.statistics) } }

    /// Runs until ``requestStop()`` (after draining what is in flight) or until cancelled (abandoning what is
    /// in flight, which the source redelivers). Creates the sink topic when it is missing.
    public func run() async throws {
        try await prepareTopic()
        while !isStopRequested {
            try Task.checkCancellation()
            let batch = try await receiveBatch()
            if batch.isEmpty { continue }
            try await process(batch)
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

    /// Waits a little for a first message, then takes what is waiting, up to the in-flight bound.
    private func receiveBatch() async throws -> [ReceivedMessage] {
        var batch: [ReceivedMessage] = []
        var wait = Duration.milliseconds(100)
        while batch.count < configuration.maxInFlight {
            let next = try await retrying(counter: \.sourceRetries) {
                try await source.receive(from: sourceDestination, timeout: wait)
            }
            guard let next else { break }
            batch.append(next)
            wait = .zero
        }
        count { $0.received += batch.count }
        return batch
    }

    /// Converts, appends, then acknowledges `batch`.
    private func process(_ batch: [ReceivedMessage]) async throws {
        var records: [StreamRecord] = []
        var converted: [ReceivedMessage] = []  // var: a permanent sink rejection removes messages
        for message in batch {
            do throws(ConversionFailure) {
                records += try converter.records(for: message)
                converted.append(message)
            } catch {
                try await handleFailure(message, error)
            }
        }
        if !records.isEmpty {
            let topic = configuration.sink.topic
            do {
                try await retrying(counter: \.sinkRetries, isPermanent: SinkRejection.isPermanent) {
                    _ = try await sink.publish(records, topic: topic)
                }
                count { $0.appended += records.count }
            } catch where SinkRejection.isPermanent(error) {
                converted = try await appendEachAlone(converted, topic: topic)
            }
        }
        for message in converted { await acknowledge(message) }
    }

    /// After the sink rejected a batch for good: appends each message's records on their own; a message whose
    /// records the sink rejects for good goes the way of a conversion failure (stage `append`: given back until
    /// `maxAttempts`, then dead-lettered). Returns the messages appended.
    private func appendEachAlone(_ messages: [ReceivedMessage], topic: String) async throws -> [ReceivedMessage] {
        var appended: [ReceivedMessage] = []
        for message in messages {
            guard let records = try? converter.records(for: message) else { continue }  // converted before: cannot fail
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

    /// Runs `operation` until it succeeds, waiting a jittered, exponentially growing delay after each error.
    /// Cancellation ends it.
    private func retrying<T>(
        counter: WritableKeyPath<PipelineStatistics, Int>, isPermanent: (any Error) -> Bool = { _ in false },
        _ operation: () async throws -> T
    ) async throws -> T {
        var ceiling = configuration.retryBackoff
        var failed = false
        while true {
            do {
                let result = try await operation()
                if failed { count { $0.health.recovered(isSink: counter == \.sinkRetries) } }
                return result
            } catch {
                if Task.isCancelled || error is CancellationError { throw CancellationError() }
                if isPermanent(error) { throw error }
                failed = true
                count {
                    $0[keyPath: counter] += 1
                    $0.health.failed(isSink: counter == \.sinkRetries)
                }
                let jittered = ceiling * Double.random(in: 0.5...1.0)
                try await Task.sleep(for: jittered)
                ceiling = min(ceiling * 2, configuration.maxRetryBackoff)
            }
        }
    }

    private static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
