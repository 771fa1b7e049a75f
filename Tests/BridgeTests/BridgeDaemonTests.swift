import Bridge
import Foundation
import LegacyQueue
import StreamLog
import Synchronization
import Testing

@Suite("Bridge daemon lifecycle")
struct BridgeDaemonTests {
    @Test("a stop request (SIGTERM) drains in-flight messages: appended and acknowledged, none left claimed")
    func drainsOnStop() async throws {
        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool")
        let local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        let journal = Journal()
        let log = JournalingLog(local, journal: journal, behaviour: .slow(.milliseconds(30)))
        try spool.sendNow((0..<200).map { eventJSON(id: "e\($0)", key: "k\($0 % 7)", seq: $0) }, to: "IN")
        let pipeline = BridgePipeline(
            configuration: testPipelineConfiguration(root: root, maxInFlight: 16), source: spool, sourceDestination: "IN",
            sink: log, deadLetters: spool, deadLetterDestination: "DLQ", converter: EventConverter(engine: nil))
        let daemon = BridgeDaemon(
            configuration: BridgeConfiguration(pipelines: [pipeline.configuration], drainTimeout: .seconds(30)),
            pipelines: [pipeline])
        let stop = Atomic<Bool>(false)
        async let outcome = daemon.run { stop.load(ordering: .relaxed) }
        #expect(try await eventually { pipeline.statistics.acknowledged >= 16 })
        stop.store(true, ordering: .relaxed)
        #expect(try await outcome == .drained)

        let statistics = pipeline.statistics
        #expect(statistics.acknowledged == statistics.received)
        #expect(statistics.appended == statistics.received)
        #expect(statistics.received < 200, "stopped before the queue was empty")
        let depth = try spool.depth(of: "IN")
        #expect(depth.inFlight == 0)
        #expect(depth.waiting == 200 - statistics.received)
        let records = try await allRecords(local, topic: "events").flatMap { $0 }
        #expect(records.count == statistics.received)
    }

    @Test("the drain deadline abandons a stuck append and reports it")
    func drainTimeout() async throws {
        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool")
        let local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        let log = JournalingLog(local, journal: Journal(), behaviour: .hangAfter(0))
        try spool.sendNow([eventJSON(id: "e1", key: "k", seq: 1)], to: "IN")
        let pipeline = BridgePipeline(
            configuration: testPipelineConfiguration(root: root), source: spool, sourceDestination: "IN", sink: log,
            deadLetters: spool, deadLetterDestination: "DLQ", converter: EventConverter(engine: nil))
        let daemon = BridgeDaemon(
            configuration: BridgeConfiguration(pipelines: [pipeline.configuration], drainTimeout: .milliseconds(200)),
            pipelines: [pipeline])
        let started = ContinuousClock.now
        let outcome = try await daemon.run { pipeline.statistics.received == 1 }
        #expect(outcome == .drainTimedOut)
        #expect(ContinuousClock.now - started < .seconds(90), "bounded by the deadline, not by the stuck append (an hour)")
        #expect(pipeline.statistics.acknowledged == 0)
        #expect(try spool.depth(of: "IN").inFlight == 1, "left claimed, recovered by the next process")
    }

    @Test("opening fails at the broken pipeline and names it with the JSON path of the failing field")
    func openFailureClosesEndpoints() async throws {
        let root = try makeTemporaryDirectory()
        try Data("{ not a mapping".utf8).write(to: URL(fileURLWithPath: "\(root)/broken.json"))
        let json = """
            {"pipelines": [
              {"name": "good", "source": {"queue": "spool:\(root)/spool/A"}, "sink": {"log": "\(root)/log", "topic": "a"},
               "deadLetter": {"queue": "spool:\(root)/spool/A.DLQ"}},
              {"name": "bad", "source": {"queue": "spool:\(root)/spool/B"}, "mapping": "\(root)/broken.json",
               "sink": {"log": "\(root)/log2", "topic": "b"}, "deadLetter": {"queue": "spool:\(root)/spool/B.DLQ"}}
            ]}
            """
        let configuration = try BridgeConfiguration(json: Array(json.utf8), file: "b.json")
        let error = try await #require(throws: BridgeError.self) { _ = try await BridgeDaemon.open(configuration) }
        guard case let .endpoint(pipeline, path, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(pipeline == "bad")
        #expect(path == "$.pipelines[1].mapping")
    }
}
