import ByteCoding
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

    /// The ids of `names` through the batched path (each name its own array, so a lane reading past its name's end
    /// reads another allocation) and one at a time.
    static func batchedAndOneAtATime(_ names: [[UInt8]]) -> (batched: [UUID], oneAtATime: [UUID]) {
        let oneAtATime = names.map { name in
            name.withUnsafeBytes { UUIDv5.make(namespace: EventIdentity.ferryNamespace, name: $0) }
        }
        var batched = [UUID](repeating: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), count: names.count)
        func hashAll(_ rest: ArraySlice<[UInt8]>, _ pointers: [UnsafeRawBufferPointer]) {
            guard let first = rest.first else {
                pointers.withUnsafeBufferPointer { names in
                    batched.withUnsafeMutableBufferPointer { UUIDv5.make(namespace: EventIdentity.ferryNamespace, names: names, into: $0) }
                }
                return
            }
            first.withUnsafeBytes { hashAll(rest.dropFirst(), pointers + [$0]) }
        }
        hashAll(names[...], [])
        return (batched, oneAtATime)
    }

    /// `length` bytes that differ from name to name (`seed`), so that two lanes swapped give different ids.
    static func name(length: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// One name much longer (700 bytes, 12 blocks) or much shorter (3 bytes, 1 block) than the others, in each
    /// position of batches of two to eight: the long lane keeps hashing after the others' last block, the short
    /// lane's hash must stop after its own.
    @Test(arguments: [2, 3, 4, 5, 8], [700, 3])
    func oneLaneMuchLongerOrShorter(count: Int, oddLength: Int) {
        let lengths = (odd: oddLength, others: oddLength > 100 ? 30 : 600)
        for position in 0..<count {
            let names = (0..<count).map { index in
                Self.name(length: index == position ? lengths.odd : lengths.others, seed: UInt64(index * 100 + position))
            }
            let ids = Self.batchedAndOneAtATime(names)
            #expect(ids.batched == ids.oneAtATime, "odd name at \(position) of \(count)")
        }
    }

    /// Names whose namespace-plus-name length sits at the padding boundaries (FIPS 180-4 §5.1.1): 55 and 56 bytes
    /// (the bit length just fits in the last block, or needs another), 63 and 64 (one whole block), 119 and 120;
    /// as four names of one length, and all six lengths mixed in one batch, rotated so that each length takes
    /// each lane.
    @Test(arguments: [39, 40, 47, 48, 103, 104])
    func paddingBoundaryLengthsInEveryLane(length: Int) {
        let same = (0..<4).map { Self.name(length: length, seed: UInt64(length * 10 + $0)) }
        let sameIDs = Self.batchedAndOneAtATime(same)
        #expect(sameIDs.batched == sameIDs.oneAtATime)
        let boundaries = [39, 40, 47, 48, 103, 104]
        for rotation in 0..<boundaries.count {
            let lengths = boundaries[rotation...] + boundaries[..<rotation]
            let names = lengths.enumerated().map { Self.name(length: $0.element, seed: UInt64(length * 1000 + $0.offset)) }
            let ids = Self.batchedAndOneAtATime(names)
            #expect(ids.batched == ids.oneAtATime, "lengths \(Array(lengths))")
        }
    }

    /// Empty names (the namespace alone: one block) beside others, in full and partly filled groups.
    @Test(arguments: [[0, 0], [0, 0, 0], [0, 48, 0, 700], [0, 55, 0, 64, 0], [1, 0, 0, 0, 0, 0]])
    func emptyNamesBesideOthers(lengths: [Int]) {
        let names = lengths.enumerated().map { Self.name(length: $0.element, seed: UInt64(7 + $0.offset)) }
        let ids = Self.batchedAndOneAtATime(names)
        #expect(ids.batched == ids.oneAtATime)
    }

    /// Seventeen names of random lengths (0 to 1,199 bytes): four groups of four and one name left over.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func seventeenRandomLengths(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let names = (0..<17).map { index in
            Self.name(length: Int.random(in: 0..<1200, using: &random), seed: seed * 100 + UInt64(index))
        }
        let ids = Self.batchedAndOneAtATime(names)
        #expect(ids.batched == ids.oneAtATime)
    }
}
