import Events
import StreamLog
import Testing

@Suite struct CloudEventKafkaBindingTests {
    @Test(arguments: [CloudEventKafkaBinding.ContentMode.binary, .structured])
    func everySampleRoundTripsExactly(mode: CloudEventKafkaBinding.ContentMode) throws {
        for event in try SampleEvents.all() {
            let record = try CloudEventKafkaBinding.encode(event, mode: mode, fallbackTimestamp: 42)
            #expect(CloudEventKafkaBinding.contentMode(of: record) == mode)
            let decoded = try CloudEventKafkaBinding.decode(record, extensionTypes: SampleEvents.extensionTypes)
            #expect(decoded == event, "event \(event.id) in \(mode) mode")
            #expect(record.key == event.partitionKey.map { Array($0.utf8) })
            #expect(record.timestamp == (event.time?.epochMilliseconds ?? 42))
        }
    }

    @Test func binaryModeHeaders() throws {
        let claim = try SampleEvents.all()[0]
        let record = try CloudEventKafkaBinding.encode(claim, mode: .binary, fallbackTimestamp: 0)
        #expect(record.headers.map(\.name) == [
            "ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_time", "ce_dataschema",
            "ce_sequence", "ce_negative", "ce_retried", "ce_checksum", "ce_origin", "ce_replypath", "ce_receivedat",
            "ce_note", "ce_partitionkey", "ce_correlationid", "ce_causationid", "ce_replyto", "content-type",
        ])
        func header(_ name: String) -> String? { record.header(name)?.textValue }
        #expect(header("ce_specversion") == "1.0")
        #expect(header("ce_time") == "2024-03-01T12:30:05.123456789+01:00")
        #expect(header("ce_sequence") == "2147483647")
        #expect(header("ce_negative") == "-2147483648")
        #expect(header("ce_retried") == "true")
        #expect(header("ce_checksum") == "AAEC/v8=")
        #expect(header("ce_note") == "Zoë — 日本 🧾 \"quoted\" \\ slash")
        #expect(header("content-type") == "application/json")
        #expect(record.value == claim.data?.bytes)
        #expect(record.key == Array("member-M-001".utf8))
        #expect(record.timestamp == 1_709_292_605_123)
    }

    @Test func structuredModeRecord() throws {
        let claim = try SampleEvents.all()[0]
        let record = try CloudEventKafkaBinding.encode(claim, mode: .structured, fallbackTimestamp: 0)
        #expect(record.headers == [RecordHeader(name: "content-type", text: "application/cloudevents+json; charset=UTF-8")])
        #expect(record.value == (try CloudEventJSONFormat.encode(claim)))
        #expect(record.key == Array("member-M-001".utf8))
    }

    /// Binary mode: no data means no value (a tombstone); structured mode always has a value.
    @Test func eventWithoutData() throws {
        let event = try CloudEvent(id: "i", source: "/s", type: "t")
        let binary = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 7)
        #expect(binary.value == nil)
        #expect(binary.key == nil)
        #expect(binary.timestamp == 7)
        #expect(binary.header("content-type") == nil)
        let structured = try CloudEventKafkaBinding.encode(event, mode: .structured, fallbackTimestamp: 7)
        #expect(structured.value != nil)
    }

    @Test func keyMappingOptions() throws {
        let event = try SampleEvents.all()[1]
        let fixed = try CloudEventKafkaBinding.encode(event, mode: .binary, key: .fixed([9, 9]), fallbackTimestamp: 0)
        #expect(fixed.key == [9, 9])
        #expect(try CloudEventKafkaBinding.decode(fixed).partitionKey == "account-7")  // the event is unchanged
        let none = try CloudEventKafkaBinding.encode(event, mode: .structured, key: .fixed(nil), fallbackTimestamp: 0)
        #expect(none.key == nil)
    }

    /// JSON data without datacontenttype gets the implied `application/json` in binary mode (documented).
    @Test func impliedJSONContentTypeIsMadeExplicitInBinaryMode() throws {
        let event = try CloudEvent(id: "i", source: "/s", type: "t", data: .json(Array("[1]".utf8)))
        let record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0)
        let decoded = try CloudEventKafkaBinding.decode(record)
        #expect(decoded.dataContentType == "application/json")
        #expect(decoded.data == event.data)
        #expect(try CloudEventKafkaBinding.decode(
            CloudEventKafkaBinding.encode(event, mode: .structured, fallbackTimestamp: 0)) == event)
    }

    @Test(arguments: [
        ("application/cloudevents+json", CloudEventKafkaBinding.ContentMode.structured),
        ("Application/CloudEvents+JSON; charset=utf-8", .structured), ("application/cloudevents+avro", .structured),
        ("application/json", .binary), ("text/plain", .binary),
    ])
    func detectsModeFromContentType(contentType: String, mode: CloudEventKafkaBinding.ContentMode) {
        let record = StreamRecord(key: nil, value: [], headers: [RecordHeader(name: "content-type", text: contentType)], timestamp: 0)
        #expect(CloudEventKafkaBinding.contentMode(of: record) == mode)
    }

    static func binaryRecord(_ headers: [(String, String?)], value: [UInt8]? = nil) -> StreamRecord {
        StreamRecord(
            key: nil, value: value, headers: headers.map { RecordHeader(name: $0.0, value: $0.1.map { Array($0.utf8) }) },
            timestamp: 0)
    }

    static let required: [(String, String?)] = [
        ("ce_specversion", "1.0"), ("ce_id", "1"), ("ce_source", "/s"), ("ce_type", "t"),
    ]

    @Test func binaryDecodingRules() throws {
        // Other headers are ignored; the data kind follows content-type.
        let text = try CloudEventKafkaBinding.decode(
            Self.binaryRecord(Self.required + [("traceparent", "00-x"), ("content-type", "text/csv")], value: Array("a,b".utf8)))
        #expect(text.data == .text("a,b"))
        let opaque = try CloudEventKafkaBinding.decode(Self.binaryRecord(Self.required, value: Array("{}".utf8)))
        #expect(opaque.data == .binary(Array("{}".utf8)))
        let notUTF8 = try CloudEventKafkaBinding.decode(
            Self.binaryRecord(Self.required + [("content-type", "text/plain")], value: [0xFF, 0xFE]))
        #expect(notUTF8.data == .binary([0xFF, 0xFE]))
        let typed = try CloudEventKafkaBinding.decode(
            Self.binaryRecord(Self.required + [("ce_count", "12")]), extensionTypes: ["count": .integer])
        #expect(typed.extensions["count"] == .integer(12))
        let untyped = try CloudEventKafkaBinding.decode(Self.binaryRecord(Self.required + [("ce_count", "12")]))
        #expect(untyped.extensions["count"] == .string("12"))
    }

    @Test(arguments: [
        ([("ce_id", "1"), ("ce_source", "/s"), ("ce_type", "t")], CloudEventError.missingAttribute("specversion")),
        ([("ce_specversion", "0.3"), ("ce_id", "1"), ("ce_source", "/s"), ("ce_type", "t")],
         .unsupportedSpecVersion("0.3")),
        (required + [("ce_id", "2")], .duplicateAttribute("id")),
        (required + [("ce_subject", nil)], .invalidHeader(name: "ce_subject", reason: "value must be present and valid UTF-8")),
        (required + [("ce_Bad", "x")],
         .invalidAttributeName("Bad", reason: "only lower-case ASCII letters a-z and digits 0-9 are allowed")),
        (required + [("ce_time", "yesterday")],
         .invalidAttributeValue(attribute: "time", reason: "invalid RFC 3339 timestamp at byte 0: expected 4 digits of year")),
        (required + [("ce_partitionkey", "")], .emptyAttribute("partitionkey")),
    ] as [([(String, String?)], CloudEventError)])
    func binaryDecodingErrors(headers: [(String, String?)], expected: CloudEventError) {
        #expect(throws: expected) { try CloudEventKafkaBinding.decode(Self.binaryRecord(headers)) }
    }

    @Test func malformedJSONValueInBinaryMode() {
        #expect(throws: CloudEventError.self) {
            try CloudEventKafkaBinding.decode(
                Self.binaryRecord(Self.required + [("content-type", "application/json")], value: Array("{".utf8)))
        }
    }

    @Test func structuredDecodingErrors() {
        let avro = StreamRecord(
            key: nil, value: [1], headers: [RecordHeader(name: "content-type", text: "application/cloudevents+avro")],
            timestamp: 0)
        #expect(throws: CloudEventError.self) { try CloudEventKafkaBinding.decode(avro) }
        let empty = StreamRecord(
            key: nil, value: nil, headers: [RecordHeader(name: "content-type", text: "application/cloudevents+json")],
            timestamp: 0)
        #expect(throws: CloudEventError.invalidData(reason: "a structured-mode record must have a value")) {
            try CloudEventKafkaBinding.decode(empty)
        }
    }
}
