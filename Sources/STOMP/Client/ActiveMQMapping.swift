public import LegacyQueue

/// How canonical queue attributes map to the STOMP headers ActiveMQ Classic 5.17 turns into JMS fields.
///
/// | canonical | STOMP header | JMS |
/// |---|---|---|
/// | `isPersistent` | `persistent:true` (sent always, since STOMP defaults to non-persistent) | JMSDeliveryMode |
/// | `bodyKind` | `amq-msg-type:text|bytes` (plus `content-length` always) | TextMessage / BytesMessage |
/// | `timeToLive` | `expires`: absolute epoch ms | JMSExpiration |
/// | `correlationID` | `correlation-id` | JMSCorrelationID |
/// | `replyTo` | `reply-to` | JMSReplyTo |
/// | `priority` | `priority` | JMSPriority |
/// | `groupID` | `JMSXGroupID` | JMSXGroupID |
/// | `contentType` | `content-type` | (string property) |
/// | `properties` | any other header | string properties |
public enum ActiveMQMapping {
    /// Headers of a MESSAGE that are protocol or canonical attributes, not application properties.
    static let reservedHeaders: Set<String> = [
        "destination", "message-id", "subscription", "ack", "content-length", "content-type", "redelivered",
        "timestamp", "expires", "persistent", "priority", "correlation-id", "reply-to", "JMSXGroupID",
        "amq-msg-type", "receipt", "transaction", FerryHeader.retryCount,
    ]

    /// The SEND headers for `message` to `destination`, with `expires` computed from `nowMilliseconds`.
    public static func sendHeaders(
        for message: QueueMessage, destination: String, nowMilliseconds: Int64, expiresAt: Int64? = nil
    ) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("destination", destination),
            ("persistent", message.isPersistent ? "true" : "false"),
            ("amq-msg-type", message.bodyKind.rawValue),
        ]
        if let expiresAt, expiresAt > 0 {
            headers.append(("expires", String(expiresAt)))
        } else if let ttl = message.timeToLive {
            let (seconds, attoseconds) = ttl.components
            let milliseconds = seconds.multipliedReportingOverflow(by: 1000).partialValue + attoseconds / 1_000_000_000_000_000
            headers.append(("expires", String(nowMilliseconds + max(1, milliseconds))))
        }
        if let value = message.contentType { headers.append(("content-type", value)) }
        if let value = message.correlationID { headers.append(("correlation-id", value)) }
        if let value = message.replyTo { headers.append(("reply-to", value)) }
        if let value = message.priority { headers.append(("priority", String(min(max(value, 0), 9)))) }
        if let value = message.groupID { headers.append(("JMSXGroupID", value)) }
        for (name, value) in message.properties.sorted(by: { $0.key < $1.key })
        where !name.isEmpty && !reservedHeaders.contains(name) {
            headers.append((name, value))
        }
        headers.append(("content-length", String(message.body.count)))
        return headers
    }

    /// The canonical form of a MESSAGE frame received on `destination` over connection `session`.
    public static func receivedMessage(from frame: STOMPFrame, destination: String, session: UInt64) -> ReceivedMessage {
        var message = QueueMessage(body: frame.body)
        var properties: [String: String] = [:]
        for (name, value) in frame.headers where !reservedHeaders.contains(name) && properties[name] == nil {
            properties[name] = value
        }
        message.properties = properties
        switch frame["amq-msg-type"] {
        case "bytes": message.bodyKind = .bytes
        case "text": message.bodyKind = .text
        default: message.bodyKind = String(validating: frame.body, as: UTF8.self) == nil ? .bytes : .text
        }
        message.contentType = frame["content-type"]
        message.correlationID = frame["correlation-id"]
        message.replyTo = frame["reply-to"]
        message.priority = frame["priority"].flatMap { Int($0) }
        message.groupID = frame["JMSXGroupID"]
        message.isPersistent = frame["persistent"] == "true"
        let messageID = frame["message-id"] ?? ""
        return ReceivedMessage(
            message: message, messageID: messageID, destination: destination,
            expiresAtMilliseconds: frame["expires"].flatMap { Int64($0) },
            timestampMilliseconds: frame["timestamp"].flatMap { Int64($0) },
            isRedelivered: frame["redelivered"] == "true",
            retryCount: frame[FerryHeader.retryCount].flatMap { Int($0) } ?? 0,
            deliveryToken: DeliveryToken(value: frame["ack"] ?? messageID, session: session))
    }
}
