import Events
import Foundation

/// Where the operations HTTP endpoint listens: `"http": {"listen": "127.0.0.1:9464"}`.
public struct HTTPEndpointConfiguration: Sendable, Equatable {
    /// The IPv4 address to bind (loopback by default: the endpoint has no authentication). Default: `127.0.0.1`.
    public var host: String
    /// The TCP port; 0 picks a free one. Default: 9464 (the Prometheus exporter convention).
    public var port: Int

    /// An endpoint on `host:port`.
    public init(host: String = "127.0.0.1", port: Int = 9464) {
        self.host = host
        self.port = port
    }
}

/// How `ferry bridge` writes log lines: `"logFormat": "text"` or `"json"`.
public enum BridgeLogFormat: String, Sendable, Equatable {
    /// `bridge: message key=value …`, for a terminal.
    case text
    /// One JSON object per line (`time`, `level`, `message`, then dotted metadata), for a log collector.
    case json
}

extension ConfigurationReader {
    /// Reads `http` and `logFormat` of the root object.
    func readOperations(_ root: JSONValue, into configuration: inout BridgeConfiguration) throws(BridgeError) {
        if let format = try string(root, "logFormat", at: "$", required: false) {
            guard let parsed = BridgeLogFormat(rawValue: format) else { throw fail("$.logFormat", "expected text or json") }
            configuration.logFormat = parsed
        }
        guard let http = root["http"] else { return }
        try allow(["listen"], in: http, at: "$.http")
        let listen = try expand(try string(http, "listen", at: "$.http")!, at: "$.http.listen")
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw fail("$.http.listen", "expected HOST:PORT with an IPv4 address, e.g. 127.0.0.1:9464") }
        let host = String(listen[..<colon])
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else {
            throw fail("$.http.listen", "expected an IPv4 address before the port, found '\(host)'")
        }
        configuration.http = HTTPEndpointConfiguration(host: host, port: port)
    }

    /// The contents of secret file `file` (a mounted Kubernetes or Docker secret), one trailing newline removed.
    func secret(inFile file: String, at path: String) throws(BridgeError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw fail(path, "cannot read the secret file '\(file)'")
        }
        var bytes = Array(data)
        if bytes.last == 0x0A {
            bytes.removeLast()
            if bytes.last == 0x0D { bytes.removeLast() }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw fail(path, "the secret file '\(file)' is not UTF-8")
        }
        return text
    }
}
