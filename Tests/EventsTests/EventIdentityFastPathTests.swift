import Events
import Foundation
import Testing

/// The allocation-free id path (`EventIdentity.uuid(kind:…)`, `UUIDv5.make(namespace:name:)` over a raw buffer,
/// `JSONWriter.writeUUIDString`) gives exactly the ids of the general path, for names of one, two and three blocks.
@Suite struct EventIdentityFastPathTests {
    static let claimIDs = [
        "", "1", "CLM-26463774", String(repeating: "X", count: 30), String(repeating: "Y", count: 38),
        String(repeating: "Z", count: 39), String(repeating: "W", count: 47), String(repeating: "é", count: 60),
    ]

    @Test(arguments: claimIDs, [1, 2, 9, 10, 12345, Int.max])
    func claimIDsMatchTheGeneralPath(claimID: String, occurrence: Int) {
        let general = EventIdentity.x12Claim(
            interchangeControlNumber: "000000905", groupControlNumber: "1", transactionSetControlNumber: "0001",
            claimID: claimID, occurrence: occurrence)
        let fast = EventIdentity.uuid(
            kind: "x12.claim", "000000905", "1", "0001", claimID, occurrence: occurrence)
        #expect(fast == general.uuid)
        let payment = EventIdentity.x12ClaimPayment(
            interchangeControlNumber: "9", groupControlNumber: "", transactionSetControlNumber: "0001",
            claimID: claimID, occurrence: occurrence)
        #expect(EventIdentity.uuid(kind: "x12.claim-payment", "9", "", "0001", claimID, occurrence: occurrence)
            == payment.uuid)
    }

    @Test(arguments: 0..<140)
    func rawNameMatchesTheSequencePath(length: Int) {
        let name = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let fast = name.withUnsafeBytes { UUIDv5.make(namespace: UUIDv5.urlNamespace, name: $0) }
        #expect(fast == UUIDv5.make(namespace: UUIDv5.urlNamespace, name: name))
    }

    @Test func uuidStringIsTheLowerCaseTextInQuotes() {
        let uuid = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "www.example.com")
        var writer = JSONWriter()
        writer.writeUUIDString(uuid)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "\"2ed6657d-e927-568b-95e1-2665a8aea6a2\"")
    }
}
