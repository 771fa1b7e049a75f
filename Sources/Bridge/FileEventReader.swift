import Events
import Foundation
public import Mapping
public import StreamLog

/// Why a file dropped into a watched directory cannot become events: which record, where it starts, what failed.
public struct FileConversionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based record number (JSON Lines: the line number) of the failing record; 0 when the whole file is
    /// unreadable before any record.
    public var record: Int
    /// The byte offset of the failing record in the file, when the adapter reports it.
    public var byteOffset: Int?
    /// Where it failed: `decode` (not a CloudEvent / malformed input), `map` (the mapping rejected it) or `encode`.
    public var stage: String
    /// The error's type name (`MappingError`, `CloudEventError`).
    public var errorClass: String
    /// The error's description: names fields and rules, never field values.
    public var message: String

    /// The `.reason` file's text: one `name: value` line each (`record`, `byte-offset`, `stage`, `class`, `message`).
    public var description: String {
        """
        record: \(record)
        byte-offset: \(byteOffset.map(String.init) ?? "unknown")
        stage: \(stage)
        class: \(errorClass)
        message: \(message)

        """
    }
}

/// Turns a whole file into stream records: through a mapping (the adapter reads the file's records: copybook
/// records, X12 claims, EDIFACT messages, MQ frames), or, without one, as JSON Lines of CloudEvents in JSON format
/// (blank lines skipped). Records use the Kafka binary mode (`ce_` headers), keyed by `partitionkey`.
/// Event ids are deterministic (the mapping's identity, or the file's own ids), so a file processed twice yields
/// the same ids.
public struct FileEventReader: Sendable {
    /// The mapping; nil for JSON Lines of CloudEvents.
    public let engine: MappingEngine?

    /// A reader through `engine`, or of JSON Lines when nil.
    public init(engine: MappingEngine?) { self.engine = engine }

    /// Every record of `bytes` (a file named `name`) in file order; the first failing record ends the conversion.
    public func records(in bytes: [UInt8], name: String, timestamp: Int64) throws(FileConversionFailure) -> [StreamRecord] {
        var events: [CloudEvent] = []
        if let engine {
            events = try mappedEvents(engine, bytes, name: name)
        } else {
            var start = 0
            var line = 0
            while start < bytes.count {
                line += 1
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                var last = end
                if last > start && bytes[last - 1] == 0x0D { last -= 1 }
                let text = bytes[start..<last]
                if text.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                    do throws(CloudEventError) { events.append(try CloudEventJSONFormat.decode(Array(text))) } catch {
                        throw FileConversionFailure(
                            record: line, byteOffset: start, stage: "decode", errorClass: "CloudEventError",
                            message: error.description)
                    }
                }
                start = end + 1
            }
        }
        var records: [StreamRecord] = []
        records.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            do throws(CloudEventError) {
                records.append(try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: timestamp))
            } catch {
                throw FileConversionFailure(
                    record: index + 1, byteOffset: nil, stage: "encode", errorClass: "CloudEventError",
                    message: error.description)
            }
        }
        return records
    }

    /// The events of a file through the mapping's compiled plan (the interpreter's events as JSON lines, one per
    /// record); when the plan's path fails, the interpreter's path says which record failed, at which stage.
    private func mappedEvents(_ engine: MappingEngine, _ bytes: [UInt8], name: String) throws(FileConversionFailure) -> [CloudEvent] {
        guard let lines = MappedEventLines.compiled(engine: engine, input: bytes, inputName: name) else {
            return try interpretedEvents(engine, bytes, name: name)
        }
        var events: [CloudEvent] = []
        events.reserveCapacity(lines.count)
        for index in 0..<lines.count {
            do throws(CloudEventError) { events.append(try lines.event(at: index)) } catch {
                throw FileConversionFailure(
                    record: index + 1, byteOffset: nil, stage: "map", errorClass: "CloudEventError",
                    message: error.description)
            }
        }
        return events
    }

    /// The events of a file through the interpreter: every record read (a failure: stage `decode`, with the
    /// record and byte offset the adapter names), then mapped one by one (stage `map`).
    private func interpretedEvents(_ engine: MappingEngine, _ bytes: [UInt8], name: String) throws(FileConversionFailure) -> [CloudEvent] {
        let sourceRecords: [SourceRecord]
        do throws(MappingError) { sourceRecords = try engine.mapping.source.records(from: bytes, inputName: name) } catch {
            throw FileConversionFailure(
                record: Self.recordNumber(in: error.path) ?? 0, byteOffset: Self.byteOffset(in: error.message),
                stage: "decode", errorClass: "MappingError", message: error.description)
        }
        var events: [CloudEvent] = []
        for (index, record) in sourceRecords.enumerated() {
            let value: JSONValue
            do throws(MappingError) { value = try engine.event(for: record) } catch {
                throw FileConversionFailure(
                    record: index + 1, byteOffset: nil, stage: "map", errorClass: "MappingError",
                    message: error.description)
            }
            do throws(CloudEventError) { events.append(try CloudEventJSONFormat.decode(value.encoded())) } catch {
                throw FileConversionFailure(
                    record: index + 1, byteOffset: nil, stage: "map", errorClass: "CloudEventError",
                    message: error.description)
            }
        }
        return events
    }

    /// N of a `record N` / `frame N` / `claim N` position.
    static func recordNumber(in path: String) -> Int? {
        let words = path.split(separator: " ")
        guard words.count >= 2, ["record", "frame", "claim"].contains(words[0]) else { return nil }
        return Int(words[1].prefix { $0.isNumber })
    }

    /// N of the first `at byte N` in an adapter's message.
    static func byteOffset(in message: String) -> Int? {
        guard let range = message.range(of: "at byte ") else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }
}
