import ByteCoding
import Events
import StreamLog
import Testing

@testable import MQ

@Suite struct MQEventTests {
    static let jmsFolder = HandBuiltRFH2.folder(
        "<jms><Dst>queue:///CLAIMS</Dst><Tms>1733443200123</Tms><Cid>order-7</Cid><Dlv>2</Dlv></jms>")
    static let usrFolder = HandBuiltRFH2.folder(
        "<usr><MemberId>M-1001</MemberId><Amount dt='i4'>1250</Amount><Urgent dt='boolean'>1</Urgent>"
            + "<Big dt='i8'>9000000000</Big><Ratio dt='r8'>0.25</Ratio><Sig dt='bin.hex'>CAFE</Sig><Gone xsi:nil='true'/></usr>")

    static func frame(payload: [UInt8] = Array("{\"claim\":\"C-77\"}".utf8), format: String = "MQSTR") throws -> MQFrame {
        try MQFrame(parsing: SampleMQMD.bytes(bigEndian: false, format: "MQHRF2")
            + HandBuiltRFH2.bytes(bigEndian: false, folders: [jmsFolder, usrFolder], format: format) + payload)
    }

    @Test func attributesAreTypedNotFlattened() throws {
        let event = try Self.frame().cloudEvent(MQEventOptions(source: "/mq/QM1/CLAIMS.IN"))
        #expect(event.id == (try EventIdentity.mqMessageID(SampleMQMD.msgID)).eventID)
        #expect(event.source == "/mq/QM1/CLAIMS.IN")
        #expect(event.type == "mq.request.v1")
        #expect(event.time?.description == "2026-12-06T02:15:30.47Z")
        #expect(event.dataContentType == "text/plain; charset=utf-8")
        #expect(event.data == .text("{\"claim\":\"C-77\"}"))
        let x = event.extensions
        #expect(x["mqmsgid"] == .binary(SampleMQMD.msgID))
        #expect(x["mqcorrelid"] == .binary(SampleMQMD.correlID))
        #expect(x["mqmsgtype"] == .integer(1))
        #expect(x["mqreport"] == .integer(0x140))
        #expect(x["mqfeedback"] == .integer(259))
        #expect(x["mqexpiry"] == .integer(6000))
        #expect(x["mqpriority"] == .integer(7))
        #expect(x["mqpersistence"] == .integer(1))
        #expect(x["mqbackoutcount"] == .integer(3))
        #expect(x["mqformat"] == .string("MQHRF2"))
        #expect(x["mqencoding"] == .integer(0x222))
        #expect(x["mquserid"] == .string("ferryusr"))
        #expect(x["mqputappltype"] == .integer(28))
        #expect(x["mqgroupid"] == .binary(SampleMQMD.groupID))
        #expect(x["mqseqnumber"] == .integer(5))
        #expect(x["mqmsgflags"] == .integer(0xA))
        #expect(x["replyto"] == .string("mq://QM2/CLAIMS.REPLY"))
        #expect(x["jmsdst"] == .string("queue:///CLAIMS"))
        #expect(x["jmstms"] == .timestamp(try RFC3339Timestamp(epochMilliseconds: 1_733_443_200_123)))
        #expect(x["usrmemberid"] == .string("M-1001"))
        #expect(x["usramount"] == .integer(1250))
        #expect(x["usrurgent"] == .boolean(true))
        #expect(x["usrbig"] == .string("9000000000"))
        #expect(x["usrratio"] == .string("0.25"))
        #expect(x["usrsig"] == .binary([0xCA, 0xFE]))
        #expect(x["usrgone"] == nil)
        #expect(event.correlationID == "order-7")  // jms.Cid wins over CorrelId
        #expect(event.partitionKey == MQIdentifier(SampleMQMD.msgID)?.hex)
        let record = try CloudEventKafkaBinding.encode(event, mode: .binary, fallbackTimestamp: 0)
        #expect(record.key == Array((MQIdentifier(SampleMQMD.msgID)?.hex ?? "").utf8))
    }

    @Test(arguments: [CloudEventKafkaBinding.ContentMode.binary, .structured])
    func kafkaRecordsKeepTheTypes(_ mode: CloudEventKafkaBinding.ContentMode) throws {
        let frame = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: true, format: "CLAIMREC", encoding: 0x311, ccsid: 37) + [0x00, 0x1C])
        let event = try frame.cloudEvent(MQEventOptions(source: "/mq/QM1/CLAIMS.IN"))
        let record = try CloudEventKafkaBinding.encode(event, mode: mode, fallbackTimestamp: 0)
        if mode == .binary {
            #expect(record.headers.contains { $0.name == "ce_mqpriority" && $0.value == Array("7".utf8) })
        }
        let decoded = try CloudEventKafkaBinding.decode(record, extensionTypes: MQFrame.eventExtensionTypes)
        #expect(decoded == event)
        #expect(decoded.extensions["mqpriority"] == .integer(7))
        #expect(decoded.extensions["mqmsgid"] == .binary(SampleMQMD.msgID))
    }

    @Test func keysComeFromTheConfiguredPlace() throws {
        let frame = try Self.frame()
        #expect(try frame.cloudEvent(MQEventOptions(key: .correlationID)).partitionKey == MQIdentifier(SampleMQMD.correlID)?.hex)
        #expect(try frame.cloudEvent(MQEventOptions(key: .groupID)).partitionKey == MQIdentifier(SampleMQMD.groupID)?.hex)
        #expect(try frame.cloudEvent(MQEventOptions(key: .property(folder: "usr", name: "MemberId"))).partitionKey == "M-1001")
        #expect(try frame.cloudEvent(MQEventOptions(key: .property(folder: "usr", name: "Amount"))).partitionKey == "1250")
        #expect(try frame.cloudEvent(MQEventOptions(key: .property(folder: "jms", name: "Cid"))).partitionKey == "order-7")
        let computed = MQEventKey.computed { frame in
            String(decoding: frame.payload.bytes.dropFirst(10).dropLast(2), as: UTF8.self)
        }
        #expect(try frame.cloudEvent(MQEventOptions(key: computed)).partitionKey == "C-77")
        let missing = #expect(throws: MQError.self) { try frame.cloudEvent(MQEventOptions(key: .property(folder: "usr", name: "Gone"))) }
        #expect(missing?.field == "key")
        #expect(MQEventKey(argument: "jms:Gid").map { if case .property("jms", "Gid") = $0 { true } else { false } } == true)
        #expect(MQEventKey(argument: "usr:") == nil)
    }

    @Test func binaryPayloadsAndMissingMsgIdsStillMakeEvents() throws {
        var descriptor = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: true, format: "CLAIMREC")).descriptor
        descriptor.messageID = .none
        descriptor.messageType = .datagram
        let frame = MQFrame(descriptor: descriptor, payload: MQPayload(bytes: [0x00, 0x1C], format: "CLAIMREC"))
        let event = try frame.cloudEvent()
        #expect(event.type == "mq.datagram.v1")
        #expect(event.dataContentType == "application/octet-stream")
        #expect(event.data == .binary([0x00, 0x1C]))
        #expect(event.id == EventIdentity.components(bytes: [Array("mq.frame".utf8), frame.bytes]).eventID)
        #expect(event.correlationID == MQIdentifier(SampleMQMD.correlID)?.hex)
    }

    @Test func ebcdicTextPayloadsDecodeByCCSID() throws {
        let frame = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: true, ebcdic: true, ccsid: 37) + [0xC3, 0x93, 0x81, 0x89, 0x94, 0x5A])
        #expect(try frame.cloudEvent().data == .text("Claim!"))
    }

    @Test(arguments: [(Int32(437), UInt8(0x82)), (Int32(850), UInt8(0x82)), (Int32(819), UInt8(0xE9)), (Int32(1047), UInt8(0x51))])
    func pcAndHostCodePagesDecodeText(_ ccsid: Int32, _ eAcute: UInt8) throws {
        let frame = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: false, ccsid: ccsid) + [eAcute])
        #expect(try frame.payload.text() == "é")
    }

    @Test func inspectionPacksBackToTheSameBytes() throws {
        let bytes = SampleMQMD.bytes(bigEndian: false, format: "MQHRF2")
            + HandBuiltRFH2.bytes(bigEndian: false, folders: [Self.jmsFolder, Self.usrFolder], format: "MQDEAD", ccsid: 1208)
            + HandBuiltDLH.bytes(bigEndian: false, format: "MQSTR", ccsid: 1208) + Array("payload text".utf8)
        let frame = try MQFrame(parsing: bytes)
        var writer = JSONWriter()
        frame.writeInspection(to: &writer, frameNumber: 1, fileOffset: 20)
        let json = try JSONValue(parsing: writer.bytes)
        #expect(json["frame"]?.int64Value == 1)
        #expect(json["MQMD"]?["MsgType"]?.int64Value == 1)
        #expect(json["MQMD"]?["ReplyToQ"]?.stringValue == "CLAIMS.REPLY")
        #expect(json["headers"]?.typeName == "array")
        #expect(json["payload"]?["text"]?.stringValue == "payload text")
        let rebuilt = try MQFrame(description: json)
        #expect(rebuilt.bytes == bytes)
    }
}
