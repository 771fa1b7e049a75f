/// Settings of a ``STOMPClient``. Every field has a documented default; ``init(url:)`` reads the address
/// and credentials from a `stomp://[user:pass@]host[:port][/destination]` URL.
public struct STOMPConfiguration: Sendable, Equatable {
    /// The broker's host name or address. Default: `127.0.0.1`.
    public var host: String
    /// The broker's STOMP port. Default: 61613.
    public var port: UInt16
    /// The CONNECT `host` header (the virtual host). Default: nil, meaning ``host``.
    public var virtualHost: String?
    /// CONNECT `login`. Default: none.
    public var login: String?
    /// CONNECT `passcode`. Never logged. Default: none.
    public var passcode: String?
    /// CONNECT `client-id` (ActiveMQ: must be unique among connections). Default: none.
    public var clientID: String?
    /// How often this client promises to send something (a frame or a heart-beat EOL); zero for never.
    /// Default: 10 s.
    public var heartBeatSend: Duration
    /// How often the server is asked to send something; zero for never. A server silent for twice the
    /// negotiated interval is considered gone and the connection is replaced. Default: 10 s.
    public var heartBeatReceive: Duration
    /// Limit on TCP connect plus the CONNECT/CONNECTED exchange. Default: 5 s.
    public var connectTimeout: Duration
    /// Limit on waiting for a RECEIPT (and for a connection while reconnecting, before a send fails).
    /// Default: 30 s.
    public var receiptTimeout: Duration
    /// The largest frame accepted from the server; a bigger one ends the connection with
    /// ``STOMPError/wire(_:)``. Default: 16 MiB.
    public var maximumFrameBytes: Int
    /// `activemq.prefetchSize` of receive subscriptions: un-acknowledged messages the broker may push ahead.
    /// Default: 100.
    public var prefetch: Int
    /// Reconnecting after a lost connection. Default: ``STOMPReconnectPolicy/init(initialDelay:maximumDelay:multiplier:jitter:maximumAttempts:)`` defaults.
    public var reconnect: STOMPReconnectPolicy
    /// How many times the bridge re-queues a rejected message before the next rejection dead-letters it.
    /// Default: 5.
    public var maxRetries: Int
    /// Where dead letters go. Default: `/queue/ferry.DLQ`.
    public var deadLetterDestination: String

    /// A configuration; each parameter defaults to the value documented on its property.
    public init(
        host: String = "127.0.0.1", port: UInt16 = 61613, virtualHost: String? = nil, login: String? = nil,
        passcode: String? = nil, clientID: String? = nil, heartBeatSend: Duration = .seconds(10),
        heartBeatReceive: Duration = .seconds(10), connectTimeout: Duration = .seconds(5),
        receiptTimeout: Duration = .seconds(30), maximumFrameBytes: Int = 16 << 20, prefetch: Int = 100,
        reconnect: STOMPReconnectPolicy = STOMPReconnectPolicy(), maxRetries: Int = 5,
        deadLetterDestination: String = "/queue/ferry.DLQ"
    ) {
        self.host = host
        self.port = port
        self.virtualHost = virtualHost
        self.login = login
        self.passcode = passcode
        self.clientID = clientID
        self.heartBeatSend = heartBeatSend
        self.heartBeatReceive = heartBeatReceive
        self.connectTimeout = connectTimeout
        self.receiptTimeout = receiptTimeout
        self.maximumFrameBytes = maximumFrameBytes
        self.prefetch = prefetch
        self.reconnect = reconnect
        self.maxRetries = maxRetries
        self.deadLetterDestination = deadLetterDestination
    }

    /// Defaults plus what `url` gives: `stomp://[user[:pass]@]host[:port][/path]`. Returns the destination
    /// path too (`/queue/NAME`, nil when absent). Percent-escapes in user and password are decoded.
    public static func parse(url: String) throws(STOMPError) -> (configuration: STOMPConfiguration, destination: String?) {
        guard url.hasPrefix("stomp://") else { throw .invalidURL(url, reason: "it does not start with stomp://") }
        var rest = Substring(url.dropFirst("stomp://".count))
        var destination: String? = nil
        if let slash = rest.firstIndex(of: "/") {
            destination = String(rest[slash...])
            rest = rest[..<slash]
        }
        var configuration = STOMPConfiguration()
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            configuration.login = percentDecoded(parts[0])
            if parts.count == 2 { configuration.passcode = percentDecoded(parts[1]) }
        }
        var hostPart = rest
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(url, reason: "unclosed [ in the host") }
            configuration.host = String(rest[rest.index(after: rest.startIndex)..<close])
            hostPart = rest[rest.index(after: close)...]
            if hostPart.hasPrefix(":") {
                guard let port = UInt16(hostPart.dropFirst()), port > 0 else {
                    throw .invalidURL(url, reason: "the port is not 1-65535")
                }
                configuration.port = port
            }
        } else if let colon = rest.lastIndex(of: ":") {
            configuration.host = String(rest[..<colon])
            guard let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else {
                throw .invalidURL(url, reason: "the port is not 1-65535")
            }
            configuration.port = port
        } else {
            configuration.host = String(hostPart)
        }
        guard !configuration.host.isEmpty else { throw .invalidURL(url, reason: "no host") }
        if destination == "/" { destination = nil }
        return (configuration, destination)
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Jittered exponential backoff between reconnection attempts.
///
/// Attempt *n* (from 0) waits `min(maximumDelay, initialDelay × multiplierⁿ)`, scaled by a random factor
/// in `1 - jitter ... 1`, so many clients do not reconnect in step.
public struct STOMPReconnectPolicy: Sendable, Equatable {
    /// The first wait. Default: 100 ms.
    public var initialDelay: Duration
    /// The longest wait. Default: 5 s.
    public var maximumDelay: Duration
    /// Growth per attempt. Default: 2.
    public var multiplier: Double
    /// Fraction of each wait that is random, 0 to 1. Default: 0.5.
    public var jitter: Double
    /// Attempts in a row before the client gives up and fails every waiting call; nil for never.
    /// Zero disables reconnecting. Default: nil.
    public var maximumAttempts: Int?

    /// A policy; each parameter defaults to the value documented on its property.
    public init(
        initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5), multiplier: Double = 2,
        jitter: Double = 0.5, maximumAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximumAttempts = maximumAttempts
    }

    /// The wait before attempt `attempt` (0 = the first reconnection), with `random` in 0..<1.
    public func delay(attempt: Int, random: Double) -> Duration {
        let base = initialDelay * pow2(multiplier, attempt)
        let capped = base > maximumDelay ? maximumDelay : base
        let factor = 1 - min(max(jitter, 0), 1) * min(max(random, 0), 1)
        return capped * factor
    }

    private func pow2(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(max(exponent, 0), 30) { result *= base }  // capped: the delay is capped anyway
        return result
    }
}
