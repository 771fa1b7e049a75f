#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LegacyQueue
import STOMP
import Synchronization
import Testing

/// The Ferry STOMP client on the real ActiveMQ that `scripts/test` starts, cross-checked with stomp.py.
@Suite("STOMP client on ActiveMQ (real broker from scripts/test)", .serialized)
struct STOMPQueueTests {
    static func configuration() throws -> STOMPConfiguration {
        let broker = try TestEnvironment.current.stompBroker()
        return STOMPConfiguration(
            host: broker.host, port: broker.port, heartBeatSend: .seconds(5), heartBeatReceive: .seconds(10),
            receiptTimeout: .seconds(15), prefetch: 200,
            reconnect: STOMPReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .milliseconds(500)))
    }

    static func uniqueQueue(_ name: String) -> String { "/queue/ferry.test.\(name).\(UUID().uuidString.prefix(8))" }

    /// Runs a stomp.py script with `HOST PORT QUEUE` arguments and returns its standard output.
    static func python(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> String {
        let broker = try TestEnvironment.current.stompBroker()
        let run = try await TestEnvironment.current.python().run(
            script: script, arguments: [broker.host, String(broker.port)] + arguments, timeout: timeout)
        try #require(run.status == 0, "stomp.py script failed: \(run.standardError)")
        return run.standardOutput
    }

    @Test func ferrySendsAndStompPyReceivesEveryHeader() async throws {
        let queue = Self.uniqueQueue("headers")
        let client = try await STOMPClient.connect(try Self.configuration())
        let message = QueueMessage(
            body: Array("claim 8 ☃".utf8), bodyKind: .text, contentType: "text/plain;charset=utf-8",
            correlationID: "corr-1", replyTo: "/queue/ferry.replies", priority: 7, groupID: "member-42",
            timeToLive: .seconds(600), properties: ["x-colon": "a:b", "x-newline": "line1\nline2", "x-backslash": #"c:\d"#])
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        try await client.send(message, to: queue)
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        try await client.close()

        let output = try await Self.python(
            """
            import json, sys, threading, stomp
            host, port, queue = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            got = threading.Event(); frames = []
            class L(stomp.ConnectionListener):
                def on_message(self, frame):
                    frames.append(frame); got.set()
            c = stomp.Connection12([(host, port)]); c.set_listener("", L()); c.connect(wait=True)
            c.subscribe(queue, id="1", ack="client-individual")
            if not got.wait(10): sys.exit("no message")
            f = frames[0]
            c.ack(f.headers["ack"], "1")
            c.disconnect()
            print(json.dumps({"headers": f.headers, "body": f.body if isinstance(f.body, str) else f.body.decode("utf-8")}))
            """, [queue])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let headers = try #require(json["headers"] as? [String: String])
        #expect(json["body"] as? String == "claim 8 ☃")
        #expect(headers["persistent"] == "true")
        #expect(headers["correlation-id"] == "corr-1")
        #expect(headers["reply-to"] == "/queue/ferry.replies")
        #expect(headers["priority"] == "7")
        // JMSXGroupID is sent (it selects the message group), but ActiveMQ 5.17 does not put it on MESSAGE frames.
        #expect(headers["content-type"] == "text/plain;charset=utf-8")
        #expect(headers["x-colon"] == "a:b")
        #expect(headers["x-newline"] == "line1\nline2")
        #expect(headers["x-backslash"] == #"c:\d"#)
        #expect(headers["destination"] == queue)
        #expect(headers["message-id"]?.hasPrefix("ID:") == true)
        let expires = try #require(headers["expires"].flatMap { Int64($0) })
        #expect(expires >= before + 600_000 && expires <= after + 600_000)
        // The JMS message type travels as amq-msg-type (ActiveMQ keeps it and echoes it back).
        #expect(headers["amq-msg-type"] == "text")
        #expect(headers["content-length"] == String(Array("claim 8 ☃".utf8).count))
    }

    @Test func stompPySendsAndFerryReceivesCanonicalAttributes() async throws {
        let queue = Self.uniqueQueue("inbound")
        _ = try await Self.python(
            """
            import sys, stomp
            host, port, queue = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            c = stomp.Connection12([(host, port)], auto_content_length=False); c.connect(wait=True)
            c.send(queue, "text from python", headers={"persistent": "true", "correlation-id": "py-7",
                   "reply-to": "/queue/py.replies", "priority": "2", "JMSXGroupID": "g-py", "x-key": "k:v\\\\n"},
                   receipt="r1")
            c.send(queue, b"\\x00\\x01bin", headers={"persistent": "true", "content-length": "5", "amq-msg-type": "bytes"},
                   content_type="application/octet-stream")
            c.disconnect(receipt="bye")
            """, [queue])
        let client = try await STOMPClient.connect(try Self.configuration())
        let first = try #require(try await client.receive(from: queue, timeout: .seconds(10)))
        #expect(first.message.body == Array("text from python".utf8))
        #expect(first.message.bodyKind == .text)
        #expect(first.message.correlationID == "py-7")
        #expect(first.message.replyTo == "/queue/py.replies")
        #expect(first.message.priority == 2)
        #expect(first.message.isPersistent)
        #expect(first.message.properties["x-key"] == "k:v\\n")
        #expect(first.messageID.hasPrefix("ID:"))
        #expect(first.destination == queue)
        #expect(!first.isRedelivered)
        try await client.acknowledge(first)
        await #expect(throws: STOMPError.self) { try await client.acknowledge(first) }  // no double ACK
        let second = try #require(try await client.receive(from: queue, timeout: .seconds(10)))
        #expect(second.message.body == [0, 1] + Array("bin".utf8))
        #expect(second.message.bodyKind == .bytes)
        #expect(second.message.contentType == "application/octet-stream")
        try await client.acknowledge(second)
        #expect(try await client.receive(from: queue, timeout: .milliseconds(300)) == nil)
        try await client.close()
    }

    @Test func browseShowsMessagesWithoutConsumingThem() async throws {
        let queue = Self.uniqueQueue("browse")
        let client = try await STOMPClient.connect(try Self.configuration())
        try await client.send((1...3).map { QueueMessage(text: "m\($0)") }, to: queue)
        let browsed = try await client.browse(queue, limit: 10)
        #expect(browsed.map { String(decoding: $0.message.body, as: UTF8.self) } == ["m1", "m2", "m3"])
        #expect(try await client.browse(queue, limit: 2).count == 2)
        for expected in ["m1", "m2", "m3"] {
            let message = try #require(try await client.receive(from: queue, timeout: .seconds(5)))
            #expect(String(decoding: message.message.body, as: UTF8.self) == expected)
            try await client.acknowledge(message)
        }
        try await client.close()
    }

    /// As many messages as the prefetch (the broker sends no more while they are unacknowledged), which the client
    /// buffers while the test receives them one by one: every message comes out
    /// once and in order; a batch ACK settles exactly the messages it names (one already settled is counted as
    /// not acknowledged), and only the unacknowledged ones are delivered again to the next connection.
    @Test func bufferedMessagesComeOutInOrderAndABatchACKSettlesExactlyItsMessages() async throws {
        let queue = Self.uniqueQueue("batchack")
        let count = 200  // = prefetch
        let bodies = (0..<count).map { "m\($0)" }
        let client = try await STOMPClient.connect(try Self.configuration())
        try await client.send(bodies.map { QueueMessage(text: $0) }, to: queue)
        var received: [ReceivedMessage] = []
        while received.count < count, let message = try await client.receive(from: queue, timeout: .seconds(5)) {
            received.append(message)
        }
        #expect(received.map { String(decoding: $0.message.body, as: UTF8.self) } == bodies)
        let even = received.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        try await client.acknowledge(even[0])
        #expect(await client.acknowledge(all: even) == 1)  // even[0] was settled already
        #expect(await client.acknowledge(all: [even[1]]) == 1)
        try await client.close()

        let again = try await STOMPClient.connect(try Self.configuration())
        var redelivered: [String] = []
        var second: [ReceivedMessage] = []
        while let message = try await again.receive(from: queue, timeout: .seconds(2)) {
            redelivered.append(String(decoding: message.message.body, as: UTF8.self))
            second.append(message)
        }
        let odd = bodies.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(redelivered.sorted() == odd.sorted())
        #expect(await again.acknowledge(all: second) == 0)
        #expect(try await again.receive(from: queue, timeout: .milliseconds(500)) == nil)
        try await again.close()
    }

    @Test func abortedTransactionsDeliverNothingAndCommittedOnesEverything() async throws {
        let queue = Self.uniqueQueue("tx")
        let client = try await STOMPClient.connect(try Self.configuration())
        try await client.begin("tx-aborted")
        try await client.send(QueueMessage(text: "never"), to: queue, transaction: "tx-aborted")
        try await client.abort("tx-aborted")
        try await client.begin("tx-committed")
        try await client.send(QueueMessage(text: "one"), to: queue, transaction: "tx-committed")
        try await client.send(QueueMessage(text: "two"), to: queue, transaction: "tx-committed")
        #expect(try await client.browse(queue, limit: 10).isEmpty)  // nothing visible before COMMIT
        try await client.commit("tx-committed")
        var bodies: [String] = []
        while let message = try await client.receive(from: queue, timeout: .milliseconds(500)) {
            bodies.append(String(decoding: message.message.body, as: UTF8.self))
            try await client.acknowledge(message)
        }
        #expect(bodies == ["one", "two"])
        // An ERROR answering a receipt is a typed error with the broker's message, and the client carries on.
        await #expect {
            try await client.commit("no-such-transaction")
        } throws: { error in
            guard case .server(let message, _, let receipt)? = error as? STOMPError else { return false }
            return !message.isEmpty && receipt != nil
        }
        try await client.send(QueueMessage(text: "after the error"), to: queue)
        let after = try #require(try await client.receive(from: queue, timeout: .seconds(5)))
        #expect(after.message.body == Array("after the error".utf8))
        try await client.acknowledge(after)
        try await client.close()
    }

    @Test func aPoisonMessageEndsInTheDeadLetterDestinationWithItsReasonAfterTheRetries() async throws {
        let queue = Self.uniqueQueue("poison")
        let deadLetters = Self.uniqueQueue("dlq")
        var configuration = try Self.configuration()
        configuration.maxRetries = 2
        configuration.deadLetterDestination = deadLetters
        let client = try await STOMPClient.connect(configuration)
        try await client.send(QueueMessage(text: "poison", properties: ["x-claim": "C-1"]), to: queue)
        var deliveries: [Int] = []
        while let message = try await client.receive(from: queue, timeout: .seconds(2)) {
            deliveries.append(message.retryCount)
            try await client.reject(message, reason: "copybook field AMOUNT: not packed decimal")
        }
        #expect(deliveries == [0, 1, 2])
        let dead = try #require(try await client.receive(from: deadLetters, timeout: .seconds(5)))
        #expect(dead.message.body == Array("poison".utf8))
        #expect(dead.message.properties[FerryHeader.deadLetterReason] == "copybook field AMOUNT: not packed decimal")
        #expect(dead.message.properties[FerryHeader.originalDestination] == queue)
        #expect(dead.retryCount == 3)
        #expect(dead.message.properties["x-claim"] == "C-1")
        #expect(dead.message.isPersistent)
        try await client.acknowledge(dead)
        try await client.close()
    }

    @Test func tenThousandPersistentMessagesWithRandomRejectsAndABrokerRestartLoseNothing() async throws {
        let environment = TestEnvironment.current
        guard let restart = environment.variables["FERRY_ACTIVEMQ_RESTART"],
            let state = environment.variables["FERRY_TEST_STATE_DIR"]
        else {
            throw TestEnvironmentError.variableMissing(
                variable: "FERRY_ACTIVEMQ_RESTART", what: "the ActiveMQ restart hook", example: "scripts/brokers/restart-activemq")
        }
        let total = 10_000
        let queue = Self.uniqueQueue("bulk")
        var configuration = try Self.configuration()
        configuration.maxRetries = 1000  // rejected messages come back; none is dead-lettered here
        let client = try await STOMPClient.connect(configuration)
        let started = ContinuousClock.now
        for batch in stride(from: 0, to: total, by: 500) {
            try await client.send((batch..<batch + 500).map { QueueMessage(text: "payload \($0)", properties: ["x-seq": String($0)]) }, to: queue)
        }
        let sent = ContinuousClock.now - started

        var random = SeededGenerator(seed: 20_261_206)
        var acked: [Int: Int] = [:]
        var restarter: ChildProcess? = nil
        let consumeStart = ContinuousClock.now
        // Rejects run concurrently (each is a transaction waiting for its receipt), as a bridge would run them.
        let (rejects, refused) = try await withThrowingTaskGroup(of: Bool.self) { group in
            var rejects = 0
            var refused = 0
            while acked.count < total {
                guard ContinuousClock.now - consumeStart < .seconds(90) else { break }
                guard let message = try await client.receive(from: queue, timeout: .seconds(10)) else {
                    Self.log("bulk: no message within 10 s; \(acked.count) acknowledged, \(client.connectionCount) connections, last disconnect: \(String(describing: client.lastDisconnectReason))")
                    continue
                }
                let seq = try #require(message.message.properties["x-seq"].flatMap { Int($0) })
                if (acked.count + rejects) % 500 == 0 {
                    Self.log("bulk: \(acked.count) acknowledged, \(rejects) rejected, \(ContinuousClock.now - consumeStart)")
                }
                if restarter == nil && acked.count >= total / 2 {
                    restarter = try ChildProcess.spawn(restart, arguments: ["--kill", state])  // a crash: SIGKILL
                    Self.log("bulk: restarting ActiveMQ after \(acked.count) acknowledged")
                }
                if random.next() % 10 == 0 {
                    rejects += 1
                    group.addTask {
                        do {
                            try await client.reject(message, reason: "random reject")
                            return true
                        } catch let error as STOMPError {
                            switch error {
                            case .deliveryFromEarlierSession, .connectionLost, .notInFlight: return false
                            default: throw error
                            }
                        }
                    }
                    continue
                }
                do {
                    try await client.acknowledge(message)
                    acked[seq, default: 0] += 1
                } catch let error as STOMPError {
                    switch error {
                    case .deliveryFromEarlierSession, .connectionLost: refused += 1  // redelivered by the broker
                    default: throw error
                    }
                }
            }
            for try await settled in group where !settled { refused += 1 }
            return (rejects, refused)
        }
        let consumed = ContinuousClock.now - consumeStart
        if let restarter {
            let status = try await restarter.exit()
            #expect(status == 0, "scripts/brokers/restart-activemq failed")
        }
        // Late redeliveries of messages whose ACK was lost in the restart may still come: drain them.
        while let message = try await client.receive(from: queue, timeout: .seconds(2)) {
            if let seq = message.message.properties["x-seq"].flatMap({ Int($0) }) { acked[seq, default: 0] += 1 }
            try await client.acknowledge(message)
        }
        try await client.close()
        #expect(restarter != nil)
        #expect(client.connectionCount >= 2, "the broker restart did not reconnect the client")
        #expect(acked.count == total, "distinct messages acknowledged: \(acked.count) of \(total)")
        #expect(Set(acked.keys) == Set(0..<total))
        let duplicates = acked.values.reduce(0) { $0 + $1 - 1 }
        // Only messages in flight at the restart may come twice: bounded by the prefetch window.
        #expect(duplicates <= configuration.prefetch * 2, "\(duplicates) duplicates")
        Self.log("bulk: sent \(total) in \(sent), consumed in \(consumed) with \(rejects) rejects, \(refused) settlements refused after the restart, \(duplicates) duplicates, \(client.connectionCount) connections")
    }
}

extension STOMPQueueTests {
    /// A progress line on standard error (unbuffered, so it shows even if the run is cut short).
    static func log(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}

/// A child started with posix_spawn and reaped with waitpid.
///
/// Foundation's `Process` is not used for the restart script: the broker it starts in the background
/// inherits Foundation's termination pipe, so `Process` would never see the script end.
struct ChildProcess {
    let pid: pid_t

    /// Starts `path arguments...` with standard input, output and error on /dev/null.
    static func spawn(_ path: String, arguments: [String]) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else {
            throw TestEnvironmentError.toolMissing(variable: "FERRY_ACTIVEMQ_RESTART", what: "the restart hook (\(String(cString: strerror(result))))", path: path)
        }
        return ChildProcess(pid: pid)
    }

    /// Waits (polling) until the child ends; its exit status, or -1 when it was killed by a signal.
    func exit() async throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

/// SplitMix64, seeded: the same rejects on every run.
struct SeededGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
