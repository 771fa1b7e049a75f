import Events
import Testing

@Suite struct CloudEventTests {
    @Test func validEventsValidate() throws {
        for event in try SampleEvents.all() { try event.validate() }
    }

    @Test func requiredAttributesMustBeNonEmpty() {
        #expect(throws: CloudEventError.emptyAttribute("id")) { try CloudEvent(id: "", source: "s", type: "t") }
        #expect(throws: CloudEventError.emptyAttribute("source")) { try CloudEvent(id: "i", source: "", type: "t") }
        #expect(throws: CloudEventError.emptyAttribute("type")) { try CloudEvent(id: "i", source: "s", type: "") }
        #expect(throws: CloudEventError.emptyAttribute("subject")) {
            try CloudEvent(id: "i", source: "s", type: "t", subject: "")
        }
        #expect(throws: CloudEventError.self) { try CloudEvent(id: "i", source: "has space", type: "t") }
        #expect(throws: CloudEventError.self) { try CloudEvent(id: "i\n", source: "s", type: "t") }
        #expect(throws: CloudEventError.self) {
            try CloudEvent(id: "i", source: "s", type: "t", dataSchema: "relative/only")
        }
    }

    @Test(arguments: ["Upper", "with-dash", "under_score", "", "id", "time", "data", "datacontenttype", "ünï"])
    func rejectsBadExtensionNames(name: String) {
        #expect {
            try CloudEvent(id: "i", source: "s", type: "t", extensions: [name: .string("v")])
        } throws: { error in
            if case .invalidAttributeName(name, _)? = error as? CloudEventError { return true }
            return false
        }
    }

    @Test func acceptsLongAndNumericExtensionNames() throws {
        _ = try CloudEvent(id: "i", source: "s", type: "t", extensions: ["a1b2c3d4e5f6g7h8i9j0klmno": .boolean(true)])
        _ = try CloudEvent(id: "i", source: "s", type: "t", extensions: ["0": .integer(0)])
    }

    @Test func rejectsDuplicateExtensions() {
        let duplicated = CloudEventExtensions([
            CloudEventExtension(name: "x", value: .integer(1)), CloudEventExtension(name: "x", value: .integer(2)),
        ])
        #expect(throws: CloudEventError.duplicateAttribute("x")) {
            try CloudEvent(id: "i", source: "s", type: "t", extensions: duplicated)
        }
    }

    @Test func extensionsKeepInsertionOrderAndReplaceInPlace() throws {
        var event = try CloudEvent(id: "i", source: "s", type: "t", extensions: ["zeta": .integer(1), "alpha": .integer(2)])
        event.partitionKey = "k"
        event.extensions["zeta"] = .boolean(false)
        event.correlationID = "c"
        #expect(event.extensions.names == ["zeta", "alpha", "partitionkey", "correlationid"])
        #expect(event.extensions["zeta"] == .boolean(false))
        event.partitionKey = nil
        #expect(event.extensions.names == ["zeta", "alpha", "correlationid"])
        #expect(event.partitionKey == nil)
    }

    @Test func ferryExtensionsMustBeNonEmptyStrings() throws {
        var event = try CloudEvent(id: "i", source: "s", type: "t")
        event.partitionKey = ""
        #expect(throws: CloudEventError.emptyAttribute("partitionkey")) { try event.validate() }
        event.partitionKey = nil
        event.extensions["causationid"] = .integer(5)
        #expect(throws: CloudEventError.wrongAttributeType(attribute: "causationid", expected: "String", found: "Integer")) {
            try event.validate()
        }
    }

    @Test func dataKindMustFitContentType() {
        #expect(throws: CloudEventError.self) {
            try CloudEvent(id: "i", source: "s", type: "t", dataContentType: "text/plain", data: .json(Array("{}".utf8)))
        }
        #expect(throws: CloudEventError.self) {
            try CloudEvent(id: "i", source: "s", type: "t", data: .text("absent content type means JSON"))
        }
        #expect(throws: CloudEventError.self) {
            try CloudEvent(id: "i", source: "s", type: "t", dataContentType: "application/json", data: .text("x"))
        }
    }

    @Test(arguments: [
        ("2147483647", CloudEventAttributeType.integer, true), ("-2147483648", .integer, true),
        ("2147483648", .integer, false), ("-2147483649", .integer, false), ("007", .integer, false),
        ("1.0", .integer, false), ("", .integer, false), ("-0", .integer, true), ("true", .boolean, true),
        ("True", .boolean, false), ("AAE=", .binary, true), ("AAE", .binary, false), ("mq://q", .uri, true),
        ("/relative", .uri, false), ("/relative", .uriReference, true), ("has space", .uriReference, false),
        ("2024-01-01T00:00:00Z", .timestamp, true), ("2024-01-01", .timestamp, false), ("any text ✓", .string, true),
        ("bell\u{7}", .string, false), ("c1\u{85}", .string, false),
    ])
    func canonicalStringDecoding(text: String, type: CloudEventAttributeType, valid: Bool) throws {
        if valid {
            let value = try CloudEventAttributeValue(canonicalString: text, as: type, attribute: "x")
            #expect(value.type == type)
            #expect(value.canonicalString == (text == "-0" ? "0" : text))
        } else {
            #expect(throws: CloudEventError.self) {
                try CloudEventAttributeValue(canonicalString: text, as: type, attribute: "x")
            }
        }
    }
}
