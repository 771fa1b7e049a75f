import Bridge
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LegacyQueue
import STOMP
import StreamLog
import Synchronization
import Testing

/// The operations endpoint of a bridge on the real ActiveMQ that `scripts/test` starts, across an outage of the
/// bridge's connection (a proxy cut, so the broker other suites use keeps running).
@Suite("Bridge operations on ActiveMQ (real broker from scripts/test)", .serialized)
struct BridgeOperationsIntegrationTests {
    static func get(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test("/readyz answers 503 while the broker is unreachable and 200 again after; messages sent after are bridged")
    func readinessAcrossAnOutage() async throws {
        let environment = TestEnvironment.current
        let broker = try environment.stompBroker()
        let proxy = try CuttableTCPProxy(to: broker.host, port: Int(broker.port))
        defer { proxy.cut() }
        var configuration = try STOMPQueueTests.configuration()
        configuration.maxRetries = 1000
        let direct = configuration
        configuration.port = UInt16(proxy.port)
        let client = try await STOMPClient.connect(configuration)
        let queue = STOMPQueueTests.uniqueQueue("bridge-ready")
        let directory = NSTemporaryDirectory() + "ferry-bridge-ready-\(UUID().uuidString)"
        let log = try LocalLog(LocalLogConfiguration(directory: directory, fsync: .always))
        let pipeline = BridgePipeline(
            configuration: PipelineConfiguration(
                name: "amq", source: "stomp://\(broker.host):\(broker.port)\(queue)",
                sink: SinkConfiguration(log: directory, topic: "events"),
                deadLetter: "stomp://\(broker.host):\(broker.port)\(queue).DLQ", maxInFlight: 16,
                retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(500)),
            source: client, sourceDestination: queue, sink: log, deadLetters: client,
            deadLetterDestination: queue + ".DLQ", converter: EventConverter(engine: nil))
        var bridgeConfiguration = BridgeConfiguration(pipelines: [pipeline.configuration], drainTimeout: .seconds(5))
        bridgeConfiguration.http = HTTPEndpointConfiguration(host: "127.0.0.1", port: 0)
        let daemon = BridgeDaemon(configuration: bridgeConfiguration, pipelines: [pipeline])
        let server = try #require(try daemon.startOperationsEndpoint())
        defer { server.stop() }
        let stop = Atomic<Bool>(false)
        async let outcome = daemon.run { stop.load(ordering: .relaxed) }

        #expect(try await Self.get(server.port, "/readyz") == (200, "ready\n"))
        proxy.cut()
        var sawNotReady: (status: Int, body: String)?
        let deadline = ContinuousClock.now + .seconds(90)
        while sawNotReady == nil && ContinuousClock.now < deadline {
            let answer = try await Self.get(server.port, "/readyz")
            if answer.status != 200 { sawNotReady = answer }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(sawNotReady?.status == 503)
        #expect(sawNotReady?.body.hasPrefix("amq: source disconnected") == true, "\(String(describing: sawNotReady))")
        try await Task.sleep(for: .seconds(1))
        #expect(try await Self.get(server.port, "/readyz").status == 503, "still unreachable")
        try proxy.restore()
        var readyAgain = false
        while !readyAgain && ContinuousClock.now < deadline + .seconds(60) {
            readyAgain = try await Self.get(server.port, "/readyz").status == 200
            if !readyAgain { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(readyAgain)

        let sender = try await STOMPClient.connect(direct)
        for index in 0..<20 {
            try await sender.send(
                QueueMessage(text: #"{"specversion":"1.0","id":"r-\#(index)","source":"/t","type":"t","data":{}}"#), to: queue)
        }
        let delivered = ContinuousClock.now + .seconds(60)
        while pipeline.statistics.acknowledged < 20 && ContinuousClock.now < delivered {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(pipeline.statistics.acknowledged == 20)
        let metrics = try await Self.get(server.port, "/metrics")
        #expect(metrics.body.contains(#"ferry_bridge_ready{pipeline="amq",kind="queue-to-stream"} 1"#))
        stop.store(true, ordering: .relaxed)
        #expect(try await outcome == .drained)
        try await sender.close()
        try await client.close()
        try log.close()
    }
}
