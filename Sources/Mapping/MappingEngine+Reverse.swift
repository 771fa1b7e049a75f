import ByteCoding
import CodePages
import Copybook
public import Events
import MQ

extension MappingEngine {
    /// What an encoded output starts with: the frame-file header for MQ mappings, nothing for copybook records.
    public var encodedFileHeader: [UInt8] {
        if case .mq = mapping.source.adapter { return MQFrameFile.header }
        return []
    }

    /// The reverse direction, for replies: an event this mapping produces → the adapter's bytes (a copybook record,
    /// or a Ferry frame file holding one MQ reply frame with a copybook payload). Only `from` rules are inverted
    /// (codes through the inverted table, dates and decimals back to their legacy digits); constants, masks and
    /// hashes carry nothing back. The event's `correlationid` becomes the frame's `CorrelId`.
    /// For MQ the bytes are one frame-file entry: write ``encodedFileHeader`` once before the first.
    public func encode(event: JSONValue) throws(MappingError) -> [UInt8] {
        guard mapping.isReversible else { throw MappingError(file: mapping.file, path: "$.reversible", "the mapping is not reversible") }
        guard let data = event["data"] else { throw MappingError(file: mapping.file, path: "$", "the event has no data") }
        let copybook: CopybookSource
        switch mapping.source.adapter {
        case let .copybook(source), let .mq(_, .copybook(source)): copybook = source
        default: throw MappingError(file: mapping.file, path: "$.source", "the adapter cannot encode")
        }
        var record: JSONValue = .object([])
        let fullPaths = Dictionary(copybook.layout.items.map { ($0.name, $0.path) }, uniquingKeysWith: { first, _ in first })
        for (index, rule) in mapping.fields.enumerated() {
            guard case let .field(name) = rule.origin, rule.protection == nil, !name.hasPrefix("@") else { continue }
            guard var value = data.get(rule.outputPath), value != .null else { continue }
            let path = "$.fields[\(index)]"
            if let codes = rule.codes {
                // The smallest code with that value, so the choice never depends on dictionary order.
                guard let code = codes.filter({ $0.value == value }).keys.min() else {
                    throw MappingError(file: mapping.file, path: path + ".codes", "no code for the event's value of \(rule.name)")
                }
                value = .string(code)
            }
            switch rule.type {
            case .date:
                guard let iso = value.stringValue, let digits = LegacyDate.legacyDigits(isoDate: iso, format: rule.dateFormat!) else {
                    throw MappingError(file: mapping.file, path: path, "\(rule.name) is not an ISO date")
                }
                value = .number(digits)
            case .time:
                guard let iso = value.stringValue, let digits = LegacyDate.legacyDigits(isoTime: iso) else {
                    throw MappingError(file: mapping.file, path: path, "\(rule.name) is not an ISO time")
                }
                value = .number(digits)
            case .boolean:
                if case let .bool(flag) = value { value = .string(flag ? "Y" : "N") }
            default: break
            }
            // The decoder's JSON nests groups below the record (its root's children at the top).
            let last = name.split(separator: ".").last.map(String.init) ?? name
            var target = fullPaths[last].map { Array($0.dropFirst()) } ?? name.split(separator: ".").map(String.init)
            if target.isEmpty { target = [last] }
            if case let .number(text) = value, let item = copybook.layout.items.first(where: { $0.name == last }), item.picture?.category == .alphanumeric {
                value = .string(text)
            }
            record.set(target, value)
        }
        // Fields no rule fills are blank: spaces for text, zero for numbers.
        for item in copybook.layout.items where item.isElementary && !item.isFiller && item.occurs == nil && item.redefines == nil {
            let target = Array(item.path.dropFirst())
            guard !target.isEmpty, record.get(target) == nil else { continue }
            let isNumeric = item.picture?.category == .numeric || item.usage.isBinary
            record.set(target, isNumeric ? .number("0") : .string(""))
        }
        var encoder: RecordEncoder
        let bytes: [UInt8]
        do {
            encoder = try RecordEncoder(layout: copybook.layout, options: copybook.options)
            bytes = try encoder.encode(record, recordNumber: 1)
        } catch {
            throw MappingError(file: mapping.file, path: "$.fields", "encoding the record: \(error)")
        }
        guard case let .mq(format, _) = mapping.source.adapter else { return bytes }
        var descriptor = MQMD()
        descriptor.format = MQFormat(rawValue: format)
        descriptor.codedCharacterSetID = Int32(copybook.options.codePage.ccsid)
        if let hex = event["correlationid"]?.stringValue, let identifier = MQIdentifier(hex: hex) {
            descriptor.correlationID = identifier
            descriptor.messageType = .reply
        } else if let queue = mapping.source.replyToQueue {
            descriptor.messageType = .request
            descriptor.replyToQueue = queue
        } else {
            descriptor.messageType = .datagram
        }
        // MsgId: the event id's 16 UUID bytes and 8 zero bytes, so a re-encoded event gets the same MsgId.
        if let id = event["id"]?.stringValue {
            let hex = id.filter { $0 != "-" }
            if hex.count == 32, let identifier = MQIdentifier(hex: hex + String(repeating: "0", count: 16)) { descriptor.messageID = identifier }
        }
        let frame = MQFrame(descriptor: descriptor, payload: MQPayload(bytes: bytes, format: MQFormat(rawValue: format), codedCharacterSetID: Int32(copybook.options.codePage.ccsid)))
        var writer = ByteWriter()
        MQFrameFile.append(frame: frame.bytes, to: &writer)
        return writer.bytes
    }
}
