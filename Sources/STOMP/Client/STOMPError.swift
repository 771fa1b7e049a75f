public import Transport

/// Why a STOMP operation failed. Cases carry the server's own words or the underlying cause.
public enum STOMPError: Error, Sendable, CustomStringConvertible {
    /// A `stomp://` URL that cannot be used.
    case invalidURL(String, reason: String)
    /// The TCP connection failed.
    case transport(TransportError)
    /// The server sent bytes that are not acceptable STOMP (too large, malformed).
    case wire(STOMPWireError)
    /// The server sent an ERROR frame: its `message` header, its body as text, and the receipt it answers.
    case server(message: String, details: String, receiptID: String?)
    /// The server answered CONNECT with something other than CONNECTED.
    case unexpectedFrame(command: String, expecting: String)
    /// The server sent nothing (not even a heart-beat) for this long.
    case heartBeatTimeout(silentFor: Duration)
    /// No RECEIPT came in time; whether the server processed the frame is unknown.
    case receiptTimeout(receipt: String, after: Duration)
    /// The connection was lost before a RECEIPT came (the operation is retried on the next connection where
    /// that is safe, e.g. a send; otherwise this is thrown).
    case connectionLost(reason: String)
    /// The message was delivered on an earlier connection: the broker has already put it back for redelivery,
    /// so it cannot be acknowledged or rejected now.
    case deliveryFromEarlierSession(messageID: String)
    /// The message was acknowledged or rejected already.
    case notInFlight(messageID: String)
    /// The client was closed.
    case closed
    /// Reconnecting failed this many times in a row; the last failure.
    case reconnectGaveUp(attempts: Int, lastError: String)

    public var description: String {
        switch self {
        case let .invalidURL(url, reason): "invalid STOMP URL \(url): \(reason)"
        case let .transport(error): "\(error)"
        case let .wire(error): "\(error)"
        case let .server(message, details, receipt):
            "the STOMP server sent ERROR: \(message)\(details.isEmpty ? "" : " (\(details.prefix(500)))")"
                + (receipt.map { " in answer to receipt \($0)" } ?? "")
        case let .unexpectedFrame(command, expecting): "the STOMP server sent \(command) where \(expecting) was expected"
        case let .heartBeatTimeout(silentFor): "the STOMP server sent nothing for \(silentFor) (heart-beat missed)"
        case let .receiptTimeout(receipt, after): "no RECEIPT for \(receipt) within \(after)"
        case let .connectionLost(reason): "the STOMP connection was lost: \(reason)"
        case let .deliveryFromEarlierSession(id):
            "message \(id) came on an earlier connection; the broker redelivers it, so it cannot be settled now"
        case let .notInFlight(id): "message \(id) was acknowledged or rejected already"
        case .closed: "the STOMP client is closed"
        case let .reconnectGaveUp(attempts, last): "gave up reconnecting after \(attempts) attempts; last error: \(last)"
        }
    }
}
