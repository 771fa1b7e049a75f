import ByteCoding
import Events
import Testing

@testable import MQ

@Suite struct MQMDTests {
    struct Layout: CustomTestStringConvertible, Sendable {
        var version: Int32
        var bigEndian: Bool
        var ebcdic: Bool
        var testDescription: String { "v\(version) \(bigEndian ? "big" : "little")-endian \(ebcdic ? "EBCDIC" : "ASCII")" }
    }

    static let layouts = [
        Layout(version: 2, bigEndian: false, ebcdic: false), Layout(version: 2, bigEndian: true, ebcdic: true),
        Layout(version: 2, bigEndian: true, ebcdic: false), Layout(version: 1, bigEndian: false, ebcdic: false),
        Layout(version: 1, bigEndian: true, ebcdic: true),
    ]

    @Test(arguments: layouts)
    func everyFieldReadsFromAHandBuiltDescriptor(_ layout: Layout) throws {
        let bytes = SampleMQMD.bytes(version: layout.version, bigEndian: layout.bigEndian, ebcdic: layout.ebcdic) + Array("hi".utf8)
        var reader = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0))
        let md = try bytes.withUnsafeBytes { raw in
            reader = ByteReader(raw)
            let md = try MQMD(parsing: &reader)
            #expect(reader.remaining == 2)
            return md
        }
        #expect(md.length == (layout.version == 1 ? 324 : 364))
        #expect(md.isBigEndian == layout.bigEndian)
        #expect(md.characterSet == (layout.ebcdic ? .ebcdic : .ascii))
        #expect(md.structureID == "MD  ")
        #expect(md.version == layout.version)
        #expect(md.report == [.passCorrelationID, .confirmOnArrival])
        #expect(md.messageType == .request)
        #expect(md.expiry == 6000)
        #expect(md.timeToLive == .seconds(600))
        #expect(md.feedback == .confirmOnArrival)
        #expect(md.encoding == (layout.bigEndian ? .s390 : .reversed))
        #expect(md.codedCharacterSetID == 1208)
        #expect(md.format == .string)
        #expect(md.format.rawValue == "MQSTR   ")
        #expect(md.priority == 7)
        #expect(md.persistence == .persistent)
        #expect(md.messageID.bytes == SampleMQMD.msgID)
        #expect(md.correlationID.bytes == SampleMQMD.correlID)
        #expect(md.backoutCount == 3)
        #expect(md.replyToQueue == "CLAIMS.REPLY")
        #expect(md.replyToQueueManager == "QM2")
        #expect(md.userIdentifier == "ferryusr")
        #expect(md.accountingToken == SampleMQMD.accounting)
        #expect(md.applicationIdentityData == "IDENTITY.DATA")
        #expect(md.putApplicationType == 28)
        #expect(md.putApplicationName == "ClaimsSender")
        #expect(md.putDate == "20261206")
        #expect(md.putTime == "02153047")
        #expect(md.applicationOriginData == "ORIG")
        #expect(md.putTimestamp?.description == "2026-12-06T02:15:30.47Z")
        if layout.version == 2 {
            #expect(md.groupID.bytes == SampleMQMD.groupID)
            #expect(md.messageSequenceNumber == 5)
            #expect(md.offset == 4096)
            #expect(md.messageFlags == [.messageInGroup, .segment])
            #expect(md.originalLength == 9000)
        } else {
            #expect(md.groupID == .none)
            #expect(md.messageSequenceNumber == 1)
            #expect(md.offset == 0)
            #expect(md.messageFlags == [])
            #expect(md.originalLength == -1)
        }
        #expect(md.bytes == Array(bytes.prefix(md.length)))
    }

    @Test(arguments: layouts)
    func settersPatchTheSpecOffsets(_ layout: Layout) throws {
        var md = MQMD(version: layout.version, bigEndian: layout.bigEndian, characterSet: layout.ebcdic ? .ebcdic : .ascii)
        md.report = [.passCorrelationID, .confirmOnArrival]
        md.messageType = .request
        md.expiry = 6000
        md.feedback = .confirmOnArrival
        md.encoding = layout.bigEndian ? .s390 : .reversed
        md.codedCharacterSetID = 1208
        md.format = .string
        md.priority = 7
        md.persistence = .persistent
        md.messageID = try #require(MQIdentifier(SampleMQMD.msgID))
        md.correlationID = try #require(MQIdentifier(SampleMQMD.correlID))
        md.backoutCount = 3
        md.replyToQueue = "CLAIMS.REPLY"
        md.replyToQueueManager = "QM2"
        md.userIdentifier = "ferryusr"
        md.accountingToken = SampleMQMD.accounting
        md.applicationIdentityData = "IDENTITY.DATA"
        md.putApplicationType = 28
        md.putApplicationName = "ClaimsSender"
        md.putDate = "20261206"
        md.putTime = "02153047"
        md.applicationOriginData = "ORIG"
        md.groupID = try #require(MQIdentifier(SampleMQMD.groupID))
        md.messageSequenceNumber = 5
        md.offset = 4096
        md.messageFlags = [.messageInGroup, .segment]
        md.originalLength = 9000
        #expect(md.bytes == SampleMQMD.bytes(version: layout.version, bigEndian: layout.bigEndian, ebcdic: layout.ebcdic))
    }

    @Test func defaultsAreMQMDDefault() {
        let md = MQMD()
        #expect(md.version == 2)
        #expect(md.messageType == .datagram)
        #expect(md.expiry == MQMD.unlimitedExpiry)
        #expect(md.timeToLive == nil)
        #expect(md.encoding.rawValue == 546)
        #expect(md.persistence == .asQueueDefinition)
        #expect(md.priority == -1)
        #expect(md.format == .none)
        #expect(md.messageSequenceNumber == 1)
        #expect(md.originalLength == -1)
        #expect(md.messageID.isNone)
        #expect(md.bytes.count == 364)
        #expect(Array(md.bytes[0..<8]) == [0x4D, 0x44, 0x20, 0x20, 0x02, 0, 0, 0])
    }

    @Test func encodingFieldsSplitIntoIntegerDecimalAndFloat() {
        #expect(MQEncoding.s390.integer == .normal)
        #expect(MQEncoding.s390.decimal == .normal)
        #expect(MQEncoding.s390.float == .s390)
        #expect(MQEncoding.reversed.integersAreBigEndian == false)
        #expect(MQEncoding(rawValue: 0x111).float == .ieeeNormal)
        #expect(MQEncoding(rawValue: 0x3).integer == nil)
        #expect(MQEncoding(rawValue: 0x300).integersAreBigEndian == nil)
    }

    @Test func putTimestampRoundTripsAndRejectsNonsense() throws {
        var md = MQMD()
        md.setPutTimestamp(try RFC3339Timestamp(parsing: "1999-12-31T23:59:58.99Z"))
        #expect(md.putDate == "19991231")
        #expect(md.putTime == "23595899")
        #expect(md.putTimestamp?.description == "1999-12-31T23:59:58.99Z")
        md.putDate = "20260230"
        #expect(md.putTimestamp == nil)
        md.putDate = ""
        #expect(md.putTimestamp == nil)
    }
}
