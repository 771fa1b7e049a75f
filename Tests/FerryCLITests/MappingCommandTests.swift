import Foundation
import Testing

/// `ferry test`, `ferry schema` and `ferry convert --mapping`, end to end through the built binary.
@Suite struct MappingCommandTests {
    static let root = FerryProcess.repositoryRoot

    /// A scratch copy of `mappings/` and `samples/` (mapping paths are relative, so both travel together).
    struct Scratch {
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-mapping-cli-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for folder in ["mappings", "samples"] {
                try FileManager.default.copyItem(at: root.appendingPathComponent(folder), to: directory.appendingPathComponent(folder))
            }
        }

        func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

        func edit(_ relative: String, _ change: (String) -> String) throws {
            let text = try String(contentsOfFile: path(relative), encoding: .utf8)
            let changed = change(text)
            #expect(changed != text, "the edit of \(relative) changed nothing")
            try changed.write(toFile: path(relative), atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    static var caseCount: Int {
        let mappings = root.appendingPathComponent("mappings").path
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: mappings)) ?? []
        return folders.reduce(0) { count, folder in
            let tests = (try? FileManager.default.contentsOfDirectory(atPath: mappings + "/" + folder + "/tests")) ?? []
            return count + tests.filter { $0.hasSuffix(".json") }.count
        }
    }

    @Test func shippedMappingsPass() throws {
        let result = try FerryProcess.run(["test", "mappings/"], directory: Self.root)
        #expect(result.status == 0, "\(result)")
        #expect(Self.caseCount >= 10)
        #expect(result.outputLines == ["\(Self.caseCount) passed, 0 failed"], "\(result)")
    }

    @Test func brokenExpectationFailsWithAFieldLevelDiff() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.edit("mappings/claim-status-reply/tests/replies.json") {
            $0.replacingOccurrences(of: #""status": "paid""#, with: #""status": "denied""#)
        }
        let junit = scratch.path("results.xml")
        let result = try FerryProcess.run(["test", "mappings", "--junit", junit], directory: scratch.directory)
        #expect(result.status == 1, "\(result)")
        #expect(result.outputLines.first == "FAIL mappings/claim-status-reply/tests/replies.json (claim-status-reply / replies)")
        #expect(result.outputLines.contains(#"  $[0].data.status: expected "denied", actual "paid""#), "\(result)")
        #expect(result.outputLines.last == "\(Self.caseCount - 1) passed, 1 failed")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"<testsuites name="ferry test" tests="\#(Self.caseCount)" failures="1" errors="0">"#))
        #expect(xml.contains(#"<testcase classname="mappings.claim-status-reply" name="replies""#))
        #expect(xml.contains(#"$[0].data.status: expected &quot;denied&quot;, actual &quot;paid&quot;"#))
    }

    @Test func expectedErrorThatDoesNotHappenFails() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.edit("mappings/supplier-invoice-edifact/tests/unknown-document-type.json") {
            $0.replacingOccurrences(of: "BGM+999", with: "BGM+380")
        }
        let result = try FerryProcess.run(["test", "mappings/supplier-invoice-edifact"], directory: scratch.directory)
        #expect(result.status == 1)
        #expect(result.output.contains(#"expected an error containing "$.fields[1].codes: message 7: code not in the table", got 1 events"#), "\(result)")
        #expect(result.outputLines.last == "3 passed, 1 failed")
    }

    /// A copy of the reply mapping (without its tests) changed by `change`, checked against the shipped one.
    func compat(_ change: (String) -> String, mode: String? = nil) throws -> FerryProcess.Result {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.removeItem(atPath: scratch.path("mappings/claim-status-reply/tests"))
        try scratch.edit("mappings/claim-status-reply/mapping.json", change)
        let base = Self.root.appendingPathComponent("mappings").path
        return try FerryProcess.run(
            ["test", "mappings/claim-status-reply", "--compat", base] + (mode.map { ["--mode", $0] } ?? []), directory: scratch.directory)
    }

    @Test func compatCatchesARemovedRequiredField() throws {
        let result = try compat {
            $0.replacingOccurrences(of: #"    { "name": "claimId", "from": "RPL-CLAIM-ID", "required": true },"# + "\n", with: "")
        }
        #expect(result.status == 1, "\(result)")
        #expect(result.output.contains("data.claimId: required field removed"), "\(result)")
        #expect(result.outputLines.last == "0 passed, 1 failed")
    }

    @Test func compatCatchesAChangedType() throws {
        let result = try compat({
            $0.replacingOccurrences(of: #""from": "RPL-PAID-AMOUNT", "type": "decimal", "scale": 2"#, with: #""from": "RPL-PAID-AMOUNT""#)
        }, mode: "backward")
        #expect(result.status == 1, "\(result)")
        #expect(result.output.contains("data.paidAmount: type changed from null|number to null|string"), "\(result)")
    }

    @Test func compatAcceptsAnAddedOptionalField() throws {
        let result = try compat {
            $0.replacingOccurrences(
                of: #"    { "name": "claimId", "from": "RPL-CLAIM-ID", "required": true },"#,
                with: #"    { "name": "claimId", "from": "RPL-CLAIM-ID", "required": true }, { "name": "note", "from": "RPL-CHECK-NUMBER" },"#)
        }
        #expect(result.status == 0, "\(result)")
        #expect(result.outputLines == ["1 passed, 0 failed"])
    }

    @Test func schemaDescribesTheEvents() throws {
        let result = try FerryProcess.run(["schema", "mappings/claim-status-reply"], directory: Self.root)
        #expect(result.status == 0, "\(result)")
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(schema["title"] as? String == "org.example.payer.claim.status.answered.v1")
        let data = try #require((schema["properties"] as? [String: Any])?["data"] as? [String: Any])
        #expect((data["required"] as? [String])?.contains("claimId") == true)
    }

    @Test func convertWithAMappingWritesEventsAndNamesMappingErrors() throws {
        let ok = try FerryProcess.run(
            ["convert", "--mapping", "mappings/supplier-invoice-edifact/mapping.json", "samples/edi/supplier-invoice.edi"], directory: Self.root)
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.outputLines.count == 1)
        #expect(ok.output.contains(#""partitionkey":"MEMBERORG-0001""#))
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.edit("mappings/member-eligibility-cdc/mapping.json") {
            $0.replacingOccurrences(of: #""from": "LAST-NAME""#, with: #""from": "LAST-NAMEE""#)
        }
        let bad = try FerryProcess.run(
            ["convert", "--mapping", "mappings/member-eligibility-cdc/mapping.json", "samples/mainframe/MEMBER-ELIG-CDC.D261206.dat"],
            directory: scratch.directory)
        #expect(bad.status != 0)
        #expect(bad.errorOutput.contains("mappings/member-eligibility-cdc/mapping.json: $.fields[1].from: unknown field LAST-NAMEE"), "\(bad)")
    }

    @Test func replyEventEncodesToAnMQFrameAndBack() throws {
        let events = try FerryProcess.run(
            ["convert", "--mapping", "mappings/claim-status-reply/mapping.json", "samples/mq/claim-status.replies.mqf"], directory: Self.root)
        #expect(events.status == 0, "\(events)")
        let encoded = try FerryProcess.run(
            ["convert", "--mapping", "mappings/claim-status-reply/mapping.json", "--encode", "-"], input: Data(events.output.utf8), directory: Self.root)
        #expect(encoded.status == 0, "\(encoded)")
        let original = try #require(FileManager.default.contents(atPath: Self.root.appendingPathComponent("samples/mq/claim-status.replies.mqf").path))
        #expect(encoded.outputBytes == original)
        let again = try FerryProcess.run(
            ["convert", "--mapping", "mappings/claim-status-reply/mapping.json", "-"], input: encoded.outputBytes, directory: Self.root)
        #expect(again.output == events.output)
    }
}
