import Events
import Foundation
import Testing

@Suite struct EventIdentityTests {
    /// RFC 9562 Appendix A.4: UUIDv5 of "www.example.com" in the DNS namespace.
    @Test func rfc9562Example() {
        let uuid = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "www.example.com")
        #expect(uuid.lowercasedString == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(uuid == UUID(uuidString: "2ED6657D-E927-568B-95E1-2665A8AEA6A2"))
    }

    /// The namespace constant is what its documentation says it is.
    @Test func ferryNamespaceIsDerivedFromItsURN() {
        #expect(EventIdentity.ferryNamespace == UUIDv5.make(namespace: UUIDv5.urlNamespace, name: "urn:ferry:event-id"))
    }

    @Test(arguments: [
        EventIdentity.fileRecord(fileName: "CLAIMS.D240301", recordNumber: 17),
        EventIdentity.x12Claim(
            interchangeControlNumber: "000000905", groupControlNumber: "1", transactionSetControlNumber: "0001",
            claimID: "CLM-26463774"),
        EventIdentity.components(["member", "M123"]),
    ])
    func versionAndVariantBits(identity: EventIdentity) {
        let bytes = withUnsafeBytes(of: identity.uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 5)
        #expect(bytes[8] >> 6 == 0b10)
        #expect(identity.eventID == identity.uuid.uuidString.lowercased())
    }

    @Test func sameInputSameID() throws {
        let msgID = (0..<24).map { UInt8($0 * 7) }
        #expect(try EventIdentity.mqMessageID(msgID).eventID == EventIdentity.mqMessageID(msgID).eventID)
        #expect(
            EventIdentity.fileRecord(fileName: "a.dat", recordNumber: 1).eventID
                == EventIdentity.fileRecord(fileName: "a.dat", recordNumber: 1).eventID)
    }

    /// Pins the serialisation: an id computed from first principles (SHA-1 of namespace + length-prefixed name)
    /// equals the one EventIdentity gives, so a refactor cannot silently change ids across releases.
    @Test func serialisationIsLengthPrefixedKindThenComponents() {
        let identity = EventIdentity.fileRecord(fileName: "a.dat", recordNumber: 42)
        var name: [UInt8] = []
        for part in ["file.record", "a.dat", "42"] {
            let count = UInt32(part.utf8.count)
            name += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
            name += Array(part.utf8)
        }
        #expect(identity.serializedName == name)
        #expect(identity.uuid == UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: name))
    }

    @Test func differentInputsDifferentIDs() throws {
        var msgID = [UInt8](repeating: 0x41, count: 24)
        let first = try EventIdentity.mqMessageID(msgID)
        msgID[23] = 0x42
        let ids: [String] = [
            first.eventID,
            try EventIdentity.mqMessageID(msgID).eventID,
            EventIdentity.components(["ab", "c"]).eventID,
            EventIdentity.components(["a", "bc"]).eventID,
            EventIdentity.components(["abc"]).eventID,
            EventIdentity.components(["a", "b", "c"]).eventID,
            EventIdentity.components([]).eventID,
            EventIdentity.components([""]).eventID,
            EventIdentity.fileRecord(fileName: "f", recordNumber: 1).eventID,
            EventIdentity.fileRecord(fileName: "f", recordNumber: 2).eventID,
            EventIdentity.fileRecord(fileName: "f1", recordNumber: 1).eventID,
            EventIdentity.components(["f", "1"]).eventID,  // same parts as a file record, different kind
            EventIdentity.x12Claim(
                interchangeControlNumber: "1", groupControlNumber: "2", transactionSetControlNumber: "3",
                claimID: "4").eventID,
            EventIdentity.x12Claim(
                interchangeControlNumber: "1", groupControlNumber: "2", transactionSetControlNumber: "34",
                claimID: "").eventID,
        ]
        #expect(Set(ids).count == ids.count)
    }

    @Test(arguments: [0, 16, 23, 25, 48])
    func mqMessageIDMustBe24Bytes(count: Int) {
        #expect(throws: CloudEventError.self) { try EventIdentity.mqMessageID([UInt8](repeating: 1, count: count)) }
    }
}
