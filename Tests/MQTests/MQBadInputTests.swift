import ByteCoding
import Events
import Testing

@testable import MQ

@Suite struct MQBadInputTests {
    static let good = RFH2Tests.frame(bigEndian: false)

    @Test func everyTruncatedDescriptorIsATruncatedError() {
        let bytes = SampleMQMD.bytes(bigEndian: false)
        for count in 0..<324 {
            do {
                _ = try MQFrame(parsing: Array(bytes.prefix(count)))
                Issue.record("\(count) bytes parsed")
            } catch {
                #expect(error.reason == .truncated)
                #expect(error.header == "MQMD")
                #expect(error.offset == 0)
            }
        }
        // A version-2 descriptor cut inside its version-2 part.
        #expect(throws: MQError.truncated("MQMD", field: "version 2", at: 0, needed: 364, available: 340)) {
            try MQFrame(parsing: Array(bytes.prefix(340)))
        }
    }

    @Test func unknownStrucIdAndVersionAreLocated() {
        var bytes = SampleMQMD.bytes(bigEndian: false)
        bytes[0] = UInt8(ascii: "X")
        let wrongID = #expect(throws: MQError.self) { try MQFrame(parsing: bytes) }
        #expect(wrongID?.reason == .unknownStructure)
        #expect(wrongID?.field == "StrucId")
        #expect(wrongID?.found == "58 44 20 20")
        bytes = SampleMQMD.bytes(bigEndian: false)
        bytes[4] = 3
        let wrongVersion = #expect(throws: MQError.self) { try MQFrame(parsing: bytes) }
        #expect(wrongVersion?.reason == .unsupportedVersion)
        #expect(wrongVersion?.offset == 4)
    }

    @Test(arguments: [
        (Int32(10_000), "too big"), (Int32(32), "below the fixed part"), (Int32(90), "not a multiple of 4"), (Int32(-4), "negative"),
    ])
    func lyingStrucLengthIsABadLength(_ length: Int32, _ why: String) {
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQHRF2")
            + HandBuiltRFH2.bytes(bigEndian: false, folders: [RFH2Tests.mcd], structureLength: length)
        let error = #expect(throws: MQError.self, "\(why)") { try MQFrame(parsing: bytes) }
        #expect(error?.reason == .badLength)
        #expect(error?.header == "MQRFH2")
        #expect(error?.field == "StrucLength")
        #expect(error?.offset == 364 + 8)
        #expect(error?.found == String(length))
    }

    @Test(arguments: [Int32(1000), Int32(-8), Int32(6), Int32(0x7FFF_FFFC)])
    func lyingNameValueLengthIsABadLength(_ length: Int32) {
        var rfh2 = HandBuiltRFH2.bytes(bigEndian: false, folders: [RFH2Tests.mcd, RFH2Tests.jms])
        var patch = HandBuiltBytes(count: 4, bigEndian: false)
        patch.long(length, at: 0)
        let second = 36 + 4 + RFH2Tests.mcd.count
        rfh2.replaceSubrange(second..<(second + 4), with: patch.bytes)
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQHRF2") + rfh2
        let error = #expect(throws: MQError.self) { try MQFrame(parsing: bytes) }
        #expect(error?.reason == .badLength)
        #expect(error?.field == "NameValueLength")
        #expect(error?.offset == 364 + second)
    }

    @Test func nameValueLengthTooSmallLeavesAStrayTail() {
        // StrucLength claims two more bytes than the folders fill: no room for another NameValueLength.
        var rfh2 = HandBuiltRFH2.bytes(bigEndian: false, folders: [RFH2Tests.mcd])
        rfh2 += [0x20, 0x20, 0x20, 0x20]
        var patch = HandBuiltBytes(count: 4, bigEndian: false)
        patch.long(Int32(rfh2.count) - 2, at: 0)
        rfh2.replaceSubrange(8..<12, with: patch.bytes)
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQHRF2") + rfh2
        let error = #expect(throws: MQError.self) { try MQFrame(parsing: bytes) }
        #expect(error?.reason == .badLength)
    }

    @Test func undefinedIntegerEncodingBeforeAHeaderIsAnError() {
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQHRF2", encoding: 0x300)
            + HandBuiltRFH2.bytes(bigEndian: false, folders: [])
        let error = #expect(throws: MQError.self) { try MQFrame(parsing: bytes) }
        #expect(error?.reason == .unsupportedEncoding)
        #expect(error?.offset == 364)
    }

    @Test func wrongHeaderAfterAFormatIsAnUnknownStructure() {
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQDEAD") + HandBuiltRFH2.bytes(bigEndian: false, folders: [])
            + Array(repeating: 0x20, count: 200)
        let error = #expect(throws: MQError.self) { try MQFrame(parsing: bytes) }
        #expect(error?.reason == .unknownStructure)
        #expect(error?.header == "MQDLH")
        #expect(error?.offset == 364)
    }

    @Test func payloadCCSIDsWithoutACodePageAndBadUTF8AreErrors() throws {
        let cp930 = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: false, ccsid: 930) + [0x41])
        let unknown = #expect(throws: MQError.self) { try cp930.payload.text() }
        #expect(unknown?.reason == .unknownCCSID)
        #expect(unknown?.found == "930")  // Japanese EBCDIC (DBCS): no table
        #expect(unknown?.offset == 364)
        let broken = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: false) + [0x41, 0xC3])
        #expect((#expect(throws: MQError.self) { try broken.payload.text() })?.reason == .unmappableText)
        #expect(throws: MQError.self) { try cp930.cloudEvent() }
    }

    /// Seeded corruption of valid frames: flipped bytes, truncations, overwritten length fields. Every outcome is a
    /// parsed frame that writes back the same bytes, or an `MQError`; reading folders and making an event never
    /// crash either.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func seededCorruptionNeverCrashes(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let seeds: [[UInt8]] = [
            Self.good, RFH2Tests.frame(bigEndian: true),
            SampleMQMD.bytes(bigEndian: false, format: "MQDEAD") + HandBuiltDLH.bytes(bigEndian: false, format: "MQHRF2")
                + HandBuiltRFH2.bytes(bigEndian: false, folders: [RFH2Tests.usr]) + Array("body".utf8),
        ]
        var parsed = 0
        var rejected = 0
        for _ in 0..<1500 {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            switch random.next() % 4 {
            case 0:
                for _ in 0..<(1 + random.next() % 4) { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            case 1:
                bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
            case 2:
                // Overwrite an aligned 4-byte word inside the headers (lengths, versions, encodings live there).
                let at = 364 + Int(random.next() % UInt64((bytes.count - 364) / 4)) * 4
                let value = [Int32.min, -1, 0, 3, 36, 37, 4096, Int32.max][Int(random.next() % 8)]
                var patch = HandBuiltBytes(count: 4, bigEndian: random.next() % 2 == 0)
                patch.long(value, at: 0)
                bytes.replaceSubrange(at..<min(at + 4, bytes.count), with: patch.bytes.prefix(bytes.count - at))
            default:
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: Int(random.next() % UInt64(bytes.count)))
            }
            do {
                let frame = try MQFrame(parsing: bytes)
                parsed += 1
                #expect(frame.bytes == bytes)
                for case .rfh2(let rfh2) in frame.headers {
                    for folder in rfh2.folders { _ = try? folder.properties() }
                }
                _ = try? frame.payload.text()
                _ = try? frame.cloudEvent()
            } catch {
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
        #expect(parsed > 0)
        #expect(rejected > 0)
    }
}
