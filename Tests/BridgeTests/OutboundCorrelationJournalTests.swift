import Bridge
import Events
import Foundation
import LegacyQueue
import StreamLog
import Testing

/// Outbound request-reply across a crash: the route's pending requests kept in an ``OutboundCorrelationJournal``
/// on a real LocalLog, the route task cancelled without a drain, a new route with the same instance replaying it.
@Suite("Outbound request-reply: pending requests survive a restart (journal on the embedded log)")
struct OutboundCorrelationJournalTests {
    typealias Rig = OutboundRequestReplyTests.Rig

    /// The journal of instance `instance` under `root`, in a LocalLog of its own (as the daemon opens it).
    static func journal(_ rig: Rig, instance: String = "a") throws -> (OutboundCorrelationJournal, LocalLog) {
        let log = try LocalLog(LocalLogConfiguration(directory: "\(rig.root)/journal/outbound.\(instance)", fsync: .always))
        return (try OutboundCorrelationJournal(log: log, route: "outbound", instance: instance), log)
    }

    /// The legacy service's answer to `request`: a CloudEvent whose data says which request (`answers`).
    static func reply(to request: ReceivedMessage) throws -> (QueueMessage, Int) {
        let asked = try CloudEventJSONFormat.decode(request.message.body)
        let seq = try #require(asked.id.split(separator: "-").last.flatMap { Int($0) })
        var reply = QueueMessage(text: #"{"specversion":"1.0","id":"reply-\#(seq)","source":"/legacy","type":"org.example.reply","datacontenttype":"application/json","data":{"answers":\#(seq)}}"#)
        reply.correlationID = request.message.correlationID
        return (reply, seq)
    }

    /// Starts a route, lets it send `requests` requests to LEGACY and commit them, then cancels it (a crash: no
    /// drain; the journal's log is closed, as the process's exit would release it). Returns the requests sent.
    static func sendThenCrash(_ rig: Rig, requests: Int, timeout: Duration) async throws -> [ReceivedMessage] {
        let (journal, log) = try journal(rig)
        let bridge = try rig.bridge(timeout: timeout, journal: journal)
        let task = Task { try await bridge.run() }
        defer { task.cancel() }
        let sent = try await rig.take(requests, from: "LEGACY")
        #expect(try await eventually { bridge.statistics.committed == requests })
        task.cancel()
        _ = try? await task.value
        try log.close()
        return sent
    }

    @Test("requests sent before a crash are answered after the restart: each reply on its requester's partition with its correlation id")
    func repliesAfterARestartReachTheirRequesters() async throws {
        let rig = try await Rig()
        for n in 0..<6 { try await rig.publishRequest(n) }
        let sent = try await Self.sendThenCrash(rig, requests: 6, timeout: .seconds(60))
        #expect(sent.count == 6)
        // The legacy service answers while no bridge runs.
        for request in sent {
            let (reply, _) = try Self.reply(to: request)
            try await rig.spool.send(reply, to: try #require(request.message.replyTo))
        }

        let (journal, log) = try Self.journal(rig)
        #expect(try journal.replay().count == 6)
        let restarted = try rig.bridge(journal: journal)
        let task = Task { try await restarted.run() }
        defer { task.cancel() }
        #expect(try await eventually { restarted.statistics.repliesDelivered == 6 })
        restarted.requestStop()
        try await task.value
        #expect(restarted.statistics.recoveredRequests == 6)
        #expect(restarted.statistics.unknownReplies == 0 && restarted.statistics.lateReplies == 0)
        #expect(restarted.statistics.timedOut == 0)
        #expect(try journal.replay().isEmpty, "every request closed")
        try log.close()

        let replies = try rig.records(of: "replies")
        #expect(replies.count == 6)
        var answered: Set<Int> = []
        for stored in replies {
            let event = try CloudEventKafkaBinding.decode(stored.record)
            let data = try JSONValue(parsing: try CloudEventJSONFormat.encode(event))["data"]
            let n = try #require(data?["answers"]?.int64Value.map { Int($0) })
            #expect(OutboundRequestReplyTests.header(stored, "kafka_correlationId") == Rig.correlation(n))
            #expect(stored.partition == n % 3)
            #expect(event.causationID == "request-\(n)")
            answered.insert(n)
        }
        #expect(answered == Set(0..<6))
        #expect(try rig.spool.receiveNow(from: "DLQ") == nil)
    }

    @Test("without the journal the same replies are unknown after the restart and dead-lettered")
    func withoutTheJournalRepliesAreUnknown() async throws {
        let rig = try await Rig()
        for n in 0..<3 { try await rig.publishRequest(n) }
        let first = try rig.bridge()
        let task = Task { try await first.run() }
        defer { task.cancel() }
        let sent = try await rig.take(3, from: "LEGACY")
        #expect(try await eventually { first.statistics.committed == 3 })
        task.cancel()
        _ = try? await task.value
        for request in sent { try await rig.spool.send(try Self.reply(to: request).0, to: "REPLIES") }
        let restarted = try rig.bridge()
        let second = Task { try await restarted.run() }
        defer { second.cancel() }
        #expect(try await eventually { restarted.statistics.unknownReplies == 3 })
        restarted.requestStop()
        try await second.value
        #expect(try rig.records(of: "replies").isEmpty)
    }

    @Test("a request whose deadline passed while the bridge was down gets the error reply at once; its late reply is counted and dead-lettered")
    func pastDeadlineTimesOutAndTheLateReplyIsDeadLettered() async throws {
        let rig = try await Rig()
        try await rig.publishRequest(7)
        // A deadline long enough that the first route cannot reach it before it is cancelled, even on a loaded machine.
        let sent = try await Self.sendThenCrash(rig, requests: 1, timeout: .seconds(3))
        let request = try #require(sent.first)
        #expect(try rig.records(of: "replies").isEmpty, "the first route timed the request out before the crash")
        try await Task.sleep(for: .milliseconds(3300))  // the deadline passes while no bridge runs

        let (journal, log) = try Self.journal(rig)
        let restarted = try rig.bridge(timeout: .seconds(3), journal: journal)
        let task = Task { try await restarted.run() }
        defer { task.cancel() }
        #expect(try await eventually { restarted.statistics.timedOut == 1 })
        let errorReply = try #require(try rig.records(of: "replies").first)
        #expect(errorReply.partition == 7 % 3)
        #expect(OutboundRequestReplyTests.header(errorReply, "kafka_correlationId") == Rig.correlation(7))
        let event = try CloudEventKafkaBinding.decode(errorReply.record)
        #expect(event.type == "org.example.request.timed-out.v1")
        #expect(event.causationID == "request-7")

        let (reply, _) = try Self.reply(to: request)
        try await rig.spool.send(reply, to: "REPLIES")
        #expect(try await eventually { restarted.statistics.lateReplies == 1 })
        restarted.requestStop()
        try await task.value
        #expect(restarted.statistics.recoveredRequests == 1 && restarted.statistics.unknownReplies == 0)
        #expect(try rig.records(of: "replies").count == 1, "the late reply never reaches the requester")
        let letter = try #require(try rig.spool.receiveNow(from: "DLQ"))
        #expect(letter.message.properties[DeadLetterHeader.errorClass] == "LateReply")
        #expect(letter.message.properties[DeadLetterHeader.stage] == "reply")
        #expect(letter.message.correlationID == request.message.correlationID)
        try log.close()
    }

    @Test("configuration: instanceId gives the route a reply queue of its own beside the legacy queue; journal.directory")
    func instanceAndJournalConfiguration() throws {
        let json = #"""
            {"pipelines": [], "outboundRequestReply": [{
              "name": "claim-status", "requests": {"log": "kafka://broker:9092", "topic": "claim-status.requests"},
              "legacyQueue": {"queue": "stomp://broker:61613/queue/CLAIMS.STATUS.REQUEST"},
              "deadLetter": {"queue": "stomp://broker:61613/queue/FERRY.DLQ"},
              "instanceId": "bridge-b", "journal": {"directory": "/var/lib/ferry/outbound"}}]}
            """#
        let route = try #require(try BridgeConfiguration(json: Array(json.utf8), file: "c.json", environment: [:]).outboundRequestReply.first)
        #expect(route.replyQueue == "stomp://broker:61613/queue/FERRY.REPLIES.claim-status.bridge-b")
        #expect(route.effectiveInstanceID == "bridge-b")
        #expect(route.journalDirectory == "/var/lib/ferry/outbound")
        let withoutInstance = json.replacingOccurrences(of: #""instanceId": "bridge-b", "#, with: "")
        #expect(throws: BridgeError.invalidConfiguration(
            file: "c.json", path: "$.outboundRequestReply[0].replyQueue", reason: "required (or an instanceId)")) {
            try BridgeConfiguration(json: Array(withoutInstance.utf8), file: "c.json", environment: [:])
        }
        let slash = json.replacingOccurrences(of: #""bridge-b""#, with: #""a/b""#)
        #expect(throws: BridgeError.invalidConfiguration(
            file: "c.json", path: "$.outboundRequestReply[0].instanceId", reason: "expected a non-empty id without '/'")) {
            try BridgeConfiguration(json: Array(slash.utf8), file: "c.json", environment: [:])
        }
    }
}
