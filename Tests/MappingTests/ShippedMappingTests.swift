import Events
import Foundation
import MQ
import Testing
@testable import Mapping

@Suite("Shipped mappings: CDC envelope, MQ request/reply round trip, schemas")
struct ShippedMappingTests {
    static let root = MappingFixture.repositoryRoot

    func mapping(_ name: String) throws -> MappingDefinition {
        try MappingDefinition(contentsOf: Self.root + "/mappings/\(name)/mapping.json")
    }

    func sample(_ path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: Self.root + "/samples/" + path)))
    }

    @Test func memberEligibilityChangesBecomeDebeziumLikeEnvelopes() throws {
        let engine = MappingEngine(mapping: try mapping("member-eligibility-cdc"))
        let events = try engine.events(from: try sample("mainframe/MEMBER-ELIG-CDC.D261206.dat"), inputName: "cdc")
        try #require(events.count == 3)
        let ops = events.map { $0["data"]?["op"] }
        #expect(ops == [.string("c"), .string("u"), .string("d")])
        let insert = try #require(events[0]["data"])
        #expect(insert["before"] == .null)
        #expect(insert["after"]?["plan"] == .string("hmo-gold"))
        #expect(insert["after"]?["coverage"]?["start"] == .string("2027-01-01"))
        #expect(insert["after"]?["coverage"]?["end"] == .string("2027-12-31"))
        #expect(insert["after"]?["ssn"] == .string("*****3456"))
        #expect(insert["after"]?["terminated"] == nil)
        #expect(insert["ts_ms"] == .number("1796372102000"))
        #expect(insert["source"]?["table"] == .string("MEMBER_ELIG"))
        let update = try #require(events[1]["data"])
        #expect(update["before"]?["plan"] == .string("hmo-gold"))
        #expect(update["after"]?["plan"] == .string("ppo-silver"))
        #expect(update["after"]?["monthlyPremium"] == .number("398.90"))
        let delete = try #require(events[2]["data"])
        #expect(delete["after"] == .null)
        #expect(delete["before"]?["status"] == .string("TERMINATED"))
        #expect(delete["before"]?["terminated"] == .bool(true))
        #expect(events[2]["partitionkey"] == .string("M00005001"))
        #expect(events[0]["time"] == .string("2026-12-04T08:15:02Z"))
    }

    @Test func claimStatusReplyRoundTripsThroughAnMQFrame() throws {
        let engine = MappingEngine(mapping: try mapping("claim-status-reply"))
        let original = try #require(try engine.events(from: try sample("mq/claim-status.replies.mqf"), inputName: "replies").first)
        var bytes = engine.encodedFileHeader
        bytes += try engine.encode(event: original)
        let frame = try MQFrame(parsing: Array(bytes.dropFirst(MQFrameFile.headerLength + 4)))
        #expect(frame.descriptor.messageType == .reply)
        #expect(frame.descriptor.format.rawValue.trimmingCharacters(in: .whitespaces) == "CLMSTRPL")
        let again = try engine.events(from: bytes, inputName: "re-encoded")
        #expect(again == [original])
        #expect(original["data"]?["status"] == .string("paid"))
        #expect(original["correlationid"] != nil)
    }

    @Test func claimStatusRequestEncodesARequestFrameWithItsReplyQueue() throws {
        let engine = MappingEngine(mapping: try mapping("claim-status-request"))
        let events = try engine.events(from: try sample("mq/claim-status.requests.mqf"), inputName: "requests")
        try #require(events.count == 2)
        #expect(events[0]["data"]?["serviceDate"] == .string("2026-12-01"))  // YYMMDD 261201, century pivot 60
        #expect(events[0]["data"]?["replyTo"] == .string("PORTAL.CLAIM.STATUS.REPLY"))
        let entry = try engine.encode(event: events[1])
        let frame = try MQFrame(parsing: Array(entry.dropFirst(4)))
        #expect(frame.descriptor.messageType == .request)
        #expect(frame.descriptor.replyToQueue.trimmingCharacters(in: .whitespaces) == "PORTAL.CLAIM.STATUS.REPLY")
        #expect(frame.descriptor.correlationID.isNone)
        // CCSID 037 payload: "ICN0001" in EBCDIC starts C9 C3 D5.
        #expect(Array(frame.payload.bytes.prefix(3)) == [0xC9, 0xC3, 0xD5])
        #expect(frame.payload.count == 41)
        // Encoding the same event twice gives the same MsgId (it derives from the event id).
        #expect(try engine.encode(event: events[1]) == entry)
    }

    @Test func nonReversibleMappingsRefuseToEncode() throws {
        let engine = MappingEngine(mapping: try mapping("claims-837p"))
        #expect(throws: MappingError.self) { try engine.encode(event: .object([JSONMember(key: "data", value: .object([]))])) }
    }

    @Test func eventSchemaDescribesTypesAndRequiredFields() throws {
        let schema = MappingSchema.schema(for: try mapping("claim-status-reply"))
        let data = try #require(schema["properties"]?["data"])
        #expect(data["properties"]?["paidAmount"]?["type"] == .array([.string("number"), .string("null")]))
        #expect(data["properties"]?["statusDate"]?["format"] == .string("date"))
        #expect(data["required"]?.arrayValues.contains(.string("claimId")) == true)
        #expect(data["required"]?.arrayValues.contains(.string("final")) == false)
    }

    @Test func compatibilityFindsRemovedRequiredAndChangedTypeButAcceptsAddedOptional() throws {
        let base = try mapping("claim-status-reply")
        var removed = base
        removed.fields.removeAll { $0.name == "claimId" }
        var changed = base
        if let index = changed.fields.firstIndex(where: { $0.name == "paidAmount" }) { changed.fields[index].type = .string }
        var added = base
        var extra = base.fields[0]
        extra.name = "note"; extra.outputPath = ["note"]; extra.isRequired = false
        added.fields.append(extra)
        let old = MappingSchema.schema(for: base)
        let full = MappingSchema.Compatibility.full
        #expect(MappingSchema.breakingChanges(from: old, to: MappingSchema.schema(for: removed), mode: full).contains { $0.hasPrefix("data.claimId:") })
        #expect(MappingSchema.breakingChanges(from: old, to: MappingSchema.schema(for: changed), mode: full).contains { $0.hasPrefix("data.paidAmount: type changed") })
        #expect(MappingSchema.breakingChanges(from: old, to: MappingSchema.schema(for: added), mode: full) == [])
    }
}
