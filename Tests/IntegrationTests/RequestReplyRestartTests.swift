import Bridge
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Testing

/// Inbound request-reply across a restart on the real brokers of `scripts/test`: a router with a correlation journal
/// forwards requests, is cancelled without drain, the replies are produced while it is down, and a new router with
/// the same instance id answers every caller.
@Suite("Request-reply restart with the correlation journal (real brokers from scripts/test)", .serialized)
struct RequestReplyRestartTests {
    @Test("requests pending at an abrupt stop are answered by the restarted instance, each caller with its own reply")
    func restartAnswersPendingCallers() async throws {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let runID = String(UUID().uuidString.prefix(8)).lowercased()
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: "kafka://\(kafka.host):\(kafka.port)"))
        let requestTopic = "rr-restart-requests-\(runID)"
        let replyTopic = "rr-restart-replies-\(runID)"
        try await client.createTopic(requestTopic, partitions: 1)
        try await client.createTopic(replyTopic, partitions: 2)
        var configuration = RequestReplyConfiguration(
            name: "restart-\(runID)", requests: "stomp://\(stomp.host):\(stomp.port)/queue/ferry.test.rrr.\(runID)",
            kafka: "kafka://\(kafka.host):\(kafka.port)", requestTopic: requestTopic, replyTopic: replyTopic,
            deadLetterQueue: "/queue/ferry.test.rrr.\(runID).DLQ", routes: RouteTable(defaultRoute: .modern))
        configuration.replyPartition = 1
        configuration.timeout = .seconds(60)
        configuration.keyProperty = "memberId"
        configuration.instanceID = "it-a"
        configuration.journalDirectory = try makeJournalDirectory()
        configuration.lagRefreshInterval = .milliseconds(50)

        // First instance: forwards 5 requests, then dies (cancelled, no drain, journal closed without a last flush).
        let firstQueue = try await STOMPClient.connect(try STOMPQueueTests.configuration())
        let first = try RequestReplyRouter(configuration: configuration, queue: firstQueue, isSTOMP: true, client: client)
        let firstRun = Task { try await first.run() }
        let caller = try await STOMPClient.connect(try STOMPQueueTests.configuration())
        let replyQueue = "/queue/ferry.test.rrr.\(runID).caller"
        let callers = (1...5).map { "caller-\($0)" }
        for correlation in callers {
            var request = QueueMessage(text: #"{"from":"\#(correlation)"}"#, properties: ["memberId": correlation])
            request.replyTo = replyQueue
            request.correlationID = correlation
            try await caller.send(request, to: "/queue/ferry.test.rrr.\(runID)")
        }
        let forwarded = ContinuousClock.now + .seconds(20)
        while first.statistics.routedModern < 5 && ContinuousClock.now < forwarded { try await Task.sleep(for: .milliseconds(20)) }
        #expect(first.statistics.routedModern == 5)
        try await Task.sleep(for: .milliseconds(200))  // ten flush intervals
        firstRun.cancel()
        _ = await firstRun.result
        try first.journal?.close()
        try await firstQueue.close()

        // The service answers while no instance runs: every request record's correlation, to partition 1.
        let consumer = KafkaConsumer(client: client, assignment: [(requestTopic, 0, .earliest)])
        var iterator = consumer.makeAsyncIterator()
        let producer = try KafkaProducer(client: client)
        for _ in callers {
            let stored = try #require(try await iterator.next())
            let correlation = try #require(stored.record.headers.first { $0.name == "kafka_correlationId" })
            let key = String(decoding: stored.record.key ?? [], as: UTF8.self)
            _ = try await producer.send(
                StreamRecord(key: nil, value: Array(#"{"for":"\#(key)"}"#.utf8), headers: [correlation], timestamp: 0),
                topic: replyTopic, partition: 1)
        }

        // Second instance, same id: replays the journal, resumes the reply partition, answers every caller once.
        let secondQueue = try await STOMPClient.connect(try STOMPQueueTests.configuration())
        let second = try RequestReplyRouter(configuration: configuration, queue: secondQueue, isSTOMP: true, client: client)
        let secondRun = Task { try await second.run() }
        var answered: [String: Int] = [:]
        for _ in callers {
            let reply = try #require(try await caller.receive(from: replyQueue, timeout: .seconds(20)), "\(second.statistics)")
            let correlation = try #require(reply.message.correlationID)
            #expect(reply.message.body == Array(#"{"for":"\#(correlation)"}"#.utf8))
            answered[correlation, default: 0] += 1
            try await caller.acknowledge(reply)
        }
        #expect(answered == Dictionary(uniqueKeysWithValues: callers.map { ($0, 1) }))
        #expect(try await caller.receive(from: replyQueue, timeout: .milliseconds(500)) == nil)
        #expect(second.statistics.recoveredRequests == 5 && second.statistics.repliesDelivered == 5)
        #expect(second.statistics.unknownReplies == 0 && second.statistics.lateReplies == 0)
        // The reply partition's lag: the 5 replies produced while no instance ran are handled, none left behind.
        let drained = PartitionLag(topic: replyTopic, partition: 1, logEnd: 5, committed: 5)
        let lagDeadline = ContinuousClock.now + .seconds(10)
        while second.consumerLag != [drained] && ContinuousClock.now < lagDeadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(second.consumerLag == [drained])
        let daemon = BridgeDaemon(configuration: BridgeConfiguration(pipelines: []), pipelines: [], routers: [second])
        #expect(daemon.prometheusMetrics().contains(
            "ferry_consumer_lag{pipeline=\"restart-\(runID)\",topic=\"\(replyTopic)\",partition=\"1\"} 0\n"))
        second.requestStop()
        try await secondRun.value
        await producer.close()
        try await secondQueue.close()
        try await caller.close()
        client.close()
    }

    func makeJournalDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "ferry-rr-journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
