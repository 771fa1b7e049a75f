public import StreamLog

/// The CloudEvents Kafka protocol binding 1.0 (`cloudevents/bindings/kafka-protocol-binding.md`), mapping events to
/// and from ``StreamRecord``s in both content modes.
///
/// **Binary mode** (§3.2): the value is the data bytes as-is (nil when the event has no data — a tombstone on a
/// compacted topic); `datacontenttype` travels in the `content-type` header; every other attribute, extensions
/// included, is a `ce_<name>` header holding its canonical string encoding in UTF-8 (`ce_specversion`, `ce_id`,
/// `ce_source`, `ce_type`, then `ce_subject`, `ce_time`, `ce_dataschema` and the extensions in order). JSON data
/// without a `datacontenttype` gets `content-type: application/json`, the implied type, as the core spec asks
/// when an event moves to another binding — so such an event comes back with that `datacontenttype` set.
///
/// **Structured mode** (§3.3): `content-type: application/cloudevents+json; charset=UTF-8` and the value is the
/// JSON event format (``CloudEventJSONFormat``); no `ce_` headers are written and any present are ignored.
///
/// **Key** (§3.1): by default the "Key Mapper" copies the `partitionkey` extension into the record key as-is
/// (UTF-8; no key when absent); the event keeps its `partitionkey`. Decoding never takes attributes from the key.
///
/// **Timestamp**: the event's `time` in epoch milliseconds when present, else the caller's fallback.
///
/// **Decoding** picks the mode from `content-type` (§3: prefix `application/cloudevents`, case-insensitive, means
/// structured). In binary mode the data kind follows `content-type`: JSON (`*/json`, `*/*+json`) → `.json` (must
/// be well-formed), textual (`text/*`, XML, or a `charset` parameter) and valid UTF-8 → `.text`, anything else or
/// no `content-type` → `.binary`. Headers carry only strings, so extensions decode as String unless
/// `extensionTypes` declares their type.
public enum CloudEventKafkaBinding {
    /// How the event is carried in the record.
    public enum ContentMode: String, Sendable, Hashable {
        case binary
        case structured
    }

    /// What becomes the record key.
    public enum KeyMapping: Sendable, Hashable {
        /// The `partitionkey` extension as-is in UTF-8, or no key when absent (the binding's opt-in Key Mapper).
        case partitionKey
        /// A key chosen by the caller (nil for none); the event is not changed.
        case fixed([UInt8]?)
    }

    /// The header that carries `datacontenttype` (binary mode) or the event format (structured mode).
    public static let contentTypeHeader = "content-type"
    /// The `content-type` of structured-mode records.
    public static let structuredContentType = "application/cloudevents+json; charset=UTF-8"
    /// The prefix of binary-mode attribute headers.
    public static let headerPrefix = "ce_"

    /// The record for `event` in `mode`.
    /// - Parameters:
    ///   - key: the key mapping. Default: `.partitionKey`.
    ///   - fallbackTimestamp: record timestamp (epoch ms) used when the event has no `time`.
    public static func encode(
        _ event: CloudEvent, mode: ContentMode, key: KeyMapping = .partitionKey, fallbackTimestamp: Int64
    ) throws(CloudEventError) -> StreamRecord {
        let recordKey: [UInt8]?
        switch key {
        case .partitionKey: recordKey = event.partitionKey.map { Array($0.utf8) }
        case let .fixed(bytes): recordKey = bytes
        }
        let timestamp = event.time?.epochMilliseconds ?? fallbackTimestamp
        switch mode {
        case .structured:
            let value = try CloudEventJSONFormat.encode(event)
            return StreamRecord(
                key: recordKey, value: value,
                headers: [RecordHeader(name: contentTypeHeader, text: structuredContentType)], timestamp: timestamp)
        case .binary:
            try event.validate()
            var headers: [RecordHeader] = []
            headers.reserveCapacity(8 + event.extensions.count)
            headers.append(RecordHeader(name: "ce_specversion", text: CloudEvent.specVersion))
            headers.append(RecordHeader(name: "ce_id", text: event.id))
            headers.append(RecordHeader(name: "ce_source", text: event.source))
            headers.append(RecordHeader(name: "ce_type", text: event.type))
            if let subject = event.subject { headers.append(RecordHeader(name: "ce_subject", text: subject)) }
            if let time = event.time { headers.append(RecordHeader(name: "ce_time", text: time.description)) }
            if let schema = event.dataSchema { headers.append(RecordHeader(name: "ce_dataschema", text: schema)) }
            for item in event.extensions {
                headers.append(RecordHeader(name: headerPrefix + item.name, text: item.value.canonicalString))
            }
            if let contentType = event.dataContentType {
                headers.append(RecordHeader(name: contentTypeHeader, text: contentType))
            } else if case .json = event.data {
                headers.append(RecordHeader(name: contentTypeHeader, text: "application/json"))
            }
            return StreamRecord(key: recordKey, value: event.data?.bytes, headers: headers, timestamp: timestamp)
        }
    }

    /// The content mode of `record` (binding §3): structured when `content-type` starts with `application/cloudevents`.
    public static func contentMode(of record: StreamRecord) -> ContentMode {
        guard let contentType = contentType(of: record) else { return .binary }
        return contentType.lowercased().hasPrefix("application/cloudevents") ? .structured : .binary
    }

    /// The first `content-type` header's text (header name matched case-insensitively).
    static func contentType(of record: StreamRecord) -> String? {
        record.headers.first { $0.name.lowercased() == contentTypeHeader }?.textValue
    }

    /// The event carried by `record`, in whichever mode it uses.
    public static func decode(
        _ record: StreamRecord, extensionTypes: [String: CloudEventAttributeType] = CloudEvent.ferryExtensionTypes
    ) throws(CloudEventError) -> CloudEvent {
        switch contentMode(of: record) {
        case .structured: try decodeStructured(record, extensionTypes: extensionTypes)
        case .binary: try decodeBinary(record, extensionTypes: extensionTypes)
        }
    }

    static func decodeStructured(
        _ record: StreamRecord, extensionTypes: [String: CloudEventAttributeType]
    ) throws(CloudEventError) -> CloudEvent {
        let contentType = contentType(of: record) ?? ""
        guard MediaType.essence(contentType).lowercased() == CloudEventJSONFormat.mediaType else {
            throw .invalidHeader(
                name: contentTypeHeader, reason: "only the JSON event format (application/cloudevents+json) is supported")
        }
        guard let value = record.value else {
            throw .invalidData(reason: "a structured-mode record must have a value")
        }
        return try CloudEventJSONFormat.decode(value, extensionTypes: extensionTypes)
    }

    static func decodeBinary(
        _ record: StreamRecord, extensionTypes: [String: CloudEventAttributeType]
    ) throws(CloudEventError) -> CloudEvent {
        var seen: Set<String> = []
        var specVersion: String?
        var id: String?
        var source: String?
        var type: String?
        var subject: String?
        var time: RFC3339Timestamp?
        var dataSchema: String?
        var dataContentType: String?
        var extensions = CloudEventExtensions()

        for header in record.headers {
            let isContentType = header.name.lowercased() == contentTypeHeader
            guard isContentType || header.name.hasPrefix(headerPrefix) else { continue }
            guard let text = header.textValue else {
                throw .invalidHeader(name: header.name, reason: "value must be present and valid UTF-8")
            }
            if isContentType {
                guard dataContentType == nil else { throw .duplicateAttribute("datacontenttype") }
                dataContentType = text
                continue
            }
            let name = String(header.name.utf8.dropFirst(headerPrefix.utf8.count)) ?? ""
            guard seen.insert(name).inserted else { throw .duplicateAttribute(name) }
            switch name {
            case "specversion": specVersion = text
            case "id": id = text
            case "source": source = text
            case "type": type = text
            case "subject": subject = text
            case "dataschema": dataSchema = text
            case "datacontenttype":
                // Not written by this binding (content-type carries it) but accepted when consistent.
                if let dataContentType, dataContentType != text { throw .duplicateAttribute("datacontenttype") }
                dataContentType = text
            case "time":
                do throws(RFC3339TimestampError) {
                    time = try RFC3339Timestamp(parsing: text)
                } catch { throw .invalidAttributeValue(attribute: "time", reason: error.description) }
            default:
                try CloudEventExtensions.validateName(name)
                extensions[name] = try CloudEventAttributeValue(
                    canonicalString: text, as: extensionTypes[name] ?? .string, attribute: name)
            }
        }
        guard let specVersion else { throw .missingAttribute("specversion") }
        guard specVersion == CloudEvent.specVersion else { throw .unsupportedSpecVersion(specVersion) }
        guard let id else { throw .missingAttribute("id") }
        guard let source else { throw .missingAttribute("source") }
        guard let type else { throw .missingAttribute("type") }

        var data: CloudEventData?
        if let value = record.value {
            if let dataContentType, MediaType.isJSON(dataContentType) {
                try validateJSON(value)
                data = .json(value)
            } else if let dataContentType, MediaType.isTextual(dataContentType),
                let text = String(validating: value, as: UTF8.self)
            {
                data = .text(text)
            } else {
                data = .binary(value)
            }
        }
        return try CloudEvent(
            id: id, source: source, type: type, subject: subject, time: time, dataContentType: dataContentType,
            dataSchema: dataSchema, extensions: extensions, data: data)
    }

    /// Checks that a JSON-typed value is one well-formed JSON value, without building it.
    static func validateJSON(_ bytes: [UInt8]) throws(CloudEventError) {
        let failure: JSONParseError? = bytes.withUnsafeBytes { buffer in
            var parser = JSONParser(buffer)
            do throws(JSONParseError) {
                parser.skipWhitespace()
                try parser.skipValue(depth: 0)
                try parser.expectEnd()
                return nil
            } catch { return error }
        }
        if let failure { throw .malformedJSON(failure) }
    }
}
