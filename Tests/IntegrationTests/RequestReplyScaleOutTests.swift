import Foundation
import Kafka
import Testing

/// Issue 7 item 7 for inbound request-reply, with the real `ferry bridge` binary: two instances serve one endpoint
/// (competing consumers of the request queue, each with its own reply partition and correlation journal); one is
/// SIGKILLed and restarted while stomp.py callers keep sending and a confluent-kafka responder answers late enough
/// that the killed instance holds pending requests whose replies arrive while it is down.
///
/// Delivery to callers is at least once: a request whose instance is killed after forwarding it (and journaling it)
/// but before acknowledging it is redelivered and forwarded again, so its caller may get a second answer to the same
/// request (counted as `duplicates`, never a reply to another request).
@Suite("Request-reply scale-out: two ferry bridge processes, one SIGKILLed and restarted (real brokers from scripts/test)", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["FERRY_BRIDGE_ACCEPTANCE"] == "1", "set FERRY_BRIDGE_ACCEPTANCE=1 (scripts/test runs it in a pass of its own)"))
struct RequestReplyScaleOutTests {
    struct Summary: Decodable {
        let sent: Int
        let right: Int
        let wrongCorrelation: Int
        let wrongBody: Int
        let missing: Int
        let errorReplies: Int
        /// Second answers to the same request (at least once across a kill).
        let duplicates: Int
        let byPartition: [String: Int]
        let kills: Int
        let exits: [Int]
        /// Whether each instance's last run ended with every pending request answered (no drain timeout).
        let drained: [Bool]
        let counters: [String: [String: Int]]
        let elapsedSeconds: Double
    }

    /// argv: one JSON object (see the test). Starts the instances from their config files, the responder, the
    /// callers (each on its own connection and reply queue, `perCaller` requests `pace` seconds apart, correlation
    /// `c<caller>-<j>`) and the killer (SIGKILL of instance `a` at each of `kills` seconds, restarted 0.3 s later);
    /// waits for every reply, SIGTERMs both instances and prints a JSON summary.
    static let script = #"""
import heapq, json, re, signal, subprocess, sys, threading, time
import stomp
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

args = json.loads(sys.argv[1])
host, port, directory = args["host"], int(args["port"]), args["directory"]
stop = threading.Event()

def start(name):
    out = open("%s/bridge-%s.err" % (directory, name), "ab")
    return subprocess.Popen([args["ferry"], "bridge", "--config", args["configs"][name]],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=out)

def running(name, count):
    deadline = time.time() + 60
    while time.time() < deadline:
        text = open("%s/bridge-%s.err" % (directory, name), encoding="utf-8", errors="replace").read()
        if text.count("bridge: running") >= count:
            return
        time.sleep(0.05)
    raise SystemExit("instance %s did not start: %s" % (name, text[-2000:]))

bridges = {"a": start("a"), "b": start("b")}
running("a", 1); running("b", 1)
time.sleep(0.5)  # the reply consumers are at the log end

def responder():
    consumer = Consumer({"bootstrap.servers": args["bootstrap"], "group.id": "responder-" + args["runID"],
                         "enable.auto.commit": False, "fetch.wait.max.ms": 5})
    meta = consumer.list_topics(args["requestTopic"], timeout=10).topics[args["requestTopic"]]
    consumer.assign([TopicPartition(args["requestTopic"], p, OFFSET_BEGINNING) for p in meta.partitions])
    producer = Producer({"bootstrap.servers": args["bootstrap"], "linger.ms": 0})
    due, sequence, last_request = [], 0, time.time()
    # After the callers are done, keep answering until nothing is due and no request came for 1.5 s: a request
    # forwarded twice (see above) must get both answers, or the instance holding the second waits for it.
    while not (stop.is_set() and not due and time.time() - last_request > 1.5):
        msg = consumer.poll(0.01)
        if msg is not None and not msg.error():
            last_request = time.time()
            headers = dict(msg.headers() or [])
            partition = int.from_bytes(headers["kafka_replyPartition"], "big")
            body = json.loads(msg.value())
            reply = json.dumps({"n": body["n"], "service": "modern", "partition": partition}).encode()
            sequence += 1
            heapq.heappush(due, (time.time() + args["replyDelay"], sequence, headers["kafka_replyTopic"].decode(), partition,
                                 reply, headers["kafka_correlationId"]))
        while due and due[0][0] <= time.time():
            _, _, topic, partition, reply, correlation = heapq.heappop(due)
            producer.produce(topic, reply, partition=partition, headers=[("kafka_correlationId", correlation)])
        producer.poll(0)
    producer.flush(10)
    consumer.close()

class Caller(stomp.ConnectionListener):
    def __init__(self):
        self.replies = []
        self.lock = threading.Lock()
    def on_message(self, frame):
        with self.lock:
            self.replies.append((frame.headers.get("correlation-id"), frame.body, frame.headers.get("ferry-error")))

results = []
def caller(index):
    listener = Caller()
    conn = stomp.Connection12([(host, port)], auto_content_length=False)
    conn.set_listener("", listener)
    conn.connect(wait=True)
    reply_queue = "/queue/ferry.test.rrscale.%s.%d" % (args["runID"], index)
    conn.subscribe(reply_queue, id="r", ack="auto")
    sent = {}
    for j in range(args["perCaller"]):
        n = index * args["perCaller"] + j
        correlation = "c%d-%d" % (index, j)
        sent[correlation] = n
        conn.send(args["requestQueue"], json.dumps({"n": n}), headers={
            "reply-to": reply_queue, "correlation-id": correlation, "persistent": "true"})
        time.sleep(args["pace"])
    deadline = time.time() + args["waitSeconds"]
    while time.time() < deadline:
        with listener.lock:
            if len(set(c for c, _, _ in listener.replies)) >= len(sent):
                break
        time.sleep(0.05)
    time.sleep(0.5)  # a duplicate or another caller's reply would arrive now
    conn.disconnect()
    results.append((sent, list(listener.replies)))

kills = []
def killer(started):
    for moment in args["kills"]:
        time.sleep(max(0, started + moment - time.time()))
        bridges["a"].send_signal(signal.SIGKILL)
        bridges["a"].wait()
        with open("%s/bridge-a.err" % directory, "ab") as out:
            out.write(b"--- SIGKILL ---\n")
        kills.append(time.time() - started)
        time.sleep(0.3)
        bridges["a"] = start("a")

responding = threading.Thread(target=responder)
responding.start()
started = time.time()
killing = threading.Thread(target=killer, args=(started,))
killing.start()
callers = [threading.Thread(target=caller, args=(i,)) for i in range(args["callers"])]
for t in callers: t.start()
for t in callers: t.join()
killing.join()
elapsed = time.time() - started
stop.set()
responding.join()

exits = []
for name in ("a", "b"):
    bridges[name].send_signal(signal.SIGTERM)
for name in ("a", "b"):
    try:
        exits.append(bridges[name].wait(timeout=30))
    except subprocess.TimeoutExpired:
        bridges[name].kill()
        exits.append(-1)
counters, drained = {}, []
for name in ("a", "b"):
    text = open("%s/bridge-%s.err" % (directory, name), encoding="utf-8", errors="replace").read()
    drained.append("in-flight messages drained" in text.split("--- SIGKILL ---")[-1])
    lines = [l for l in text.split("--- SIGKILL ---")[-1].splitlines() if l.startswith('{"request_reply"')]
    counters[name] = {k: v for k, v in json.loads(lines[-1]).items() if isinstance(v, int)} if lines else {}

summary = {"sent": 0, "right": 0, "wrongCorrelation": 0, "wrongBody": 0, "missing": 0, "errorReplies": 0,
           "duplicates": 0, "byPartition": {}, "kills": len(kills), "exits": exits, "drained": drained, "counters": counters,
           "elapsedSeconds": round(elapsed, 2)}
for sent, replies in results:
    summary["sent"] += len(sent)
    first = {}
    for correlation, body, error in replies:
        if correlation not in sent:
            summary["wrongCorrelation"] += 1
            continue
        if correlation in first:
            # A second answer: to the same request (a request redelivered after its instance was killed between
            # forwarding it and acknowledging it is forwarded again), or to another one (wrong).
            if not error and json.loads(body).get("n") == sent[correlation]:
                summary["duplicates"] += 1
            else:
                summary["wrongBody"] += 1
            continue
        first[correlation] = (body, error)
        if error:
            summary["errorReplies"] += 1
            continue
        reply = json.loads(body)
        if reply.get("n") != sent[correlation]:
            summary["wrongBody"] += 1
            continue
        summary["right"] += 1
        key = str(reply.get("partition"))
        summary["byPartition"][key] = summary["byPartition"].get(key, 0) + 1
    summary["missing"] += len([c for c in sent if c not in first])
print(json.dumps(summary))
"""#

    @Test("400 requests from 10 callers, instance a SIGKILLed and restarted twice: every caller gets exactly its own replies")
    func callersGetTheirRepliesAcrossAKilledInstance() async throws {
        let environment = TestEnvironment.current
        let stomp = try environment.stompBroker()
        let kafka = try environment.kafkaBroker()
        let python = try environment.python()
        let run = String(UUID().uuidString.prefix(8)).lowercased()
        let bootstrap = "\(kafka.host):\(kafka.port)"
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: "kafka://\(bootstrap)"))
        defer { client.close() }
        let requestTopic = "rr-scale-req-\(run)"
        let replyTopic = "rr-scale-rep-\(run)"
        try await client.createTopic(requestTopic, partitions: 2)
        try await client.createTopic(replyTopic, partitions: 2)
        let requests = "/queue/ferry.test.rrscale.\(run)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-rr-scale-\(run)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configs: [String: String] = [:]
        for (instance, partition) in [("a", 0), ("b", 1)] {
            let file = directory.appendingPathComponent("bridge-\(instance).json")
            let json = """
                {"drainTimeoutSeconds": 20, "requestReply": [{"name": "rr",
                  "requests": {"queue": "stomp://\(stomp.host):\(stomp.port)\(requests)"},
                  "kafka": "kafka://\(bootstrap)", "requestTopic": "\(requestTopic)", "replyTopic": "\(replyTopic)",
                  "replyPartition": \(partition), "instanceId": "\(instance)",
                  "journal": {"directory": "\(directory.path)/journal"},
                  "deadLetterQueue": "\(requests).DLQ", "defaultRoute": "modern", "timeoutMilliseconds": 30000,
                  "replyFetchWaitMilliseconds": 20}]}
                """
            try Data(json.utf8).write(to: file)
            configs[instance] = file.path
        }
        let arguments: [String: Any] = [
            "ferry": try KafkaCLITests.ferry().path, "configs": configs, "directory": directory.path,
            "host": stomp.host, "port": Int(stomp.port), "bootstrap": bootstrap, "requestQueue": requests,
            "requestTopic": requestTopic, "callers": 10, "perCaller": 40, "pace": 0.05, "kills": [0.7, 1.6],
            "replyDelay": 0.3, "waitSeconds": 60, "runID": run,
        ]
        let argument = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let result = try await runOffThePool { try python.runBlocking(script: Self.script, arguments: [argument], timeout: .seconds(240)) }
        let logs = ["a", "b"].map { name in
            "\(name): " + String(((try? String(contentsOf: directory.appendingPathComponent("bridge-\(name).err"), encoding: .utf8)) ?? "").suffix(1500))
        }.joined(separator: "\n")
        guard result.status == 0 else {
            Issue.record("driver failed: \(result.standardError)\n\(logs)")
            return
        }
        let summary = try JSONDecoder().decode(Summary.self, from: Data(result.standardOutput.utf8))
        STOMPQueueTests.log("request-reply scale-out: \(summary)")
        #expect(summary.kills == 2)
        #expect(summary.sent == 400)
        #expect(summary.wrongCorrelation == 0, "a caller got a reply it did not ask for")
        #expect(summary.wrongBody == 0, "a reply answered another request")
        #expect(summary.missing == 0, "callers without their reply\n\(logs)")
        #expect(summary.errorReplies == 0, "timeouts\n\(logs)")
        #expect(summary.right == 400)
        #expect(summary.exits == [0, 0], "an instance did not exit 0 on SIGTERM\n\(logs)")
        #expect(summary.drained == [true, true], "an instance still had requests waiting at the drain deadline\n\(logs)")
        #expect((summary.byPartition["0"] ?? 0) > 0 && (summary.byPartition["1"] ?? 0) > 0, "both instances answered callers")
        // The last incarnation of a put back the requests its predecessor had forwarded and not yet answered.
        #expect((summary.counters["a"]?["recovered_requests"] ?? 0) > 0, "nothing pending at the last kill: \(summary.counters)")
    }
}
