import Foundation
import Kafka
import StreamLog
import Synchronization
import Testing

/// Issue 6's acceptance: killing the broker mid-produce and restarting it loses no acknowledged record and
/// duplicates none. The broker is the durable tansu of `scripts/test` (s3:// storage on moto), SIGKILLed and
/// restarted by `FERRY_KAFKA_DURABLE_RESTART` while Ferry's idempotent producer (acks=all) is writing; the
/// topic is then read back by confluent-kafka, not by Ferry. docs/decisions/0008-kafka-restart-test-on-tansu-s3.md
/// (revision 2) says why the crash loses records on tansu.
@Suite("Ferry's producer across broker crashes (durable tansu from scripts/test)", .serialized)
struct KafkaBrokerRestartTests {
    /// The outcome of one `send`, by record number.
    enum Outcome: Sendable {
        /// `order`: how many acknowledgements came before this one.
        case acknowledged(partition: Int, offset: Int64, order: Int)
        case failed(String)
    }

    /// What the senders and the crash task share.
    final class Run: Sendable {
        let outcomes: Mutex<[Outcome?]>
        let acknowledged = Atomic<Int>(0)
        let finishedSenders = Atomic<Int>(0)
        /// Restarts done while senders were still running.
        let restartsMidRun = Atomic<Int>(0)
        init(total: Int) { outcomes = Mutex([Outcome?](repeating: nil, count: total)) }
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("[KafkaBrokerRestartTests] \(message)\n".utf8))
    }

    static func durableClient() throws -> KafkaClient {
        let broker = try TestEnvironment.current.durableKafkaBroker()
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: broker.host, port: Int(broker.port))])
        configuration.requestTimeout = .seconds(10)
        // The default 10 tries (about 11 s of backoff) outlast a restart, which takes well under a second.
        return try KafkaClient(configuration: configuration)
    }

    /// Every record of `topic` as confluent-kafka reads it: (partition, offset, key).
    static func readBack(topic: String, partitions: Int) async throws -> [(partition: Int, offset: Int64, key: String)] {
        let environment = TestEnvironment.current
        let python = try environment.python()
        let broker = try environment.durableKafkaBroker()
        let source = try String(contentsOfFile: KafkaCrossCheckTests.script, encoding: .utf8)
        let run = try await python.run(
            script: source, arguments: ["\(broker.host):\(broker.port)", "keys", topic, String(partitions)],
            timeout: .seconds(300))
        try #require(run.status == 0, "kafka_client.py keys failed (\(run.status)): \(run.standardError)")
        let rows = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[Any]] ?? []
        return try rows.map { row in
            let partition = try #require(row[0] as? Int)
            let offset = try #require((row[1] as? NSNumber)?.int64Value)
            let keyHex = try #require(row[2] as? String)
            let key = String(decoding: try #require(KafkaCrossCheckTests.WireRecord.bytes(keyHex)), as: UTF8.self)
            return (partition, offset, key)
        }
    }

    /// What one run established, by record number.
    struct Findings {
        var acknowledged: [Int: (partition: Int, offset: Int64, order: Int)] = [:]
        var failures: [Int: String] = [:]
        /// Where confluent-kafka read each record (more than one place: written twice).
        var seen: [Int: [(partition: Int, offset: Int64)]] = [:]
        var restartsMidRun = 0
        var duplicated: [Int] { seen.filter { $0.value.count > 1 }.keys.sorted() }
        var lost: [Int] { acknowledged.keys.filter { seen[$0] == nil }.sorted() }
        /// Read back, but not at the offset of its acknowledgement.
        var misplaced: [Int] {
            acknowledged.filter { index, place in
                seen[index]?.contains { $0.partition == place.partition && $0.offset == place.offset } == false
            }.keys.sorted()
        }
    }

    /// 30,000 keyed records from 256 concurrent `send`s of one idempotent producer (acks=all) to a new 4-partition
    /// topic of the durable tansu, SIGKILLed and restarted at a third and at two thirds of the acknowledgements;
    /// then the topic as confluent-kafka reads it.
    static func produceAcrossCrashes(tag: String) async throws -> Findings {
        let environment = TestEnvironment.current
        let restart = try environment.durableKafkaRestartScript()
        let state = try #require(environment.variables["FERRY_TEST_STATE_DIR"], "FERRY_TEST_STATE_DIR is unset; run scripts/test")
        _ = try environment.python()

        let total = 30_000
        let partitions = 4
        let senders = 256
        let topic = KafkaClientTests.uniqueTopic(tag)
        let client = try Self.durableClient()
        defer { client.close() }
        #expect(try await client.createTopic(topic, partitions: partitions) == .created)
        let producer = try KafkaProducer(client: client)  // acks=all, idempotent: the defaults

        let run = Run(total: total)
        let payload = [UInt8](repeating: 0x2E, count: 200)
        let started = ContinuousClock.now

        try await withThrowingTaskGroup(of: Void.self) { group in
            // The crashes, at a third and at two thirds of the acknowledgements, while the senders keep sending
            // (records are in flight when the broker dies).
            group.addTask {
                for threshold in [total / 3, 2 * total / 3] {
                    while run.acknowledged.load(ordering: .relaxed) < threshold {
                        if run.finishedSenders.load(ordering: .relaxed) == senders { return }  // checked below
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    Self.log("\(tag): SIGKILL + restart after \(run.acknowledged.load(ordering: .relaxed)) acknowledged, \(ContinuousClock.now - started)")
                    if run.finishedSenders.load(ordering: .relaxed) < senders { run.restartsMidRun.add(1, ordering: .relaxed) }
                    let status = try await ChildProcess.spawn(restart, arguments: [state]).exit()
                    #expect(status == 0, "\(restart) failed with status \(status)")
                    Self.log("broker back after \(ContinuousClock.now - started), \(run.acknowledged.load(ordering: .relaxed)) acknowledged")
                }
            }
            for sender in 0..<senders {
                group.addTask {
                    for index in stride(from: sender, to: total, by: senders) {
                        let record = StreamRecord(key: Array("record-\(index)".utf8), value: payload, headers: [], timestamp: 1_700_000_000_000 + Int64(index))
                        let outcome: Outcome
                        do {
                            let report = try await producer.send(record, topic: topic)
                            let order = run.acknowledged.add(1, ordering: .relaxed).oldValue
                            outcome = .acknowledged(partition: report.partition, offset: report.offset, order: order)
                        } catch {
                            outcome = .failed("\(error)")
                        }
                        run.outcomes.withLock { $0[index] = outcome }
                    }
                    run.finishedSenders.add(1, ordering: .relaxed)
                }
            }
            try await group.waitForAll()
        }
        await producer.close()
        let produced = ContinuousClock.now - started

        let sent = run.outcomes.withLock { $0 }
        var findings = Findings(restartsMidRun: run.restartsMidRun.load(ordering: .relaxed))
        for (index, outcome) in sent.enumerated() {
            switch outcome {
            case let .acknowledged(partition, offset, order)?: findings.acknowledged[index] = (partition, offset, order)
            case let .failed(reason)?: findings.failures[index] = reason
            case nil: Issue.record("record \(index) has no outcome")
            }
        }
        Self.log("\(tag): produced in \(produced): \(findings.acknowledged.count) acknowledged, \(findings.failures.count) failed\(findings.failures.values.first.map { " (first: \($0))" } ?? "")")

        let read = try await Self.readBack(topic: topic, partitions: partitions)
        for row in read {
            let index = try #require(row.key.hasPrefix("record-") ? Int(row.key.dropFirst("record-".count)) : nil, "unexpected key \(row.key)")
            findings.seen[index, default: []].append((row.partition, row.offset))
        }
        Self.log("""
            \(tag): read back \(read.count) records: \(findings.duplicated.count) duplicated, \(findings.lost.count) acknowledged \
            and lost, \(findings.misplaced.count) not at their acknowledged offset, \
            \(findings.failures.keys.filter { findings.seen[$0] != nil }.count) failed sends written anyway
            """)
        return findings
    }

    /// A crash (SIGKILL) twice mid-produce. tansu 0.6.0 commits a batch's producer sequence (meta.json) before
    /// its offsets (watermark.json) and records (the batch object); killed between the two, it keeps the sequence
    /// without the records, and answers the producer's retry of that batch DUPLICATE_SEQUENCE_NUMBER with base
    /// offset -1, which every Kafka client counts as written (Ferry reports offsets -1, 0, 1, ... for its records:
    /// offsets already acknowledged for other records). Those acknowledgements are "suspect"; everything else is
    /// held to the full promise, strictly, and the lost suspect records are a known issue of the broker
    /// (docs/decisions/0008-kafka-restart-test-on-tansu-s3.md, revision 2).
    @Test func sigkillingTheBrokerTwiceMidProduceLosesNoAcknowledgedRecordAndDuplicatesNone() async throws {
        let findings = try await Self.produceAcrossCrashes(tag: "restart")
        let acknowledged = findings.acknowledged
        // An acknowledgement is trusted when it is the first to give its partition/offset; a later one for the
        // same slot (or one with no offset) is the DUPLICATE_SEQUENCE_NUMBER answer described above.
        var firstAcknowledgement: [String: (index: Int, order: Int)] = [:]
        for (index, place) in acknowledged where place.offset >= 0 {
            let slot = "\(place.partition)/\(place.offset)"
            if let earlier = firstAcknowledgement[slot], earlier.order < place.order { continue }
            firstAcknowledgement[slot] = (index, place.order)
        }
        let trusted = Set(firstAcknowledgement.values.map(\.index))
        let suspect = acknowledged.keys.filter { !trusted.contains($0) }
        let trustedLost = findings.lost.filter(trusted.contains)
        let trustedMisplaced = findings.misplaced.filter(trusted.contains)
        let suspectLost = findings.lost.filter { !trusted.contains($0) }
        Self.log("restart: \(trusted.count) acknowledged at an offset of their own: \(trustedLost.count) lost, \(trustedMisplaced.count) elsewhere; \(suspect.count) acknowledged at an offset given before or none: \(suspectLost.count) lost")
        if !suspectLost.isEmpty {
            Self.log("suspect acknowledgements lost: \(suspectLost.prefix(40).map { "\($0)@\(acknowledged[$0]!.partition)/\(acknowledged[$0]!.offset)" })")
        }

        // Both crashes happened while records were still being sent (not after the run).
        #expect(findings.restartsMidRun == 2, "the broker was not killed twice while records were being sent")
        // What Ferry controls: idempotence (a retried batch is never written twice) and honest acknowledgements.
        #expect(findings.duplicated.isEmpty, "records written more than once: \(findings.duplicated.prefix(10).map { "\($0): \(findings.seen[$0]!)" })")
        #expect(trustedLost.isEmpty, "acknowledged records missing after the restarts: \(trustedLost.prefix(20).map { "\($0)@\(acknowledged[$0]!)" })")
        #expect(trustedMisplaced.isEmpty, "records not where their acknowledgement put them: \(trustedMisplaced.prefix(20).map { "\($0): \(acknowledged[$0]!) → \(findings.seen[$0]!)" })")
        withKnownIssue(
            "tansu 0.6.0 (s3 storage) keeps a batch's producer sequence without its records when killed between the two writes, then answers the retry DUPLICATE_SEQUENCE_NUMBER (broker bug, not Ferry's)",
            isIntermittent: true
        ) {
            #expect(suspectLost.isEmpty, "records acknowledged by DUPLICATE_SEQUENCE_NUMBER (offset already given, or none) and lost: \(suspectLost.count)")
        }
    }
}
