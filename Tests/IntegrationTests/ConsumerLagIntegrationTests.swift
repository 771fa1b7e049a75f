import Bridge
import Events
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Synchronization
import Testing

/// `ferry_consumer_lag` of a Kafka-sourced pipeline on the real tansu and ActiveMQ that `scripts/test` starts:
/// the queue side is cut (a proxy) so the pipeline is stuck while records keep coming, then restored.
@Suite("Bridge consumer lag on tansu and ActiveMQ (real brokers from scripts/test)", .serialized)
struct ConsumerLagIntegrationTests {
    /// The `ferry_consumer_lag` values of `topic` in `/metrics`, by partition.
    static func lag(in metrics: String, pipeline: String, topic: String) -> [Int: Int64] {
        var result: [Int: Int64] = [:]
        let prefix = "ferry_consumer_lag{pipeline=\"\(pipeline)\",topic=\"\(topic)\",partition=\""
        for line in metrics.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let partition = Int(rest[..<quote]),
                let value = Int64(rest[rest.index(after: quote)...].split(separator: " ").last ?? "")
            else { continue }
            result[partition] = value
        }
        return result
    }

    static func publish(_ range: Range<Int>, to topic: String, log: KafkaStreamLog) async throws {
        var records: [StreamRecord] = []
        for index in range {
            let event = try CloudEventJSONFormat.decode(
                Array(#"{"specversion":"1.0","id":"lag-\#(index)","source":"/test","type":"t","partitionkey":"m\#(index % 7)","data":{"seq":\#(index)}}"#.utf8))
            records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0))
        }
        _ = try await log.publish(records, topic: topic)
    }

    @Test("the lag equals the log end while the queue is cut, rises as records are produced, and returns to 0 after draining")
    func lagRisesWhileStuckAndDrainsToZero() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let kafkaURL = "kafka://\(kafka.host):\(kafka.port)"
        let topic = "ferry-lag-\(UInt32.random(in: 0...UInt32.max))"
        let group = topic + "-bridge"
        let admin = try KafkaStreamLog(url: kafkaURL)
        defer { admin.close() }
        try await admin.createTopic(topic, partitions: 2)
        try await Self.publish(0..<40, to: topic, log: admin)

        let proxy = try CuttableTCPProxy(to: stomp.host, port: Int(stomp.port))
        defer { proxy.cut() }
        var stompConfiguration = try STOMPQueueTests.configuration()
        stompConfiguration.maxRetries = 1000
        stompConfiguration.port = UInt16(proxy.port)
        let client = try await STOMPClient.connect(stompConfiguration)
        let queue = STOMPQueueTests.uniqueQueue("bridge-lag")
        let log = try KafkaStreamLog(url: kafkaURL)
        let source = try KafkaGroupStreamSource(client: log.client, topic: topic, group: group)
        let pipeline = StreamToQueuePipeline(
            configuration: StreamToQueuePipelineConfiguration(
                name: "lag", source: StreamSourceConfiguration(log: kafkaURL, topic: topic, group: group),
                sink: "stomp://\(stomp.host):\(stomp.port)\(queue)", deadLetter: "stomp://\(stomp.host):\(stomp.port)\(queue).DLQ",
                maxInFlight: 10, retryBackoff: .milliseconds(20), maxRetryBackoff: .milliseconds(200),
                pollInterval: .milliseconds(20), lagRefreshInterval: .milliseconds(100)),
            recordSource: source, sink: client, sinkDestination: queue, deadLetters: client,
            deadLetterDestination: queue + ".DLQ", encoder: StreamEventEncoder(engine: nil))
        var configuration = BridgeConfiguration(pipelines: [], drainTimeout: .seconds(10))
        configuration.http = HTTPEndpointConfiguration(host: "127.0.0.1", port: 0)
        let daemon = BridgeDaemon(configuration: configuration, pipelines: [], streamPipelines: [pipeline])
        let server = try #require(try daemon.startOperationsEndpoint())
        defer { server.stop() }

        func ends() async throws -> [Int: Int64] {
            var result: [Int: Int64] = [:]
            for partition in 0..<2 { result[partition] = try await admin.offsets(topic: topic, partition: partition).next }
            return result
        }
        func metricsLag() async throws -> [Int: Int64] {
            let body = try await BridgeOperationsIntegrationTests.get(server.port, "/metrics").body
            return Self.lag(in: body, pipeline: "lag", topic: topic)
        }
        func waitForLag(upTo limit: Duration = .seconds(60), _ condition: ([Int: Int64]) -> Bool) async throws -> [Int: Int64] {
            let deadline = ContinuousClock.now + limit
            var last: [Int: Int64] = [:]
            while ContinuousClock.now < deadline {
                last = try await metricsLag()
                if condition(last) { return last }
                try await Task.sleep(for: .milliseconds(50))
            }
            return last
        }

        proxy.cut()  // the queue is unreachable: the pipeline reads one batch and retries its send
        let stop = Atomic<Bool>(false)
        async let outcome = daemon.run { stop.load(ordering: .relaxed) }
        let atStart = try await ends()
        #expect(atStart.values.reduce(0, +) == 40)
        let stuck = try await waitForLag { $0 == atStart }
        #expect(stuck == atStart, "nothing committed: the lag is the log end of each partition")
        #expect(pipeline.statistics.committed == 0)

        try await Self.publish(40..<65, to: topic, log: admin)
        let grown = try await ends()
        #expect(grown.values.reduce(0, +) == 65)
        let risen = try await waitForLag { $0 == grown }
        #expect(risen == grown, "the lag rose with the records produced while the pipeline was stuck")

        try proxy.restore()
        let drained = try await waitForLag(upTo: .seconds(120)) { $0.count == 2 && $0.values.allSatisfy { $0 == 0 } }
        #expect(drained == [0: 0, 1: 0], "after draining")
        for partition in 0..<2 {
            #expect(try await admin.committedOffset(group: group, topic: topic, partition: partition) == grown[partition])
        }
        stop.store(true, ordering: .relaxed)
        #expect(try await outcome == .drained)

        let reader = try await STOMPClient.connect(try STOMPQueueTests.configuration())
        var ids = Set<String>()
        while let message = try await reader.receive(from: queue, timeout: .seconds(3)) {
            ids.insert(message.message.properties["ce_id"] ?? "")
            try await reader.acknowledge(message)
        }
        #expect(ids == Set((0..<65).map { "lag-\($0)" }))
        try await reader.close()
        try? await client.close()
        log.close()
    }
}
