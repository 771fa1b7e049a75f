import Events
import Foundation
import Testing

@Suite struct CloudEventJSONFormatTests {
    @Test func everySampleRoundTripsExactly() throws {
        for event in try SampleEvents.all() {
            let bytes = try CloudEventJSONFormat.encode(event)
            let decoded = try CloudEventJSONFormat.decode(bytes, extensionTypes: SampleEvents.extensionTypes)
            #expect(decoded == event, "event \(event.id)")
            // Re-encoding is byte-identical.
            #expect(try CloudEventJSONFormat.encode(decoded) == bytes)
        }
    }

    /// The repository's sample events (written independently of this encoder) decode, validate and re-encode to
    /// the very same bytes.
    @Test func repositorySamplesRoundTripByteForByte() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("samples/events/member-and-claim-events.jsonl"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { Array($0.utf8) }
        #expect(lines.count == 36)
        for line in lines {
            let event = try CloudEventJSONFormat.decode(line)
            #expect(event.partitionKey != nil)
            #expect(try CloudEventJSONFormat.encode(event) == line)
        }
    }

    @Test func batchRoundTrips() throws {
        let events = try SampleEvents.all()
        let bytes = try CloudEventJSONFormat.encodeBatch(events)
        #expect(try CloudEventJSONFormat.decodeBatch(bytes, extensionTypes: SampleEvents.extensionTypes) == events)
        #expect(try CloudEventJSONFormat.decodeBatch(Array(" [ ] ".utf8)) == [])
    }

    /// The layout the format specifies, checked with an independent JSON reader.
    @Test func writesTheSpecifiedMembers() throws {
        let events = try SampleEvents.all()
        let claim = try #require(
            JSONSerialization.jsonObject(with: Data(CloudEventJSONFormat.encode(events[0]))) as? [String: Any])
        #expect(claim["specversion"] as? String == "1.0")
        #expect(claim["time"] as? String == "2024-03-01T12:30:05.123456789+01:00")
        #expect((claim["sequence"] as? NSNumber)?.int64Value == Int64(Int32.max))
        #expect(claim["retried"] as? Bool == true)
        #expect(claim["checksum"] as? String == "AAEC/v8=")
        #expect(claim["partitionkey"] as? String == "member-M-001")
        #expect((claim["data"] as? [String: Any])?["member"] as? String == "M-001")
        #expect(claim["data_base64"] == nil)

        let text = try #require(
            JSONSerialization.jsonObject(with: Data(CloudEventJSONFormat.encode(events[1]))) as? [String: Any])
        #expect(text["data"] as? String == "line one\nline two\twith tab, \u{1} control, \u{7F} del, naïve café, 中文")

        let binary = try #require(
            JSONSerialization.jsonObject(with: Data(CloudEventJSONFormat.encode(events[2]))) as? [String: Any])
        #expect(binary["data_base64"] as? String == Data([0xC1, 0xC2, 0xC3, 0x40, 0x00, 0xFF, 0x0A, 0x22]).base64EncodedString())
        #expect(binary["data"] == nil)
    }

    /// JSON data is embedded verbatim: whitespace and number text survive decoding.
    @Test func jsonDataIsKeptVerbatim() throws {
        let text = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","data": { "amount" : 1.50e0 , "x":[ ] } }"#
        let event = try CloudEventJSONFormat.decode(Array(text.utf8))
        #expect(event.data == .json(Array(#"{ "amount" : 1.50e0 , "x":[ ] }"#.utf8)))
        #expect(event.dataContentType == nil)
    }

    @Test func decodesMembersInAnyOrderWithNullAsAbsent() throws {
        let text = """
            {"data_base64":"AQI=","type":"t","subject":null,"ext":null,"id":"x","source":"/s","specversion":"1.0",
             "count":-5,"flag":false,"label":"z"}
            """
        let event = try CloudEventJSONFormat.decode(Array(text.utf8))
        #expect(event.data == .binary([1, 2]))
        #expect(event.subject == nil)
        #expect(event.extensions.names == ["count", "flag", "label"])
        #expect(event.extensions["count"] == .integer(-5))
        #expect(event.extensions["flag"] == .boolean(false))
        #expect(event.extensions["label"] == .string("z"))
    }

    @Test(arguments: [
        (#"{"id":"1","source":"/s","type":"t"}"#, CloudEventError.missingAttribute("specversion")),
        (#"{"specversion":"0.3","id":"1","source":"/s","type":"t"}"#, .unsupportedSpecVersion("0.3")),
        (#"{"specversion":"1.0","source":"/s","type":"t"}"#, .missingAttribute("id")),
        (#"{"specversion":"1.0","id":"1","type":"t"}"#, .missingAttribute("source")),
        (#"{"specversion":"1.0","id":"1","source":"/s"}"#, .missingAttribute("type")),
        (#"{"specversion":"1.0","id":"","source":"/s","type":"t"}"#, .emptyAttribute("id")),
        (#"{"specversion":"1.0","id":1,"source":"/s","type":"t"}"#,
         .wrongAttributeType(attribute: "id", expected: "a JSON string", found: "number")),
        (#"{"specversion":"1.0","id":"1","id":"2","source":"/s","type":"t"}"#, .duplicateAttribute("id")),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AQ=="}"#,
         .invalidData(reason: "both 'data' and 'data_base64' are present")),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","big":2147483648}"#,
         .invalidAttributeValue(attribute: "big", reason: "Integer out of the 32-bit signed range")),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","Bad":1}"#,
         .invalidAttributeName("Bad", reason: "only lower-case ASCII letters a-z and digits 0-9 are allowed")),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","partitionkey":7}"#,
         .wrongAttributeType(attribute: "partitionkey", expected: "String", found: "a JSON number")),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/plain","data":{}}"#,
         .invalidData(reason: "'data' must be a JSON string when datacontenttype is not JSON")),
    ])
    func rejectsInvalidEvents(json: String, expected: CloudEventError) {
        #expect(throws: expected) { try CloudEventJSONFormat.decode(Array(json.utf8)) }
    }

    @Test(arguments: [
        (#"{"specversion":"1.0","id":"1",}"#, 30), (#"{"specversion":"1.0","data":[1,}"#, 31), ("[]", 0),
        (#"{"specversion":"1.0","id":"1","source":"/s","type":"t"} x"#, 56),
    ])
    func malformedJSONCarriesOffset(json: String, offset: Int) {
        #expect {
            try CloudEventJSONFormat.decode(Array(json.utf8))
        } throws: { error in
            if case let .malformedJSON(parse)? = error as? CloudEventError { return parse.offset == offset }
            return false
        }
    }

    @Test func declaredTypesDecodeStrings() throws {
        let text = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","at":"2024-01-01T00:00:00Z","raw":"AAE="}"#
        let typed = try CloudEventJSONFormat.decode(Array(text.utf8), extensionTypes: ["at": .timestamp, "raw": .binary])
        #expect(typed.extensions["at"] == .timestamp(try RFC3339Timestamp(parsing: "2024-01-01T00:00:00Z")))
        #expect(typed.extensions["raw"] == .binary([0, 1]))
        let untyped = try CloudEventJSONFormat.decode(Array(text.utf8), extensionTypes: [:])
        #expect(untyped.extensions["raw"] == .string("AAE="))
    }
}
