import Events
import Foundation
import StreamLog
import Testing

/// Cross-checks Ferry's Kafka protocol binding against the official CloudEvents Python SDK: Ferry writes records in
/// both content modes, `scripts/crosscheck/cloudevents_kafka.py` decodes them with the SDK's Kafka binding, and every
/// attribute, extension and the data must come back equal.
///
/// Allowed SDK normalisations (see the script's header): `time` is compared as an instant truncated to
/// microseconds with the same UTC offset (the SDK's `datetime` has no nanoseconds); an event without `time` gets one
/// invented by the SDK, which the script drops and flags; structured-mode JSON data goes through Python objects, so
/// it is compared as JSON values with numbers compared numerically (`1234.50` == `1234.5`).
@Suite struct CloudEventsSDKTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("scripts/crosscheck/cloudevents_kafka.py").path

    static func events() throws -> [CloudEvent] {
        var claim = try CloudEvent(
            id: EventIdentity.fileRecord(fileName: "CLAIMS.D240301", recordNumber: 1).eventID,
            source: "/edi/x12/837/inbound", type: "org.ferry.claim.received.v1", subject: "claim/CLM-1 — ünïcode",
            time: try RFC3339Timestamp(parsing: "2024-03-01T12:30:05.123456789+01:00"),
            dataContentType: "application/json", dataSchema: "https://schemas.example.org/claim/v1.json",
            extensions: [
                "sequence": .integer(Int32.max), "negative": .integer(Int32.min), "zero": .integer(0),
                "retried": .boolean(true), "fresh": .boolean(false), "checksum": .binary([0, 1, 2, 0xFE, 0xFF]),
                "origin": .uri("mq://QM1/CLAIMS.IN"), "replypath": .uriReference("../replies?q=1#frag"),
                "receivedat": .timestamp(try RFC3339Timestamp(parsing: "2024-03-01T11:30:05.5Z")),
                "note": .string("Zoë — 日本 🧾 \"quoted\" \\ back/slash"),
            ],
            data: .json(Array(#"{"member":"M-001","amount":1234.50,"lines":[{"code":"99213","units":1}],"ok":true,"none":null,"name":"Łukasz 🩺"}"#.utf8)))
        claim.partitionKey = "member-M-001"
        claim.correlationID = "corr-42"
        claim.causationID = "evt-41"
        claim.replyTo = "mq://QM1/DEV.REPLY.Q"

        let text = try CloudEvent(
            id: "text-1", source: "urn:ferry:file:CLAIMS.D240301", type: "org.ferry.record.v1",
            time: try RFC3339Timestamp(parsing: "1999-12-31T23:59:59Z"), dataContentType: "text/plain; charset=utf-8",
            extensions: ["partitionkey": .string("account-7")],
            data: .text("line one\nline two\twith tab, naïve café, 中文, emoji 🧾"))
        let binary = try CloudEvent(
            id: "bin-1", source: "/mq/QM1/BILLING.IN", type: "org.ferry.mq.message.v1",
            time: try RFC3339Timestamp(parsing: "2024-06-30T23:59:59.999-07:00"),
            dataContentType: "application/octet-stream", extensions: ["correlationid": .string("ABC")],
            data: .binary([0xC1, 0xC2, 0xC3, 0x40, 0x00, 0xFF, 0x0A, 0x22, 0x80]))
        let minimal = try CloudEvent(id: "min", source: "s", type: "t")
        let noData = try CloudEvent(
            id: "nodata", source: "/x", type: "t", subject: "s", time: try RFC3339Timestamp(epochMilliseconds: 0),
            dataContentType: "application/xml", extensions: ["retried": .boolean(false), "negative": .integer(-1)])
        let jsonArray = try CloudEvent(
            id: "array", source: "/x", type: "t", time: try RFC3339Timestamp(parsing: "2030-01-01T00:00:00.000001Z"),
            dataContentType: "application/vnd.ferry+json", data: .json(Array(#"[1,-2.5e3,"x",[],{}]"#.utf8)))
        return [claim, text, binary, minimal, noData, jsonArray]
    }

    @Test func officialSDKDecodesBothModes() async throws {
        guard let python = ProcessInfo.processInfo.environment["FERRY_PYTHON"], !python.isEmpty else {
            Issue.record("FERRY_PYTHON is not set: run scripts/test, which creates the venv with the cloudevents SDK")
            return
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("FERRY_PYTHON=\(python) is not an executable: run scripts/test, which creates the venv with the cloudevents SDK")
            return
        }
        let events = try Self.events()
        var cases: [(event: CloudEvent, mode: CloudEventKafkaBinding.ContentMode)] = []
        var writer = JSONWriter(capacity: 16 * 1024)
        for event in events {
            for mode in [CloudEventKafkaBinding.ContentMode.binary, .structured] {
                let record = try CloudEventKafkaBinding.encode(event, mode: mode, fallbackTimestamp: 0)
                Self.writeLine(record, mode: mode, to: &writer)
                cases.append((event, mode))
            }
        }
        // One record the SDK must refuse, to show errors are reported rather than swallowed.
        Self.writeLine(
            StreamRecord(
                key: nil, value: Array("{oops".utf8),
                headers: [RecordHeader(name: "content-type", text: CloudEventKafkaBinding.structuredContentType)],
                timestamp: 0),
            mode: .structured, to: &writer)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-ce-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("records.jsonl")
        try Data(writer.bytes).write(to: input)

        let result = try await Self.run(python, arguments: [Self.script, input.path], in: directory, timeout: .seconds(60))
        if result.status == 3 {
            Issue.record(
                "FERRY_PYTHON=\(python) lacks the cloudevents SDK (>= 2.0): run scripts/test, which creates the venv with the cloudevents SDK. \(result.stderr)")
            return
        }
        try #require(result.status == 0, "cross-check script failed (\(result.status)): \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == cases.count + 1, "expected \(cases.count + 1) output lines, got \(lines.count)")

        for (index, testCase) in cases.enumerated() {
            let output = try JSONValue(parsing: lines[index])
            Self.compare(testCase.event, mode: testCase.mode, with: output)
        }
        let refused = try JSONValue(parsing: lines[cases.count])
        #expect(refused["ok"] == .bool(false))
        if let version = try JSONValue(parsing: lines[0])["sdk"]?.stringValue {
            print("cloudevents SDK \(version) agreed on \(cases.count) records")
        }
    }

    // MARK: Comparison

    static func compare(_ event: CloudEvent, mode: CloudEventKafkaBinding.ContentMode, with output: JSONValue) {
        let label = "\(event.id) (\(mode))"
        guard output["ok"] == .bool(true) else {
            Issue.record("SDK could not decode \(label): \(output["error"]?.stringValue ?? "?")")
            return
        }
        let attributes = output["attributes"] ?? .null
        #expect(attributes["specversion"] == .string("1.0"), "\(label)")
        #expect(attributes["id"]?.stringValue == event.id, "\(label)")
        #expect(attributes["source"]?.stringValue == event.source, "\(label)")
        #expect(attributes["type"]?.stringValue == event.type, "\(label)")
        #expect(attributes["subject"]?.stringValue == event.subject, "\(label)")
        #expect(attributes["dataschema"]?.stringValue == event.dataSchema, "\(label)")
        var contentType = event.dataContentType
        if mode == .binary, contentType == nil, case .json = event.data { contentType = "application/json" }
        #expect(attributes["datacontenttype"]?.stringValue == contentType, "\(label)")

        if let time = event.time {
            let reported = attributes["time"]?.stringValue.flatMap { try? RFC3339Timestamp(parsing: $0) }
            #expect(reported?.secondsSinceEpoch == time.secondsSinceEpoch, "\(label) time")
            #expect(reported?.nanoseconds == time.nanoseconds / 1000 * 1000, "\(label) time (to the microsecond)")
            #expect((reported?.utcOffsetMinutes ?? 0) == (time.utcOffsetMinutes ?? 0), "\(label) time offset")
            #expect(output["sdk_defaulted_time"] == .bool(false), "\(label)")
        } else {
            #expect(attributes["time"] == nil, "\(label)")
            #expect(output["sdk_defaulted_time"] == .bool(true), "\(label)")
        }

        var expectedExtensions: [JSONMember] = []
        for item in event.extensions {
            let value: JSONValue
            switch (mode, item.value) {
            case let (.structured, .integer(number)): value = .number(String(number))
            case let (.structured, .boolean(flag)): value = .bool(flag)
            default: value = .string(item.value.canonicalString)
            }
            expectedExtensions.append(JSONMember(key: item.name, value: value))
        }
        guard case let .object(reportedExtensions)? = output["extensions"] else {
            Issue.record("\(label): no extensions object")
            return
        }
        let sortedExpected = expectedExtensions.sorted { $0.key < $1.key }
        let sortedReported = reportedExtensions.sorted { $0.key < $1.key }
        #expect(sortedReported == sortedExpected, "\(label) extensions")

        let data = output["data"] ?? .null
        switch (mode, event.data) {
        case (_, nil):
            #expect(data == .null, "\(label) data")
        case let (.binary, payload?):
            #expect(data["kind"] == .string("bytes"), "\(label) data kind")
            #expect(data["base64"]?.stringValue == Base64.encode(payload.bytes), "\(label) data bytes")
        case let (.structured, .binary(bytes)?):
            #expect(data["kind"] == .string("bytes"), "\(label) data kind")
            #expect(data["base64"]?.stringValue == Base64.encode(bytes), "\(label) data bytes")
        case let (.structured, .text(text)?):
            #expect(data["kind"] == .string("json"), "\(label) data kind")
            #expect(data["value"] == .string(text), "\(label) data text")
        case let (.structured, .json(bytes)?):
            #expect(data["kind"] == .string("json"), "\(label) data kind")
            let expected = try? JSONValue(parsing: bytes)
            #expect(expected.map { sameJSON($0, data["value"] ?? .null) } == true, "\(label) JSON data")
        }
    }

    /// JSON equality with numbers compared as exact decimals (Python re-prints `1234.50` as `1234.5`).
    static func sameJSON(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.number(left), .number(right)):
            guard let l = try? ExactDecimal(parsing: left), let r = try? ExactDecimal(parsing: right) else {
                return left == right
            }
            return l == r
        case let (.array(left), .array(right)):
            return left.count == right.count && zip(left, right).allSatisfy { sameJSON($0, $1) }
        case let (.object(left), .object(right)):
            return left.count == right.count
                && zip(left, right).allSatisfy { $0.key == $1.key && sameJSON($0.value, $1.value) }
        default:
            return lhs == rhs
        }
    }

    // MARK: Plumbing

    static func writeLine(_ record: StreamRecord, mode: CloudEventKafkaBinding.ContentMode, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.writeKey("mode")
        writer.writeString(mode.rawValue)
        for (name, bytes) in [("key", record.key), ("value", record.value)] {
            writer.writeKey(name)
            if let bytes { writer.writeBase64String(bytes) } else { writer.writeNull() }
        }
        writer.writeKey("headers")
        writer.beginArray()
        for header in record.headers {
            writer.beginArray()
            writer.writeString(header.name)
            if let value = header.value { writer.writeBase64String(value) } else { writer.writeNull() }
            writer.endArray()
        }
        writer.endArray()
        writer.endObject()
        writer.endLine()
    }

    struct ProcessResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a process with output captured to files (no pipe can fill up) and kills it after `timeout`.
    static func run(_ executable: String, arguments: [String], in directory: URL, timeout: Duration) async throws
        -> ProcessResult
    {
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdout.close()
            try? stderr.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                process.terminate()
                Issue.record("\(executable) \(arguments.joined(separator: " ")) timed out after \(timeout)")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: stdoutURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: stderrURL)) ?? Data(), as: UTF8.self))
    }
}
