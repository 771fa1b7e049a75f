import Bridge
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog

/// `ferry-bench request-reply`: the latency Ferry adds to a legacy request-reply round trip, one request at a time
/// (no queueing), each path measured in the same run on the same brokers:
///
/// 1. STOMP direct: caller → queue → a STOMP responder → reply queue → caller (the legacy round trip).
/// 2. Kafka direct: requester → request topic → a Kafka responder → reply topic → requester (the modern service's
///    own round trip, Spring-style headers).
/// 3. Through Ferry: caller → queue → bridge → request topic → the same Kafka responder → reply topic → bridge →
///    reply queue → caller.
///
/// What Ferry adds is measured directly during (3): the router's own held-time histograms
/// (`ferry_request_reply_held_seconds`) keep the exact samples of the measured round, and each request's Ferry-held
/// time is its request-held time (received from the queue → produced and acknowledged by Kafka) plus its
/// reply-held time (fetched from the reply topic → sent to the caller, confirmed). One request is outstanding at a
/// time, so the n-th request sample and the n-th reply sample belong to the same request. The broker hops
/// (queue → bridge, Kafka → responder → Kafka, bridge → queue → caller) are outside it. Subtracting percentiles
/// of (1) and (2) from (3) is printed too, for comparison only: percentiles of different distributions do not
/// subtract.
///
/// `--non-persistent` sends the callers' requests and the echo service's replies with `persistent:false`; the
/// bridge answers as the request came, so its replies are non-persistent too.
enum RequestReplyBenchmark {
    struct Distribution {
        var name: String
        var milliseconds: [Double]
        var cpuSeconds: Double
        /// When the distribution is not a path of its own (the Ferry-held times inside path 3).
        var isInsidePath = false

        func quantile(_ q: Double) -> Double {
            let sorted = milliseconds.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
        }
    }

    static func cpuSeconds() -> Double { STOMPBenchmark.cpuSeconds() }

    static func header(_ record: StreamRecord, _ name: String) -> RecordHeader? { record.headers.last { $0.name == name } }

    /// Answers every request on `topic` (all partitions from the log end) on the topic and partition it names.
    /// The Fetch wait of every Kafka consumer of the benchmark (bridge, responder, requester): tansu answers a Fetch
    /// only when the wait ends, so this bounds each Kafka hop.
    static let fetchWait = Duration.milliseconds(2)

    static func kafkaResponder(client: KafkaClient, topic: String, partitions: Int) async throws {
        let producer = try KafkaProducer(client: client, configuration: { var c = KafkaProducerConfiguration(); c.linger = .zero; return c }())
        var fetch = KafkaConsumerConfiguration()
        fetch.maximumWait = fetchWait
        let consumer = KafkaConsumer(client: client, assignment: (0..<partitions).map { (topic, $0, .latest) }, configuration: fetch)
        for try await stored in consumer {
            guard let correlation = header(stored.record, "kafka_correlationId"),
                let replyTopic = header(stored.record, "kafka_replyTopic")?.textValue,
                let partitionBytes = header(stored.record, "kafka_replyPartition")?.value, partitionBytes.count == 4
            else { continue }
            let partition = partitionBytes.reduce(0) { $0 << 8 | Int($1) }
            let reply = StreamRecord(key: stored.record.key, value: stored.record.value, headers: [correlation], timestamp: 0)
            _ = try await producer.send(reply, topic: replyTopic, partition: partition)
        }
    }

    /// The three paths (STOMP direct, Kafka direct, through Ferry), then the Ferry-held times measured inside the
    /// third: request + reply per request, request held, reply held.
    static func run(stompURL: String, kafkaURL: String, requests: Int, size: Int, persistent: Bool = true) async throws -> [Distribution] {
        var (stompConfiguration, _) = try STOMPConfiguration.parse(url: stompURL)
        stompConfiguration.prefetch = 100
        let run = "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let body = Array(("{\"pad\":\"" + String(repeating: "x", count: max(0, size - 10)) + "\"}").utf8)
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: kafkaURL))
        let requestTopic = "bench-rr-requests-\(run)"
        let replyTopic = "bench-rr-replies-\(run)"
        let directReplyTopic = "bench-rr-direct-replies-\(run)"
        try await client.createTopic(requestTopic, partitions: 1)
        try await client.createTopic(replyTopic, partitions: 1)
        try await client.createTopic(directReplyTopic, partitions: 1)

        let caller = try await STOMPClient.connect(stompConfiguration)
        let service = try await STOMPClient.connect(stompConfiguration)
        let bridgeQueue = try await STOMPClient.connect(stompConfiguration)
        let requestQueue = "/queue/ferry.bench.rr.\(run)"
        let directQueue = "/queue/ferry.bench.rr.direct.\(run)"
        let replyQueue = "/queue/ferry.bench.rr.reply.\(run)"

        var configuration = RequestReplyConfiguration(
            name: "bench", requests: stompURL + requestQueue, kafka: kafkaURL, requestTopic: requestTopic,
            replyTopic: replyTopic, deadLetterQueue: requestQueue + ".DLQ")
        configuration.timeout = .seconds(30)
        configuration.replyFetchWait = fetchWait
        let router = try RequestReplyRouter(configuration: configuration, queue: bridgeQueue, isSTOMP: true, client: client)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await router.run() } catch is CancellationError {
                } catch {
                    FileHandle.standardError.write(Data("request-reply: the bridge failed: \(error)\n".utf8))
                    throw error
                }
            }
            group.addTask {
                // The modern service has its own connection, as it would in its own process.
                let responderClient = try KafkaClient(configuration: KafkaClientConfiguration(url: kafkaURL))
                defer { responderClient.close() }
                do { try await kafkaResponder(client: responderClient, topic: requestTopic, partitions: 1) } catch {
                    if Task.isCancelled { return }
                    FileHandle.standardError.write(Data("request-reply: the Kafka responder failed: \(error)\n".utf8))
                    throw error
                }
            }
            group.addTask {
                // The legacy service of path 1: echo each request to its reply-to.
                while !Task.isCancelled {
                    guard let request = try await service.receive(from: directQueue, timeout: .milliseconds(200)) else { continue }
                    try await service.reply(to: request, with: QueueMessage(body: request.message.body, isPersistent: persistent))
                    try await service.acknowledge(request)
                }
            }
            try await Task.sleep(for: .milliseconds(500))  // the responder's and the router's consumers at the log end

            func stompRound(to queue: String, count: Int) async throws -> Distribution {
                var latencies: [Double] = []
                latencies.reserveCapacity(count)
                let cpu = cpuSeconds()
                for index in 0..<count {
                    var message = QueueMessage(body: body, contentType: "application/json", isPersistent: persistent)
                    message.replyTo = replyQueue
                    message.correlationID = "b-\(index)"
                    let start = ContinuousClock.now
                    try await caller.send(message, to: queue)
                    guard let reply = try await caller.receive(from: replyQueue, timeout: .seconds(30)) else {
                        throw STOMPError.connectionLost(reason: "benchmark: no reply to request \(index)")
                    }
                    latencies.append(seconds(ContinuousClock.now - start) * 1000)
                    guard reply.message.correlationID == "b-\(index)" else {
                        throw STOMPError.connectionLost(reason: "benchmark: reply \(reply.message.correlationID ?? "-") for request \(index)")
                    }
                    try await caller.acknowledge(reply)
                }
                return Distribution(name: queue == directQueue ? "STOMP direct" : "through Ferry", milliseconds: latencies, cpuSeconds: cpuSeconds() - cpu)
            }

            let requesterClient = try KafkaClient(configuration: KafkaClientConfiguration(url: kafkaURL))
            defer { requesterClient.close() }
            func kafkaRound(count: Int) async throws -> Distribution {
                let client = requesterClient
                let producer = try KafkaProducer(client: client, configuration: { var c = KafkaProducerConfiguration(); c.linger = .zero; return c }())
                var fetch = KafkaConsumerConfiguration()
                fetch.maximumWait = fetchWait
                let start = try await KafkaConsumer(client: client, assignment: []).resolve(.latest, topic: directReplyTopic, partition: 0)
                var replies = KafkaConsumer(client: client, assignment: [(directReplyTopic, 0, .offset(start))], configuration: fetch).makeAsyncIterator()
                var latencies: [Double] = []
                let cpu = cpuSeconds()
                for index in 0..<count {
                    let id = Array("k-\(index)".utf8)
                    let record = StreamRecord(
                        key: nil, value: body,
                        headers: [
                            RecordHeader(name: "kafka_correlationId", value: id),
                            RecordHeader(name: "kafka_replyTopic", text: directReplyTopic),
                            RecordHeader(name: "kafka_replyPartition", value: [0, 0, 0, 0]),
                        ], timestamp: 0)
                    let begin = ContinuousClock.now
                    _ = try await producer.send(record, topic: requestTopic, partition: 0)
                    guard let reply = try await replies.next(), header(reply.record, "kafka_correlationId")?.value == id else {
                        throw KafkaError.invalid(context: "benchmark", detail: "wrong or no reply to request \(index)")
                    }
                    latencies.append(seconds(ContinuousClock.now - begin) * 1000)
                }
                await producer.close()
                return Distribution(name: "Kafka direct", milliseconds: latencies, cpuSeconds: cpuSeconds() - cpu)
            }

            // Warm-up of every path (not measured), then the three measured rounds.
            FileHandle.standardError.write(Data("request-reply: warming up\n".utf8))
            _ = try await stompRound(to: directQueue, count: max(50, requests / 10))
            FileHandle.standardError.write(Data("request-reply: STOMP path warm\n".utf8))
            _ = try await kafkaRound(count: max(50, requests / 10))
            FileHandle.standardError.write(Data("request-reply: Kafka path warm\n".utf8))
            _ = try await stompRound(to: requestQueue, count: max(50, requests / 10))
            FileHandle.standardError.write(Data("request-reply: Ferry path warm; measuring\n".utf8))
            var results: [Distribution] = []
            for round in 0..<3 {
                switch round {
                case 0: results.append(try await stompRound(to: directQueue, count: requests))
                case 1: results.append(try await kafkaRound(count: requests))
                default:
                    let requestHeld = router.latencies.requestHeld[.modern]!
                    let replyHeld = router.latencies.replyHeld[.modern]!
                    requestHeld.startSampling(capacity: requests)
                    replyHeld.startSampling(capacity: requests)
                    results.append(try await stompRound(to: requestQueue, count: requests))
                    // The bridge observes a reply's held time after the queue confirmed the send, which can be after
                    // the caller already has the reply: wait (bounded) for the last observation.
                    for _ in 0..<100 where replyHeld.samplesNanoseconds.count < requests {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    let requestSamples = requestHeld.samplesNanoseconds.map { Double($0) / 1e6 }
                    let replySamples = replyHeld.samplesNanoseconds.map { Double($0) / 1e6 }
                    let paired = min(requestSamples.count, replySamples.count)
                    guard paired == requests else {
                        throw KafkaError.invalid(context: "benchmark", detail: "\(requestSamples.count) request and \(replySamples.count) reply held samples for \(requests) requests")
                    }
                    results.append(Distribution(
                        name: "Ferry-held", milliseconds: (0..<paired).map { requestSamples[$0] + replySamples[$0] }, cpuSeconds: .nan,
                        isInsidePath: true))
                    results.append(Distribution(name: " request held", milliseconds: requestSamples, cpuSeconds: .nan, isInsidePath: true))
                    results.append(Distribution(name: " reply held", milliseconds: replySamples, cpuSeconds: .nan, isInsidePath: true))
                }
                FileHandle.standardError.write(Data("request-reply: \(results[round].name) measured\n".utf8))
            }
            router.requestStop()
            try await Task.sleep(for: .milliseconds(100))  // the bridge ends its run by itself (nothing pending)
            group.cancelAll()
            try? await group.waitForAll()
            try? await caller.close()
            try? await service.close()
            try? await bridgeQueue.close()
            client.close()
            return results
        }
    }
}

extension RequestReplyBenchmark {
    /// Prints the table of `results` (as ``run(stompURL:kafkaURL:requests:size:persistent:)`` returns them).
    static func report(_ results: [Distribution], requests: Int, persistent: Bool, stompURL: String, kafkaURL: String) {
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        print("Request-reply latency, release, \(requests) sequential 256-byte requests per path, one outstanding at a time, "
            + (persistent ? "persistent" : "non-persistent") + " STOMP sends")
        print("(ActiveMQ \(stompURL), Kafka \(kafkaURL)); load average \(String(format: "%.2f %.2f %.2f", load[0], load[1], load[2])))")
        print("path              p50 ms    p99 ms   p999 ms   process CPU per request")
        for d in results {
            let cpu = d.isInsidePath ? "(inside through Ferry)" : String(format: "%.0f µs", 1e6 * d.cpuSeconds / Double(d.milliseconds.count))
            print(String(format: "%-15@ %8.2f  %8.2f  %8.2f   ", d.name, d.quantile(0.5), d.quantile(0.99), d.quantile(0.999)) + cpu)
        }
        let (stomp, kafka, ferry) = (results[0], results[1], results[2])
        print(String(
            format: "Ferry adds, measured (Ferry-held per request): p50 %.2f ms, p99 %.2f ms, p999 %.2f ms (goal p99 ≤ 10 ms)",
            results[3].quantile(0.5), results[3].quantile(0.99), results[3].quantile(0.999)))
        print(String(
            format: "For comparison only, through Ferry − STOMP direct − Kafka direct per percentile: p50 %.2f ms, p99 %.2f ms, p999 %.2f ms",
            ferry.quantile(0.5) - stomp.quantile(0.5) - kafka.quantile(0.5),
            ferry.quantile(0.99) - stomp.quantile(0.99) - kafka.quantile(0.99),
            ferry.quantile(0.999) - stomp.quantile(0.999) - kafka.quantile(0.999)))
    }
}
