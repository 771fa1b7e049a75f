import Bridge
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog

/// `ferry-bench bridge`: the bridge's queue → Kafka rate beside the rate at which Ferry's STOMP client alone
/// drains the same queue. Each run fills one ActiveMQ queue with N persistent ~1 KiB CloudEvents (JSON
/// format, 97 entity keys), then
/// (a) drains it with ``STOMPClient`` alone: receive, one `client-individual` ACK per message, the same
///     subscription (prefetch = the bridge's in-flight bound) the bridge uses;
/// (b) fills it again and runs one ``BridgePipeline`` from it to a fresh Kafka topic (acks=all, idempotent
///     producer), until every message is acknowledged;
/// (a') fills it again and drains it with the client alone once more, so the order of (a) and (b) on a broker
///     whose state changes (JIT, KahaDB journal files) does not favour either. A warm-up fill and drain of
///     N/5 comes first, not measured.
/// Wall time, this process's CPU time (user + system, every thread) and the load average are reported.
enum BridgeBenchmark {
    struct Phase {
        var wall: Double
        var cpu: Double
    }

    struct Figures {
        var drain: Phase
        var bridge: Phase
        var drainAgain: Phase
        var loadBefore: Double
        var loadAfter: Double
    }

    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : -1
    }

    /// A CloudEvent in JSON format of about `size` bytes, keyed by one of 97 members.
    static func event(_ index: Int, run: String, size: Int) -> QueueMessage {
        var body = Array(#"{"specversion":"1.0","id":"bench-\#(run)-\#(index)","source":"/ferry-bench","type":"bench.member","partitionkey":"member-\#(index % 97)","data":{"seq":\#(index),"pad":""#.utf8)
        let tail = Array(#""}}"#.utf8)
        body += repeatElement(UInt8(ascii: "x"), count: max(0, size - body.count - tail.count))
        return QueueMessage(body: body + tail)
    }

    static func fill(_ client: STOMPClient, queue: String, count: Int, run: String, size: Int) async throws {
        for first in stride(from: 0, to: count, by: 500) {
            try await client.send((first..<min(first + 500, count)).map { event($0, run: run, size: size) }, to: queue)
        }
    }

    static func measure(_ body: () async throws -> Void) async rethrows -> Phase {
        let cpu = STOMPBenchmark.cpuSeconds()
        let start = ContinuousClock.now
        try await body()
        return Phase(wall: seconds(ContinuousClock.now - start), cpu: STOMPBenchmark.cpuSeconds() - cpu)
    }

    static func run(stompURL: String, kafkaBootstrap: String, count: Int, inFlight: Int, partitions: Int, size: Int)
        async throws -> Figures
    {
        var (configuration, _) = try STOMPConfiguration.parse(url: stompURL)
        configuration.prefetch = inFlight
        configuration.maxRetries = Int.max / 2
        let run = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let queue = "/queue/ferry.bench.bridge.\(run)"
        let loadBefore = loadAverage()

        let filler = try await STOMPClient.connect(configuration)
        /// Ferry's STOMP client alone drains `total` messages from the queue.
        func drainAlone(_ total: Int) async throws -> Phase {
            let drainer = try await STOMPClient.connect(configuration)
            let phase = try await measure {
                var received = 0
                while received < total {
                    guard let message = try await drainer.receive(from: queue, timeout: .seconds(30)) else {
                        throw STOMPError.connectionLost(reason: "benchmark: only \(received) of \(total) messages came back")
                    }
                    try await drainer.acknowledge(message)
                    received += 1
                }
            }
            try await drainer.close()
            return phase
        }
        try await fill(filler, queue: queue, count: count / 5, run: run + "w", size: size)
        _ = try await drainAlone(count / 5)

        // (a) Ferry's STOMP client alone.
        try await fill(filler, queue: queue, count: count, run: run + "a", size: size)
        let drain = try await drainAlone(count)

        // (b) The bridge pipeline, queue → Kafka, on the same queue filled again.
        try await fill(filler, queue: queue, count: count, run: run + "b", size: size)
        let source = try await STOMPClient.connect(configuration)
        let kafkaURL = "kafka://\(kafkaBootstrap)"
        let log = try KafkaStreamLog(url: kafkaURL)
        let topic = "ferry-bench-bridge-\(run)"
        try await log.createTopic(topic, partitions: partitions)
        let host = "\(configuration.host):\(configuration.port)"
        let pipeline = BridgePipeline(
            configuration: PipelineConfiguration(
                name: "bench", source: "stomp://\(host)\(queue)",
                sink: SinkConfiguration(log: kafkaURL, topic: topic, partitions: partitions),
                deadLetter: "stomp://\(host)\(queue).DLQ", maxInFlight: inFlight),
            source: source, sourceDestination: queue, sink: log, deadLetters: source,
            deadLetterDestination: queue + ".DLQ", converter: EventConverter(engine: nil))
        let bridge = try await measure {
            let task = Task { try await pipeline.run() }
            while pipeline.statistics.acknowledged < count {
                try await Task.sleep(for: .milliseconds(2))
            }
            pipeline.requestStop()
            try await task.value
        }
        let statistics = pipeline.statistics
        guard statistics.acknowledged == count, statistics.appended == count, statistics.deadLettered == 0 else {
            throw STOMPError.connectionLost(reason: "benchmark: the bridge ended with \(statistics)")
        }
        try await source.close()
        log.close()

        // (a') The client alone again.
        try await fill(filler, queue: queue, count: count, run: run + "c", size: size)
        let drainAgain = try await drainAlone(count)
        try await filler.close()
        return Figures(drain: drain, bridge: bridge, drainAgain: drainAgain, loadBefore: loadBefore, loadAfter: loadAverage())
    }
}
