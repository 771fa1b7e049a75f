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

/// The batched id path gives each name the id of the one-at-a-time path, for batches of every size up to nine and
/// names of different lengths in one batch (0 to 700 bytes: one to twelve SHA-1 blocks).
@Suite struct UUIDv5BatchTests {
    @Test(arguments: 0...9)
    func batchMatchesOneAtATime(count: Int) {
        let names: [[UInt8]] = (0..<count).map { index in
            let length = (index * 173 + count * 61) % 701
            return (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ index &* 11 &+ count) }
        }
        var expected: [UUID] = []
        for name in names { expected.append(name.withUnsafeBytes { UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: $0) }) }
        var uuids = [UUID](repeating: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), count: count)
        func hashAll(_ rest: ArraySlice<[UInt8]>, _ pointers: [UnsafeRawBufferPointer]) {
            guard let first = rest.first else {
                pointers.withUnsafeBufferPointer { names in
                    uuids.withUnsafeMutableBufferPointer { UUIDv5.make(namespace: EventIdentity.ferryNamespace, names: names, into: $0) }
                }
                return
            }
            first.withUnsafeBytes { hashAll(rest.dropFirst(), pointers + [$0]) }
        }
        hashAll(names[...], [])
        #expect(uuids == expected)
    }
}
