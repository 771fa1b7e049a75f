import ByteCoding
import CodePages
import Copybook
import Events
import Foundation
import Testing

/// `RecordEventWriter` (what `ferry convert copybook --key` runs) must write the bytes, and throw the errors, of the
/// path it replaced: the record's JSON parsed into a `JSONValue`, the key found in the tree, a `CloudEvent` built
/// and written with `CloudEventJSONFormat`. Compared on the shipped member eligibility sample and on mutated
/// records decoded leniently as EBCDIC, Latin-1, ASCII and UTF-8 (nulls, `_errors`, quotes, backslashes, controls
/// and non-ASCII text in the key).
@Suite struct RecordEventWriterEquivalenceTests {
    /// What writing one record gave: the line, or the error's text.
    enum Outcome: Equatable {
        case line([UInt8])
        case failure(String)
    }

    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/mainframe")

    /// The previous `EventWriter.find`: members named like the path's first component first, then the whole
    /// path inside nested objects, depth first.
    static func referenceFind(_ path: [String], in value: JSONValue) -> String? {
        guard case let .object(members) = value, let first = path.first else { return nil }
        for member in members where member.key == first {
            if path.count > 1 {
                if let found = referenceFind(Array(path.dropFirst()), in: member.value) { return found }
                continue
            }
            switch member.value {
            case let .string(text): return text
            case let .number(text): return text
            default: continue
            }
        }
        for member in members {
            if let found = referenceFind(path, in: member.value) { return found }
        }
        return nil
    }

    /// The previous `EventWriter.append`, its outcome as bytes or as the error's text.
    static func reference(
        _ json: [UInt8], key: String, type: String, fileName: String, source: String, recordNumber: Int
    ) -> Outcome {
        do {
            let path = key.split(separator: ".").map(String.init)
            let record = try JSONValue(parsing: json)
            guard let keyValue = referenceFind(path, in: record) else {
                return .failure("record \(recordNumber) has no value for key field \(key)")
            }
            let identity = EventIdentity.fileRecord(fileName: fileName, recordNumber: Int64(recordNumber))
            var event = try CloudEvent(
                id: identity.eventID, source: source, type: type, subject: keyValue, dataContentType: "application/json",
                data: .json(json))
            event.partitionKey = keyValue
            var writer = JSONWriter(capacity: 4096)
            try CloudEventJSONFormat.write(event, to: &writer)
            writer.endLine()
            return .line(writer.bytes)
        } catch {
            return .failure("\(error)")
        }
    }

    static func current(_ writer: inout RecordEventWriter, _ json: [UInt8], recordNumber: Int) -> Outcome {
        var output: [UInt8] = [0x2A]  // appended after what is there
        do {
            try json.withUnsafeBytes { raw in
                try writer.append(record: raw, recordNumber: recordNumber, to: &output)
            }
            #expect(output.first == 0x2A)
            return .line(Array(output.dropFirst()))
        } catch {
            #expect(output == [0x2A], "nothing appended on error")
            #expect(error is RecordEventError)
            return .failure((error as? RecordEventError)?.description ?? "\(error)")
        }
    }

    static let keys = [
        "MEMBER-ID", "AFTER-IMAGE.MEMBER-ID", "BEFORE-IMAGE.LAST-NAME", "CDC-OPERATION", "CDC-COMMIT-DATE",
        "COVERAGE-START", "AFTER-IMAGE.MONTHLY-PREMIUM", "BEFORE-IMAGE", "MEMBER-ID.X", "NO-SUCH-FIELD", "_errors",
    ]

    /// Decoded records of the sample (as they are and mutated) under EBCDIC and ASCII, leniently.
    static func decodedRecords() throws -> [[UInt8]] {
        let text = try String(contentsOf: samples.appendingPathComponent("MEMBER-ELIG-CDC.cpy"), encoding: .utf8)
        let layout = try Copybook(parsing: text).records[0]
        let data = try [UInt8](Data(contentsOf: samples.appendingPathComponent("MEMBER-ELIG-CDC.D261206.dat")))
        let size = layout.size
        let originals = stride(from: 0, to: data.count - size + 1, by: size).map { Array(data[$0..<($0 + size)]) }
        #expect(originals.count == 3)
        var generator = SplitMix64(seed: 0x5EED_0013)
        var inputs = originals
        for index in 0..<300 {
            var record = originals[index % originals.count]
            for _ in 0..<(1 + index % 12) {
                let position = Int.random(in: 0..<size, using: &generator)
                // Bytes that make quotes, backslashes, controls and high bytes in text, and bad packed digits.
                record[position] = [0x22, 0x5C, 0x7F, 0x0A, 0x00, 0x1F, 0xE9, 0xC3, 0x40, 0x20, 0x7B, 0xFF]
                    .randomElement(using: &generator)!
            }
            inputs.append(record)
        }
        var result: [[UInt8]] = []
        for page in [try CodePage(ccsid: 37), try CodePage(named: "latin-1"), try CodePage(named: "ascii"), try CodePage(named: "utf-8")] {
            var options = RecordDecodingOptions(codePage: page)
            options.invalidData = .lenient
            var decoder = try RecordDecoder(layout: layout, options: options)
            for (index, input) in inputs.enumerated() {
                var json: [UInt8] = []
                _ = try input.withUnsafeBytes { try decoder.decode($0, recordNumber: index + 1, recordOffset: 0, into: &json) }
                #expect(json.last == 0x0A)
                result.append(Array(json.dropLast()))
            }
        }
        return result
    }

    @Test(arguments: [
        ("MEMBER-ELIG-CDC.D261206.dat", "file:MEMBER-ELIG-CDC.D261206.dat", "org.example.member.changed"),
        ("stdin", "file:stdin", "t"),
        (String(repeating: "/very/long/directory", count: 5) + "/MEMBERS.DAT", "urn:ferry:members", "org.example.x"),
        ("mémbers \"quoted\".dat", "file:members", "org.example.y"),
        ("MEMBERS.DAT", "not a uri", "org.example.z"),
        ("MEMBERS.DAT", "file:MEMBERS.DAT", ""),
    ])
    func writesWhatTheParsedTreePathWrote(fileName: String, source: String, type: String) throws {
        let records = try Self.decodedRecords()
        var compared = 0
        var written = 0
        for key in Self.keys {
            var writer = RecordEventWriter(key: key, type: type, fileName: fileName, source: source)
            for (index, json) in records.enumerated() {
                // Record numbers across digit counts (one to six digits).
                let number = index < 20 ? index + 1 : index * 337 + 1
                let expected = Self.reference(
                    json, key: key, type: type, fileName: fileName, source: source, recordNumber: number)
                let actual = Self.current(&writer, json, recordNumber: number)
                #expect(actual == expected, "key \(key), record \(index): \(String(decoding: json, as: UTF8.self))")
                compared += 1
                if case .line = expected { written += 1 }
            }
        }
        #expect(compared == Self.keys.count * 1212)
        // The valid attribute sets write events for most records; the invalid ones fail on every record.
        if source.contains(" ") || type.isEmpty { #expect(written == 0) } else { #expect(written > compared / 3) }
    }
}
