import Foundation
import LegacyQueue
import Testing

@Suite("Spool-directory queue")
struct SpoolDirectoryQueueTests {
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "ferry-spool-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func files(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    @Test func sendReceiveAcknowledgeInOrderWithEveryAttribute() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let queue = try SpoolDirectoryQueue(root: root)
        let first = QueueMessage(
            body: Array("one\nline:two".utf8), bodyKind: .text, contentType: "text/plain", correlationID: "c:1",
            replyTo: "REPLIES", priority: 6, groupID: "g1", isPersistent: true, timeToLive: .seconds(30),
            properties: ["x-key": "a\\b\nc", "colon:name": "v"])
        try await queue.send(first, to: "IN")
        try await queue.send([QueueMessage(text: "two"), QueueMessage(body: [0, 255, 10], bodyKind: .bytes)], to: "IN")
        #expect(Self.files("\(root)/IN/new") == ["00000000000000000001.0", "00000000000000000002.0", "00000000000000000003.0"])

        let received = try #require(try await queue.receive(from: "IN", timeout: .zero))
        #expect(received.message.body == first.body)
        #expect(received.message.contentType == "text/plain")
        #expect(received.message.correlationID == "c:1")
        #expect(received.message.replyTo == "REPLIES")
        #expect(received.message.priority == 6)
        #expect(received.message.groupID == "g1")
        #expect(received.message.properties == ["x-key": "a\\b\nc", "colon:name": "v"])
        #expect(received.messageID == "1")
        #expect(received.retryCount == 0)
        #expect(!received.isRedelivered)
        let sent = try #require(received.timestampMilliseconds)
        #expect(received.expiresAtMilliseconds == sent + 30_000)
        #expect(Self.files("\(root)/IN/cur").count == 1)
        #expect(Self.files("\(root)/IN/cur").first?.hasPrefix("00000000000000000001.0.\(getpid())-") == true)
        try await queue.acknowledge(received)
        #expect(Self.files("\(root)/IN/cur") == [])
        await #expect(throws: SpoolError.self) { try await queue.acknowledge(received) }

        let second = try #require(try await queue.receive(from: "IN", timeout: .zero))
        #expect(second.message.body == Array("two".utf8))
        let third = try #require(try await queue.receive(from: "IN", timeout: .zero))
        #expect(third.message.body == [0, 255, 10])
        #expect(third.message.bodyKind == .bytes)
        #expect(try await queue.receive(from: "IN", timeout: .milliseconds(30)) == nil)
    }

    @Test func rejectedMessagesComeBackWithACountThenGoToDeadWithTheReason() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let queue = try SpoolDirectoryQueue(root: root, configuration: SpoolConfiguration(maxRetries: 2))
        try await queue.send(QueueMessage(text: "poison"), to: "IN")
        var deliveries = 0
        while let message = try await queue.receive(from: "IN", timeout: .zero) {
            #expect(message.retryCount == deliveries)
            #expect(message.isRedelivered == (deliveries > 0))
            deliveries += 1
            try await queue.reject(message, reason: "mapping failed: field 3")
        }
        #expect(deliveries == 3)
        let dead = try queue.browseNow("IN", limit: 10, dead: true)
        #expect(dead.count == 1)
        #expect(dead.first?.message.body == Array("poison".utf8))
        #expect(dead.first?.message.properties[FerryHeader.deadLetterReason] == "mapping failed: field 3")
        #expect(dead.first?.message.properties[FerryHeader.retryCount] == "2")
        #expect(try queue.depth(of: "IN") == (0, 0, 1))
    }

    @Test func browseDoesNotConsumeAndReplyGoesToTheReplyToQueue() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let queue = try SpoolDirectoryQueue(root: root)
        var request = QueueMessage(text: "ping")
        request.replyTo = "REPLIES"
        try await queue.send([request, QueueMessage(text: "b")], to: "REQ")
        let browsed = try await queue.browse("REQ", limit: 5)
        #expect(browsed.map(\.message.body) == [Array("ping".utf8), Array("b".utf8)])
        #expect(try await queue.browse("REQ", limit: 1).count == 1)
        let received = try #require(try await queue.receive(from: "REQ", timeout: .zero))
        try await queue.reply(to: received, with: QueueMessage(text: "pong"))
        try await queue.acknowledge(received)
        let reply = try #require(try await queue.receive(from: "REPLIES", timeout: .zero))
        #expect(reply.message.body == Array("pong".utf8))
        #expect(reply.message.correlationID == received.messageID)
        await #expect(throws: LegacyQueueError.self) {
            try await queue.reply(to: reply, with: QueueMessage(text: "x"))
        }
    }

    @Test func filesLeftInCurByADeadProcessAreRecoveredOnOpen() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let writer = try SpoolDirectoryQueue(root: root)
        try await writer.send([QueueMessage(text: "a"), QueueMessage(text: "b"), QueueMessage(text: "c")], to: "IN")
        // Simulate a crash: a consumer (a process that has ended) claimed 1 and 2, and a sender died mid-write.
        let deadPID = Self.endedProcessID()
        try FileManager.default.moveItem(
            atPath: "\(root)/IN/new/00000000000000000001.0", toPath: "\(root)/IN/cur/00000000000000000001.0.\(deadPID)-x")
        try FileManager.default.moveItem(
            atPath: "\(root)/IN/new/00000000000000000002.0", toPath: "\(root)/IN/cur/00000000000000000002.0.\(deadPID)-x")
        try Data("half".utf8).write(to: URL(fileURLWithPath: "\(root)/IN/tmp/00000000000000000009.\(deadPID).tmp"))
        // A claim by a live process (this one's parent) is left alone.
        try FileManager.default.moveItem(
            atPath: "\(root)/IN/new/00000000000000000003.0", toPath: "\(root)/IN/cur/00000000000000000003.0.\(getppid())-y")

        let reopened = try SpoolDirectoryQueue(root: root)
        let first = try #require(try await reopened.receive(from: "IN", timeout: .zero))
        let second = try #require(try await reopened.receive(from: "IN", timeout: .zero))
        #expect(first.message.body == Array("a".utf8))
        #expect(second.message.body == Array("b".utf8))
        #expect(first.retryCount == 1 && first.isRedelivered)
        #expect(try await reopened.receive(from: "IN", timeout: .zero) == nil)
        #expect(Self.files("\(root)/IN/tmp") == [])
        #expect(Self.files("\(root)/IN/cur").contains("00000000000000000003.0.\(getppid())-y"))
    }

    @Test func concurrentConsumersClaimEachMessageExactlyOnce() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let configuration = SpoolConfiguration(syncsToDisk: false)
        let producer = try SpoolDirectoryQueue(root: root, configuration: configuration)
        try await producer.send((0..<400).map { QueueMessage(text: "m\($0)") }, to: "IN")
        // Separate instances behave like separate processes (each has its own scan list).
        let consumers = try (0..<4).map { _ in try SpoolDirectoryQueue(root: root, configuration: configuration) }
        let bodies = try await withThrowingTaskGroup(of: [String].self) { group in
            for consumer in consumers {
                group.addTask {
                    var seen: [String] = []
                    while let message = try await consumer.receive(from: "IN", timeout: .milliseconds(50)) {
                        seen.append(String(decoding: message.message.body, as: UTF8.self))
                        try await consumer.acknowledge(message)
                    }
                    return seen
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(bodies.count == 400)
        #expect(Set(bodies).count == 400)
    }

    @Test func damagedFilesAreMovedToDeadAndInvalidNamesRefused() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let queue = try SpoolDirectoryQueue(root: root)
        try await queue.send(QueueMessage(text: "good"), to: "IN")
        try Data("not a spool file".utf8).write(to: URL(fileURLWithPath: "\(root)/IN/new/00000000000000000000.0"))
        let message = try #require(try await queue.receive(from: "IN", timeout: .zero))
        #expect(message.message.body == Array("good".utf8))
        #expect(Self.files("\(root)/IN/dead") == ["00000000000000000000.0"])
        await #expect(throws: SpoolError.invalidQueueName("../x")) { try await queue.send(QueueMessage(text: "x"), to: "../x") }
    }

    /// The id of a process that has ended (a child that exited and was reaped).
    static func endedProcessID() -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try? process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}
