import Bridge
import Events
import Foundation
import Mapping
import StreamLog
import Testing

@Suite("Bridge pipeline: watched directory → LocalLog")
struct DirectoryPipelineTests {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func pipeline(root: String, sink: any StreamLog, engine: MappingEngine? = nil, maxInFlight: Int = 10) -> DirectoryPipeline {
        DirectoryPipeline(
            configuration: DirectoryPipelineConfiguration(
                name: "drop", source: DirectorySourceConfiguration(directory: "\(root)/inbox"), mappingFile: nil,
                sink: SinkConfiguration(log: "\(root)/log", topic: "events", partitions: 3), maxInFlight: maxInFlight,
                retryBackoff: .milliseconds(5), maxRetryBackoff: .milliseconds(20), pollInterval: .milliseconds(10)),
            sink: sink, reader: FileEventReader(engine: engine))
    }

    static func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test("JSON Lines files become events in per-key order and move to done; a bad line sends the file to error with its reason")
    func jsonLines() async throws {
        let root = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(root)/inbox", withIntermediateDirectories: true)
        let sample = try #require(FileManager.default.contents(atPath: Self.repositoryRoot + "/samples/events/member-and-claim-events.jsonl"))
        try sample.write(to: URL(fileURLWithPath: "\(root)/inbox/a-events.jsonl"))
        let good1 = #"{"specversion":"1.0","id":"x-1","source":"/t","type":"t","partitionkey":"k","data":{"seq":1}}"#
        let broken = #"{"specversion":"1.0","id":"x-2","source":"/t""#
        let bad = good1 + "\n\n" + broken + "\n" + good1 + "\n"
        try Data(bad.utf8).write(to: URL(fileURLWithPath: "\(root)/inbox/b-bad.jsonl"))
        try Data(good1.utf8).write(to: URL(fileURLWithPath: "\(root)/inbox/c-half-written.jsonl.part"))

        let log = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        let pipeline = Self.pipeline(root: root, sink: log)
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.filesDone == 1 && pipeline.statistics.filesFailed == 1 })
        pipeline.requestStop()
        try await task.value

        let expectedIDs = String(decoding: sample, as: UTF8.self).split(separator: "\n").map { line in
            (try? CloudEventJSONFormat.decode(Array(line.utf8)).id) ?? "?"
        }
        let partitions = try await allRecords(log, topic: "events")
        #expect(partitions.flatMap { $0 }.count == expectedIDs.count)
        #expect(Set(partitions.flatMap { $0 }.map(\.eventID)) == Set(expectedIDs))
        for partition in partitions {
            // Within a partition, a key's events keep the file's order.
            var lastIndexByKey: [[UInt8]: Int] = [:]
            for record in partition {
                let index = try #require(expectedIDs.firstIndex(of: record.eventID))
                #expect(index > lastIndexByKey[record.key ?? [], default: -1])
                lastIndexByKey[record.key ?? []] = index
            }
        }
        #expect(Self.files("\(root)/inbox/done") == ["a-events.jsonl"])
        #expect(Self.files("\(root)/inbox/error") == ["b-bad.jsonl", "b-bad.jsonl.reason"])
        #expect(Self.files("\(root)/inbox").contains("c-half-written.jsonl.part"))
        let reason = try String(contentsOfFile: "\(root)/inbox/error/b-bad.jsonl.reason", encoding: .utf8)
        let offset = good1.utf8.count + 2  // the broken line starts after the first line and a blank line
        #expect(reason.contains("file: b-bad.jsonl\npipeline: drop\nrecord: 3\nbyte-offset: \(offset)\nstage: decode\nclass: CloudEventError\n"), "\(reason)")
        #expect(!reason.contains("x-2"), "never a value from the file")
        #expect(pipeline.statistics.appended == expectedIDs.count)
    }

    @Test("a copybook file through the mapping: each record's event; a truncated record names record 3 at byte 410")
    func copybookFile() async throws {
        let mapping = try MappingDefinition(contentsOf: Self.repositoryRoot + "/mappings/member-eligibility-cdc/mapping.json")
        let engine = MappingEngine(mapping: mapping)
        let data = try #require(
            FileManager.default.contents(atPath: Self.repositoryRoot + "/samples/mainframe/MEMBER-ELIG-CDC.D261206.dat"))
        let expected = try engine.events(from: Array(data), inputName: "file").map { $0["id"]?.stringValue ?? "?" }
        let root = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(root)/inbox", withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: "\(root)/inbox/MEMBER-ELIG-CDC.D261206.dat"))
        try data.prefix(2 * 205 + 100).write(to: URL(fileURLWithPath: "\(root)/inbox/MEMBER-ELIG-CDC.D261207.dat"))

        let log = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        let pipeline = Self.pipeline(root: root, sink: log, engine: engine)
        let task = Task { try await pipeline.run() }
        #expect(try await eventually { pipeline.statistics.filesDone == 1 && pipeline.statistics.filesFailed == 1 })
        pipeline.requestStop()
        try await task.value

        let appended = try await allRecords(log, topic: "events").flatMap { $0 }
        #expect(appended.map(\.eventID).sorted() == expected.sorted())
        #expect(Self.files("\(root)/inbox/done") == ["MEMBER-ELIG-CDC.D261206.dat"])
        let reason = try String(contentsOfFile: "\(root)/inbox/error/MEMBER-ELIG-CDC.D261207.dat.reason", encoding: .utf8)
        #expect(reason.contains("record: 3\nbyte-offset: 410\nstage: decode\nclass: MappingError\n"), "\(reason)")
    }

    @Test("a crash after the append but before the move: the file is processed again, its events with the same ids")
    func crashBeforeMove() async throws {
        let root = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(root)/inbox", withIntermediateDirectories: true)
        let lines = (0..<25).map { #"{"specversion":"1.0","id":"f-\#($0)","source":"/t","type":"t","partitionkey":"k","data":{"seq":\#($0)}}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: "\(root)/inbox/one.jsonl"))
        let local = try LocalLog(LocalLogConfiguration(directory: "\(root)/log", fsync: .always))
        let hanging = JournalingLog(local, journal: Journal(), behaviour: .hangAfter(1))
        let doomed = Self.pipeline(root: root, sink: hanging, maxInFlight: 10)
        let task = Task { try await doomed.run() }
        #expect(try await eventually { hanging.hasHung })
        task.cancel()
        _ = try? await task.value
        #expect(Self.files("\(root)/inbox").contains("one.jsonl"))
        #expect(Self.files("\(root)/inbox/done").isEmpty)
        let before = try await allRecords(local, topic: "events").flatMap { $0 }
        #expect(before.count == 20)

        let restarted = Self.pipeline(root: root, sink: local)
        let second = Task { try await restarted.run() }
        #expect(try await eventually { restarted.statistics.filesDone == 1 })
        restarted.requestStop()
        try await second.value
        let after = try await allRecords(local, topic: "events").flatMap { $0 }
        #expect(after.count == 45)
        #expect(Set(after.map(\.eventID)) == Set((0..<25).map { "f-\($0)" }))
        #expect(Self.files("\(root)/inbox/done") == ["one.jsonl"])
    }
}
