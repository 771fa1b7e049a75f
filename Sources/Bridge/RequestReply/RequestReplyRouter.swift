import Events
import Foundation
public import Kafka
public import LegacyQueue
import MQ
public import Mapping
import StreamLog
import Synchronization

/// Counters of one request-reply endpoint since it started.
public struct RequestReplyStatistics: Sendable, Equatable {
    /// Requests taken from the request queue.
    public var requests = 0
    /// Requests sent to the legacy service only (route `legacy`, or a canary's legacy share).
    public var routedLegacy = 0
    /// Requests sent to the request topic only (route `modern`, or a canary's modern share).
    public var routedModern = 0
    /// Requests sent to both (route `shadow`).
    public var routedShadow = 0
    /// Replies delivered to callers (error replies included).
    public var repliesDelivered = 0
    /// Requests whose reply did not come in time.
    public var timeouts = 0
    /// Error replies sent on timeout.
    public var errorReplies = 0
    /// Timed-out modern requests passed to the legacy service.
    public var fallbacks = 0
    /// Replies that came after their request timed out: counted, dead-lettered, never delivered.
    public var lateReplies = 0
    /// Replies whose correlation this instance never issued (or duplicates): counted and dropped.
    public var unknownReplies = 0
    /// Pending requests rebuilt from the correlation journal at start.
    public var recoveredRequests = 0
    /// Shadow requests whose two replies were compared.
    public var shadowCompared = 0
    /// Shadow comparisons that found a difference.
    public var shadowMismatches = 0
    /// Shadow requests whose modern reply did not come in time.
    public var shadowModernTimeouts = 0
    /// Requests dead-lettered because they could not be routed (no reply-to, not an MQ request, mapping failure).
    public var deadLettered = 0
    /// Requests given back to the queue because forwarding them failed.
    public var forwardFailures = 0
}

/// What the pending table keeps per request.
public struct RequestCaller: Sendable {
    /// The request as understood.
    public var request: InboundRequest
    /// When it was taken from the queue.
    public var receivedAt: ContinuousClock.Instant
    /// The way it went (labels its latency observations).
    public var route: ResolvedRoute = .legacy
    /// Whether it was rebuilt from the correlation journal after a restart (its original body is not kept: on
    /// timeout it gets the error reply, never a fallback).
    public var isRecovered = false

    /// What the table keeps for `request`, taken at `receivedAt`.
    public init(
        request: InboundRequest, receivedAt: ContinuousClock.Instant, route: ResolvedRoute = .legacy, isRecovered: Bool = false
    ) {
        self.request = request
        self.receivedAt = receivedAt
        self.route = route
        self.isRecovered = isRecovered
    }
}

/// Inbound request-reply (issue 7, items 4 and 5): legacy requests → legacy service, request topic or both;
/// replies → the caller's reply-to queue with the correlation it expects.
///
/// Four structured tasks: the request loop (receive, route, forward, acknowledge; at most
/// ``RequestReplyConfiguration/maxInFlight`` requests waiting), the modern reply loop (the reply topic's partition),
/// the legacy reply loop (the bridge's own reply queue), and the deadline sweeper. Every request gets a
/// bridge-issued correlation id, unique per instance, that travels in `kafka_correlationId` and as the legacy
/// copy's correlation; a reply is matched only by it, so callers reusing correlation ids cannot receive each
/// other's replies, and a reply after the deadline is never delivered (it is counted and dead-lettered).
///
/// Pending correlations live in memory and, when ``RequestReplyConfiguration/journalDirectory`` is set, in a
/// ``CorrelationJournal`` of this instance: a restarted instance with the same id replays it, answers the callers of
/// requests forwarded before the restart, and resumes the reply partition where it stopped; see the README.
public final class RequestReplyRouter: Sendable {
    /// The settings (routes as loaded; see ``routes`` for the live ones).
    public let configuration: RequestReplyConfiguration
    private let queue: any LegacyQueue
    /// Replies to callers, sent in batches (one STOMP transaction per batch) when many are ready at once.
    private let replies: QueueSendCoalescer
    private let isSTOMP: Bool
    private let client: KafkaClient
    private let replyPositions = ReplyPositions()
    private let lag = Mutex<[PartitionLag]>([])
    private let producer: KafkaProducer
    private let requestMapping: MappingEngine?
    private let encoder: ReplyEncoder
    private let comparison: ReplyComparison
    private let pending = PendingCorrelations<RequestCaller>()
    private let routeTable: Mutex<RouteTable>
    private let counters = Mutex(RequestReplyStatistics())
    /// Round-trip and Ferry-held latency histograms per route (the `/metrics` request-reply families).
    public let latencies = RequestReplyLatencies()
    private let stopRequested = Atomic<Bool>(false)
    private let nextSequence = Atomic<UInt64>(0)
    private let instanceID: String
    /// This instance's correlation journal, when one is configured.
    public let journal: CorrelationJournal?

    /// A router over an open `queue` (holding the request, reply-to, legacy and dead-letter destinations) and a
    /// Kafka `client`.
    public init(
        configuration: RequestReplyConfiguration, queue: any LegacyQueue, isSTOMP: Bool, client: KafkaClient,
        requestMapping: MappingEngine? = nil, replyMapping: MappingEngine? = nil
    ) throws {
        self.configuration = configuration
        self.queue = queue
        self.replies = QueueSendCoalescer(queue: queue)
        self.isSTOMP = isSTOMP
        self.client = client
        var producerConfiguration = KafkaProducerConfiguration()
        producerConfiguration.linger = .zero  // latency matters more than batching here
        self.producer = try KafkaProducer(client: client, configuration: producerConfiguration)
        self.requestMapping = requestMapping
        self.encoder = ReplyEncoder(format: configuration.format, mapping: replyMapping)
        self.comparison = ReplyComparison(ignoredFields: configuration.shadowIgnoredFields)
        self.routeTable = Mutex(configuration.routes)
        self.instanceID = String(UInt32.random(in: .min ... .max), radix: 16)
        if let directory = configuration.journalDirectory {
            // One log directory per endpoint and instance: its lock keeps a second process with the same id out.
            let log = try LocalLog(LocalLogConfiguration(
                directory: directory + "/" + configuration.name + "." + configuration.effectiveInstanceID))
            self.journal = try CorrelationJournal(log: log, endpoint: configuration.name, instance: configuration.effectiveInstanceID)
        } else {
            self.journal = nil
        }
    }

    /// The counters so far.
    public var statistics: RequestReplyStatistics { counters.withLock { $0 } }

    /// Requests forwarded and not yet answered or expired.
    public var inFlight: Int { pending.count }

    /// The routes in force.
    public var routes: RouteTable { routeTable.withLock { $0 } }

    /// Replaces the routes; requests already forwarded keep the way they went (nothing in flight is dropped).
    public func reload(routes: RouteTable) { routeTable.withLock { $0 = routes } }

    /// Stops taking requests; ``run()`` returns once every forwarded request was answered or expired.
    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    /// Runs until ``requestStop()`` and the drain of pending requests, or until cancelled.
    public func run() async throws {
        let partition = configuration.replyPartition
        let consumer = KafkaConsumer(client: client, assignment: [(configuration.replyTopic, partition, .latest)])
        // Resolve the reply position before taking requests, so no reply can be produced before it; after a restart,
        // resume where the journal says replies were handled up to.
        let recoveredPosition = try recoverJournal()
        let start: Int64
        if let recoveredPosition {
            start = recoveredPosition
        } else {
            start = try await consumer.resolve(.latest, topic: configuration.replyTopic, partition: partition)
        }
        // Replies before `start` are not ours to wait for; the next instance with this id resumes here at the latest.
        journal?.recordReplyPosition(start)
        try journal?.flush()
        var fetch = KafkaConsumerConfiguration()
        fetch.maximumWait = configuration.replyFetchWait
        let replies = KafkaConsumer(
            client: client, assignment: [(configuration.replyTopic, partition, .offset(start))], configuration: fetch)
        replyPositions.start(at: start)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The reply partition's lag, read beside the work (a failed read keeps the last figures).
                while !Task.isCancelled {
                    try? await self.refreshLag()
                    do { try await Task.sleep(for: self.configuration.lagRefreshInterval) } catch { return }
                }
            }
            group.addTask { try await self.consumeModernReplies(replies) }
            if configuration.legacyServiceQueue != nil { group.addTask { try await self.consumeLegacyReplies() } }
            group.addTask { try await self.sweepDeadlines() }
            if let journal { group.addTask { try await Self.flushPeriodically(journal, every: self.configuration.journalFlushInterval) } }
            group.addTask {
                try await self.takeRequests()
                while self.pending.count > 0 && !Task.isCancelled { try await Task.sleep(for: .milliseconds(10)) }
            }
            // The request side ends after a stop and the drain; the other loops only by failing: either ends the run.
            try await group.next()
            group.cancelAll()
        }
        await producer.flush()
        try journal?.flush()
    }

    // MARK: Consumer lag

    /// The reply partition's lag as last read: its log end minus the offset of the first reply not yet handled
    /// (`ferry_consumer_lag`, read every ``RequestReplyConfiguration/lagRefreshInterval`` while ``run()`` runs).
    /// Empty before ``run()`` has resolved where it reads replies.
    public var consumerLag: [PartitionLag] { lag.withLock { $0 } }

    /// Reads the reply partition's log end now (nothing before ``run()`` has resolved its reply position).
    public func refreshLag() async throws {
        guard let position = replyPositions.position else { return }
        let (_, end) = try await client.logBounds(topic: configuration.replyTopic, partition: configuration.replyPartition)
        let reading = PartitionLag(topic: configuration.replyTopic, partition: configuration.replyPartition, logEnd: end, committed: position)
        lag.withLock { $0 = [reading] }
    }

    // MARK: Journal

    /// Rebuilds the pending table from the journal (original deadlines; the sweeper times out those already past)
    /// and returns the reply position to resume at.
    private func recoverJournal() throws -> Int64? {
        guard let journal else { return nil }
        let replay = try journal.replay()
        for entry in replay.open {
            pending.register(entry.id, caller: try entry.caller(), route: entry.resolvedRoute, deadline: entry.deadline)
        }
        counters.withLock { $0.recoveredRequests += replay.open.count }
        return replay.replyPosition
    }

    private static func flushPeriodically(_ journal: CorrelationJournal, every interval: Duration) async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            try journal.flush()
        }
    }

    private func journalClose(after action: PendingCorrelations<RequestCaller>.ReplyAction, id: String) {
        switch action {
        case .answer, .compare: journal?.recordClose(id)
        case .held, .late, .unknown: break
        }
    }

    // MARK: Requests

    /// Receives requests and forwards up to ``forwardConcurrency`` at once (the producer batches what is
    /// concurrent); each request is acknowledged once forwarded, in any order (STOMP `client-individual`).
    private func takeRequests() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            while !stopRequested.load(ordering: .relaxed) && !Task.isCancelled {
                if pending.count >= configuration.maxInFlight {
                    try await Task.sleep(for: .milliseconds(1))
                    continue
                }
                guard let received = try await queue.receive(from: requestsDestination, timeout: .milliseconds(100)) else {
                    continue
                }
                let receivedAt = ContinuousClock.now
                counters.withLock { $0.requests += 1 }
                if running >= Self.forwardConcurrency {
                    try await group.next()
                    running -= 1
                }
                running += 1
                group.addTask { try await self.take(received, receivedAt: receivedAt) }
            }
            try await group.waitForAll()
        }
    }

    /// Requests being forwarded at once, at most.
    static let forwardConcurrency = 128

    private func take(_ received: ReceivedMessage, receivedAt: ContinuousClock.Instant) async throws {
        do {
            let opened = try await forward(received, receivedAt: receivedAt)
            if let journal, let opened {
                // Acknowledged only once its open record is in the journal: a crash before that redelivers the
                // request (forwarded again under a new id; the first forward's reply is then unknown).
                try await journal.waitUntilAppended(opened, poll: min(.milliseconds(5), configuration.journalFlushInterval))
            }
            try await queue.acknowledge(received)
        } catch let error as InboundRequestError {
            var dead = received.message
            dead.properties["ferry.error.stage"] = error.stage
            dead.properties["ferry.error.message"] = error.reason
            dead.properties["ferry.error.endpoint"] = configuration.name
            try await queue.send(dead, to: configuration.deadLetterQueue)
            try await queue.acknowledge(received)
            counters.withLock { $0.deadLettered += 1 }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // Not forwarded (Kafka or the legacy queue failed after their own retries): given back for another try.
            counters.withLock { $0.forwardFailures += 1 }
            try await queue.reject(received, reason: "forwarding failed: \(error)")
        }
    }

    private var requestsDestination: String {
        (try? QueueEndpoint(parsing: configuration.requests).destination) ?? configuration.requests
    }

    private func newCorrelationID() -> String {
        let sequence = nextSequence.wrappingAdd(1, ordering: .relaxed).newValue
        let digits = String(sequence, radix: 16)
        return instanceID + "-" + String(repeating: "0", count: max(0, 14 - digits.count)) + digits
    }

    /// Routes and forwards one request; on a forwarding error the pending entry is removed and the error thrown
    /// (the request is not acknowledged, so the queue redelivers it). Returns the journal sequence number of its
    /// open record (nil without a journal).
    private func forward(_ received: ReceivedMessage, receivedAt: ContinuousClock.Instant) async throws -> UInt64? {
        let request = try InboundRequest(received, configuration: configuration, isSTOMP: isSTOMP)
        let route = routeTable.withLock { $0.resolve(messageType: request.messageType, key: request.key) }
        let id = newCorrelationID()
        let caller = RequestCaller(request: request, receivedAt: receivedAt, route: route)
        let record: StreamRecord? =
            route == .legacy
            ? nil
            : try request.record(
                correlationID: id, configuration: configuration, mapping: requestMapping,
                timestamp: received.timestampMilliseconds ?? Int64(Date().timeIntervalSince1970 * 1000))
        let deadline = ContinuousClock.now + configuration.timeout
        pending.register(id, caller: caller, route: route, deadline: deadline)
        do {
            switch route {
            case .legacy:
                try await queue.send(request.legacyCopy(correlationID: id, configuration: configuration), to: configuration.legacyServiceQueue!)
                counters.withLock { $0.routedLegacy += 1 }
            case .modern:
                _ = try await producer.send(record!, topic: configuration.requestTopic)
                counters.withLock { $0.routedModern += 1 }
            case .shadow:
                async let modern = producer.send(record!, topic: configuration.requestTopic)
                try await queue.send(request.legacyCopy(correlationID: id, configuration: configuration), to: configuration.legacyServiceQueue!)
                _ = try await modern
                counters.withLock { $0.routedShadow += 1 }
            }
            latencies.requestHeld[route]?.observe(ContinuousClock.now - receivedAt)
        } catch {
            pending.cancel(id)
            throw error
        }
        // Journaled once forwarded, so a recovered entry always has a reply coming (an entry journaled before a
        // forward that a crash cut off would only time out, and answer a caller that the redelivered request
        // answered already). Its reply may be handled, and closed, before this: a replay honours a close whatever
        // its place (each id is opened once).
        return journal?.recordOpen(JournaledCorrelation(id: id, caller: caller, route: route, deadline: deadline))
    }

    // MARK: Replies

    private func consumeModernReplies(_ consumer: KafkaConsumer) async throws {
        let header = configuration.headers.correlationID
        let positions = replyPositions
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for try await stored in consumer {
                let fetchedAt = ContinuousClock.now
                let record = stored.record
                guard let id = record.headers.last(where: { $0.name == header })?.textValue else {
                    counters.withLock { $0.unknownReplies += 1 }
                    continue
                }
                var attributes: [String: String] = [:]
                for item in record.headers where item.name == "content-type" || item.name.hasPrefix("ce_") {
                    attributes[item.name] = item.textValue
                }
                if requestMappingOrReplyMappingNeedsEvent, let event = try? CloudEventKafkaBinding.decode(record),
                    let json = try? CloudEventJSONFormat.encode(event)
                {
                    attributes[ReplyEncoder.eventJSONAttribute] = String(decoding: json, as: UTF8.self)
                }
                let body = PendingCorrelations<RequestCaller>.ReplyBody(bytes: record.value ?? [], attributes: attributes)
                let action = pending.complete(id, from: .modern, reply: body)
                let offset = stored.offset
                positions.began(offset)
                if running >= 64 {
                    try await group.next()
                    running -= 1
                }
                running += 1
                group.addTask {
                    try await self.perform(action, id: id, reply: body, from: .modern, receivedAt: fetchedAt)
                    // Journaled only once the caller has its reply: a crash before leaves the entry open and the
                    // position before this reply, so the restarted instance reads it again (at least once).
                    self.journalClose(after: action, id: id)
                    self.journal?.recordReplyPosition(positions.finished(offset))
                }
            }
        }
    }

    private var requestMappingOrReplyMappingNeedsEvent: Bool { encoder.mapping != nil }

    private func consumeLegacyReplies() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            while !Task.isCancelled {
                guard let received = try await queue.receive(from: configuration.legacyReplyQueue, timeout: .milliseconds(200)) else {
                    continue
                }
                let receivedAt = ContinuousClock.now
                let id = legacyCorrelation(of: received)
                let body = PendingCorrelations<RequestCaller>.ReplyBody(
                    bytes: received.message.body,
                    attributes: received.message.contentType.map { ["content-type": $0] } ?? [:])
                let action = id.map { pending.complete($0, from: .legacy, reply: body) } ?? .unknown
                if running >= 64 {
                    try await group.next()
                    running -= 1
                }
                running += 1
                group.addTask {
                    try await self.perform(action, id: id ?? "", reply: body, from: .legacy, receivedAt: receivedAt)
                    // Closed once the caller has its reply, and before the reply message leaves the queue.
                    if let id { self.journalClose(after: action, id: id) }
                    try await self.queue.acknowledge(received)
                }
            }
        }
    }

    /// The bridge's correlation of a legacy reply: its correlation id, or (format `mq`) its frame's `CorrelId`.
    private func legacyCorrelation(of received: ReceivedMessage) -> String? {
        if configuration.format == .mq, let frame = try? MQFrame(parsing: received.message.body) {
            let text = String(decoding: frame.descriptor.correlationID.bytes, as: UTF8.self)
            return String(text.prefix { $0 != " " && $0 != "\0" })
        }
        return received.message.correlationID
    }

    private func perform(
        _ action: PendingCorrelations<RequestCaller>.ReplyAction, id: String,
        reply: PendingCorrelations<RequestCaller>.ReplyBody, from side: PendingCorrelations<RequestCaller>.Side,
        receivedAt: ContinuousClock.Instant
    ) async throws {
        switch action {
        case let .answer(caller, body, compareWith):
            try await answer(caller, with: body, from: side, receivedAt: receivedAt)
            if let modern = compareWith { try await compare(caller, id: id, legacy: body, modern: modern) }
        case let .compare(caller, legacy, modern):
            try await compare(caller, id: id, legacy: legacy, modern: modern)
        case .held:
            break
        case .late:
            counters.withLock { $0.lateReplies += 1 }
            var dead = QueueMessage(body: reply.bytes, bodyKind: .bytes, correlationID: id)
            dead.properties["ferry.error.stage"] = "reply"
            dead.properties["ferry.error.message"] = "the reply came after the request timed out"
            dead.properties["ferry.error.endpoint"] = configuration.name
            dead.properties["ferry.reply.side"] = side == .legacy ? "legacy" : "modern"
            try await queue.send(dead, to: configuration.deadLetterQueue)
        case .unknown:
            counters.withLock { $0.unknownReplies += 1 }
        }
    }

    private func answer(
        _ caller: RequestCaller, with body: PendingCorrelations<RequestCaller>.ReplyBody,
        from side: PendingCorrelations<RequestCaller>.Side, receivedAt: ContinuousClock.Instant
    ) async throws {
        var message: QueueMessage
        do {
            message = try encoder.message(answering: caller.request.caller, with: body, from: side)
        } catch {
            // The reply cannot be put into the caller's format: tell the caller, keep the reply for inspection.
            var dead = QueueMessage(body: body.bytes, bodyKind: .bytes)
            dead.properties["ferry.error.stage"] = "reply"
            dead.properties["ferry.error.message"] = error.description
            dead.properties["ferry.error.endpoint"] = configuration.name
            try await queue.send(dead, to: configuration.deadLetterQueue)
            counters.withLock { $0.deadLettered += 1 }
            try await sendErrorReply(to: caller)
            return
        }
        message.isPersistent = caller.request.message.isPersistent  // a reply goes as its request came (JMSDeliveryMode)
        try await replies.send(message, to: caller.request.caller.destination)
        let sent = ContinuousClock.now
        latencies.replyHeld[caller.route]?.observe(sent - receivedAt)
        latencies.roundTrip[caller.route]?.observe(sent - caller.receivedAt)
        counters.withLock { $0.repliesDelivered += 1 }
    }

    private func compare(
        _ caller: RequestCaller, id: String, legacy: PendingCorrelations<RequestCaller>.ReplyBody,
        modern: PendingCorrelations<RequestCaller>.ReplyBody
    ) async throws {
        let differences: [String]
        if let left = encoder.comparable(legacy, from: .legacy), let right = encoder.comparable(modern, from: .modern) {
            differences = comparison.differences(legacy: left, modern: right)
        } else {
            differences = legacy.bytes == modern.bytes ? [] : ["$"]
        }
        counters.withLock {
            $0.shadowCompared += 1
            if !differences.isEmpty { $0.shadowMismatches += 1 }
        }
        guard !differences.isEmpty, let topic = configuration.mismatchTopic else { return }
        // Paths only: the values are PHI.
        let event = JSONValue.object([
            JSONMember(key: "endpoint", value: .string(configuration.name)),
            JSONMember(key: "correlationId", value: .string(id)),
            JSONMember(key: "messageType", value: caller.request.messageType.map { .string($0) } ?? .null),
            JSONMember(key: "differences", value: .array(differences.map { .string($0) })),
        ])
        let record = StreamRecord(
            key: Array(caller.request.key.utf8), value: event.encoded(),
            headers: [
                RecordHeader(name: "ce_specversion", text: "1.0"), RecordHeader(name: "ce_id", text: "mismatch-\(id)"),
                RecordHeader(name: "ce_source", text: "ferry://request-reply/\(configuration.name)"),
                RecordHeader(name: "ce_type", text: "ferry.shadow.mismatch.v1"),
                RecordHeader(name: "content-type", text: "application/json"),
            ], timestamp: Int64(Date().timeIntervalSince1970 * 1000))
        _ = try await producer.send(record, topic: topic)
    }

    private func sendErrorReply(to caller: RequestCaller) async throws {
        let body = PendingCorrelations<RequestCaller>.ReplyBody(
            bytes: Array(configuration.errorReply.utf8), attributes: ["content-type": "application/json"])
        var message: QueueMessage
        if let descriptor = caller.request.caller.replyDescriptor {
            var errorDescriptor = descriptor
            errorDescriptor.format = MQFormat(rawValue: "MQSTR")
            let frame = MQFrame(descriptor: errorDescriptor, payload: MQPayload(bytes: body.bytes, format: "MQSTR"))
            message = QueueMessage(body: frame.bytes, bodyKind: .bytes, correlationID: caller.request.caller.correlationID)
        } else {
            message = QueueMessage(
                body: body.bytes, contentType: "application/json", correlationID: caller.request.caller.correlationID)
        }
        message.properties["ferry-error"] = "timeout"
        message.isPersistent = caller.request.message.isPersistent
        try await replies.send(message, to: caller.request.caller.destination)
        latencies.roundTrip[caller.route]?.observe(ContinuousClock.now - caller.receivedAt)  // the caller sees the timeout
        counters.withLock {
            $0.errorReplies += 1
            $0.repliesDelivered += 1
        }
    }

    // MARK: Deadlines

    private func sweepDeadlines() async throws {
        let interval = min(Duration.milliseconds(50), configuration.timeout / 4)
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            for expired in pending.expire(now: .now) {
                try await handleTimeout(expired)
            }
        }
    }

    private func handleTimeout(_ expired: PendingCorrelations<RequestCaller>.Expired) async throws {
        let entry = expired.entry
        journal?.recordClose(expired.id)
        if entry.route == .shadow && entry.isAnswered {
            counters.withLock { $0.shadowModernTimeouts += 1 }  // the caller had the legacy reply
            return
        }
        counters.withLock { $0.timeouts += 1 }
        if entry.route == .modern, configuration.onTimeout == .legacy, !entry.caller.isRecovered,
            let legacyQueue = configuration.legacyServiceQueue
        {
            // Same id: a modern reply arriving now is unknown (the entry waits for legacy), never delivered.
            let deadline = ContinuousClock.now + configuration.timeout
            pending.reroute(expired.id, caller: entry.caller, route: .legacy, deadline: deadline)
            journal?.recordOpen(JournaledCorrelation(id: expired.id, caller: entry.caller, route: .legacy, deadline: deadline))
            try await queue.send(entry.caller.request.legacyCopy(correlationID: expired.id, configuration: configuration), to: legacyQueue)
            counters.withLock { $0.fallbacks += 1 }
            return
        }
        try await sendErrorReply(to: entry.caller)
    }
}

/// The reply-partition offsets whose replies are being handled, so that the reply position journaled never passes a
/// reply whose caller has not been answered yet (replies are handled concurrently and finish in any order).
final class ReplyPositions: Sendable {
    private let state = Mutex<(inFlight: Set<Int64>, next: Int64, isStarted: Bool)>(([], 0, false))

    /// Replies are read from `offset` on.
    func start(at offset: Int64) {
        state.withLock { state in
            state = ([], offset, true)
        }
    }

    /// The offset of the first reply not yet handled; nil before ``start(at:)``.
    var position: Int64? {
        state.withLock { state in state.isStarted ? (state.inFlight.min() ?? state.next) : nil }
    }

    /// A reply at `offset` is being handled (offsets begin in increasing order).
    func began(_ offset: Int64) {
        state.withLock { state in
            state.inFlight.insert(offset)
            state.next = max(state.next, offset + 1)
        }
    }

    /// The reply at `offset` was handled; returns the position every reply before which is handled.
    func finished(_ offset: Int64) -> Int64 {
        state.withLock { state in
            state.inFlight.remove(offset)
            return state.inFlight.min() ?? state.next
        }
    }
}
