import ByteCoding

/// The CloudEvents JSON event format 1.0 (`cloudevents/formats/json-format.md`), single events and batches.
///
/// Encoding writes, in order: `specversion`, `id`, `source`, `type`, then the optional `subject`, `time`,
/// `datacontenttype`, `dataschema`, the extensions in their order, and finally the data:
/// - ``CloudEventData/json(_:)`` embedded verbatim as the `data` JSON value (format §3.1.1; only allowed with an
///   absent or JSON `datacontenttype`),
/// - ``CloudEventData/text(_:)`` as a JSON string in `data`,
/// - ``CloudEventData/binary(_:)`` as Base64 in `data_base64` (format §3.1.2).
/// Extension values: Integer as a JSON number, Boolean as a JSON boolean, every other type as its canonical string.
///
/// Decoding accepts members in any order, treats `null` as absent (format §2.4), rejects both `data` and
/// `data_base64`, duplicate members and a `specversion` other than "1.0". `data` becomes `.json` (verbatim bytes)
/// when `datacontenttype` is absent or JSON, and must be a string (→ `.text`) otherwise. Extension types come from
/// the JSON type (string → String, number → Integer, boolean → Boolean) unless `extensionTypes` declares one, in
/// which case a string is decoded with that type's canonical encoding (Binary, URI, URI-reference, Timestamp).
public enum CloudEventJSONFormat {
    /// The structured-mode media type, `application/cloudevents+json`.
    public static let mediaType = "application/cloudevents+json"
    /// The batch media type, `application/cloudevents-batch+json` (format §4).
    public static let batchMediaType = "application/cloudevents-batch+json"

    /// The event as JSON format bytes.
    public static func encode(_ event: CloudEvent) throws(CloudEventError) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + (event.data.map { $0.bytes.count * 4 / 3 } ?? 0))
        try write(event, to: &writer)
        return writer.takeBytes()
    }

    /// A JSON array of events (format §4 batch).
    public static func encodeBatch(_ events: [CloudEvent]) throws(CloudEventError) -> [UInt8] {
        var writer = JSONWriter(capacity: 512 * max(events.count, 1))
        writer.beginArray()
        for event in events { try write(event, to: &writer) }
        writer.endArray()
        return writer.takeBytes()
    }

    /// Writes the attributes an event's object begins with, in this format's order (`specversion`, `id`, `source`,
    /// `type`, then `subject`, `time` and `datacontenttype` when given), after the caller's `beginObject()`, without
    /// validating them. ``write(_:to:)`` begins with them; writers that assemble an event's JSON themselves (the
    /// X12 conversion's transaction events) use them to write the same keys in the same order.
    public static func writeLeadingAttributes(
        id: String, source: String, type: String, subject: String?, time: RFC3339Timestamp? = nil,
        dataContentType: String?, to writer: inout JSONWriter
    ) {
        writer.writeKey(ascii: "specversion")
        writer.writeString(CloudEvent.specVersion)
        writer.writeKey(ascii: "id")
        writer.writeString(id)
        writer.writeKey(ascii: "source")
        writer.writeString(source)
        writer.writeKey(ascii: "type")
        writer.writeString(type)
        if let subject {
            writer.writeKey(ascii: "subject")
            writer.writeString(subject)
        }
        if let time {
            writer.writeKey(ascii: "time")
            writer.writeString(time.description)
        }
        if let dataContentType {
            writer.writeKey(ascii: "datacontenttype")
            writer.writeString(dataContentType)
        }
    }

    /// Writes the event as one JSON object (after validating it).
    public static func write(_ event: CloudEvent, to writer: inout JSONWriter) throws(CloudEventError) {
        try event.validate()
        writer.beginObject()
        writeLeadingAttributes(
            id: event.id, source: event.source, type: event.type, subject: event.subject, time: event.time,
            dataContentType: event.dataContentType, to: &writer)
        if let schema = event.dataSchema {
            writer.writeKey(ascii: "dataschema")
            writer.writeString(schema)
        }
        for item in event.extensions {
            writer.writeKey(item.name)
            switch item.value {
            case let .integer(number): writer.writeInteger(Int64(number))
            case let .boolean(flag): writer.writeBool(flag)
            case let .binary(bytes): writer.writeBase64String(bytes)
            case let .string(text), let .uri(text), let .uriReference(text): writer.writeString(text)
            case let .timestamp(time): writer.writeString(time.description)
            }
        }
        switch event.data {
        case let .json(bytes)?:
            writer.writeKey(ascii: "data")
            writer.writeRawJSON(bytes)
        case let .text(text)?:
            writer.writeKey(ascii: "data")
            writer.writeString(text)
        case let .binary(bytes)?:
            writer.writeKey(ascii: "data_base64")
            writer.writeBase64String(bytes)
        case nil:
            break
        }
        writer.endObject()
    }

    /// Decodes one event from JSON format bytes.
    public static func decode(
        _ bytes: [UInt8], extensionTypes: [String: CloudEventAttributeType] = CloudEvent.ferryExtensionTypes
    ) throws(CloudEventError) -> CloudEvent {
        let result: Result<CloudEvent, CloudEventError> = bytes.withUnsafeBytes { buffer in
            do throws(CloudEventError) {
                return .success(try decode(buffer, extensionTypes: extensionTypes))
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes one event from JSON format bytes.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        extensionTypes: [String: CloudEventAttributeType] = CloudEvent.ferryExtensionTypes
    ) throws(CloudEventError) -> CloudEvent {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let event = try decodeEvent(&parser, extensionTypes: extensionTypes)
        do throws(JSONParseError) { try parser.expectEnd() } catch { throw .malformedJSON(error) }
        return event
    }

    /// Decodes a batch (a JSON array of events).
    public static func decodeBatch(
        _ bytes: [UInt8], extensionTypes: [String: CloudEventAttributeType] = CloudEvent.ferryExtensionTypes
    ) throws(CloudEventError) -> [CloudEvent] {
        let result: Result<[CloudEvent], CloudEventError> = bytes.withUnsafeBytes { buffer in
            do throws(CloudEventError) {
                var parser = JSONParser(buffer)
                var events: [CloudEvent] = []
                do throws(JSONParseError) {
                    parser.skipWhitespace()
                    try parser.expect(UInt8(ascii: "["), "'[' starting a batch")
                    parser.skipWhitespace()
                    if parser.reader.peekByte() == UInt8(ascii: "]") {
                        parser.advance()
                        try parser.expectEnd()
                        return .success(events)
                    }
                } catch { throw .malformedJSON(error) }
                while true {
                    parser.skipWhitespace()
                    events.append(try decodeEvent(&parser, extensionTypes: extensionTypes))
                    do throws(JSONParseError) {
                        parser.skipWhitespace()
                        if parser.reader.peekByte() == UInt8(ascii: ",") {
                            parser.advance()
                            continue
                        }
                        try parser.expect(UInt8(ascii: "]"), "',' or ']' in a batch")
                        try parser.expectEnd()
                    } catch { throw .malformedJSON(error) }
                    return .success(events)
                }
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Decodes the event object at the parser's position.
    static func decodeEvent(
        _ parser: inout JSONParser, extensionTypes: [String: CloudEventAttributeType]
    ) throws(CloudEventError) -> CloudEvent {
        var attributes = CloudEventAttributes()
        var dataRange: Range<Int>?
        var dataBase64: [UInt8]?

        func string(_ value: JSONValue, _ name: String) throws(CloudEventError) -> String? {
            switch value {
            case .null: return nil
            case let .string(text): return text
            default: throw .wrongAttributeType(attribute: name, expected: "a JSON string", found: value.typeName)
            }
        }

        do {
            try parser.expect(UInt8(ascii: "{"), "'{' starting an event")
            parser.skipWhitespace()
            var more = parser.reader.peekByte() != UInt8(ascii: "}")
            if !more { parser.advance() }
            while more {
                parser.skipWhitespace()
                guard parser.reader.peekByte() == UInt8(ascii: "\"") else { throw parser.error("'\"' starting a member name") }
                let name = try parser.parseString()
                parser.skipWhitespace()
                try parser.expect(UInt8(ascii: ":"), "':' after a member name")
                parser.skipWhitespace()
                try attributes.markSeen(name)
                if name == "data" {
                    if parser.reader.peekByte() == UInt8(ascii: "n") {
                        try parser.expectLiteral("null")
                    } else {
                        let start = parser.position
                        try parser.skipValue(depth: 1)
                        dataRange = start..<parser.position
                    }
                } else {
                    let value = try parser.parseValue(depth: 1)
                    switch name {
                    case _ where CloudEventAttributes.contextAttributeNames.contains(name):
                        _ = try attributes.setContextAttribute(name, text: string(value, name))
                    case "data_base64":
                        if let text = try string(value, name) {
                            do throws(Base64DecodingError) {
                                dataBase64 = try Base64.decode(text)
                            } catch {
                                throw CloudEventError.invalidAttributeValue(attribute: "data_base64", reason: error.description)
                            }
                        }
                    default:
                        if let decoded = try extensionValue(value, name: name, declared: extensionTypes[name]) {
                            try CloudEventExtensions.validateName(name)
                            attributes.extensions[name] = decoded
                        }
                    }
                }
                parser.skipWhitespace()
                if parser.reader.peekByte() == UInt8(ascii: ",") {
                    parser.advance()
                } else {
                    try parser.expect(UInt8(ascii: "}"), "',' or '}' in an event")
                    more = false
                }
            }
        } catch let error as JSONParseError {
            throw .malformedJSON(error)
        } catch let error as CloudEventError {
            throw error
        } catch {
            throw .invalidData(reason: "\(error)")
        }

        var data: CloudEventData?
        if let dataRange {
            guard dataBase64 == nil else { throw .invalidData(reason: "both 'data' and 'data_base64' are present") }
            let slice = UnsafeRawBufferPointer(rebasing: parser.reader.buffer[dataRange])
            if attributes.dataContentType.map(MediaType.isJSON) ?? true {
                data = .json(Array(slice))
            } else {
                var text = JSONParser(slice, baseOffset: parser.reader.baseOffset + dataRange.lowerBound)
                guard text.reader.peekByte() == UInt8(ascii: "\"") else {
                    throw .invalidData(reason: "'data' must be a JSON string when datacontenttype is not JSON")
                }
                do throws(JSONParseError) {
                    data = .text(try text.parseString())
                } catch { throw .malformedJSON(error) }
            }
        } else if let dataBase64 {
            data = .binary(dataBase64)
        }
        return try attributes.makeEvent(data: data)
    }

    /// An extension value from its JSON value; nil for JSON null (absent).
    static func extensionValue(
        _ value: JSONValue, name: String, declared: CloudEventAttributeType?
    ) throws(CloudEventError) -> CloudEventAttributeValue? {
        switch value {
        case .null:
            return nil
        case let .bool(flag):
            if let declared, declared != .boolean {
                throw .wrongAttributeType(attribute: name, expected: declared.rawValue, found: "a JSON boolean")
            }
            return .boolean(flag)
        case let .number(text):
            if let declared, declared != .integer {
                throw .wrongAttributeType(attribute: name, expected: declared.rawValue, found: "a JSON number")
            }
            return .integer(try CloudEventAttributeValue.parseInteger(text, attribute: name))
        case let .string(text):
            let type = declared ?? .string
            guard type != .integer, type != .boolean else {
                throw .wrongAttributeType(attribute: name, expected: type.rawValue, found: "a JSON string")
            }
            return try CloudEventAttributeValue(canonicalString: text, as: type, attribute: name)
        case .array, .object:
            throw .wrongAttributeType(
                attribute: name, expected: declared?.rawValue ?? "a JSON string, number or boolean",
                found: value.typeName)
        }
    }
}
