import Bridge
import Foundation
import LegacyQueue
import MQ
import StreamLog
import Testing

@Suite("Request-reply correlation journal")
struct CorrelationJournalTests {
    func caller(_ destination: String, correlation: String, descriptor: MQMD? = nil) -> RequestCaller {
        // A JMS request from the spool queue, as the router would take it.
        var message = QueueMessage(text: "{}")
        message.replyTo = destination
        message.correlationID = correlation
        var configuration = RequestReplyConfiguration(
            name: "claim-status", requests: "spool:/tmp/q/REQ", kafka: "kafka://k:9092", requestTopic: "a",
            replyTopic: "b", deadLetterQueue: "DLQ")
        configuration.format = .jms
        let request = try! InboundRequest(
            ReceivedMessage(message: message, messageID: "m-\(correlation)", destination: "REQ", deliveryToken: DeliveryToken(value: correlation)),
            configuration: configuration, isSTOMP: false)
        var result = RequestCaller(request: request, receivedAt: .now)
        result.request.caller.replyDescriptor = descriptor
        return result
    }

    @Test("an instance stopped without drain is rebuilt by the next one with the same id: replies reach the right callers")
    func recoversAfterAbruptStop() throws {
        let directory = try makeTemporaryDirectory()
        var descriptor = MQMD()
        descriptor.correlationID = try #require(MQIdentifier(paddedText: "CALLER-B-MSGID"))
        let callers = [
            ("a1-0001", caller("REPLY.A", correlation: "corr-A")),
            ("a1-0002", caller("REPLY.B", correlation: "corr-B", descriptor: descriptor)),
            ("a1-0003", caller("REPLY.C", correlation: "corr-C")),
            ("a1-0004", caller("REPLY.D", correlation: "corr-D")),
        ]
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: directory))
            let journal = try CorrelationJournal(log: log, endpoint: "claim-status", instance: "host-1")
            let table = PendingCorrelations<RequestCaller>()
            for (id, caller) in callers.prefix(3) {
                let deadline = ContinuousClock.now + .seconds(30)
                table.register(id, caller: caller, route: .modern, deadline: deadline)
                journal.recordOpen(JournaledCorrelation(id: id, caller: caller, route: .modern, deadline: deadline))
            }
            // a1-0003 was answered before the stop.
            guard case .answer = table.complete("a1-0003", from: .modern, reply: .init(bytes: [1])) else {
                Issue.record("a1-0003 not answered"); return
            }
            journal.recordClose("a1-0003")
            journal.recordReplyPosition(42)
            try journal.flush()
            // a1-0004 is forwarded in the last flush interval: the crash loses its open record.
            journal.recordOpen(JournaledCorrelation(id: "a1-0004", caller: callers[3].1, route: .modern, deadline: .now + .seconds(30)))
            #expect(journal.buffered == 1)
            try log.close()  // the process dies: no drain, no final flush
        }
        let log = try LocalLog(LocalLogConfiguration(directory: directory))
        let journal = try CorrelationJournal(log: log, endpoint: "claim-status", instance: "host-1")
        let replay = try journal.replay()
        #expect(replay.open.map(\.id) == ["a1-0001", "a1-0002"])
        #expect(replay.replyPosition == 42)
        let table = PendingCorrelations<RequestCaller>()
        for entry in replay.open {
            table.register(entry.id, caller: try entry.caller(), route: entry.resolvedRoute, deadline: entry.deadline)
        }
        let encoder = ReplyEncoder(format: .jms, mapping: nil)
        for (id, expected) in callers.prefix(2) {
            let reply = PendingCorrelations<RequestCaller>.ReplyBody(bytes: Array("reply-\(id)".utf8), attributes: ["content-type": "application/json"])
            guard case let .answer(recovered, body, _) = table.complete(id, from: .modern, reply: reply) else {
                Issue.record("\(id) not answered after the restart"); continue
            }
            #expect(recovered.isRecovered)
            #expect(recovered.request.caller == expected.request.caller)
            let message = try encoder.message(answering: recovered.request.caller, with: body, from: .modern)
            #expect(message.correlationID == expected.request.caller.correlationID)
            #expect(message.body == Array("reply-\(id)".utf8))
        }
        #expect(table.complete("a1-0003", from: .modern, reply: .init(bytes: [])).isUnknown)  // answered before
        #expect(table.complete("a1-0004", from: .modern, reply: .init(bytes: [])).isUnknown)  // lost with the crash
        #expect(table.count == 0)
    }

    @Test("entries past their deadline at replay time out at once; their replies are late, not delivered")
    func pastDeadlineAtReplay() throws {
        let directory = try makeTemporaryDirectory()
        let caller = caller("REPLY.A", correlation: "corr-A")
        do {
            let log = try LocalLog(LocalLogConfiguration(directory: directory))
            let journal = try CorrelationJournal(log: log, endpoint: "e", instance: "i")
            journal.recordOpen(JournaledCorrelation(id: "x-1", caller: caller, route: .modern, deadline: .now + .milliseconds(50)))
            journal.recordOpen(JournaledCorrelation(id: "x-2", caller: caller, route: .legacy, deadline: .now + .seconds(60)))
            try journal.flush()
            try log.close()
        }
        try await_(.milliseconds(120))
        let log = try LocalLog(LocalLogConfiguration(directory: directory))
        let replay = try CorrelationJournal(log: log, endpoint: "e", instance: "i").replay()
        let table = PendingCorrelations<RequestCaller>()
        for entry in replay.open {
            table.register(entry.id, caller: try entry.caller(), route: entry.resolvedRoute, deadline: entry.deadline)
        }
        let expired = table.expire(now: .now)
        #expect(expired.map(\.id) == ["x-1"])
        #expect(expired.first?.entry.caller.request.caller.destination == "REPLY.A")
        guard case .late = table.complete("x-1", from: .modern, reply: .init(bytes: [])) else {
            Issue.record("a reply after the replayed deadline is not late"); return
        }
        guard case .answer = table.complete("x-2", from: .legacy, reply: .init(bytes: [])) else {
            Issue.record("the unexpired entry lost its route"); return
        }
    }

    @Test("two instances keep separate journals and reply queues and never see each other's entries")
    func instancesAreSeparate() throws {
        let directory = try makeTemporaryDirectory()
        let log = try LocalLog(LocalLogConfiguration(directory: directory))
        let first = try CorrelationJournal(log: log, endpoint: "claim-status", instance: "host-1")
        let second = try CorrelationJournal(log: log, endpoint: "claim-status", instance: "host-2")
        #expect(first.topic != second.topic)
        first.recordOpen(JournaledCorrelation(id: "a-1", caller: caller("R.A", correlation: "A"), route: .modern, deadline: .now + .seconds(9)))
        second.recordOpen(JournaledCorrelation(id: "b-1", caller: caller("R.B", correlation: "B"), route: .modern, deadline: .now + .seconds(9)))
        try first.flush()
        try second.flush()
        #expect(try first.replay().open.map(\.id) == ["a-1"])
        #expect(try second.replay().open.map(\.id) == ["b-1"])

        func endpoint(_ instance: String) throws -> RequestReplyConfiguration {
            let json = """
                {"requestReply": [{"name": "claim-status", "requests": {"queue": "spool:/tmp/q/REQ"}, "kafka": "kafka://k:9092",
                  "requestTopic": "a", "replyTopic": "b", "deadLetterQueue": "DLQ", "instanceId": "\(instance)",
                  "journal": {"directory": "/var/lib/ferry/journal", "flushIntervalMilliseconds": 5}}]}
                """
            return try #require(try BridgeConfiguration(json: Array(json.utf8), file: "b.json").requestReply.first)
        }
        let one = try endpoint("host-1")
        let two = try endpoint("host-2")
        #expect(one.legacyReplyQueue == "FERRY.REPLIES.claim-status.host-1")
        #expect(two.legacyReplyQueue == "FERRY.REPLIES.claim-status.host-2")
        #expect(one.journalDirectory == "/var/lib/ferry/journal" && one.journalFlushInterval == .milliseconds(5))
        #expect(one.effectiveInstanceID == "host-1")
    }
}

private func await_(_ duration: Duration) throws {
    usleep(UInt32(duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000))
}

extension PendingCorrelations.ReplyAction {
    var isUnknown: Bool {
        if case .unknown = self { return true }
        return false
    }
}
