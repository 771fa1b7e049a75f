import Foundation
import Testing

/// Issue 7 item 7 with the real `ferry bridge` binary: two bridge processes are competing consumers of one
/// ActiveMQ queue and append to one tansu topic, while one of them is SIGKILLed and restarted mid-run. Traffic is
/// sent with stomp.py and the topic is read back with confluent-kafka (the same outside checks as
/// ``BridgeAcceptanceTests``, on a small run). Three `ferry bridge` processes and the Python drivers load both cores
/// for seconds, which made the wall-clock deadlines of other broker suites fail beside them: the suite runs only with
/// `FERRY_BRIDGE_ACCEPTANCE=1`, in a `scripts/test` pass of its own.
@Suite("Bridge scale-out: two ferry bridge processes on one queue, one SIGKILLed and restarted", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["FERRY_BRIDGE_ACCEPTANCE"] == "1", "set FERRY_BRIDGE_ACCEPTANCE=1 (scripts/test runs it in a pass of its own)"))
struct BridgeScaleOutTests {
    struct Driven: Decodable {
        /// Records in the topic right after each SIGKILL of the first instance.
        let killedAt: [Int]
        /// Exit statuses of the two instances after SIGTERM at the end (the first: its last incarnation).
        let exits: [Int]
        /// The `appended` count each instance printed at its drained exit.
        let appended: [Int]
    }

    @Test("8,000 persistent messages, two instances, one SIGKILLed and restarted 4 times: none lost, duplicates carry their original's id")
    func twoInstancesOneKilledAndRestarted() async throws {
        let total = 8_000
        let kills = 4
        let run = try AcceptanceRun(name: "scale")
        let producer = try run.startProducer(count: total)
        var random = SystemRandomNumberGenerator()
        // Within the first half: each restart of `a` takes a moment while `b` keeps appending, so later moments can
        // come after the last message.
        let moments = (0..<kills).map { _ in Int.random(in: total / 10...(total / 2), using: &random) }.sorted()
        let driven = try await drive(run, killingFirstAt: moments, total: total)
        STOMPQueueTests.log("scale-out: SIGKILLs of instance a at \(driven.killedAt) records; appended at exit a \(driven.appended[0]), b \(driven.appended[1])")
        #expect(driven.killedAt.count == kills)
        #expect(driven.killedAt.allSatisfy { $0 < total }, "a kill came after the last message was appended")
        #expect(driven.exits == [0, 0], "an instance did not drain and exit 0 on SIGTERM: \(Self.logs(of: run))")
        #expect(driven.appended[1] > 0, "the instance never killed did no work: not competing consumers")
        #expect(try await run.wait(producer, upTo: .seconds(60)) == 0, "stomp.py producer failed: \(run.producerError())")

        let summary = try await run.verifyTopic(expected: total)
        #expect(summary.missing == 0, "lost messages, e.g. seq \(summary.missingSample)")
        #expect(summary.distinct == total)
        #expect(summary.unexpected == 0)
        #expect(summary.mismatched == 0, "duplicates that differ from their original (id, key or data)")
        #expect(try await run.messagesLeftOnQueue() == 0)
        STOMPQueueTests.log("scale-out: \(total) messages, \(kills) SIGKILLs, \(summary.records) records, \(summary.records - summary.distinct) duplicates, \(run.elapsed)")
    }

    /// The last lines each instance wrote.
    static func logs(of run: AcceptanceRun) -> String {
        ["a", "b"].map { name in
            let text = (try? String(contentsOf: run.directory.appendingPathComponent("bridge-\(name).err"), encoding: .utf8)) ?? ""
            return "\(name): \(text.suffix(1500))"
        }.joined(separator: "\n")
    }

    /// A Python process starts instances `a` and `b` of `ferry bridge --config FILE`, SIGKILLs `a` once the topic
    /// holds each count of `counts` (plus 0–100 ms, and at least 300 ms after it started) and starts it again at
    /// once; when the topic has stopped growing for 3 s, it SIGTERMs both and collects their exit
    /// statuses and the `appended` counts they print. Off the cooperative pool: the kills must not wait for it.
    func drive(_ run: AcceptanceRun, killingFirstAt counts: [Int], total: Int) async throws -> Driven {
        let script = """
            import json, random, re, signal, subprocess, sys, time
            from confluent_kafka import Consumer, TopicPartition
            ferry, config, bootstrap, topic, partitions, directory, total = sys.argv[1:8]
            total = int(total)
            counts = [int(c) for c in sys.argv[8:]]
            c = Consumer({"bootstrap.servers": bootstrap, "group.id": "ferry-scale-out-driver", "enable.auto.commit": False})
            def records():
                try:
                    return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1] for p in range(int(partitions)))
                except Exception:
                    return 0  # no topic yet
            def start(name):
                out = open("%s/bridge-%s.err" % (directory, name), "ab")
                return subprocess.Popen([ferry, "bridge", "--config", config], stdin=subprocess.DEVNULL, stdout=out, stderr=out), time.time()
            a, a_started = start("a")
            b, _ = start("b")
            killed = []
            for count in counts:
                deadline = time.time() + 120
                while (records() < count or time.time() - a_started < 0.3) and time.time() < deadline:
                    time.sleep(0.01)
                time.sleep(random.uniform(0, 0.1))
                a.send_signal(signal.SIGKILL)
                a.wait()
                killed.append(records())
                with open("%s/bridge-a.err" % directory, "ab") as out:
                    out.write(b"--- SIGKILL ---\\n")
                a, a_started = start("a")
            # Until the topic stops growing for 3 s. Not until it holds `total`: tansu 0.6 reports a partition's high
            # watermark as its last batch's base offset + 1, so the count can stay below `total` when all is there
            # (the verifier reads the records themselves).
            deadline = time.time() + 120
            last, stable_since = -1, time.time()
            while time.time() < deadline:
                now = records()
                if now != last:
                    last, stable_since = now, time.time()
                if now > 0 and time.time() - stable_since >= 3:
                    break
                time.sleep(0.2)
            exits = []
            for p in (a, b):
                p.send_signal(signal.SIGTERM)
            for p in (a, b):
                try:
                    exits.append(p.wait(timeout=30))
                except subprocess.TimeoutExpired:
                    p.kill()
                    exits.append(-1)
            appended = []
            for name in ("a", "b"):
                text = open("%s/bridge-%s.err" % (directory, name), encoding="utf-8", errors="replace").read()
                last_run = text.split("--- SIGKILL ---")[-1]
                found = re.findall(r'"appended":(\\d+)', last_run)
                appended.append(int(found[-1]) if found else -1)
            print(json.dumps({"killedAt": killed, "exits": exits, "appended": appended}))
            """
        let arguments = [
            try KafkaCLITests.ferry().path, run.configFile.path, run.kafkaBootstrap, run.topic,
            String(BridgeAcceptanceTests.partitions), run.directory.path, String(total),
        ] + counts.map(String.init)
        let python = run.python
        let result = try await runOffThePool { try python.runBlocking(script: script, arguments: arguments, timeout: .seconds(300)) }
        guard result.status == 0 else {
            throw TestEnvironmentError.toolMissing(variable: "FERRY_PYTHON", what: "the scale-out driver: \(result.standardError)", path: python.path)
        }
        return try JSONDecoder().decode(Driven.self, from: Data(result.standardOutput.utf8))
    }
}
