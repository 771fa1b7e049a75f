import ByteCoding
import Events
import Foundation
public import LegacyQueue
public import Mapping
import MQ
public import StreamLog
import Synchronization

/// Spring for Apache Kafka's request-reply record headers (`KafkaHeaders`), as `ReplyingKafkaTemplate` sets them.
public enum SpringKafkaHeader {
    /// `kafka_correlationId`: opaque bytes the reply must echo.
    public static let correlationID = "kafka_correlationId"
    /// `kafka_replyTopic`: the topic the reply goes to, UTF-8.
    public static let replyTopic = "kafka_replyTopic"
    /// `kafka_replyPartition`: the partition the reply goes to, a 4-byte big-endian integer.
    public static let replyPartition = "kafka_replyPartition"
}

/// Outbound request-reply (new service → legacy service), one route.
///
/// Three loops run side by side:
/// - **Requests**: read request records (a consumer group on the request topic), take the requester's
///   ``ReplyAddress`` from the Spring headers, encode the event (``StreamEventEncoder``: the request mapping's
///   reverse, or JSON), give it a fresh correlation key — 24 random bytes, written as 48 hex digits — and record it in
///   ``pending`` *before* sending, so a fast reply is matched. The message carries the bridge's reply queue as
///   `reply-to` and the key as `correlation-id`; an MQ frame body becomes MsgType REQUEST with `ReplyToQ` the reply
///   queue's name and `MsgId` the key. The batch is sent to the legacy queue and only then is the topic offset
///   committed (at least once: a crash before the commit sends the requests again, with new keys).
/// - **Replies**: read the reply queue; the key is the message's correlation id (an `ID:` prefix dropped) or, when that
///   matches nothing, the `correlationid` the reply mapping read from the MQ `CorrelId`. A match is decoded (reply
///   mapping, or a CloudEvent in JSON) and published to the requester's reply topic and partition, with
///   `kafka_correlationId` echoed and `causationid` the request event's id; then the reply message is acknowledged.
///   Late replies (their request timed out) and unknown ones (another bridge's, or a second answer) go to the
///   dead-letter queue with `ferry.error.stage: reply` and are counted; they never reach a requester.
/// - **Deadlines**: a request not answered within ``OutboundRequestReplyConfiguration/timeout`` is taken out and
///   answered with the configured error reply event (`data`: `{"error":"timeout","timeoutMilliseconds":N}`).
///
/// Without a journal, pending requests live in memory: after a restart, replies to requests sent before it are
/// unknown (dead-lettered), and their requesters get nothing from this instance. With an
/// ``OutboundCorrelationJournal``, ``run()`` first puts the requests still open back into ``pending`` with their
/// original deadlines (those already past time out at once: error reply, and a reply after it is late).
public final class OutboundRequestReplyBridge: Sendable {
    /// The settings.
    public let configuration: OutboundRequestReplyConfiguration
    /// The requests waiting for replies.
    public let pending = PendingRequestTable()
    /// Round-trip and Ferry-held latency histograms (the `/metrics` request-reply families, labelled `route`).
    public let latencies = OutboundRequestReplyLatencies()
    private let requests: any StreamRecordSource
    private let replyLog: any StreamLog
    private let legacy: any LegacyQueue
    private let legacyDestination: String
    private let replies: any LegacyQueue
    private let replyDestination: String
    private let deadLetters: any LegacyQueue
    private let deadLetterDestination: String
    private let requestEncoder: StreamEventEncoder
    private let replyEngine: MappingEngine?
    private let journal: OutboundCorrelationJournal?
    private let state = Mutex(State())

    private struct State {
        var isStopRequested = false
        var statistics = OutboundRequestReplyStatistics()
        /// Partitions of the reply topics seen, by name.
        var replyTopicPartitions: [String: Int] = [:]
        var lag: [PartitionLag] = []
    }

    /// A route over opened endpoints.
    /// - Parameters:
    ///   - requestSource: where request records are read (``LogStreamSource`` or ``KafkaGroupStreamSource``).
    ///   - replyLog: the log reply events are published to (the requesters' reply topics).
    ///   - legacyQueue: the legacy service's queue, `legacyDestination` on it.
    ///   - replyQueue: the bridge's reply queue, `replyDestination` on it (also sent as reply-to).
    ///   - deadLetters: where late and unknown replies and unsendable requests go, `deadLetterDestination` on it.
    ///   - requestEngine: a reversible mapping encoding requests; nil for JSON.
    ///   - replyEngine: the mapping decoding replies; nil for CloudEvents in JSON.
    public init(
        configuration: OutboundRequestReplyConfiguration, requestSource: any StreamRecordSource, replyLog: any StreamLog,
        legacyQueue: any LegacyQueue, legacyDestination: String, replyQueue: any LegacyQueue, replyDestination: String,
        deadLetters: any LegacyQueue, deadLetterDestination: String, requestEngine: MappingEngine?,
        replyEngine: MappingEngine?, journal: OutboundCorrelationJournal? = nil
    ) {
        self.journal = journal
        self.configuration = configuration
        self.requests = requestSource
        self.replyLog = replyLog
        self.legacy = legacyQueue
        self.legacyDestination = legacyDestination
        self.replies = replyQueue
        self.replyDestination = replyDestination
        self.deadLetters = deadLetters
        self.deadLetterDestination = deadLetterDestination
        self.requestEncoder = StreamEventEncoder(engine: requestEngine)
        self.replyEngine = replyEngine
    }

    /// The counters so far.
    public var statistics: OutboundRequestReplyStatistics { state.withLock { $0.statistics } }

    /// The request topic's consumer lag per partition as last read (``refreshLag()``; every
    /// ``OutboundRequestReplyConfiguration/lagRefreshInterval`` while ``run()`` runs). Empty before the first read.
    public var consumerLag: [PartitionLag] { state.withLock { $0.lag } }

    /// Reads the request topic's consumer lag from the log now.
    public func refreshLag() async throws {
        let lag = try await requests.lag()
        state.withLock { $0.lag = lag }
    }

    /// The endpoints on each side, for connection checks (`/readyz`).
    var endpoints: (source: [any Sendable], sink: [any Sendable]) { ([requests, replies], [legacy, deadLetters]) }

    /// Asks ``run()`` to stop reading requests and to return once every pending request is answered (by its reply
    /// or its deadline).
    public func requestStop() { state.withLock { $0.isStopRequested = true } }

    private var isStopRequested: Bool { state.withLock { $0.isStopRequested } }
    private var isDrained: Bool { isStopRequested && pending.count == 0 }

    private func count(_ update: (inout OutboundRequestReplyStatistics) -> Void) { state.withLock { update(&$0.statistics) } }

    /// Runs the request, reply and deadline loops until ``requestStop()`` and every pending request is answered, or
    /// until cancelled.
    public func run() async throws {
        if let journal {
            let recovered = try journal.replay()
            for request in recovered { pending.record(request.key, request.entry) }
            count { $0.recoveredRequests += recovered.count }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.runRequests() }
            group.addTask { try await self.runReplies() }
            group.addTask { try await self.runDeadlines() }
            group.addTask {
                // The request topic's lag, read beside the work until the drain (a failed read keeps the last figures);
                // the drain is checked every poll interval, so the route does not wait out a whole refresh interval.
                var due = ContinuousClock.now
                while !self.isDrained {
                    if ContinuousClock.now >= due {
                        try? await self.refreshLag()
                        due = .now + self.configuration.lagRefreshInterval
                    }
                    try await Task.sleep(for: self.configuration.pollInterval)
                }
            }
            try await group.waitForAll()
        }
        try journal?.flush()
    }

    /// Appends the journal's buffered records, retrying for ever (a sink-side operation).
    private func flushJournal() async throws {
        guard let journal else { return }
        try await retrying(counter: \.sinkRetries) { try journal.flush() }
    }

    // MARK: Requests

    private func runRequests() async throws {
        try await retrying(counter: \.sourceRetries) { try await requests.start() }
        while !isStopRequested {
            try Task.checkCancellation()
            let room = configuration.maxPending - pending.count
            guard room > 0 else {
                try await Task.sleep(for: configuration.pollInterval)
                continue
            }
            let records = try await retrying(counter: \.sourceRetries) {
                try await requests.poll(maxRecords: min(configuration.maxInFlight, room))
            }
            guard let last = records.last else {
                try await Task.sleep(for: configuration.pollInterval)
                continue
            }
            let polledAt = ContinuousClock.now
            count { $0.requestsReceived += records.count }
            var messages: [QueueMessage] = []
            var letters: [QueueMessage] = []
            var opened: [JournaledOutboundRequest] = []
            for stored in records {
                let prepared: (key: String, entry: PendingRequestTable.Entry, message: QueueMessage)
                do throws(ConversionFailure) { prepared = try request(for: stored) } catch {
                    letters.append(deadLetter(forRequest: stored, failure: error))
                    continue
                }
                if let problem = try await replyAddressProblem(prepared.entry.address) {
                    letters.append(deadLetter(
                        forRequest: stored,
                        failure: ConversionFailure(stage: "request", errorClass: "ReplyAddressError", message: problem)))
                    continue
                }
                pending.record(prepared.key, prepared.entry)
                opened.append(JournaledOutboundRequest(key: prepared.key, entry: prepared.entry))
                messages.append(prepared.message)
            }
            if !messages.isEmpty {
                try await retrying(counter: \.sinkRetries) { try await legacy.send(messages, to: legacyDestination) }
                // Journaled once sent, in the log before the offset moves past them.
                for request in opened { journal?.recordOpen(request) }
                try await flushJournal()
                count { $0.requestsSent += messages.count }
                let held = ContinuousClock.now - polledAt
                for _ in messages { latencies.requestHeld.observe(held) }
            }
            if !letters.isEmpty {
                try await retrying(counter: \.sinkRetries) { try await deadLetters.send(letters, to: deadLetterDestination) }
                count { $0.deadLettered += letters.count }
            }
            let committed = try await retrying(counter: \.sourceRetries) { try await requests.commit(through: last) }
            if committed { count { $0.committed += records.count } }
        }
        await requests.stop()
    }

    /// The correlation key, pending entry and legacy message for one request record.
    private func request(for stored: StoredRecord) throws(ConversionFailure) -> (String, PendingRequestTable.Entry, QueueMessage) {
        let address = try Self.replyAddress(of: stored.record)
        var message = try requestEncoder.message(for: stored)
        var generator = SystemRandomNumberGenerator()
        let keyBytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let identifier = MQIdentifier(keyBytes)!
        let key = identifier.hex
        if let engine = requestEncoder.engine, !engine.encodedFileHeader.isEmpty {
            message.body = try Self.requestFrame(message.body, messageID: identifier, replyToQueue: replyQueueName)
        }
        message.replyTo = replyDestination
        message.correlationID = key
        let entry = PendingRequestTable.Entry(
            address: address, deadline: .now + configuration.timeout, requestEventID: message.properties["ce_id"] ?? "")
        return (key, entry, message)
    }

    /// Why replies cannot go to `address` (its topic does not exist, or has no such partition); nil when they can.
    /// Partition counts are cached and read again on a miss, so a topic created later is found.
    private func replyAddressProblem(_ address: ReplyAddress) async throws -> String? {
        func problem(_ count: Int?) -> String? {
            guard let count else { return "the reply topic does not exist" }
            if let partition = address.partition, partition >= count {
                return "reply partition \(partition) is beyond the reply topic's \(count) partitions"
            }
            return nil
        }
        if let cached = state.withLock({ $0.replyTopicPartitions[address.topic] }), problem(cached) == nil { return nil }
        let topics = try await retrying(counter: \.sinkRetries) { try await replyLog.topics() }
        let counts = Dictionary(topics.map { ($0.name, $0.partitionCount) }, uniquingKeysWith: { first, _ in first })
        state.withLock { $0.replyTopicPartitions = counts }
        return problem(counts[address.topic])
    }

    /// The reply queue's name as MQMD `ReplyToQ` holds it (`/queue/NAME` → `NAME`).
    private var replyQueueName: String {
        replyDestination.hasPrefix("/queue/") ? String(replyDestination.dropFirst("/queue/".count)) : replyDestination
    }

    /// The requester's reply address from the Spring headers; throws when `kafka_replyTopic` is missing.
    static func replyAddress(of record: StreamRecord) throws(ConversionFailure) -> ReplyAddress {
        var topic: String?
        var partition: Int?
        var correlation: [UInt8]?
        for header in record.headers {
            switch header.name {
            case SpringKafkaHeader.replyTopic: topic = header.textValue
            case SpringKafkaHeader.correlationID: correlation = header.value
            case SpringKafkaHeader.replyPartition:
                guard let bytes = header.value, bytes.count == 4 else {
                    throw ConversionFailure(
                        stage: "request", errorClass: "ReplyAddressError",
                        message: "\(SpringKafkaHeader.replyPartition) is not a 4-byte big-endian integer")
                }
                partition = Int(Int32(bitPattern: bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
            default: continue
            }
        }
        guard let topic, !topic.isEmpty else {
            throw ConversionFailure(
                stage: "request", errorClass: "ReplyAddressError", message: "the request has no \(SpringKafkaHeader.replyTopic) header")
        }
        if let partition, partition < 0 {
            throw ConversionFailure(stage: "request", errorClass: "ReplyAddressError", message: "\(SpringKafkaHeader.replyPartition) is negative")
        }
        return ReplyAddress(topic: topic, partition: partition, correlationID: correlation)
    }

    /// `body` (a frame file holding one MQ frame) with the frame made a request: MsgType REQUEST, `MsgId`
    /// `messageID`, `CorrelId` none, `ReplyToQ` `replyToQueue`.
    static func requestFrame(_ body: [UInt8], messageID: MQIdentifier, replyToQueue: String) throws(ConversionFailure) -> [UInt8] {
        var decoder = MQFrameFileDecoder()
        decoder.append(body)
        var frame: MQFrame
        do {
            guard let bytes = try decoder.nextFrame() else {
                throw ConversionFailure(stage: "encode", errorClass: "MQError", message: "the mapping wrote no MQ frame")
            }
            frame = try MQFrame(parsing: bytes)
        } catch let failure as ConversionFailure {
            throw failure
        } catch {
            throw ConversionFailure(stage: "encode", errorClass: "MQError", message: "\(error)")
        }
        frame.descriptor.messageType = .request
        frame.descriptor.messageID = messageID
        frame.descriptor.correlationID = .none
        frame.descriptor.replyToQueue = replyToQueue
        var writer = ByteWriter()
        writer.writeBytes(MQFrameFile.header)
        MQFrameFile.append(frame: frame.bytes, to: &writer)
        return writer.bytes
    }

    // MARK: Replies

    private func runReplies() async throws {
        while !isDrained {
            try Task.checkCancellation()
            let received = try await retrying(counter: \.sourceRetries) {
                try await replies.receive(from: replyDestination, timeout: configuration.pollInterval)
            }
            guard let received else { continue }
            try await handle(reply: received, receivedAt: .now)
        }
    }

    private func handle(reply received: ReceivedMessage, receivedAt: ContinuousClock.Instant) async throws {
        let decoded: Result<CloudEvent, ConversionFailure>
        do throws(ConversionFailure) { decoded = .success(try replyEvent(from: received)) } catch { decoded = .failure(error) }
        var keys: [String] = []
        if var header = received.message.correlationID {
            if header.hasPrefix("ID:") { header.removeFirst(3) }
            keys.append(header.lowercased())
        }
        if case let .success(event) = decoded, let correlation = event.correlationID { keys.append(correlation.lowercased()) }
        var resolution = PendingRequestTable.Resolution.unknown
        var matchedKey = ""
        for key in keys {
            resolution = pending.resolve(key)
            matchedKey = key
            if resolution != .unknown { break }
        }
        switch (resolution, decoded) {
        case let (.pending(entry), .success(event)):
            var event = event
            event.causationID = entry.requestEventID
            if event.correlationID == nil { event.correlationID = matchedKey }
            try await publish(event, to: entry.address)
            let published = ContinuousClock.now
            latencies.replyHeld.observe(published - receivedAt)
            // The entry's deadline is its poll time + the timeout.
            latencies.roundTrip.observe(published - (entry.deadline - configuration.timeout))
            count { $0.repliesDelivered += 1 }
            journal?.recordClose(matchedKey)
        case let (.pending(entry), .failure(failure)):
            try await publish(try errorReply(key: matchedKey, entry: entry, error: "reply-undecodable"), to: entry.address)
            journal?.recordClose(matchedKey)
            try await deadLetter(reply: received, errorClass: failure.errorClass, message: failure.message, stage: failure.stage)
        case (.late, _):
            count { $0.lateReplies += 1 }
            try await deadLetter(reply: received, errorClass: "LateReply", message: "the request timed out before this reply came", stage: "reply")
        case (.unknown, _):
            count { $0.unknownReplies += 1 }
            try await deadLetter(reply: received, errorClass: "UnknownCorrelation", message: "no pending request has this correlation id", stage: "reply")
        }
        try await flushJournal()  // the close is in the journal before the reply leaves the queue
        try await retrying(counter: \.sourceRetries) { try await replies.acknowledge(received) }
    }

    /// The reply message as a CloudEvent: through the reply mapping (its first event), or the body in JSON format.
    private func replyEvent(from received: ReceivedMessage) throws(ConversionFailure) -> CloudEvent {
        guard let replyEngine else {
            do throws(CloudEventError) { return try CloudEventJSONFormat.decode(received.message.body) } catch {
                throw ConversionFailure(stage: "decode", errorClass: "CloudEventError", message: error.description)
            }
        }
        // Through the mapping's compiled plan: the interpreter's events as JSON lines, its errors.
        let lines: MappedEventLines
        do throws(MappingError) {
            lines = try MappedEventLines(
                engine: replyEngine, input: received.message.body, inputName: "\(replyDestination)#\(received.messageID)")
        } catch {
            throw ConversionFailure(stage: "map", errorClass: "MappingError", message: error.description)
        }
        guard lines.count > 0 else {
            throw ConversionFailure(stage: "map", errorClass: "MappingError", message: "the reply holds no record of the mapping's format")
        }
        do throws(CloudEventError) { return try lines.event(at: 0) } catch {
            throw ConversionFailure(stage: "map", errorClass: "CloudEventError", message: error.description)
        }
    }

    /// Publishes `event` (binary mode) with the echoed `kafka_correlationId` to `address`, retrying for ever.
    private func publish(_ event: CloudEvent, to address: ReplyAddress) async throws {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        var record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: now)
        if let correlation = address.correlationID {
            record.headers.append(RecordHeader(name: SpringKafkaHeader.correlationID, value: correlation))
        }
        try await retrying(counter: \.sinkRetries) {
            if let partition = address.partition {
                _ = try await replyLog.append([record], topic: address.topic, partition: partition)
            } else {
                _ = try await replyLog.publish([record], topic: address.topic)
            }
        }
    }

    // MARK: Deadlines

    private func runDeadlines() async throws {
        let tick = min(configuration.pollInterval, configuration.timeout / 4)
        while !isDrained {
            for (key, entry) in pending.expire(at: .now) {
                try await publish(try errorReply(key: key, entry: entry, error: "timeout"), to: entry.address)
                latencies.roundTrip.observe(ContinuousClock.now - (entry.deadline - configuration.timeout))  // the requester sees the timeout
                count { $0.timedOut += 1 }
                journal?.recordClose(key)
            }
            try await flushJournal()
            try await Task.sleep(for: tick)
        }
    }

    /// The configured error reply for the request `key`: `data` `{"error": error, "timeoutMilliseconds": N}`,
    /// `correlationid` the key, `causationid` the request event's id.
    func errorReply(key: String, entry: PendingRequestTable.Entry, error: String) throws -> CloudEvent {
        let timeout = configuration.timeout.components
        let milliseconds = timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000
        let data: JSONValue = .object([
            JSONMember(key: "error", value: .string(error)),
            JSONMember(key: "timeoutMilliseconds", value: .number(String(milliseconds))),
        ])
        var event = try CloudEvent(
            id: UUID().uuidString.lowercased(), source: configuration.errorReply.source, type: configuration.errorReply.type,
            dataContentType: "application/json", data: .json(validating: data.encoded()))
        event.correlationID = key
        if !entry.requestEventID.isEmpty { event.causationID = entry.requestEventID }
        return event
    }

    // MARK: Dead letters

    private func deadLetter(reply received: ReceivedMessage, errorClass: String, message: String, stage: String) async throws {
        var letter = received.message
        letter.properties[DeadLetterHeader.stage] = stage
        letter.properties[DeadLetterHeader.errorClass] = errorClass
        letter.properties[DeadLetterHeader.message] = message
        letter.properties[DeadLetterHeader.source] = QueueEndpoint.redacted(configuration.replyQueue)
        letter.properties[DeadLetterHeader.messageID] = received.messageID
        letter.properties[DeadLetterHeader.timestamp] = String(Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        letter.properties[DeadLetterHeader.attempts] = String(received.retryCount + 1)
        letter.properties[DeadLetterHeader.pipeline] = configuration.name
        try await retrying(counter: \.sinkRetries) { try await deadLetters.send([letter], to: deadLetterDestination) }
        count { $0.deadLettered += 1 }
    }

    private func deadLetter(forRequest stored: StoredRecord, failure: ConversionFailure) -> QueueMessage {
        QueueMessage.deadLetter(of: stored, failure: failure, source: configuration.requests, pipeline: configuration.name)
    }

    /// Runs `operation` until it succeeds, waiting a jittered, exponentially growing delay after each error
    /// (counted in `counter`; the side's health follows). Cancellation ends it.
    private func retrying<T>(
        counter: WritableKeyPath<OutboundRequestReplyStatistics, Int>, _ operation: () async throws -> T
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
