import Events
import Foundation
import Testing
@testable import Mapping

@Suite("Mapping adapters, CDC from a code field, and definition errors")
struct MappingAdapterTests {
    func load(_ mapping: String, files: [String: String] = [:]) throws -> (MappingDefinition, MappingFixture) {
        let fixture = MappingFixture()
        for (name, text) in files { fixture.write("m/" + name, text) }
        let file = fixture.write("m/mapping.json", mapping)
        do {
            return (try MappingDefinition(contentsOf: file), fixture)
        } catch {
            fixture.remove()
            throw error
        }
    }

    @Test func mqTextPayloadsOfOneFormatBecomeRecordsWithMetadata() throws {
        let (mapping, fixture) = try load("""
            { "source": { "adapter": "mq", "format": "MQSTR", "payload": { "adapter": "text" } },
              "event": { "type": "t.v1", "source": "mq://QM1/{@mq.format}" },
              "fields": [ { "name": "body", "from": "text", "trim": false }, { "name": "msgId", "from": "@mq.messageId" } ] }
            """)
        defer { fixture.remove() }
        let frames = [UInt8](try #require(FileManager.default.contents(atPath: MappingFixture.repositoryRoot + "/samples/mq/member-updates.mqf")))
        let events = try MappingEngine(mapping: mapping).events(from: frames, inputName: "frames")
        // The format is the payload's, after any MQRFH2 or MQDLH: all four sample frames carry MQSTR text
        // (frame 3 in CCSID 037, big-endian).
        try #require(events.count == 4)
        #expect(events.allSatisfy { $0["source"] == .string("mq://QM1/MQSTR") })
        #expect(events.allSatisfy { ($0["data"]?["body"]?.stringValue?.count ?? 0) > 10 })
        #expect(Set(events.compactMap { $0["data"]?["msgId"]?.stringValue }).count == 4)
        #expect(events.allSatisfy { $0["data"]?["msgId"]?.stringValue?.count == 48 })
    }

    @Test func changeOperationFromACodeFieldWithRDWRecords() throws {
        let copybook = """
                   01  CHANGE-REC.
                       05  OP-CODE        PIC X(1).
                       05  OLD-IMAGE.
                           10  ACCOUNT    PIC X(4).
                           10  BALANCE    PIC 9(3)V99.
                       05  NEW-IMAGE.
                           10  ACCOUNT    PIC X(4).
                           10  BALANCE    PIC 9(3)V99.
            """
        let (mapping, fixture) = try load("""
            { "source": { "adapter": "copybook", "copybook": "c.cpy", "codepage": "ascii", "recordFormat": "rdw" },
              "event": { "type": "acct.v1", "source": "db://x", "key": "{NEW-IMAGE.ACCOUNT|OLD-IMAGE.ACCOUNT}" },
              "cdc": { "op": { "from": "OP-CODE", "codes": { "I": "c", "U": "u", "D": "d" } }, "before": "OLD-IMAGE", "after": "NEW-IMAGE" },
              "fields": [ { "name": "account", "from": "ACCOUNT" }, { "name": "balance", "from": "BALANCE", "type": "decimal" } ] }
            """, files: ["c.cpy": copybook])
        defer { fixture.remove() }
        func rdw(_ text: String) -> [UInt8] { [0, UInt8(text.utf8.count + 4), 0, 0] + Array(text.utf8) }
        let input = rdw("I    00000A00110050") + rdw("UA00110050A00112000") + rdw("DA00112000    00000")
        let events = try MappingEngine(mapping: mapping).events(from: input, inputName: "changes")
        try #require(events.count == 3)
        #expect(events.map { $0["data"]?["op"] } == [.string("c"), .string("u"), .string("d")])
        #expect(events[0]["data"]?["before"] == .null)
        #expect(events[1]["data"]?["before"]?["balance"] == .number("100.50"))
        #expect(events[1]["data"]?["after"]?["balance"] == .number("120.00"))
        #expect(events[2]["data"]?["after"] == .null)
        #expect(events.map { $0["partitionkey"] } == Array(repeating: .string("A001"), count: 3))
        #expect(events[0]["data"]?["ts_ms"] == .null)
        #expect {
            _ = try MappingEngine(mapping: mapping).events(from: rdw("X    00000A00110050"), inputName: "changes")
        } throws: { error in
            (error as? MappingError)?.path == "$.cdc.op.codes" && "\(error)".contains("record 1")
        }
    }

    @Test(arguments: [
        (#"{ "source": { "adapter": "ftp" }, "event": { "type": "t", "source": "s" }, "fields": [] }"#, "$.source.adapter", "unknown adapter ftp"),
        (#"{ "source": { "adapter": "x12", "transactionSet": "837P" }, "reversible": true, "event": { "type": "t", "source": "s" }, "fields": [] }"#,
            "$.reversible", "cannot encode"),
        (#"{ "source": { "adapter": "x12", "transactionSet": "270" }, "event": { "type": "t", "source": "s" }, "fields": [] }"#,
            "$.source.transactionSet", "unsupported transaction set 270"),
        (#"{ "source": { "adapter": "edifact", "message": "INVOIC" }, "event": { "type": "t", "source": "s" }, "fields": [ { "name": "d", "from": "DTM:1", "type": "date" } ] }"#,
            "$.fields[0]", "type date needs 'format'"),
        (#"{ "source": { "adapter": "edifact", "message": "INVOIC" }, "event": { "type": "t", "source": "s" }, "fields": [ { "name": "a", "from": "BGM:2" }, { "name": "a", "const": 1 } ] }"#,
            "$.fields[1].name", "duplicate output field a"),
        (#"{ "source": { "adapter": "edifact", "message": "INVOIC" }, "event": { "type": "t", "source": "{BGM:2" }, "fields": [] }"#,
            "$.event.source", "unbalanced"),
        (#"{ "source": { "adapter": "edifact", "message": "INVOIC" }, "event": { "type": "t", "source": "s" }, "fields": [ { "name": "a", "from": "BGM:2", "codesFile": "missing.json" } ] }"#,
            "$.fields[0].codesFile", "cannot read the code table missing.json"),
    ])
    func definitionErrorsNameTheJSONPath(mapping: String, path: String, message: String) throws {
        #expect {
            _ = try load(mapping)
        } throws: { error in
            guard let error = error as? MappingError else { return false }
            return error.path == path && error.message.contains(message) && error.file.hasSuffix("/m/mapping.json")
        }
    }

    @Test func edifactLocatorsReadQualifiedSegments() {
        let locator = EDIFACTRecords.SegmentLocator("DTM+137:1:2")
        #expect(locator?.tag == "DTM")
        #expect(locator?.qualifier == "137")
        #expect(locator?.element == 1)
        #expect(locator?.component == 2)
        #expect(EDIFACTRecords.SegmentLocator("claimId") == nil)
        #expect(EDIFACTRecords.SegmentLocator("subscriber.id") == nil)
    }

    @Test func testCaseDiffsNameThePathAndCompareNumbersByValue() {
        let expected: JSONValue = .array([.object([
            JSONMember(key: "type", value: .string("t")),
            JSONMember(key: "data", value: .object([JSONMember(key: "amount", value: .number("125")), JSONMember(key: "name", value: .string("A"))])),
        ])])
        let actual: JSONValue = .array([.object([
            JSONMember(key: "id", value: .string("ignored: the expectation leaves it out")),
            JSONMember(key: "type", value: .string("t")),
            JSONMember(key: "data", value: .object([
                JSONMember(key: "amount", value: .number("125.00")), JSONMember(key: "name", value: .string("B")),
                JSONMember(key: "extra", value: .bool(true)),
            ])),
        ])])
        let differences = MappingDifference.between(expected, actual, path: "$", partial: true)
        #expect(differences.map(\.description) == [
            #"$[0].data.name: expected "A", actual "B""#, "$[0].data.extra: expected (absent), actual true",
        ])
    }
}
