import Bridge
import Dispatch
import Foundation
import Kafka
import LegacyQueue
import STOMP
import StreamLog
import Testing

/// Inbound request-reply on the real brokers of `scripts/test`: stomp.py callers on ActiveMQ, the router in process,
/// a confluent-kafka responder on tansu (and a stomp.py legacy service), all checked from outside the bridge.
@Suite("Request-reply on ActiveMQ and tansu (real brokers from scripts/test)", .serialized)
struct RequestReplyActiveMQTests {
    /// Callers, a Kafka responder and a legacy service, in one Python process; prints one JSON summary.
    ///
    /// argv: JSON with host, port, bootstrap, requestQueue, requestTopic, legacyQueue (or null), callers, perCaller,
    /// types (list cycled over requests), seedMismatch (request number or -1), runID.
    /// Each caller thread has its own STOMP connection and reply queue, sends all its requests (correlation-id
    /// `c<caller>-<j>`), then waits for replies; a reply is right when its correlation id is one the caller sent and
    /// its body's `n` is the request's.
    static let script = #"""
import json, sys, threading, time, uuid
import stomp
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING

args = json.loads(sys.argv[1])
host, port = args["host"], int(args["port"])
stop = threading.Event()
served = {"modern": 0, "legacy": 0}

def reply_for(body, service):
    reply = {"n": body["n"], "claimId": body["claimId"], "status": "paid", "amount": "125.00",
             "service": service, "time": time.time()}
    if service == "modern" and body["n"] == args["seedMismatch"]:
        reply["status"] = "denied"
    return reply

def responder():
    consumer = Consumer({"bootstrap.servers": args["bootstrap"], "group.id": "responder-" + args["runID"],
                         "enable.auto.commit": False, "fetch.wait.max.ms": 5})
    meta = consumer.list_topics(args["requestTopic"], timeout=10).topics[args["requestTopic"]]
    consumer.assign([TopicPartition(args["requestTopic"], p, OFFSET_BEGINNING) for p in meta.partitions])
    producer = Producer({"bootstrap.servers": args["bootstrap"], "linger.ms": 0})
    while not stop.is_set():
        msg = consumer.poll(0.05)
        if msg is None or msg.error():
            continue
        headers = dict(msg.headers() or [])
        body = json.loads(msg.value())
        producer.produce(headers["kafka_replyTopic"].decode(), json.dumps(reply_for(body, "modern")).encode(),
                         partition=int.from_bytes(headers["kafka_replyPartition"], "big"),
                         headers=[("kafka_correlationId", headers["kafka_correlationId"])])
        producer.poll(0)
        served["modern"] += 1
    producer.flush(10)
    consumer.close()

class LegacyService(stomp.ConnectionListener):
    def __init__(self, conn):
        self.conn = conn
    def on_message(self, frame):
        body = json.loads(frame.body)
        self.conn.send(frame.headers["reply-to"], json.dumps(reply_for(body, "legacy")),
                       headers={"correlation-id": frame.headers["correlation-id"], "persistent": "true"})
        self.conn.ack(frame.headers["ack"])
        served["legacy"] += 1

class Caller(stomp.ConnectionListener):
    def __init__(self):
        self.replies = []
        self.lock = threading.Lock()
    def on_message(self, frame):
        with self.lock:
            self.replies.append((frame.headers.get("correlation-id"), frame.body, frame.headers.get("ferry-error")))

results = []
def caller(index, first_n):
    listener = Caller()
    conn = stomp.Connection12([(host, port)], auto_content_length=False)
    conn.set_listener("", listener)
    conn.connect(wait=True)
    reply_queue = "/queue/ferry.test.caller.%s.%d" % (args["runID"], index)
    conn.subscribe(reply_queue, id="r", ack="auto")
    sent = {}
    for j in range(args["perCaller"]):
        n = first_n + j
        member = "M%06d" % (n * 7919 % 1000003)
        body = {"n": n, "claimId": "C%d" % n, "memberId": member}
        correlation = "c%d-%d" % (index, j)
        sent[correlation] = (n, member)
        conn.send(args["requestQueue"], json.dumps(body), headers={
            "reply-to": reply_queue, "correlation-id": correlation, "persistent": "true",
            "type": args["types"][n % len(args["types"])], "memberId": member})
    deadline = time.time() + args["waitSeconds"]
    while time.time() < deadline:
        with listener.lock:
            if len(listener.replies) >= len(sent):
                break
        time.sleep(0.05)
    time.sleep(0.3)  # anything extra (a duplicate, another caller's reply) would arrive now
    conn.disconnect()
    results.append((sent, list(listener.replies)))

threads = [threading.Thread(target=responder)]
legacy_conn = None
if args["legacyQueue"]:
    legacy_conn = stomp.Connection12([(host, port)], auto_content_length=False)
    legacy_conn.set_listener("", LegacyService(legacy_conn))
    legacy_conn.connect(wait=True)
    legacy_conn.subscribe(args["legacyQueue"], id="legacy", ack="client-individual")
threads[0].start()
started = time.time()
callers = [threading.Thread(target=caller, args=(i, i * args["perCaller"])) for i in range(args["callers"])]
for t in callers: t.start()
for t in callers: t.join()
elapsed = time.time() - started
stop.set()
threads[0].join()
if legacy_conn: legacy_conn.disconnect()

summary = {"sent": 0, "replies": 0, "right": 0, "wrongCorrelation": 0, "wrongBody": 0, "duplicates": 0,
           "missing": 0, "errorReplies": 0, "served": served, "elapsedSeconds": round(elapsed, 2), "answeredBy": {}}
for sent, replies in results:
    summary["sent"] += len(sent)
    seen = set()
    for correlation, body, error in replies:
        summary["replies"] += 1
        if correlation not in sent:
            summary["wrongCorrelation"] += 1
            continue
        if correlation in seen:
            summary["duplicates"] += 1
            continue
        seen.add(correlation)
        if error:
            summary["errorReplies"] += 1
            continue
        reply = json.loads(body)
        n, member = sent[correlation]
        if reply.get("n") != n:
            summary["wrongBody"] += 1
            continue
        summary["right"] += 1
        summary["answeredBy"][member] = reply["service"]
    summary["missing"] += len(set(sent) - seen)
print(json.dumps(summary))
"""#

    struct Summary: Decodable {
        var sent: Int
        var replies: Int
        var right: Int
        var wrongCorrelation: Int
        var wrongBody: Int
        var duplicates: Int
        var missing: Int
        var errorReplies: Int
        var served: [String: Int]
        var elapsedSeconds: Double
        var answeredBy: [String: String]
    }

    /// Runs the script off the cooperative pool (it blocks while polling the process).
    static func runScript(_ arguments: [String: Any], timeout: Duration) async throws -> Summary {
        let python = try TestEnvironment.current.python()
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let run = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PythonInterpreter.Run, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try python.runBlocking(script: script, arguments: [json], timeout: timeout) })
            }
        }
        try #require(run.status == 0, "request-reply script failed: \(run.standardError)")
        return try JSONDecoder().decode(Summary.self, from: Data(run.standardOutput.utf8))
    }

    struct Rig {
        var router: RequestReplyRouter
        var task: Task<Void, any Error>
        var queue: STOMPClient
        var client: KafkaClient
        var arguments: [String: Any]

        func stop() async throws {
            router.requestStop()
            try await task.value
            try await queue.close()
            client.close()
        }
    }

    /// Topics and queues unique to this run, a router over them started, and the script's arguments.
    static func rig(
        routes: RouteTable, legacy: Bool, mismatchTopic: Bool = false, ignoredFields: Set<String> = [],
        timeout: Duration = .seconds(90)
    ) async throws -> Rig {
        let stomp = try TestEnvironment.current.stompBroker()
        let kafka = try TestEnvironment.current.kafkaBroker()
        let runID = String(UUID().uuidString.prefix(8)).lowercased()
        let client = try KafkaClient(configuration: KafkaClientConfiguration(url: "kafka://\(kafka.host):\(kafka.port)"))
        let requestTopic = "rr-requests-\(runID)"
        let replyTopic = "rr-replies-\(runID)"
        try await client.createTopic(requestTopic, partitions: 3)
        try await client.createTopic(replyTopic, partitions: 2)
        var configuration = RequestReplyConfiguration(
            name: "claims-\(runID)", requests: "stomp://\(stomp.host):\(stomp.port)/queue/ferry.test.rr.\(runID)",
            kafka: "kafka://\(kafka.host):\(kafka.port)", requestTopic: requestTopic, replyTopic: replyTopic,
            deadLetterQueue: "/queue/ferry.test.rr.\(runID).DLQ", routes: routes)
        configuration.replyPartition = 1
        configuration.timeout = timeout
        configuration.maxInFlight = 20_000
        configuration.keyProperty = "memberId"
        configuration.shadowIgnoredFields = ignoredFields
        if legacy { configuration.legacyServiceQueue = "/queue/ferry.test.rr.\(runID).LEGACY" }
        if mismatchTopic {
            configuration.mismatchTopic = "rr-mismatches-\(runID)"
            try await client.createTopic("rr-mismatches-\(runID)", partitions: 1)
        }
        var stompConfiguration = try STOMPQueueTests.configuration()
        stompConfiguration.prefetch = 1000
        let queue = try await STOMPClient.connect(stompConfiguration)
        let router = try RequestReplyRouter(configuration: configuration, queue: queue, isSTOMP: true, client: client)
        let task = Task { try await router.run() }
        let arguments: [String: Any] = [
            "host": stomp.host, "port": Int(stomp.port), "bootstrap": "\(kafka.host):\(kafka.port)",
            "requestQueue": "/queue/ferry.test.rr.\(runID)", "requestTopic": requestTopic,
            "legacyQueue": legacy ? "/queue/ferry.test.rr.\(runID).LEGACY" : NSNull(), "runID": runID,
            "seedMismatch": -1, "types": ["claim-status"], "waitSeconds": 100,
        ]
        return Rig(router: router, task: task, queue: queue, client: client, arguments: arguments)
    }

    @Test("10,000 concurrent stomp.py requests, a confluent-kafka responder: every caller gets exactly its own replies")
    func tenThousandModern() async throws {
        let rig = try await Self.rig(routes: RouteTable(defaultRoute: .modern), legacy: false)
        var arguments = rig.arguments
        arguments["callers"] = 20
        arguments["perCaller"] = 500
        let summary = try await Self.runScript(arguments, timeout: .seconds(150))
        try await rig.stop()
        #expect(summary.sent == 10_000)
        #expect(summary.right == 10_000, "\(summary)")
        #expect(summary.replies == 10_000 && summary.missing == 0 && summary.duplicates == 0)
        #expect(summary.wrongCorrelation == 0 && summary.wrongBody == 0 && summary.errorReplies == 0)
        #expect(summary.served["modern"] == 10_000)
        let counts = rig.router.statistics
        #expect(counts.requests == 10_000 && counts.routedModern == 10_000 && counts.repliesDelivered == 10_000)
        #expect(counts.timeouts == 0 && counts.lateReplies == 0 && counts.unknownReplies == 0)
        print("request-reply: 10,000 requests answered in \(summary.elapsedSeconds) s")
    }

    @Test("shadow answers from legacy and records exactly the seeded mismatch (paths only, on the mismatch topic)")
    func shadow() async throws {
        let rig = try await Self.rig(
            routes: RouteTable(defaultRoute: .shadow), legacy: true, mismatchTopic: true, ignoredFields: ["service", "time"])
        var arguments = rig.arguments
        arguments["callers"] = 4
        arguments["perCaller"] = 100
        arguments["seedMismatch"] = 17
        let summary = try await Self.runScript(arguments, timeout: .seconds(120))
        // The modern replies may trail the legacy ones: wait for every comparison before stopping.
        let deadline = ContinuousClock.now + .seconds(30)
        while rig.router.statistics.shadowCompared < 400 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let topic = try #require(rig.router.configuration.mismatchTopic)
        let events = try await rig.client.fetch(
            [(topic, 0, 0)], maximumBytesPerPartition: 1 << 20, maximumWait: .milliseconds(500), limits: .init())
        try await rig.stop()
        #expect(summary.right == 400 && summary.missing == 0 && summary.duplicates == 0 && summary.wrongCorrelation == 0)
        #expect(Set(summary.answeredBy.values) == ["legacy"], "shadow callers are answered by the legacy service")
        #expect(summary.served["legacy"] == 400, "\(summary.served)")
        let counts = rig.router.statistics
        #expect(counts.routedShadow == 400 && counts.shadowCompared == 400, "\(counts)")
        #expect(counts.shadowMismatches == 1)
        let records = events.flatMap(\.records)
        #expect(records.count == 1)
        let event = try #require(records.first.flatMap { $0.record.value })
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(event)) as? [String: Any])
        #expect(decoded["differences"] as? [String] == ["$.status"])
        #expect(!String(decoding: event, as: UTF8.self).contains("denied"), "no values in mismatch events")
    }

    @Test("canary 30%: each member key goes the way its hash bucket says; reload switches routes without loss")
    func canary() async throws {
        let rig = try await Self.rig(routes: RouteTable(defaultRoute: .canary(percent: 30)), legacy: true)
        var arguments = rig.arguments
        arguments["callers"] = 4
        arguments["perCaller"] = 150
        let summary = try await Self.runScript(arguments, timeout: .seconds(120))
        #expect(summary.right == 600 && summary.missing == 0 && summary.duplicates == 0 && summary.wrongCorrelation == 0)
        var modern = 0
        for (member, service) in summary.answeredBy {
            let expected = RouteTable.canaryBucket(forKey: member) < 30 ? "modern" : "legacy"
            #expect(service == expected, "member \(member)")
            if expected == "modern" { modern += 1 }
        }
        let counts = rig.router.statistics
        #expect(counts.routedModern == modern && counts.routedLegacy == 600 - modern)
        #expect(modern > 100 && modern < 260, "30 % of 600 keys, binomial spread")

        // Reload to all-modern: the next requests go to Kafka only.
        rig.router.reload(routes: RouteTable(defaultRoute: .modern))
        arguments["runID"] = (arguments["runID"] as! String) + "b"
        arguments["callers"] = 2
        arguments["perCaller"] = 50
        let after = try await Self.runScript(arguments, timeout: .seconds(120))
        try await rig.stop()
        #expect(after.right == 100 && Set(after.answeredBy.values) == ["modern"])
    }

    @Test("no reply in time: the caller gets the error reply; the reply that comes later is counted and dead-lettered")
    func timeoutAndLateReply() async throws {
        let rig = try await Self.rig(routes: RouteTable(defaultRoute: .modern), legacy: false, timeout: .milliseconds(300))
        let runID = rig.arguments["runID"] as! String
        let caller = try await STOMPClient.connect(try STOMPQueueTests.configuration())
        let replyQueue = "/queue/ferry.test.rr.\(runID).caller"
        var request = QueueMessage(text: #"{"n":1,"claimId":"C1","memberId":"M1"}"#, properties: ["memberId": "M1"])
        request.replyTo = replyQueue
        request.correlationID = "late-1"
        try await caller.send(request, to: rig.arguments["requestQueue"] as! String)
        // No responder yet: the timeout answers.
        let errorReply = try #require(try await caller.receive(from: replyQueue, timeout: .seconds(10)))
        #expect(errorReply.message.correlationID == "late-1" && errorReply.message.properties["ferry-error"] == "timeout")
        #expect(errorReply.message.body == Array(#"{"error":"timeout"}"#.utf8))
        try await caller.acknowledge(errorReply)
        // Now a responder answers the expired request: the reply must not reach the caller.
        let topic = rig.router.configuration.requestTopic
        let consumer = KafkaConsumer(client: rig.client, assignment: (0..<3).map { (topic, $0, .earliest) })
        var iterator = consumer.makeAsyncIterator()
        let requestRecord = try await iterator.next()
        let stored = try #require(requestRecord, "\(rig.router.statistics)")
        let correlation = try #require(stored.record.headers.first { $0.name == "kafka_correlationId" })
        let producer = try KafkaProducer(client: rig.client)
        _ = try await producer.send(
            StreamRecord(key: nil, value: Array(#"{"n":1}"#.utf8), headers: [correlation], timestamp: 0),
            topic: rig.router.configuration.replyTopic, partition: 1)
        let deadline = ContinuousClock.now + .seconds(10)
        while rig.router.statistics.lateReplies < 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(rig.router.statistics.lateReplies == 1 && rig.router.statistics.timeouts == 1)
        #expect(try await caller.receive(from: replyQueue, timeout: .milliseconds(500)) == nil)
        let dead = try #require(try await caller.receive(from: rig.router.configuration.deadLetterQueue, timeout: .seconds(5)))
        #expect(dead.message.properties["ferry.error.stage"] == "reply" && dead.message.body == Array(#"{"n":1}"#.utf8))
        try await caller.acknowledge(dead)
        await producer.close()
        try await caller.close()
        try await rig.stop()
    }
}
