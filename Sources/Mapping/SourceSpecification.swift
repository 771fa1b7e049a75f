import ByteCoding
import CodePages
public import Copybook
import EDI
import Events
import Foundation
import MQ

/// Where a mapping's records come from: an adapter and its options.
public struct SourceSpecification: Sendable {
    /// The adapter and what it needs.
    public enum Adapter: Sendable {
        /// COBOL copybook records.
        case copybook(CopybookSource)
        /// X12 claims: `837P`, `837I`, `837D` (one record per claim) or `835` (one per claim payment).
        case x12(transactionSet: String)
        /// UN/EDIFACT messages of one type (`INVOIC`), one record per message.
        case edifact(message: String)
        /// IBM MQ frames (a Ferry frame file) whose payload has this `Format` (after any MQRFH2, MQDLH … headers),
        /// with the payload read as text or a copybook record.
        case mq(format: String, payload: MQPayloadSource)
    }

    /// How an MQ payload is read.
    public enum MQPayloadSource: Sendable {
        /// Text in the payload's CCSID; the record has one field, `text`.
        case text
        /// One copybook record.
        case copybook(CopybookSource)
    }

    /// The adapter.
    public var adapter: Adapter
    /// MQ only: the `ReplyToQ` the reverse direction writes, making the frame a request. Default: none (a reply
    /// when the event has a `correlationid`, else a datagram).
    public var replyToQueue: String?

    /// The adapter's name as written in the mapping.
    public var adapterName: String {
        switch adapter {
        case .copybook: "copybook"
        case .x12: "x12"
        case .edifact: "edifact"
        case .mq: "mq"
        }
    }

    /// Whether the adapter can encode (the mapping can run in reverse).
    public var canEncode: Bool {
        switch adapter {
        case .copybook, .mq(_, .copybook): true
        default: false
        }
    }

    /// Every name a rule may reference, when the adapter knows them up front (copybooks); nil otherwise.
    var knownFieldNames: Set<String>? {
        switch adapter {
        case let .copybook(copybook), let .mq(_, .copybook(copybook)): copybook.knownNames
        default: nil
        }
    }

    init(_ reader: DefinitionReader, directory: String) throws(MappingError) {
        let name = try reader.requiredString("adapter")
        switch name {
        case "copybook":
            try reader.rejectUnknown(["adapter", "copybook", "record", "codepage", "recordFormat"])
            adapter = .copybook(try CopybookSource(reader, directory: directory))
        case "x12":
            try reader.rejectUnknown(["adapter", "transactionSet"])
            let set = try reader.requiredString("transactionSet")
            guard X12Records.eventTypes[set] != nil else {
                throw reader.error("transactionSet", "unsupported transaction set \(set) (expected 837P, 837I, 837D or 835)")
            }
            adapter = .x12(transactionSet: set)
        case "edifact":
            try reader.rejectUnknown(["adapter", "message"])
            adapter = .edifact(message: try reader.requiredString("message"))
        case "mq":
            try reader.rejectUnknown(["adapter", "format", "payload", "replyToQueue"])
            replyToQueue = try reader.string("replyToQueue")
            let format = try reader.requiredString("format")
            guard (1...8).contains(format.utf8.count) else { throw reader.error("format", "an MQ format has 1 to 8 characters") }
            guard let payload = try reader.object("payload") else { throw reader.error(nil, "missing required key 'payload'") }
            let kind = try payload.requiredString("adapter")
            switch kind {
            case "text":
                try payload.rejectUnknown(["adapter"])
                adapter = .mq(format: format, payload: .text)
            case "copybook":
                try payload.rejectUnknown(["adapter", "copybook", "record", "codepage", "recordFormat"])
                adapter = .mq(format: format, payload: .copybook(try CopybookSource(payload, directory: directory)))
            default:
                throw payload.error("adapter", "unknown payload adapter \(kind) (expected text or copybook)")
            }
        default:
            throw reader.error("adapter", "unknown adapter \(name) (expected copybook, x12, edifact or mq)")
        }
    }

    /// Reads every record of `input`. `inputName` names the input in metadata and errors.
    public func records(from input: [UInt8], inputName: String) throws(MappingError) -> [SourceRecord] {
        try records(from: input, inputName: inputName, decoder: nil)
    }

    /// The records, copybook records and payloads decoded with `decoder` (a copy of one built for this source)
    /// when given, else with one built here.
    func records(from input: [UInt8], inputName: String, decoder: RecordDecoder?) throws(MappingError) -> [SourceRecord] {
        switch adapter {
        case let .copybook(copybook): return try copybook.records(from: input, inputName: inputName, decoder: decoder)
        case let .x12(set): return try X12Records.records(from: input, transactionSet: set, inputName: inputName)
        case let .edifact(message): return try EDIFACTRecords.records(from: input, messageType: message, inputName: inputName)
        case let .mq(format, payload):
            return try MQRecords.records(from: input, format: format, payload: payload, inputName: inputName, decoder: decoder)
        }
    }
}

/// A copybook and how its records are framed and decoded.
public struct CopybookSource: Sendable {
    /// The 01 record.
    public let layout: RecordLayout
    /// Decoding options (code page).
    public let options: RecordDecodingOptions
    /// `fixed` or `rdw` (IBM RDW, big-endian length including the 4-byte header).
    public let recordFormat: String
    /// The copybook path as written, for errors.
    public let path: String
    let knownNames: Set<String>

    init(_ reader: DefinitionReader, directory: String) throws(MappingError) {
        path = try reader.requiredString("copybook")
        let fullPath = path.hasPrefix("/") ? path : directory + "/" + path
        guard let data = FileManager.default.contents(atPath: fullPath), let text = String(data: data, encoding: .utf8) else {
            throw reader.error("copybook", "cannot read the copybook \(path)")
        }
        let copybook: Copybook
        do { copybook = try Copybook(parsing: text, sourceName: path) } catch {
            throw reader.error("copybook", "\(error)")
        }
        if let recordName = try reader.string("record") {
            guard let layout = copybook.records.first(where: { $0.name == recordName }) else {
                throw reader.error("record", "no 01 record \(recordName) in \(path)")
            }
            self.layout = layout
        } else {
            guard let first = copybook.records.first else { throw reader.error("copybook", "\(path) declares no record") }
            layout = first
        }
        let pageName = try reader.string("codepage") ?? "cp037"
        do { options = RecordDecodingOptions(codePage: try CodePage(named: pageName)) } catch {
            throw reader.error("codepage", "\(error)")
        }
        recordFormat = try reader.string("recordFormat") ?? "fixed"
        guard ["fixed", "rdw"].contains(recordFormat) else { throw reader.error("recordFormat", "expected fixed or rdw") }
        var names: Set<String> = []
        for item in layout.items {
            names.insert(item.name)
            for condition in item.conditions { names.insert(condition.name) }
        }
        knownNames = names
    }

    /// Splits `input` into records and decodes each.
    func records(from input: [UInt8], inputName: String, decoder given: RecordDecoder? = nil) throws(MappingError) -> [SourceRecord] {
        var decoder: RecordDecoder
        do { decoder = try given ?? RecordDecoder(layout: layout, options: options) } catch {
            throw MappingError(file: inputName, path: "$", "\(error)")
        }
        var result: [SourceRecord] = []
        var offset = 0
        var number = 0
        while offset < input.count {
            number += 1
            let start: Int
            let length: Int
            if recordFormat == "rdw" {
                guard offset + 4 <= input.count else {
                    throw MappingError(file: inputName, path: "record \(number)", "truncated RDW at byte \(offset)")
                }
                let total = Int(input[offset]) << 8 | Int(input[offset + 1])
                guard total >= 4, offset + total <= input.count else {
                    throw MappingError(file: inputName, path: "record \(number)", "RDW length \(total) at byte \(offset) runs past the input")
                }
                start = offset + 4
                length = total - 4
                offset += total
            } else {
                start = offset
                length = min(layout.size, input.count - offset)
                guard length == layout.size else {
                    throw MappingError(file: inputName, path: "record \(number)", "short record: \(length) of \(layout.size) bytes at byte \(offset)")
                }
                offset += length
            }
            result.append(try decode(Array(input[start..<(start + length)]), decoder: &decoder, number: number, offset: start, inputName: inputName))
        }
        return result
    }

    /// Decodes one record's bytes.
    func decode(_ bytes: [UInt8], decoder: inout RecordDecoder, number: Int, offset: Int, inputName: String) throws(MappingError) -> SourceRecord {
        var output: [UInt8] = []
        var failure: RecordDecodingError?
        bytes.withUnsafeBytes { raw in
            do throws(RecordDecodingError) {
                _ = try decoder.decode(raw, recordNumber: number, recordOffset: Int64(offset), into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw MappingError(file: inputName, path: "record \(number)", "\(failure)") }
        let fields: JSONValue
        do { fields = try JSONValue(parsing: output) } catch {
            throw MappingError(file: inputName, path: "record \(number)", "decoder output: \(error)")
        }
        var record = SourceRecord(fields: fields, conditions: conditions(of: fields), position: "record \(number)")
        let table = conditionTable
        record.conditionInScope = { name, scope in
            guard let (itemName, values) = table[name] else { return nil }
            let value = SourceRecord.firstMember(named: itemName, in: scope)
            return values.contains { Self.matches(value, $0) }
        }
        return record
    }

    /// Condition name → the item it tests and its values.
    var conditionTable: [String: (String, [ConditionName.Value])] {
        var table: [String: (String, [ConditionName.Value])] = [:]
        for item in layout.items { for condition in item.conditions where table[condition.name] == nil { table[condition.name] = (item.name, condition.values) } }
        return table
    }

    /// Which 88-level conditions hold for a decoded record.
    func conditions(of fields: JSONValue) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for item in layout.items where !item.conditions.isEmpty {
            let value = SourceRecord.firstMember(named: item.name, in: fields)
            for condition in item.conditions {
                result[condition.name] = condition.values.contains { Self.matches(value, $0) }
            }
        }
        return result
    }

    static func matches(_ value: JSONValue?, _ condition: ConditionName.Value) -> Bool {
        guard let value else { return false }
        func compare(_ literal: Literal) -> Int? {
            switch (literal, value) {
            case let (.alphanumeric(text), _):
                let actual = value.scalarText ?? ""
                let trimmedLiteral = text.trimmingCharacters(in: .whitespaces)
                let trimmedActual = actual.trimmingCharacters(in: .whitespaces)
                return trimmedActual == trimmedLiteral ? 0 : (trimmedActual < trimmedLiteral ? -1 : 1)
            case let (.numeric(text), .number):
                guard let expected = try? ExactDecimal(parsing: text), let actual = try? value.decimalValue() else { return nil }
                return actual == expected ? 0 : (actual < expected ? -1 : 1)
            case (.figurative(.space), _):
                return (value.scalarText ?? "").allSatisfy { $0 == " " } ? 0 : 1
            case (.figurative(.zero), .number):
                return (try? value.decimalValue())?.isZero == true ? 0 : 1
            default:
                return nil
            }
        }
        switch condition {
        case let .single(literal): return compare(literal) == 0
        case let .range(low, high):
            guard let lower = compare(low), let upper = compare(high) else { return false }
            return lower >= 0 && upper <= 0
        }
    }
}

/// X12 claims and claim payments as source records: the claim model's JSON (as `ferry convert x12` writes in an
/// event's data), with `@x12.id`, `@x12.source`, `@x12.subject` and `@x12.partitionKey` as metadata.
enum X12Records {
    static let eventTypes = [
        "837P": "claim.professional.v1", "837I": "claim.institutional.v1", "837D": "claim.dental.v1", "835": "claim.payment.v1",
    ]

    static func records(from input: [UInt8], transactionSet: String, inputName: String) throws(MappingError) -> [SourceRecord] {
        var tokenizer = X12Tokenizer()
        tokenizer.append(contentsOf: input)
        tokenizer.finish()
        var extractor = X12ClaimExtractor()
        var writer = JSONWriter(capacity: 1 << 14)
        var lines: [[UInt8]] = []
        var issues: [String] = []
        do {
            try tokenizer.forEachAvailableSegment { (segment: X12SegmentView) throws(X12Error) in
                extractor.consume(segment) { record in
                    writer.removeAll()
                    X12ClaimEvent.write(record, to: &writer)
                    lines.append(writer.bytes)
                }
                issues += extractor.takeIssues().map { "\($0)" }
            }
        } catch {
            throw MappingError(file: inputName, path: "$", "\(error)")
        }
        extractor.finish()
        issues += extractor.takeIssues().map { "\($0)" }
        if let first = issues.first { throw MappingError(file: inputName, path: "$", "claim rejected: \(first)") }
        let wanted = eventTypes[transactionSet]
        var result: [SourceRecord] = []
        for (index, line) in lines.enumerated() {
            guard let event = try? JSONValue(parsing: line), event["type"]?.stringValue == wanted, let data = event["data"] else { continue }
            var metadata: [String: String] = [:]
            for name in ["id", "source", "subject", "partitionkey"] {
                if let value = event[name]?.stringValue { metadata["x12." + (name == "partitionkey" ? "partitionKey" : name)] = value }
            }
            result.append(SourceRecord(fields: data, metadata: metadata, position: "claim \(index + 1)"))
        }
        return result
    }
}

/// UN/EDIFACT messages as source records: the message's segments (`segments`) plus segment locators in rules,
/// `TAG[+QUALIFIER]:ELEMENT[:COMPONENT]` (e.g. `NAD+BY:2`, `MOA+77:2`), and `@edifact.*` metadata.
enum EDIFACTRecords {
    /// The messages of `messageType`; a message the envelope checks reject (UNT counts, syntax errors) is an error
    /// naming its reference and segment position, as in `ferry convert edifact`.
    static func records(from input: [UInt8], messageType: String, inputName: String) throws(MappingError) -> [SourceRecord] {
        let document = EDIFACTDocument(parsing: input)
        if let syntax = document.syntaxErrors.first { throw MappingError(file: inputName, path: "$", "\(syntax)") }
        var result: [SourceRecord] = []
        for interchange in document.interchanges {
            let messages = interchange.messages + interchange.groups.flatMap(\.messages)
            for message in messages where message.type == messageType {
                if let issue = message.issues.first {
                    throw MappingError(file: inputName, path: "message \(message.reference) (segment \(message.header.position))", "\(issue)")
                }
                let body = message.body
                var record = SourceRecord(
                    fields: .object([JSONMember(key: "message", value: message.jsonValue)]),
                    metadata: [
                        "edifact.sender": interchange.header.text(2) ?? "", "edifact.recipient": interchange.header.text(3) ?? "",
                        "edifact.interchange": interchange.reference, "edifact.reference": message.reference,
                        "edifact.type": message.type,
                    ],
                    position: "message \(message.reference)")
                record.locate = { reference in
                    guard let locator = SegmentLocator(reference) else { return nil }
                    for segment in body where segment.tag == locator.tag {
                        if let qualifier = locator.qualifier, segment.text(1) != qualifier { continue }
                        if let text = segment.text(locator.element, locator.component), !text.isEmpty { return .string(text) }
                    }
                    return nil
                }
                result.append(record)
            }
        }
        return result
    }

    /// `TAG[+QUALIFIER]:ELEMENT[:COMPONENT]`.
    struct SegmentLocator {
        let tag: String
        let qualifier: String?
        let element: Int
        let component: Int

        init?(_ text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(parts.count) else { return nil }
            let head = parts[0].split(separator: "+", maxSplits: 1)
            guard let tag = head.first, tag.count == 3, tag.allSatisfy({ $0.isUppercase || $0.isNumber }) else { return nil }
            guard let element = Int(parts[1]), element >= 1 else { return nil }
            self.tag = String(tag)
            qualifier = head.count == 2 ? String(head[1]) : nil
            self.element = element
            component = parts.count == 3 ? (Int(parts[2]) ?? 1) : 1
        }
    }
}

/// MQ frames of a Ferry frame file as source records, with `@mq.messageId`, `@mq.correlationId` (hex),
/// `@mq.replyToQueue`, `@mq.replyToQueueManager`, `@mq.format`, `@mq.messageType` as metadata.
enum MQRecords {
    static func records(
        from input: [UInt8], format: String, payload: SourceSpecification.MQPayloadSource, inputName: String,
        decoder given: RecordDecoder? = nil
    ) throws(MappingError) -> [SourceRecord] {
        var result: [SourceRecord] = []
        var copybookDecoder: RecordDecoder?
        if case let .copybook(copybook) = payload {
            do { copybookDecoder = try given ?? RecordDecoder(layout: copybook.layout, options: copybook.options) } catch {
                throw MappingError(file: inputName, path: "$", "\(error)")
            }
        }
        try forEachFrame(from: input, format: format, inputName: inputName) { (frame, number, metadata) throws(MappingError) in
            var record: SourceRecord
            switch payload {
            case .text:
                let text: String?
                do { text = try frame.payload.text() } catch {
                    throw MappingError(file: inputName, path: "frame \(number)", "\(error)")
                }
                record = SourceRecord(fields: .object([JSONMember(key: "text", value: .string(text ?? ""))]), position: "frame \(number)")
            case let .copybook(copybook):
                record = try copybook.decode(frame.payload.bytes, decoder: &copybookDecoder!, number: number, offset: frame.payload.offset, inputName: inputName)
                record.position = "frame \(number)"
            }
            record.metadata = metadata
            result.append(record)
        }
        return result
    }

    /// Calls `body` with every frame of `input` whose payload has `format`, its number among all frames and its
    /// metadata; errors for frames that do not parse and for a truncated file.
    static func forEachFrame(
        from input: [UInt8], format: String, inputName: String,
        _ body: (MQFrame, Int, [String: String]) throws(MappingError) -> Void
    ) throws(MappingError) {
        var decoder = MQFrameFileDecoder()
        decoder.append(input)
        var number = 0
        while true {
            let frameBytes: [UInt8]
            do {
                guard let next = try decoder.nextFrame() else { break }
                frameBytes = next
            } catch {
                throw MappingError(file: inputName, path: "frame \(number + 1)", "\(error)")
            }
            number += 1
            let frame: MQFrame
            do { frame = try MQFrame(parsing: frameBytes) } catch {
                throw MappingError(file: inputName, path: "frame \(number)", "\(error)")
            }
            guard frame.payload.format.rawValue.trimmingCharacters(in: .whitespaces) == format else { continue }
            let descriptor = frame.descriptor
            let metadata = [
                "mq.messageId": descriptor.messageID.bytes.hex, "mq.correlationId": descriptor.correlationID.bytes.hex,
                "mq.replyToQueue": descriptor.replyToQueue.trimmingCharacters(in: .whitespaces),
                "mq.replyToQueueManager": descriptor.replyToQueueManager.trimmingCharacters(in: .whitespaces),
                "mq.format": format, "mq.messageType": String(descriptor.messageType.rawValue),
            ]
            try body(frame, number, metadata)
        }
        do { try decoder.finish() } catch { throw MappingError(file: inputName, path: "frame \(number + 1)", "\(error)") }
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
