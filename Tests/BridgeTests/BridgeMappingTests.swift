import Bridge
import Events
import Foundation
import LegacyQueue
import Mapping
import StreamLog
import Testing

@Suite("Bridge pipeline through a mapping (copybook CDC records → change events)")
struct BridgeMappingTests {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    @Test("each EBCDIC record becomes its mapped event; a truncated record is dead-lettered at stage map")
    func mapsRecords() async throws {
        let mapping = try MappingDefinition(contentsOf: Self.repositoryRoot + "/mappings/member-eligibility-cdc/mapping.json")
        let engine = MappingEngine(mapping: mapping)
        let data = try #require(
            FileManager.default.contents(atPath: Self.repositoryRoot + "/samples/mainframe/MEMBER-ELIG-CDC.D261206.dat"))
        let bytes = Array(data)
        #expect(bytes.count == 3 * 205)
        let records = (0..<3).map { Array(bytes[($0 * 205)..<(($0 + 1) * 205)]) }
        // What the mapping makes of the whole file is what the bridge must append, record by record.
        let expected = try engine.events(from: bytes, inputName: "file").map { $0["id"]?.stringValue ?? "?" }
        #expect(expected.count == 3)

        let root = try makeTemporaryDirectory()
        let spool = try SpoolDirectoryQueue(root: "\(root)/spool")
        let log = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        var messages = records.map { QueueMessage(body: $0, bodyKind: .bytes) }
        messages.insert(QueueMessage(body: Array(records[0].prefix(100)), bodyKind: .bytes), at: 1)
        try spool.sendNow(messages, to: "IN")
        let pipeline = BridgePipeline(
            configuration: testPipelineConfiguration(root: root, maxAttempts: 1), source: spool, sourceDestination: "IN",
            sink: log, deadLetters: spool, deadLetterDestination: "DLQ", converter: EventConverter(engine: engine))
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.acknowledged == 4 })
        pipeline.requestStop()
        try await task.value

        let appended = try await allRecords(log, topic: "events").flatMap { $0 }
        #expect(Set(appended.map(\.eventID)) == Set(expected))
        #expect(appended.count == 3)
        let letter = try #require(try spool.browseNow("DLQ", limit: 5).first)
        #expect(letter.message.body == Array(records[0].prefix(100)))
        #expect(letter.message.properties[DeadLetterHeader.stage] == "map")
        #expect(letter.message.properties[DeadLetterHeader.errorClass] == "MappingError")
        #expect(letter.message.properties[DeadLetterHeader.attempts] == "1")
        #expect(pipeline.statistics.rejected == 0)
    }
}
