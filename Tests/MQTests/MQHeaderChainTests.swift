import ByteCoding
import Testing

@testable import MQ

@Suite struct MQHeaderChainTests {
    @Test(arguments: [false, true])
    func rfh2ThenDeadLetterHeaderThenPayload(_ bigEndian: Bool) throws {
        let encoding: Int32 = bigEndian ? 0x111 : 0x222
        let bytes = SampleMQMD.bytes(bigEndian: bigEndian, format: "MQHRF2", encoding: encoding)
            + HandBuiltRFH2.bytes(bigEndian: bigEndian, folders: [RFH2Tests.mcd], format: "MQDEAD", ccsid: -2, encoding: encoding)
            + HandBuiltDLH.bytes(bigEndian: bigEndian, format: "MQSTR", ccsid: 500, encoding: encoding)
            + [0xC8, 0x85, 0x93, 0x93, 0x96]  // "Hello" in CCSID 500
        let frame = try MQFrame(parsing: bytes)
        #expect(frame.headers.map(\.name) == ["MQRFH2", "MQDLH"])
        let dlh = try #require(frame.deadLetterHeader)
        #expect(dlh.structureID == "DLH ")
        #expect(dlh.version == 1)
        #expect(dlh.reason == 2085)
        #expect(dlh.destinationQueueName == "CLAIMS.IN")
        #expect(dlh.destinationQueueManagerName == "QM9")
        #expect(dlh.encoding.rawValue == encoding)
        #expect(dlh.codedCharacterSetID == 500)
        #expect(dlh.format == .string)
        #expect(dlh.putApplicationType == 6)
        #expect(dlh.putApplicationName == "runmqdlq")
        #expect(dlh.putDate == "20261205")
        #expect(dlh.putTime == "23595900")
        #expect(frame.payload.codedCharacterSetID == 500)
        #expect(frame.payload.offset == 364 + 36 + 4 + RFH2Tests.mcd.count + 172)
        #expect(try frame.payload.text() == "Hello")
        #expect(frame.bytes == bytes)
    }

    @Test func deadLetterHeaderThenRFH2() throws {
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQDEAD")
            + HandBuiltDLH.bytes(bigEndian: false, format: "MQHRF2", ccsid: 1208)
            + HandBuiltRFH2.bytes(bigEndian: false, folders: [RFH2Tests.usr], format: "MQSTR", ccsid: -2)
            + Array("body".utf8)
        let frame = try MQFrame(parsing: bytes)
        #expect(frame.headers.map(\.name) == ["MQDLH", "MQRFH2"])
        #expect(frame.payload.codedCharacterSetID == 1208)  // -2 inherits the DLH's 1208
        #expect(try frame.payload.text() == "body")
        #expect(try frame.rfh2?.property(folder: "usr", name: "ContentEncoding") == .string("gzip"))
        #expect(frame.bytes == bytes)
    }

    @Test func deadLetterHeaderBuiltWithSettersMatchesTheLayout() {
        var dlh = MQDLH(bigEndian: true)
        dlh.reason = 2085
        dlh.destinationQueueName = "CLAIMS.IN"
        dlh.destinationQueueManagerName = "QM9"
        dlh.encoding = .normal
        dlh.codedCharacterSetID = 1208
        dlh.format = .string
        dlh.putApplicationType = 6
        dlh.putApplicationName = "runmqdlq"
        dlh.putDate = "20261205"
        dlh.putTime = "23595900"
        #expect(dlh.bytes == HandBuiltDLH.bytes(bigEndian: true, format: "MQSTR"))
    }

    @Test func transmissionQueueHeaderCarriesTheOriginalDescriptor() throws {
        var xqh = HandBuiltBytes(count: 104, bigEndian: false)
        xqh.chars("XQH", at: 0, length: 4)
        xqh.long(1, at: 4)
        xqh.chars("REMOTE.Q", at: 8, length: 48)
        xqh.chars("QMREMOTE", at: 56, length: 48)
        let embedded = SampleMQMD.bytes(version: 1, bigEndian: false, format: "MQSTR", ccsid: 819)
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQXMIT") + xqh.bytes + embedded + Array("caf\u{E9}".unicodeScalars.map { UInt8($0.value) })
        let frame = try MQFrame(parsing: bytes)
        guard case .transmission(let header) = try #require(frame.headers.first) else {
            Issue.record("expected an MQXQH")
            return
        }
        #expect(header.structureID == "XQH ")
        #expect(header.version == 1)
        #expect(header.remoteQueueName == "REMOTE.Q")
        #expect(header.remoteQueueManagerName == "QMREMOTE")
        #expect(header.messageDescriptor.version == 1)
        #expect(header.messageDescriptor.replyToQueue == "CLAIMS.REPLY")
        #expect(header.messageDescriptor.messageID.bytes == SampleMQMD.msgID)
        #expect(frame.payload.offset == 364 + 428)
        #expect(try frame.payload.text() == "café")
        #expect(frame.bytes == bytes)
        let built = MQXQH(remoteQueueName: "REMOTE.Q", remoteQueueManagerName: "QMREMOTE", descriptor: try MQFrame(parsing: embedded).descriptor)
        #expect(built.bytes == xqh.bytes + embedded)
    }

    @Test func cicsAndIMSHeadersReadTheirFields() throws {
        var cih = HandBuiltBytes(count: 180, bigEndian: true)
        cih.chars("CIH", at: 0, length: 4)
        cih.long(2, at: 4)
        cih.long(180, at: 8)
        cih.long(0x111, at: 12)
        cih.long(37, at: 16)
        cih.chars("MQIMS", at: 20, length: 8)
        cih.long(1, at: 28)
        cih.long(5, at: 32)
        cih.long(2, at: 36)
        cih.long(2085, at: 40)
        cih.long(273, at: 44)
        cih.long(-1, at: 48)
        cih.long(1, at: 52)
        cih.long(100, at: 56)
        cih.raw([1, 2, 3, 4, 5, 6, 7, 8], at: 76)
        cih.chars("LINK", at: 84, length: 4)
        cih.chars("ASRA", at: 88, length: 4)
        cih.chars("TRN1", at: 124, length: 4)
        cih.long(11, at: 164)
        cih.long(12, at: 168)
        cih.long(13, at: 172)
        var iih = HandBuiltBytes(count: 84, bigEndian: true)
        iih.chars("IIH", at: 0, length: 4)
        iih.long(1, at: 4)
        iih.long(84, at: 8)
        iih.long(0x111, at: 12)
        iih.long(37, at: 16)
        iih.chars("MQSTR", at: 20, length: 8)
        iih.long(0, at: 28)
        iih.chars("LTERM1", at: 32, length: 8)
        iih.chars("MAP1", at: 40, length: 8)
        iih.chars("MQIMSVS", at: 48, length: 8)
        iih.raw(Array(repeating: 0xAB, count: 16), at: 64)
        iih.chars("1", at: 81, length: 1)
        iih.chars("C", at: 82, length: 1)
        let bytes = SampleMQMD.bytes(bigEndian: true, format: "MQCICS", encoding: 0x111, ccsid: 37) + cih.bytes + iih.bytes
            + [0xC8, 0x89]  // "Hi" in CCSID 037
        let frame = try MQFrame(parsing: bytes)
        #expect(frame.headers.map(\.name) == ["MQCIH", "MQIIH"])
        guard case .cics(let c) = frame.headers[0], case .ims(let i) = frame.headers[1] else {
            Issue.record("expected MQCIH then MQIIH")
            return
        }
        #expect(c.version == 2)
        #expect(c.structureLength == 180)
        #expect(c.format == .ims)
        #expect(c.flags == 1)
        #expect(c.returnCode == 5)
        #expect(c.completionCode == 2)
        #expect(c.reason == 2085)
        #expect(c.unitOfWorkControl == 273)
        #expect(c.getWaitInterval == -1)
        #expect(c.linkType == 1)
        #expect(c.outputDataLength == 100)
        #expect(c.facility == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(c.function == "LINK")
        #expect(c.abendCode == "ASRA")
        #expect(c.transactionID == "TRN1")
        #expect(c.cursorPosition == 11)
        #expect(c.errorOffset == 12)
        #expect(c.inputItem == 13)
        #expect(i.structureLength == 84)
        #expect(i.logicalTerminalOverride == "LTERM1")
        #expect(i.mfsMapName == "MAP1")
        #expect(i.replyToFormat.name == "MQIMSVS")
        #expect(i.transactionInstanceID == Array(repeating: 0xAB, count: 16))
        #expect(i.commitMode == "1")
        #expect(i.securityScope == "C")
        #expect(try frame.payload.text() == "Hi")
        #expect(frame.bytes == bytes)
    }

    @Test func headersWithoutAModelAreKeptAsBytesAndTheChainGoesOn() throws {
        var mde = HandBuiltBytes(count: 72, bigEndian: false)
        mde.chars("MDE", at: 0, length: 4)
        mde.long(2, at: 4)
        mde.long(72, at: 8)
        mde.long(0x222, at: 12)
        mde.long(1208, at: 16)
        mde.chars("MQSTR", at: 20, length: 8)
        let bytes = SampleMQMD.bytes(version: 1, bigEndian: false, format: "MQHMDE") + mde.bytes + Array("x".utf8)
        let frame = try MQFrame(parsing: bytes)
        guard case .other(let header) = try #require(frame.headers.first) else {
            Issue.record("expected a kept header")
            return
        }
        #expect(header.announcedFormat == .messageDescriptorExtension)
        #expect(header.structureLength == 72)
        #expect(header.bytes == mde.bytes)
        #expect(try frame.payload.text() == "x")
        #expect(frame.bytes == bytes)
    }

    @Test func otherFormatsArePayloadBytesForAMapping() throws {
        let record: [UInt8] = [0x00, 0x12, 0x3C, 0xF1, 0xF2]
        let bytes = SampleMQMD.bytes(bigEndian: true, format: "CLAIMREC", encoding: 0x311, ccsid: 37) + record
        let frame = try MQFrame(parsing: bytes)
        #expect(frame.headers.isEmpty)
        #expect(frame.payload.bytes == record)
        #expect(frame.payload.format.name == "CLAIMREC")
        #expect(frame.payload.encoding.decimal == .normal)
        #expect(frame.payload.encoding.float == .s390)
        #expect(try frame.payload.text() == nil)
        #expect(frame.bytes == bytes)
    }
}
