/// Whether a JMS consumer should see a message as a `TextMessage` or a `BytesMessage`.
public enum QueueBodyKind: String, Sendable, Equatable {
    /// A `TextMessage` (ActiveMQ `amq-msg-type:text`): the body is UTF-8 text.
    case text
    /// A `BytesMessage` (ActiveMQ `amq-msg-type:bytes`).
    case bytes
}

/// A message to put on a legacy queue, in the canonical attributes every queue kind maps to its own headers.
///
/// The JMS names are in the docs; see `Sources/STOMP/README.md` for the ActiveMQ STOMP header of each.
public struct QueueMessage: Sendable, Equatable {
    /// The payload. Never logged.
    public var body: [UInt8]
    /// Text or bytes message. Default: `.text`.
    public var bodyKind: QueueBodyKind
    /// MIME type of the body (STOMP `content-type`). Default: none.
    public var contentType: String?
    /// JMSCorrelationID. Default: none.
    public var correlationID: String?
    /// JMSReplyTo: the destination replies go to (a STOMP destination such as `/queue/REPLIES`, or a spool
    /// queue name). Default: none.
    public var replyTo: String?
    /// JMSPriority, 0 to 9. Default: none (the broker's default, 4).
    public var priority: Int?
    /// JMSXGroupID: messages of one group go to one consumer, in order. Default: none.
    public var groupID: String?
    /// JMSDeliveryMode: persistent messages survive a broker restart. Default: `true` (STOMP's own default
    /// is non-persistent, which ActiveMQ silently drops on NACK or restart).
    public var isPersistent: Bool
    /// How long the message may wait before it expires; sent as an absolute time (JMSExpiration).
    /// Default: none (never expires).
    public var timeToLive: Duration?
    /// Application properties (JMS string properties), by name. Names must not be empty.
    public var properties: [String: String]

    /// A message with `body` and the defaults above.
    public init(
        body: [UInt8], bodyKind: QueueBodyKind = .text, contentType: String? = nil, correlationID: String? = nil,
        replyTo: String? = nil, priority: Int? = nil, groupID: String? = nil, isPersistent: Bool = true,
        timeToLive: Duration? = nil, properties: [String: String] = [:]
    ) {
        self.body = body
        self.bodyKind = bodyKind
        self.contentType = contentType
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.priority = priority
        self.groupID = groupID
        self.isPersistent = isPersistent
        self.timeToLive = timeToLive
        self.properties = properties
    }

    /// A text message holding `text` as UTF-8.
    public init(text: String, properties: [String: String] = [:]) {
        self.init(body: Array(text.utf8), bodyKind: .text, properties: properties)
    }
}

/// A message taken from a queue, not yet acknowledged.
public struct ReceivedMessage: Sendable, Equatable {
    /// The canonical attributes; `timeToLive` is nil (see ``expiresAtMilliseconds``).
    public var message: QueueMessage
    /// The queue's id for this message (JMSMessageID, e.g. `ID:host-1234-1:1:1:1:1`, or the spool file's sequence).
    public var messageID: String
    /// Where it was taken from (`/queue/NAME` for STOMP, the queue name for a spool).
    public var destination: String
    /// JMSExpiration: absolute epoch milliseconds, 0 or nil for never.
    public var expiresAtMilliseconds: Int64?
    /// JMSTimestamp: when it was sent, epoch milliseconds, when known.
    public var timestampMilliseconds: Int64?
    /// JMSRedelivered: the queue delivered it before (to this or another consumer) without an acknowledgement.
    public var isRedelivered: Bool
    /// How many times the bridge rejected it already (the `ferry-retry-count` header), 0 on first delivery.
    public var retryCount: Int
    /// What identifies this delivery to the queue that produced it (a STOMP `ack` id, a spool claim).
    public var deliveryToken: DeliveryToken

    /// A received message; queue implementations build these.
    public init(
        message: QueueMessage, messageID: String, destination: String, expiresAtMilliseconds: Int64? = nil,
        timestampMilliseconds: Int64? = nil, isRedelivered: Bool = false, retryCount: Int = 0,
        deliveryToken: DeliveryToken
    ) {
        self.message = message
        self.messageID = messageID
        self.destination = destination
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.timestampMilliseconds = timestampMilliseconds
        self.isRedelivered = isRedelivered
        self.retryCount = retryCount
        self.deliveryToken = deliveryToken
    }
}

/// Identifies one delivery of a message to the queue that produced it.
public struct DeliveryToken: Sendable, Hashable {
    /// The queue-specific value: a STOMP `ack` header, a spool file path in `cur/`.
    public var value: String
    /// For connection-based queues: the connection the message came on (acks on a later connection are
    /// refused, since the broker redelivers what was un-acked at disconnect).
    public var session: UInt64

    /// A token for delivery `value` on connection `session` (0 for queues without connections).
    public init(value: String, session: UInt64 = 0) {
        self.value = value
        self.session = session
    }
}

/// Names of headers Ferry adds, shared by every queue kind.
public enum FerryHeader {
    /// How many times the bridge rejected the message before this copy was sent.
    public static let retryCount = "ferry-retry-count"
    /// Why the message was dead-lettered (the last rejection's reason).
    public static let deadLetterReason = "ferry-dead-letter-reason"
    /// The destination the message was taken from when it was dead-lettered or re-queued.
    public static let originalDestination = "ferry-original-destination"
    /// The queue's message id of the first delivery, kept across re-sends.
    public static let originalMessageID = "ferry-original-message-id"
}

/// The interface the bridge uses for a legacy queue, whatever it is: a STOMP broker or a spool directory.
///
/// Delivery is at least once: a message is removed only by ``acknowledge(_:)``. A message whose consumer
/// disappears without acknowledging it is delivered again (``ReceivedMessage/isRedelivered``). A rejected
/// message is retried until the queue's configured limit, then moved to its dead-letter destination with
/// the reason in ``FerryHeader/deadLetterReason``.
public protocol LegacyQueue: Sendable {
    /// Puts `message` on `destination` and returns once the queue has it (persisted if persistent).
    func send(_ message: QueueMessage, to destination: String) async throws
    /// Puts `messages` on `destination` atomically where the queue supports it (a STOMP transaction),
    /// returning once all are accepted.
    func send(_ messages: [QueueMessage], to destination: String) async throws
    /// Puts each message on its own destination, atomically where the queue supports it (a STOMP transaction),
    /// returning once all are accepted. Default: one ``send(_:to:)`` after the other.
    func send(_ items: [(message: QueueMessage, destination: String)]) async throws
    /// The next message of `destination`, waiting at most `timeout`; nil when none came.
    func receive(from destination: String, timeout: Duration) async throws -> ReceivedMessage?
    /// Removes a received message for good.
    func acknowledge(_ message: ReceivedMessage) async throws
    /// Acknowledges `messages` in order, as one write where the queue allows it; returns how many could not be
    /// acknowledged (the queue redelivers those). The default acknowledges them one at a time.
    func acknowledge(all messages: [ReceivedMessage]) async -> Int
    /// Gives a received message back: it is delivered again later, or goes to the dead-letter destination
    /// with `reason` once it has been rejected as often as the queue allows.
    func reject(_ message: ReceivedMessage, reason: String) async throws
    /// Up to `limit` messages waiting on `destination`, oldest first, without taking them.
    func browse(_ destination: String, limit: Int) async throws -> [ReceivedMessage]
    /// Ends the session gracefully: un-acknowledged messages go back to the queue.
    func close() async throws
}

extension LegacyQueue {
    public func send(_ items: [(message: QueueMessage, destination: String)]) async throws {
        for (message, destination) in items { try await send(message, to: destination) }
    }

    public func acknowledge(all messages: [ReceivedMessage]) async -> Int {
        var failed = 0
        for message in messages {
            do { try await acknowledge(message) } catch { failed += 1 }
        }
        return failed
    }

    /// Sends a reply to `request`: to its reply-to destination, with its correlation id (or, when it has none,
    /// its message id, as JMS request/reply does). Throws ``LegacyQueueError/noReplyDestination(messageID:)``
    /// when the request names no reply-to.
    public func reply(to request: ReceivedMessage, with reply: QueueMessage) async throws {
        guard let destination = request.message.replyTo else {
            throw LegacyQueueError.noReplyDestination(messageID: request.messageID)
        }
        var reply = reply
        if reply.correlationID == nil { reply.correlationID = request.message.correlationID ?? request.messageID }
        try await send(reply, to: destination)
    }
}

/// Errors of the queue interface itself.
public enum LegacyQueueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A reply was asked for a message without a reply-to destination.
    case noReplyDestination(messageID: String)

    public var description: String {
        switch self {
        case let .noReplyDestination(messageID): "message \(messageID) has no reply-to destination"
        }
    }
}
