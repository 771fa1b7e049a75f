import Bridge
import Foundation
import LegacyQueue
import StreamLog
import Testing

@Suite("Bridge pipeline: spool queue → LocalLog")
struct BridgePipelineTests {
    /// Endpoints of one test: a spool with IN and DLQ, a LocalLog, journaling wrappers.
    struct Rig {
        let root: String
        let spool: SpoolDirectoryQueue
        let local: LocalLog
        let journal = Journal()
        let log: JournalingLog
        let pipeline: BridgePipeline

        init(
            root: String? = nil, maxAttempts: Int = 3, maxInFlight: Int = 8, behaviour: AppendBehaviour = .normal
        ) throws {
            let root = try root ?? makeTemporaryDirectory()
            self.root = root
            spool = try SpoolDirectoryQueue(root: "\(root)/spool", configuration: SpoolConfiguration(maxRetries: 1000))
            local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
            log = JournalingLog(local, journal: journal, behaviour: behaviour)
            let configuration = testPipelineConfiguration(root: root, maxAttempts: maxAttempts, maxInFlight: maxInFlight)
            pipeline = BridgePipeline(
                configuration: configuration, source: JournalingQueue(spool, journal: journal), sourceDestination: "IN",
                sink: log, deadLetters: spool, deadLetterDestination: "DLQ", converter: EventConverter(engine: nil))
        }

        func send(_ count: Int, from first: Int = 0) throws {
            try spool.sendNow(
                (first..<(first + count)).map { eventJSON(id: "event-\($0)", key: "member-\($0 % 5)", seq: $0) }, to: "IN")
        }
    }

    @Test("every message is appended once, in per-key order, and acknowledged only after its append")
    func deliversEverything() async throws {
        let rig = try Rig(maxInFlight: 7)
        try rig.send(60)
        let task = Task { try await rig.pipeline.run() }
        #expect(try await eventually { rig.pipeline.statistics.acknowledged == 60 })
        rig.pipeline.requestStop()
        try await task.value

        let partitions = try await allRecords(rig.local, topic: "events")
        let records = partitions.flatMap { $0 }
        #expect(records.count == 60)
        #expect(Set(records.map(\.eventID)) == Set((0..<60).map { "event-\($0)" }))
        for partition in partitions {
            var lastSeqByKey: [String: Int] = [:]
            for record in partition {
                let key = String(decoding: record.key ?? [], as: UTF8.self)
                let seq = try #require(record.seq)
                #expect(seq > lastSeqByKey[key, default: -1], "key \(key) out of order")
                lastSeqByKey[key] = seq
            }
        }
        // Acknowledged only after the append that holds the event returned.
        let entries = rig.journal.all
        for index in 0..<60 {
            let append = try #require(entries.firstIndex(of: "append event-\(index)"))
            let ack = try #require(entries.firstIndex(of: "ack event-\(index)"))
            #expect(append < ack)
        }
        // Back-pressure: never more than maxInFlight received and not yet acknowledged.
        var inFlight = 0
        var peak = 0
        for entry in entries {
            if entry.hasPrefix("receive ") { inFlight += 1 }
            if entry.hasPrefix("ack ") { inFlight -= 1 }
            peak = max(peak, inFlight)
        }
        #expect(peak == 7)
        let depth = try rig.spool.depth(of: "IN")
        #expect(depth.waiting == 0 && depth.inFlight == 0 && depth.dead == 0)
        #expect(rig.pipeline.statistics.appended == 60)
        #expect(rig.pipeline.statistics.deadLettered == 0)
    }

    @Test("a poison message is retried maxAttempts times, then dead-lettered with its bytes and reason headers")
    func deadLettersPoison() async throws {
        let rig = try Rig(maxAttempts: 3)
        try rig.send(3)
        let poison = QueueMessage(text: #"{"specversion":"1.0","id":"x""#, properties: ["app.kind": "claim"])
        try rig.spool.sendNow([poison], to: "IN")
        try rig.send(3, from: 3)
        let task = Task { try await rig.pipeline.run() }
        #expect(try await eventually { rig.pipeline.statistics.deadLettered == 1 && rig.pipeline.statistics.acknowledged == 7 })
        rig.pipeline.requestStop()
        try await task.value

        #expect(rig.pipeline.statistics.rejected == 2)
        let records = try await allRecords(rig.local, topic: "events").flatMap { $0 }
        #expect(records.count == 6)
        let letters = try await rig.spool.browse("DLQ", limit: 10)
        #expect(letters.count == 1)
        let letter = try #require(letters.first)
        #expect(letter.message.body == poison.body)
        let headers = letter.message.properties
        #expect(headers[DeadLetterHeader.stage] == "decode")
        #expect(headers[DeadLetterHeader.errorClass] == "CloudEventError")
        #expect(headers[DeadLetterHeader.message]?.isEmpty == false)
        #expect(headers[DeadLetterHeader.source] == "spool:\(rig.root)/spool/IN")
        #expect(headers[DeadLetterHeader.messageID] == "4")
        #expect(headers[DeadLetterHeader.attempts] == "3")
        #expect(headers[DeadLetterHeader.pipeline] == "test")
        let stamp = try #require(headers[DeadLetterHeader.timestamp].flatMap { Int64($0) })
        #expect(abs(stamp - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000)
        #expect(headers["app.kind"] == "claim")
        let depth = try rig.spool.depth(of: "IN")
        #expect(depth.waiting == 0 && depth.inFlight == 0 && depth.dead == 0)
    }

    @Test("transient sink errors are retried with backoff; nothing is acknowledged before it is appended")
    func retriesSinkErrors() async throws {
        let rig = try Rig(behaviour: .failFirst(4))
        try rig.send(10)
        let task = Task { try await rig.pipeline.run() }
        #expect(try await eventually { rig.pipeline.statistics.acknowledged == 10 })
        rig.pipeline.requestStop()
        try await task.value
        #expect(rig.pipeline.statistics.sinkRetries == 4)
        let records = try await allRecords(rig.local, topic: "events").flatMap { $0 }
        #expect(Set(records.map(\.eventID)).count == 10)
        let entries = rig.journal.all
        for index in 0..<10 {
            #expect(try #require(entries.firstIndex(of: "append event-\(index)")) < #require(entries.firstIndex(of: "ack event-\(index)")))
        }
    }

    @Test("a pipeline abandoned mid-flight and restarted loses nothing; duplicates carry the original event id")
    func crashAndRestart() async throws {
        let root = try makeTemporaryDirectory()
        do {
            let rig = try Rig(root: root, maxInFlight: 5, behaviour: .hangAfter(7))
            try rig.send(40)
            let task = Task { try await rig.pipeline.run() }
            // The eighth append is durable but its messages are never acknowledged: the process "dies" here.
            #expect(try await eventually { rig.log.hasHung })
            #expect(rig.pipeline.statistics.acknowledged >= 5)
            task.cancel()
            _ = try? await task.value
            try rig.local.close()
            // A crashed process leaves its claims in cur/; the next process recovers claims of ended owners.
            let cur = "\(root)/spool/IN/cur"
            for name in try FileManager.default.contentsOfDirectory(atPath: cur) {
                let parts = name.split(separator: ".")
                let owner = parts[2].split(separator: "-")
                try FileManager.default.moveItem(atPath: "\(cur)/\(name)", toPath: "\(cur)/\(parts[0]).\(parts[1]).\(owner[0])-crashed")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: cur).count > 0)
        }
        let restarted = try Rig(root: root, maxInFlight: 5)
        let task = Task { try await restarted.pipeline.run() }
        #expect(try await eventually {
            let depth = try restarted.spool.depth(of: "IN")
            return depth.waiting == 0 && depth.inFlight == 0
        })
        restarted.pipeline.requestStop()
        try await task.value

        let records = try await allRecords(restarted.local, topic: "events").flatMap { $0 }
        let ids = records.map(\.eventID)
        #expect(Set(ids) == Set((0..<40).map { "event-\($0)" }), "nothing lost")
        #expect(records.count > 40, "the abandoned append is delivered again")
        // A duplicate is the same event: same id, same data.
        var byID: [String: StreamRecord] = [:]
        for record in records {
            if let first = byID[record.eventID] {
                #expect(first.value == record.value)
                #expect(first.key == record.key)
            } else {
                byID[record.eventID] = record
            }
        }
    }
}
