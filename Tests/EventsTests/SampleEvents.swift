import Events

/// Varied events for round-trip tests: every optional attribute, every extension type, every data kind.
enum SampleEvents {
    /// Declared types for the extensions these samples use, so string-only carriers decode them exactly.
    static let extensionTypes: [String: CloudEventAttributeType] = CloudEvent.ferryExtensionTypes.merging([
        "sequence": .integer, "negative": .integer, "retried": .boolean, "checksum": .binary,
        "origin": .uri, "replypath": .uriReference, "receivedat": .timestamp, "note": .string,
    ]) { first, _ in first }

    static func all() throws -> [CloudEvent] {
        var claim = try CloudEvent(
            id: EventIdentity.x12Claim(
                interchangeControlNumber: "000000905", groupControlNumber: "1", transactionSetControlNumber: "0001",
                claimID: "CLM-1").eventID,
            source: "/edi/x12/837/inbound", type: "org.ferry.claim.received.v1",
            subject: "claim/CLM-1", time: try RFC3339Timestamp(parsing: "2024-03-01T12:30:05.123456789+01:00"),
            dataContentType: "application/json", dataSchema: "https://schemas.example.org/claim/v1.json",
            extensions: [
                "sequence": .integer(Int32.max), "negative": .integer(Int32.min), "retried": .boolean(true),
                "checksum": .binary([0, 1, 2, 0xFE, 0xFF]), "origin": .uri("mq://QM1/CLAIMS.IN"),
                "replypath": .uriReference("../replies?q=1#frag"),
                "receivedat": .timestamp(try RFC3339Timestamp(parsing: "2024-03-01T11:30:05Z")),
                "note": .string("Zoë — 日本 🧾 \"quoted\" \\ slash"),
            ],
            data: .json(Array(#"{"member":"M-001","amount":1234.50,"lines":[{"code":"99213","units":1}],"ok":true,"n":null}"#.utf8)))
        claim.partitionKey = "member-M-001"
        claim.correlationID = "corr-42"
        claim.causationID = "evt-41"
        claim.replyTo = "mq://QM1/DEV.REPLY.Q"

        let text = try CloudEvent(
            id: "text-1", source: "urn:ferry:file:CLAIMS.D240301", type: "org.ferry.record.v1",
            time: try RFC3339Timestamp(parsing: "1999-12-31T23:59:59Z"), dataContentType: "text/plain; charset=utf-8",
            extensions: ["partitionkey": .string("account-7")],
            data: .text("line one\nline two\twith tab, \u{1} control, \u{7F} del, naïve café, 中文"))

        let binary = try CloudEvent(
            id: "bin-1", source: "/mq/QM1/BILLING.IN", type: "org.ferry.mq.message.v1",
            dataContentType: "application/octet-stream",
            extensions: ["correlationid": .string("ABC"), "sequence": .integer(0)],
            data: .binary([0xC1, 0xC2, 0xC3, 0x40, 0x00, 0xFF, 0x0A, 0x22]))

        let ebcdicText = try CloudEvent(
            id: "bin-2", source: "/mq/QM1/LEGACY", type: "org.ferry.mq.message.v1",
            dataContentType: "text/plain; charset=IBM037",
            data: .binary([0xC8, 0x85, 0x93, 0x93, 0x96, 0xFF]))  // not UTF-8, so it stays binary

        let minimal = try CloudEvent(id: "min", source: "s", type: "t")

        let noDataButContentType = try CloudEvent(
            id: "nodata", source: "/x", type: "t", dataContentType: "application/xml",
            extensions: ["retried": .boolean(false), "negative": .integer(-1)])

        let jsonScalar = try CloudEvent(
            id: "scalar", source: "/x", type: "t", dataContentType: "application/vnd.ferry+json",
            data: .json(Array(#""just a JSON string""#.utf8)))

        let xml = try CloudEvent(
            id: "xml", source: "/x", type: "t", dataContentType: "application/xml",
            data: .text("<claim id=\"1\">é</claim>"))

        return [claim, text, binary, ebcdicText, minimal, noDataButContentType, jsonScalar, xml]
    }
}
