/// A broker address from a bootstrap list.
public struct KafkaBrokerAddress: Hashable, Sendable, CustomStringConvertible {
    /// A host name or IP address.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How a ``KafkaClient`` connects and retries. `Sendable` value; validated by ``validate()``.
public struct KafkaClientConfiguration: Sendable, Hashable {
    /// Brokers to bootstrap from; the first that answers gives the cluster's metadata.
    public var bootstrapServers: [KafkaBrokerAddress]
    /// `client.id` sent in every request header. Default: `ferry`.
    public var clientID: String = "ferry"
    /// Longest TCP connect. Default: 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// Longest wait for any response (also bounds a blocked send). Default: 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// Largest response frame accepted. Default: 100 MiB.
    public var maximumResponseSize: Int = 100 << 20
    /// How many times a retriable failure is retried. Default: 10.
    public var retries: Int = 10
    /// First wait before a retry, doubled each time up to ``maximumRetryBackoff``. Default: 100 ms.
    public var retryBackoff: Duration = .milliseconds(100)
    /// Longest wait between retries. Default: 2 s.
    public var maximumRetryBackoff: Duration = .seconds(2)

    /// A configuration with the defaults documented on each field.
    public init(bootstrapServers: [KafkaBrokerAddress]) {
        self.bootstrapServers = bootstrapServers
    }

    /// Parses `kafka://host:port,host:port` (the scheme is optional; the port defaults to 9092).
    public init(url: String) throws(KafkaError) {
        var text = Substring(url)
        if text.hasPrefix("kafka://") { text = text.dropFirst("kafka://".count) }
        text = text.prefix { $0 != "/" && $0 != "?" }
        var servers: [KafkaBrokerAddress] = []
        for part in text.split(separator: ",") {
            let item = part.trimmingPrefix(" ")
            var host = Substring(item)
            var port = 9092
            if item.hasPrefix("["), let close = item.firstIndex(of: "]") {
                host = item[item.index(after: item.startIndex)..<close]
                let rest = item[item.index(after: close)...]
                if rest.hasPrefix(":") {
                    guard let value = Int(rest.dropFirst()), (1...65535).contains(value) else {
                        throw .invalidConfiguration(field: "bootstrapServers", reason: "bad port in '\(item)'")
                    }
                    port = value
                }
            } else if let colon = item.lastIndex(of: ":") {
                host = item[..<colon]
                guard let value = Int(item[item.index(after: colon)...]), (1...65535).contains(value) else {
                    throw .invalidConfiguration(field: "bootstrapServers", reason: "bad port in '\(item)'")
                }
                port = value
            }
            guard !host.isEmpty else { throw .invalidConfiguration(field: "bootstrapServers", reason: "empty host in '\(url)'") }
            servers.append(KafkaBrokerAddress(host: String(host), port: port))
        }
        guard !servers.isEmpty else { throw .invalidConfiguration(field: "bootstrapServers", reason: "no broker in '\(url)'") }
        self.init(bootstrapServers: servers)
    }

    /// Checks every field; the error names the first bad one.
    public func validate() throws(KafkaError) {
        if bootstrapServers.isEmpty { throw .invalidConfiguration(field: "bootstrapServers", reason: "is empty") }
        if connectTimeout <= .zero { throw .invalidConfiguration(field: "connectTimeout", reason: "must be positive") }
        if requestTimeout <= .zero { throw .invalidConfiguration(field: "requestTimeout", reason: "must be positive") }
        if maximumResponseSize < 1024 { throw .invalidConfiguration(field: "maximumResponseSize", reason: "must be at least 1024") }
        if retries < 0 { throw .invalidConfiguration(field: "retries", reason: "must not be negative") }
    }
}
