import Bridge
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LegacyQueue
import StreamLog
import Synchronization
import Testing

@Suite("Bridge operations endpoint: /metrics, /healthz, /readyz over real HTTP")
struct OperationsEndpointTests {
    /// GET `path` with URLSession: status and body.
    static func get(_ server: OperationsHTTPServer, _ path: String) async throws -> (status: Int, body: String, contentType: String?) {
        let url = try #require(URL(string: "http://\(server.host):\(server.port)\(path)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Content-Type"))
    }

    /// A daemon over one spool → LocalLog pipeline whose log behaves as `behaviour`, with the endpoint on a free port.
    /// - Parameter drainTimeout: long for a pipeline expected to drain (the wait ends when it has; a loaded CI pass
    ///   once took longer than 300 ms to notice the stop), short for one expected to be abandoned at the deadline.
    static func daemon(
        _ behaviour: AppendBehaviour, messages: Int, drainTimeout: Duration = .seconds(10)
    ) throws -> (BridgeDaemon, BridgePipeline) {
        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool")
        let local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        let log = JournalingLog(local, journal: Journal(), behaviour: behaviour)
        var batch = (0..<messages).map { eventJSON(id: "m\($0)", key: "k\($0 % 3)", seq: $0) }
        batch.append(QueueMessage(text: "not json"))
        try spool.sendNow(batch, to: "IN")
        let pipeline = BridgePipeline(
            configuration: testPipelineConfiguration(root: root, maxAttempts: 1, maxInFlight: 4), source: spool,
            sourceDestination: "IN", sink: log, deadLetters: spool, deadLetterDestination: "DLQ",
            converter: EventConverter(engine: nil))
        var configuration = BridgeConfiguration(pipelines: [pipeline.configuration], drainTimeout: drainTimeout)
        configuration.http = HTTPEndpointConfiguration(host: "127.0.0.1", port: 0)
        return (BridgeDaemon(configuration: configuration, pipelines: [pipeline]), pipeline)
    }

    @Test("/metrics has every counter per pipeline in the Prometheus text format; /healthz and /readyz answer 200")
    func metricsOfAHealthyPipeline() async throws {
        let (daemon, pipeline) = try Self.daemon(.normal, messages: 9)
        let server = try #require(try daemon.startOperationsEndpoint())
        defer { server.stop() }
        #expect(server.port > 0)
        let stop = Atomic<Bool>(false)
        async let outcome = daemon.run { stop.load(ordering: .relaxed) }
        #expect(try await eventually { pipeline.statistics.acknowledged == 10 })

        let metrics = try await Self.get(server, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let labels = #"{pipeline="test",kind="queue-to-stream"}"#
        let lines = Set(metrics.body.split(separator: "\n").map(String.init))
        for expected in [
            "ferry_bridge_received_total\(labels) 10", "ferry_bridge_appended_total\(labels) 9",
            "ferry_bridge_acknowledged_total\(labels) 10", "ferry_bridge_dead_lettered_total\(labels) 1",
            "ferry_bridge_retries_total\(labels) 0", "ferry_bridge_in_flight\(labels) 0", "ferry_bridge_ready\(labels) 1",
            "# TYPE ferry_bridge_received_total counter", "# TYPE ferry_bridge_in_flight gauge",
        ] {
            #expect(lines.contains(expected), "missing \(expected) in\n\(metrics.body)")
        }
        #expect(!metrics.body.contains("ferry_bridge_last_error_timestamp_seconds{"), "no error yet, no sample")
        // Every sample line is NAME{LABELS} NUMBER, and every family has HELP and TYPE.
        for line in lines where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil, "\(line)")
        }
        let health = try await Self.get(server, "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
        let ready = try await Self.get(server, "/readyz")
        #expect(ready.status == 200 && ready.body == "ready\n")
        #expect(try await Self.get(server, "/nothing").status == 404)

        stop.store(true, ordering: .relaxed)
        #expect(try await outcome == .drained)
    }

    @Test("a failing sink: /readyz answers 503 naming it, /metrics shows ready 0, the retries and the last error time")
    func failingSink() async throws {
        let (daemon, pipeline) = try Self.daemon(.failFirst(1_000_000), messages: 3, drainTimeout: .milliseconds(300))
        let server = try #require(try daemon.startOperationsEndpoint())
        defer { server.stop() }
        let started = Date().timeIntervalSince1970
        let stop = Atomic<Bool>(false)
        async let outcome = daemon.run { stop.load(ordering: .relaxed) }
        #expect(try await eventually { pipeline.statistics.sinkRetries >= 2 })

        let ready = try await Self.get(server, "/readyz")
        #expect(ready.status == 503)
        #expect(ready.body == "test: sink failing\n")
        let metrics = try await Self.get(server, "/metrics")
        let labels = #"{pipeline="test",kind="queue-to-stream"}"#
        #expect(metrics.body.contains("ferry_bridge_ready\(labels) 0\n"))
        #expect(metrics.body.contains("ferry_bridge_in_flight\(labels) 3\n"), "\(metrics.body)")
        let errorLine = try #require(
            metrics.body.split(separator: "\n").first { $0.hasPrefix("ferry_bridge_last_error_timestamp_seconds\(labels)") })
        let seconds = try #require(Double(errorLine.split(separator: " ")[1]))
        #expect(seconds >= started.rounded(.down) && seconds <= Date().timeIntervalSince1970 + 1)

        stop.store(true, ordering: .relaxed)
        #expect(try await outcome == .drainTimedOut, "the batch stuck on the failing sink is abandoned at the deadline")
    }

    @Test("the server answers HEAD without a body, refuses other methods and malformed request lines")
    func protocolEdges() async throws {
        let server = try OperationsHTTPServer(host: "127.0.0.1", port: 0) { _, path in
            HTTPResponse(status: 200, text: "path \(path)\n")
        }
        defer { server.stop() }
        func exchange(_ request: String) throws -> String {
            let connection = try TCPTestClient(port: server.port)
            return try connection.exchange(request)
        }
        let get = try exchange("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(get.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(get.contains("Content-Length: 14\r\n"))
        #expect(get.hasSuffix("\r\n\r\npath /metrics\n"))
        let head = try exchange("HEAD /a HTTP/1.1\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.hasSuffix("\r\n\r\n"))
        #expect(try exchange("POST /a HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405 "))
        #expect(try exchange("GARBAGE\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
    }
}

/// A blocking loopback TCP client for protocol tests: sends a request, reads until the server closes.
struct TCPTestClient {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { throw POSIXError(.ECONNREFUSED) }
    }

    func exchange(_ request: String) throws -> String {
        defer { close(descriptor) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
