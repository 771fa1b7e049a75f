@testable import Bridge
import Events
import Foundation
import LegacyQueue
import Mapping
import StreamLog
import Testing

/// The bridge maps through the mapping's compiled plan (`writeEventLines`); these tests hold it to what the
/// interpreter path made before: the same records (key, value, headers, timestamp) and the same failures.
@Suite("Bridge conversion through the compiled plan equals the interpreter path")
struct EventConverterPlanTests {
    static let repositoryRoot = BridgeMappingTests.repositoryRoot

    /// The converter as it was before the compiled plan: `events(from:inputName:)`, each event re-encoded and
    /// decoded as a CloudEvent, then the Kafka binary binding.
    static func interpreterRecords(_ engine: MappingEngine, _ message: ReceivedMessage) throws(ConversionFailure) -> [StreamRecord] {
        let mapped: [JSONValue]
        do throws(MappingError) {
            mapped = try engine.events(from: message.message.body, inputName: "\(message.destination)#\(message.messageID)")
        } catch {
            throw ConversionFailure(stage: "map", errorClass: "MappingError", message: error.description)
        }
        var records: [StreamRecord] = []
        for value in mapped {
            let event: CloudEvent
            do throws(CloudEventError) { event = try CloudEventJSONFormat.decode(value.encoded()) } catch {
                throw ConversionFailure(stage: "map", errorClass: "CloudEventError", message: error.description)
            }
            do throws(CloudEventError) {
                records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: message.timestampMilliseconds ?? 0))
            } catch {
                throw ConversionFailure(stage: "encode", errorClass: "CloudEventError", message: error.description)
            }
        }
        return records
    }

    /// What the interpreter path throws or returns for `message`.
    static func interpreterOutcome(_ engine: MappingEngine, _ message: ReceivedMessage) -> Result<[StreamRecord], ConversionFailure> {
        do throws(ConversionFailure) { return .success(try interpreterRecords(engine, message)) } catch { return .failure(error) }
    }

    /// What the converter (the compiled plan's path) throws or returns for `message`.
    static func converterOutcome(_ engine: MappingEngine, _ message: ReceivedMessage) -> Result<[StreamRecord], ConversionFailure> {
        do throws(ConversionFailure) { return .success(try EventConverter(engine: engine).records(for: message)) } catch {
            return .failure(error)
        }
    }

    /// A shipped mapping's engine; `member-eligibility-plain` is `member-eligibility-cdc` without its `cdc` block,
    /// which the plan does not compile (the interpreter maps it, record by record): a plain copybook mapping the
    /// plan compiles (88-level conditions, code tables, packed and Julian dates, masks, hashes).
    static func engine(_ name: String) throws -> MappingEngine {
        guard name == "member-eligibility-plain" else {
            return MappingEngine(mapping: try MappingDefinition(contentsOf: repositoryRoot + "/mappings/\(name)/mapping.json"))
        }
        let shipped = repositoryRoot + "/mappings/member-eligibility-cdc"
        var text = try String(contentsOfFile: shipped + "/mapping.json", encoding: .utf8)
        let cdc = try #require(text.range(of: #""cdc": {"#))
        let fields = try #require(text.range(of: #""fields": ["#))
        text.removeSubrange(cdc.lowerBound..<fields.lowerBound)
        text = text.replacingOccurrences(of: "../../samples/", with: repositoryRoot + "/samples/")
            .replacingOccurrences(of: "codes/plans.json", with: shipped + "/codes/plans.json")
        let path = try makeTemporaryDirectory() + "/mapping.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return MappingEngine(mapping: try MappingDefinition(contentsOf: path))
    }

    static func sample(_ path: String) throws -> [UInt8] {
        Array(try #require(FileManager.default.contents(atPath: repositoryRoot + "/" + path)))
    }

    static func message(_ body: [UInt8], id: Int) -> ReceivedMessage {
        ReceivedMessage(
            message: QueueMessage(body: body, bodyKind: .bytes), messageID: "ID:plan-\(id)", destination: "/queue/IN",
            timestampMilliseconds: 1_796_372_102_000 + Int64(id), deliveryToken: DeliveryToken(value: "t\(id)"))
    }

    /// The frames of a Ferry MQ frame file (16-byte header, then 4-byte big-endian length and bytes each).
    static func frames(_ file: [UInt8]) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var offset = 16
        while offset < file.count {
            try #require(offset + 4 <= file.count)
            let length = file[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            try #require(offset + 4 + length <= file.count)
            frames.append(Array(file[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + length
        }
        return frames
    }

    /// A frame file holding `frames`, as a queue message body for an MQ mapping.
    static func frameFile(_ header: [UInt8], _ frames: [[UInt8]]) -> [UInt8] {
        var file = Array(header.prefix(16))
        for frame in frames {
            let length = UInt32(frame.count)
            file += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            file += frame
        }
        return file
    }

    /// The queue message bodies of a shipped mapping's sample: each record or frame alone, then the whole sample.
    static func bodies(mapping: String) throws -> [[UInt8]] {
        switch mapping {
        case "member-eligibility-cdc", "member-eligibility-plain":
            let file = try sample("samples/mainframe/MEMBER-ELIG-CDC.D261206.dat")
            try #require(file.count == 3 * 205)
            return (0..<3).map { Array(file[($0 * 205)..<(($0 + 1) * 205)]) } + [file]
        default:
            let file = try sample(mapping == "claim-status-request" ? "samples/mq/claim-status.requests.mqf" : "samples/mq/claim-status.replies.mqf")
            return try frames(file).map { frameFile(file, [$0]) } + [file]
        }
    }

    /// The shipped test case's CDC record whose operation code is none of I/U/D: a record the mapping's rules reject.
    static func unknownOperationRecord() throws -> [UInt8] {
        let hex = try #require(
            try JSONValue(parsing: sample("mappings/member-eligibility-cdc/tests/unknown-operation.json"))["input"]?["hex"]?.stringValue)
        var record: [UInt8] = []
        var digits = hex.utf8.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            record.append(try #require(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)))
        }
        try #require(record.count == 205)
        return record
    }

    @Test(
        "each record or frame as a queue message: the same records (key, value, headers) as the interpreter path",
        arguments: ["member-eligibility-cdc", "member-eligibility-plain", "claim-status-request", "claim-status-reply"])
    func sameRecords(mapping: String) throws {
        let engine = try Self.engine(mapping)
        // The plan compiles for all but the CDC mapping, or this test would only compare the interpreter with itself.
        #expect((CompiledMapping(engine: engine) != nil) == (mapping != "member-eligibility-cdc"))
        let bodies = try Self.bodies(mapping: mapping)
        #expect(bodies.count >= 3)
        var mapped = 0
        var total = 0
        for (index, body) in bodies.enumerated() {
            let message = Self.message(body, id: index)
            let expected = Self.interpreterOutcome(engine, message)
            #expect(Self.converterOutcome(engine, message) == expected, "\(mapping) body \(index)")
            if case let .success(records) = expected {
                mapped += 1
                total += records.count
            }
        }
        if mapping == "member-eligibility-plain" {
            // Without the CDC envelope, MEMBER-ID is the before image's: blank for the insert (record 1), so
            // record 1 and the whole file fail (the same failure on both paths); the update and delete map.
            #expect(mapped == 2 && total == 2)
        } else {
            // Every record alone, then all of them in one body.
            #expect(mapped == bodies.count && total == 2 * (bodies.count - 1))
        }
    }

    @Test(
        "a truncated copybook record: stage map, the interpreter's MappingError message",
        arguments: ["member-eligibility-cdc", "member-eligibility-plain"])
    func truncatedRecord(mapping: String) throws {
        let engine = try Self.engine(mapping)
        let records = try Self.bodies(mapping: "member-eligibility-cdc")
        for body in [Array(records[0].prefix(100)), records[0] + records[1].prefix(100), records[0] + records[1] + [0x40]] {
            let message = Self.message(body, id: body.count)
            let expected = Self.interpreterOutcome(engine, message)
            guard case let .failure(failure) = expected else {
                Issue.record("the interpreter mapped a truncated body of \(body.count) bytes")
                continue
            }
            #expect(failure.stage == "map" && failure.errorClass == "MappingError")
            #expect(failure.message.contains("short record"))
            // No partial records: the records before the cut one are not handed on.
            #expect(Self.converterOutcome(engine, message) == expected)
        }
    }

    @Test("a rule failing in record 1 and record 2 cut short: the interpreter's error (it reads every record first)")
    func errorOrderAcrossRecords() throws {
        let engine = try Self.engine("member-eligibility-cdc")
        let record = try Self.unknownOperationRecord()
        let alone = Self.message(record, id: 1)
        let cut = Self.message(record + record.prefix(50), id: 2)
        for message in [alone, cut] {
            let expected = Self.interpreterOutcome(engine, message)
            #expect(Self.converterOutcome(engine, message) == expected)
            guard case let .failure(failure) = expected else {
                Issue.record("the interpreter mapped the failing record")
                continue
            }
            #expect(failure.stage == "map" && failure.errorClass == "MappingError")
        }
        guard case let .failure(aloneFailure) = Self.interpreterOutcome(engine, alone),
            case let .failure(cutFailure) = Self.interpreterOutcome(engine, cut)
        else { return }
        #expect(aloneFailure.message.contains("none of the operation conditions holds"))
        #expect(cutFailure.message.contains("short record"))
    }

    @Test("a truncated MQ frame and a frame of another format: stage map, the interpreter's message")
    func truncatedFrame() throws {
        let engine = try Self.engine("claim-status-request")
        let file = try Self.sample("samples/mq/claim-status.requests.mqf")
        let frames = try Self.frames(file)
        let first = try #require(frames.first)
        let replies = try Self.frames(Self.sample("samples/mq/claim-status.replies.mqf"))
        let bodies = [
            Array(Self.frameFile(file, [first]).dropLast(10)),
            Self.frameFile(file, [Array(first.prefix(first.count - 10))]),
            Self.frameFile(file, [first, try #require(replies.first)]),
        ]
        for (index, body) in bodies.enumerated() {
            let message = Self.message(body, id: index)
            let expected = Self.interpreterOutcome(engine, message)
            #expect(Self.converterOutcome(engine, message) == expected, "body \(index)")
            guard index < 2 else { continue }
            guard case let .failure(failure) = expected else {
                Issue.record("the interpreter mapped bad body \(index)")
                continue
            }
            #expect(failure.stage == "map" && failure.errorClass == "MappingError")
        }
    }

    /// The file reader as it was before the compiled plan: every source record read, then mapped one by one.
    static func interpreterFileRecords(_ engine: MappingEngine, _ bytes: [UInt8], name: String) throws -> [StreamRecord] {
        try engine.mapping.source.records(from: bytes, inputName: name).map { record in
            let event = try CloudEventJSONFormat.decode(try engine.event(for: record).encoded())
            return try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 42)
        }
    }

    @Test(
        "a dropped file through each shipped mapping: the same records as the interpreter path",
        arguments: [
            ("member-eligibility-cdc", "samples/mainframe/MEMBER-ELIG-CDC.D261206.dat"),
            ("claim-status-request", "samples/mq/claim-status.requests.mqf"),
            ("claim-status-reply", "samples/mq/claim-status.replies.mqf"),
            ("claims-837p", "samples/edi/professional-claims.837"),
            ("claims-837i", "samples/edi/institutional-claims.837"),
            ("claim-payments-835", "samples/edi/claim-payments.835"),
            ("supplier-invoice-edifact", "samples/edi/supplier-invoice.edi"),
        ])
    func sameFileRecords(mapping: String, path: String) throws {
        let engine = try Self.engine(mapping)
        let bytes = try Self.sample(path)
        let expected = try Self.interpreterFileRecords(engine, bytes, name: path)
        #expect(!expected.isEmpty)
        #expect(try FileEventReader(engine: engine).records(in: bytes, name: path, timestamp: 42) == expected)
    }

    @Test("a dropped file: the interpreter path's failure (a cut record 2 after a rule failing in record 1: stage decode, record 2)")
    func fileFailureAsBefore() throws {
        let engine = try Self.engine("member-eligibility-cdc")
        let records = try Self.bodies(mapping: "member-eligibility-cdc")
        // The record-by-record path stops at record 1's rule; the interpreter path read every record first.
        let cut = try Self.unknownOperationRecord() + records[1].prefix(100)
        #expect(throws: FileConversionFailure(
            record: 2, byteOffset: 205, stage: "decode", errorClass: "MappingError",
            message: "cut.dat: record 2: short record: 100 of 205 bytes at byte 205")
        ) { try FileEventReader(engine: engine).records(in: cut, name: "cut.dat", timestamp: 0) }
        #expect(throws: FileConversionFailure(
            record: 1, byteOffset: nil, stage: "map", errorClass: "MappingError",
            message: "\(engine.mapping.file): $.cdc.op.conditions: record 1: none of the operation conditions holds")
        ) { try FileEventReader(engine: engine).records(in: try Self.unknownOperationRecord(), name: "cut.dat", timestamp: 0) }
        let whole = records[3]
        #expect(try FileEventReader(engine: engine).records(in: whole, name: "f", timestamp: 0).count == 3)
    }
}
