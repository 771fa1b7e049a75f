#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Kafka
import StreamLog
import Testing

/// Issue 7's acceptance runs: the built `ferry bridge` process, started with a config file, moves persistent
/// messages from ActiveMQ to Kafka (tansu) while it is SIGKILLed and restarted, or while a broker restarts.
/// Traffic is sent with stomp.py and the topic is read back with confluent-kafka: the check is from outside.
///
/// `FERRY_BRIDGE_ACCEPTANCE_MESSAGES` sets the message count of the SIGKILL run (default 100,000).
/// The suite runs only with `FERRY_BRIDGE_ACCEPTANCE=1`: `scripts/test` runs it alone after the other suites (run
/// beside them, the whole test process stalled for minutes).
@Suite(
    "Bridge acceptance: ferry bridge process, ActiveMQ → tansu, checked with stomp.py and confluent-kafka", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["FERRY_BRIDGE_ACCEPTANCE"] == "1", "set FERRY_BRIDGE_ACCEPTANCE=1 (scripts/test runs it alone)"))
struct BridgeAcceptanceTests {
    static let partitions = 3

    @Test("100,000 persistent messages while the bridge process is SIGKILLed and restarted 10 times: none lost, duplicates carry their original's id")
    func sigkillTenTimes() async throws {
        let total = ProcessInfo.processInfo.environment["FERRY_BRIDGE_ACCEPTANCE_MESSAGES"].flatMap { Int($0) } ?? 100_000
        let run = try AcceptanceRun(name: "kill")
        // stomp.py sends while the bridge runs and is killed. Each kill comes when the topic has passed a random
        // count (plus up to 100 ms), so every kill lands mid-stream. A Python process of its own starts, watches
        // (confluent-kafka watermarks) and kills the bridge: this test process's cooperative pool can stall for
        // many seconds while a full `swift test` runs beside it, and the kills must not wait for it.
        let producer = try run.startProducer(count: total)
        var random = SystemRandomNumberGenerator()
        let moments = (0..<10).map { _ in Int.random(in: total / 50...(total * 8 / 10), using: &random) }.sorted()
        let killedAt = try await run.killBridge(atTopicCounts: moments)
        let kills = killedAt.count
        STOMPQueueTests.log("acceptance kill: SIGKILLs at \(killedAt) records in the topic")
        #expect(kills == 10)
        #expect(killedAt.allSatisfy { $0 < total }, "a kill came after the last message was appended")
        let producerStatus = try await run.wait(producer, upTo: .seconds(180))
        #expect(producerStatus == 0, "stomp.py producer failed: \(run.producerError())")
        let bridge = try run.startBridge()
        try await run.waitForTopic(atLeast: total, upTo: .seconds(240))
        let status = try await bridge.stop(upTo: .seconds(30))
        #expect(status == 0, "ferry bridge exited \(status) on SIGTERM: \(run.bridgeLog())")

        let summary = try await run.verifyTopic(expected: total)
        #expect(summary.missing == 0, "lost messages, e.g. seq \(summary.missingSample)")
        #expect(summary.distinct == total)
        #expect(summary.unexpected == 0)
        #expect(summary.mismatched == 0, "duplicates that differ from their original (id, key or data)")
        #expect(try await run.messagesLeftOnQueue() == 0)
        STOMPQueueTests.log("acceptance kill: \(total) messages, \(kills) SIGKILLs, \(summary.records) records, \(summary.records - summary.distinct) duplicates, \(run.elapsed)")
    }

    @Test("ActiveMQ killed and restarted (store kept) while the bridge process runs: none lost")
    func activeMQRestart() async throws {
        let environment = TestEnvironment.current
        guard let restart = environment.variables["FERRY_ACTIVEMQ_RESTART"], let state = environment.variables["FERRY_TEST_STATE_DIR"]
        else {
            throw TestEnvironmentError.variableMissing(
                variable: "FERRY_ACTIVEMQ_RESTART", what: "the ActiveMQ restart hook", example: "scripts/brokers/restart-activemq")
        }
        let total = 30_000
        let run = try AcceptanceRun(name: "amq-restart")
        let producer = try run.startProducer(count: total)
        #expect(try await run.wait(producer, upTo: .seconds(120)) == 0, "stomp.py producer failed: \(run.producerError())")
        let bridge = try run.startBridge()
        try await run.waitForTopic(atLeast: total / 4, upTo: .seconds(120), settle: .zero)
        let restarter = try ChildProcess.spawn(restart, arguments: ["--kill", state])
        let restartStatus = try await restarter.exit()
        #expect(restartStatus == 0, "scripts/brokers/restart-activemq failed")
        let atRestart = try await run.recordsInTopic()
        try await run.waitForTopic(atLeast: total, upTo: .seconds(180))
        let status = try await bridge.stop(upTo: .seconds(30))
        #expect(status == 0, "ferry bridge exited \(status) on SIGTERM: \(run.bridgeLog())")

        #expect(atRestart < total, "the restart came after the bridge had finished")
        let summary = try await run.verifyTopic(expected: total)
        #expect(summary.missing == 0, "lost messages, e.g. seq \(summary.missingSample)")
        #expect(summary.distinct == total && summary.unexpected == 0 && summary.mismatched == 0)
        #expect(try await run.messagesLeftOnQueue() == 0)
        STOMPQueueTests.log("acceptance ActiveMQ restart at \(atRestart) records: \(total) messages, \(summary.records - summary.distinct) duplicates, \(run.elapsed)")
    }

    /// tansu 0.6.0 on S3 storage loses records it acknowledged (acks=all) when it is SIGKILLed: it commits a
    /// batch's producer sequence before the batch's records, and answers the retry of a batch caught between the
    /// two DUPLICATE_SEQUENCE_NUMBER, "already written" (docs/decisions/0008, revision 2). confluent-kafka's
    /// idempotent producer loses records the same way
    /// (`scripts/crosscheck/tansu_restart_loss.py`), so zero loss is a known issue of the broker here; what the
    /// bridge controls is still checked: it drains and exits cleanly, leaves nothing on the queue, and writes
    /// only the messages sent, duplicates identical to their originals.
    @Test("the durable tansu (S3 storage on moto) killed and restarted while the bridge process runs")
    func tansuRestart() async throws {
        let environment = TestEnvironment.current
        guard let bootstrap = environment.variables["FERRY_KAFKA_DURABLE_BOOTSTRAP"],
            let restart = environment.variables["FERRY_KAFKA_DURABLE_RESTART"],
            let state = environment.variables["FERRY_TEST_STATE_DIR"]
        else {
            throw TestEnvironmentError.variableMissing(
                variable: "FERRY_KAFKA_DURABLE_BOOTSTRAP", what: "the durable tansu and its restart hook",
                example: "127.0.0.1:19093 and scripts/brokers/restart-kafka-durable")
        }
        let total = 20_000
        let run = try AcceptanceRun(name: "tansu-restart", kafkaBootstrap: bootstrap)
        let producer = try run.startProducer(count: total)
        #expect(try await run.wait(producer, upTo: .seconds(120)) == 0, "stomp.py producer failed: \(run.producerError())")
        let bridge = try run.startBridge()
        try await run.waitForTopic(atLeast: total / 4, upTo: .seconds(120), settle: .zero)
        let restarter = try ChildProcess.spawn(restart, arguments: [state])
        let restartStatus = try await restarter.exit()
        #expect(restartStatus == 0, "scripts/brokers/restart-kafka-durable failed")
        let atRestart = try await run.recordsInTopic()
        // tansu's offsets after the restart undercount what it holds: wait for the topic to stop growing.
        try await run.waitForTopic(atLeast: total, upTo: .seconds(180), orStableFor: .seconds(8))
        let status = try await bridge.stop(upTo: .seconds(30))
        #expect(status == 0, "ferry bridge exited \(status) on SIGTERM: \(run.bridgeLog())")

        #expect(atRestart < total, "the restart came after the bridge had finished")
        let summary = try await run.verifyTopic(expected: total)
        #expect(summary.unexpected == 0 && summary.mismatched == 0)
        #expect(try await run.messagesLeftOnQueue() == 0)
        withKnownIssue("tansu 0.6.0 (s3 storage) loses acknowledged records across SIGKILL; confluent-kafka too", isIntermittent: true) {
            #expect(summary.missing == 0, "lost messages, e.g. seq \(summary.missingSample)")
        }
        STOMPQueueTests.log("acceptance tansu restart at \(atRestart) records: \(total) messages, \(summary.missing) missing (broker), \(summary.records - summary.distinct) duplicates, \(run.elapsed)")
    }
}

/// One acceptance run: a fresh queue and topic, a bridge config file, and the outside tools.
struct AcceptanceRun {
    let tag: String
    let queue: String
    let topic: String
    let directory: URL
    let configFile: URL
    let stomp: BrokerEndpoint
    let kafkaBootstrap: String
    let python: PythonInterpreter
    let log: KafkaStreamLog
    let started = ContinuousClock.now

    /// A run against the STOMP broker and Kafka of the environment (or the Kafka at `kafkaBootstrap`).
    init(name: String, kafkaBootstrap: String? = nil) throws {
        let environment = TestEnvironment.current
        stomp = try environment.stompBroker()
        let kafka = try environment.kafkaBroker()
        self.kafkaBootstrap = kafkaBootstrap ?? "\(kafka.host):\(kafka.port)"
        python = try environment.python()
        tag = "\(name)-\(UInt32.random(in: 0...UInt32.max))"
        queue = "/queue/ferry.acceptance.\(tag)"
        topic = "ferry-acceptance-\(tag)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-acceptance-\(tag)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        configFile = directory.appendingPathComponent("bridge.json")
        let config = """
            {"drainTimeoutSeconds": 20, "pipelines": [{
              "name": "acceptance",
              "source": {"queue": "stomp://\(stomp.host):\(stomp.port)\(queue)"},
              "sink": {"log": "kafka://\(self.kafkaBootstrap)", "topic": "\(topic)", "partitions": \(BridgeAcceptanceTests.partitions)},
              "deadLetter": {"queue": "stomp://\(stomp.host):\(stomp.port)\(queue).DLQ"},
              "maxInFlight": 1000, "retryBackoffMilliseconds": 50, "maxRetryBackoffMilliseconds": 1000
            }]}
            """
        try Data(config.utf8).write(to: configFile)
        log = try KafkaStreamLog(url: "kafka://\(self.kafkaBootstrap)")
    }

    var elapsed: Duration { ContinuousClock.now - started }

    /// stomp.py sends `count` persistent CloudEvents (id `acc-TAG-SEQ`, key `kSEQ%50`, data `{"seq": SEQ}`) in
    /// transactions of 500, each COMMIT confirmed by a receipt. Other suites restart ActiveMQ too: a refused
    /// connection is tried again for 90 s, and a transaction whose receipt did not come is sent again (it was
    /// rolled back, or, rarely, committed: then its messages are on the queue twice, with the same ids).
    func startProducer(count: Int) throws -> Process {
        let script = """
            import sys, threading, time, stomp
            host, port, queue, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
            receipts = set()
            arrived = threading.Condition()
            class Receipts(stomp.ConnectionListener):
                def on_receipt(self, frame):
                    with arrived:
                        receipts.add(frame.headers.get("receipt-id"))
                        arrived.notify_all()
            def connect():
                deadline = time.time() + 90
                while True:
                    try:
                        c = stomp.Connection([(host, port)], heartbeats=(0, 0))
                        c.set_listener("", Receipts())
                        c.connect(wait=True)
                        return c
                    except Exception:
                        if time.time() > deadline:
                            raise
                        time.sleep(0.5)
            c = connect()
            first = 0
            while first < count:
                receipt = "commit-%d-%f" % (first, time.time())
                try:
                    tx = c.begin()
                    for i in range(first, min(first + 500, count)):
                        body = '{"specversion":"1.0","id":"acc-%s-%d","source":"/acceptance","type":"t","partitionkey":"k%d","data":{"seq":%d}}' % (tag, i, i % 50, i)
                        c.send(queue, body, headers={"persistent": "true"}, transaction=tx)
                    c.commit(tx, headers={"receipt": receipt})
                    with arrived:
                        if not arrived.wait_for(lambda: receipt in receipts, timeout=30):
                            raise RuntimeError("no receipt for the commit")
                    first += 500
                except Exception as error:
                    print("producer: %s; connecting again" % error, file=sys.stderr)
                    try:
                        c.disconnect()
                    except Exception:
                        pass
                    time.sleep(0.5)
                    c = connect()
            c.disconnect()
            """
        return try launch(python.path, ["-c", script, stomp.host, String(stomp.port), queue, String(count), tag], name: "producer")
    }

    /// Starts `ferry bridge --config FILE` once per count of `counts`, and SIGKILLs it once the topic holds that
    /// many records (plus 0–100 ms), from a Python process (confluent-kafka watermarks); returns the record
    /// counts right after each kill.
    func killBridge(atTopicCounts counts: [Int]) async throws -> [Int] {
        let script = """
            import json, os, random, signal, subprocess, sys, time
            from confluent_kafka import Consumer, TopicPartition
            ferry, config, bootstrap, topic, partitions, log = sys.argv[1:7]
            counts = [int(c) for c in sys.argv[7:]]
            c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-acceptance-kill", "enable.auto.commit": False})
            def records():
                try:
                    return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1] for p in range(int(partitions)))
                except Exception:
                    return 0  # the bridge has not created the topic yet
            killed = []
            with open(log, "ab") as out:
                for count in counts:
                    bridge = subprocess.Popen([ferry, "bridge", "--config", config], stdin=subprocess.DEVNULL, stdout=out, stderr=out)
                    deadline = time.time() + 120
                    while records() < count and time.time() < deadline:
                        time.sleep(0.01)
                    time.sleep(random.uniform(0, 0.1))
                    bridge.send_signal(signal.SIGKILL)
                    bridge.wait()
                    killed.append(records())
            print(json.dumps(killed))
            """
        let arguments = [
            try KafkaCLITests.ferry().path, configFile.path, kafkaBootstrap, topic, String(BridgeAcceptanceTests.partitions),
            directory.appendingPathComponent("bridge.err").path,
        ] + counts.map(String.init)
        let result = try await runOffThePool { [python] in try python.runBlocking(script: script, arguments: arguments, timeout: .seconds(600)) }
        guard result.status == 0 else {
            throw TestEnvironmentError.toolMissing(variable: "FERRY_PYTHON", what: "the kill driver: \(result.standardError)", path: python.path)
        }
        return try JSONDecoder().decode([Int].self, from: Data(result.standardOutput.utf8))
    }

    /// Starts `ferry bridge --config FILE`.
    func startBridge() throws -> BridgeProcess {
        BridgeProcess(process: try launch(try KafkaCLITests.ferry().path, ["bridge", "--config", configFile.path], name: "bridge"))
    }

    private func launch(_ path: String, _ arguments: [String], name: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let errorPath = directory.appendingPathComponent("\(name).err").path
        if !FileManager.default.fileExists(atPath: errorPath) { _ = FileManager.default.createFile(atPath: errorPath, contents: nil) }
        let error = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try error.seekToEnd()
        process.standardOutput = error
        process.standardError = error
        try process.run()
        return process
    }

    func producerError() -> String { (try? String(contentsOf: directory.appendingPathComponent("producer.err"), encoding: .utf8)) ?? "" }
    func bridgeLog() -> String { String(((try? String(contentsOf: directory.appendingPathComponent("bridge.err"), encoding: .utf8)) ?? "").suffix(2000)) }

    func wait(_ process: Process, upTo limit: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
            return -1
        }
        return process.terminationStatus
    }

    /// Records in the topic (the sum of the partitions' next offsets; 0 before the bridge created it).
    func recordsInTopic() async throws -> Int64 {
        guard try await log.topics().contains(where: { $0.name == topic }) else { return 0 }
        var sum: Int64 = 0
        for partition in 0..<BridgeAcceptanceTests.partitions {
            sum += try await log.offsets(topic: topic, partition: partition).next
        }
        return sum
    }

    /// Waits (tolerating a restarting broker) until the topic holds at least `count` records and has stopped
    /// growing for `settle`, or (with `orStableFor`) has not grown for that long whatever it holds.
    func waitForTopic(
        atLeast count: Int, upTo limit: Duration, settle: Duration = .seconds(2), orStableFor stable: Duration? = nil
    ) async throws {
        let deadline = ContinuousClock.now + limit
        var last: Int64 = -1
        var stableSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            // A broker being restarted does not answer for a while: keep the last count.
            let now = (try? await recordsInTopic()) ?? last
            if now != last {
                last = now
                stableSince = ContinuousClock.now
            }
            if now >= count && ContinuousClock.now - stableSince >= settle { return }
            if let stable, now > 0, ContinuousClock.now - stableSince >= stable { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("the topic holds \(last) records after \(limit), expected at least \(count); bridge log: \(bridgeLog())")
    }

    struct Summary: Decodable {
        let records: Int
        let distinct: Int
        let missing: Int
        let missingSample: [Int]
        let unexpected: Int
        let mismatched: Int
    }

    /// Reads the whole topic with confluent-kafka and compares it with the `expected` messages sent: every seq
    /// present, each record's `ce_id` the one stomp.py sent for its seq, duplicates identical to their original.
    func verifyTopic(expected: Int) async throws -> Summary {
        let script = """
            import json, sys
            from confluent_kafka import Consumer, TopicPartition
            bootstrap, topic, partitions, expected, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
            c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-acceptance", "enable.auto.commit": False})
            ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(partitions)}
            c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
            want = sum(ends.values())
            seen = {}
            records = mismatched = unexpected = 0
            empty = 0
            # Read past the watermarks (a restarted tansu reports them too low) until the topic stays quiet.
            while empty < (4 if records >= want else 40):
                batch = c.consume(1000, 0.5)
                if not batch:
                    empty += 1
                    continue
                for m in batch:
                    if m.error():
                        raise SystemExit("consume error: %s" % m.error())
                    records += 1
                    headers = dict(m.headers() or [])
                    ident = (headers.get("ce_id") or b"").decode()
                    seq = json.loads(m.value())["seq"]
                    if ident != "acc-%s-%d" % (tag, seq) or not 0 <= seq < expected:
                        unexpected += 1
                    record = (ident, m.key(), m.value())
                    if seq in seen:
                        if seen[seq] != record:
                            mismatched += 1
                    else:
                        seen[seq] = record
            c.close()
            missing = [s for s in range(expected) if s not in seen]
            print(json.dumps({"records": records, "distinct": len(seen), "missing": len(missing), "missingSample": missing[:10],
                              "unexpected": unexpected, "mismatched": mismatched}))
            """
        let arguments = [kafkaBootstrap, topic, String(BridgeAcceptanceTests.partitions), String(expected), tag]
        let result = try await runOffThePool { [python] in try python.runBlocking(script: script, arguments: arguments, timeout: .seconds(180)) }
        guard result.status == 0 else {
            throw TestEnvironmentError.toolMissing(variable: "FERRY_PYTHON", what: "confluent-kafka verifier: \(result.standardError)", path: python.path)
        }
        return try JSONDecoder().decode(Summary.self, from: Data(result.standardOutput.utf8))
    }

    /// Messages stomp.py still finds on the queue within two seconds (not acknowledged, so they stay).
    func messagesLeftOnQueue() async throws -> Int {
        let script = """
            import sys, time, stomp
            host, port, queue = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            got = []
            class L(stomp.ConnectionListener):
                def on_message(self, frame): got.append(frame)
            c = stomp.Connection([(host, port)], heartbeats=(0, 0))
            c.set_listener("", L())
            c.connect(wait=True)
            c.subscribe(queue, id="left", ack="client-individual")
            time.sleep(2)
            c.disconnect()
            print(len(got))
            """
        let arguments = [stomp.host, String(stomp.port), queue]
        let result = try await runOffThePool { [python] in try python.runBlocking(script: script, arguments: arguments, timeout: .seconds(30)) }
        guard result.status == 0, let count = Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestEnvironmentError.toolMissing(variable: "FERRY_PYTHON", what: "stomp.py queue check: \(result.standardError)", path: python.path)
        }
        return count
    }
}

/// Runs `body`, which blocks (a child process waited for), on a thread of its own: blocking one of the few
/// threads of Swift's cooperative pool (two on this machine) would stall every other test running meanwhile.
func runOffThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A running `ferry bridge` process.
struct BridgeProcess {
    let process: Process

    /// SIGKILL: a crash, with nothing flushed or acknowledged on the way out.
    func kill() async throws {
        Glibc.kill(process.processIdentifier, SIGKILL)
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// SIGTERM and wait for the drain; the exit status (-1 when it had to be killed after `limit`).
    func stop(upTo limit: Duration) async throws -> Int32 {
        Glibc.kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            try await kill()
            return -1
        }
        return process.terminationStatus
    }
}
