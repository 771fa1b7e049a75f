import ByteCoding
import Testing

@testable import MQ

@Suite struct MQSemanticsTests {
    static func request(report: MQReportOptions) throws -> MQMD {
        var md = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: false)).descriptor
        md.report = report
        return md
    }

    @Test func replyCopiesMsgIdToCorrelIdByDefault() throws {
        let request = try Self.request(report: .none)
        let fresh = try #require(MQIdentifier(Array(repeating: 0xEE, count: 24)))
        let (reply, destination) = try MQMD.reply(to: request, newMessageID: fresh)
        #expect(reply.messageType == .reply)
        #expect(reply.correlationID.bytes == SampleMQMD.msgID)
        #expect(reply.messageID == fresh)
        #expect(destination == MQMD.ReplyDestination(queue: "CLAIMS.REPLY", queueManager: "QM2"))
        #expect(reply.replyToQueue.isEmpty)
        #expect(reply.expiry == MQMD.unlimitedExpiry)
        #expect(reply.priority == 7)
        #expect(reply.persistence == .persistent)
        #expect(reply.version == request.version)
        #expect(reply.isBigEndian == request.isBigEndian)
    }

    @Test func passCorrelIdAndPassMsgIdKeepTheRequestIds() throws {
        let request = try Self.request(report: [.passCorrelationID, .passMessageID])
        let (reply, _) = try MQMD.reply(to: request)
        #expect(reply.correlationID.bytes == SampleMQMD.correlID)
        #expect(reply.messageID.bytes == SampleMQMD.msgID)
        let newID = try MQMD.reply(to: try Self.request(report: .passCorrelationID)).descriptor
        #expect(newID.messageID.isNone)
    }

    @Test func passDiscardAndExpiryCarriesExpiryAndDiscard() throws {
        let request = try Self.request(report: [.passDiscardAndExpiry, .discardMessage, .confirmOnArrival])
        let (reply, _) = try MQMD.reply(to: request)
        #expect(reply.expiry == 6000)
        #expect(reply.report == .discardMessage)
    }

    @Test func onlyRequestsWithAReplyQueueGetReplies() throws {
        var datagram = try Self.request(report: .none)
        datagram.messageType = .datagram
        #expect((#expect(throws: MQError.self) { try MQMD.reply(to: datagram) })?.field == "MsgType")
        var noQueue = try Self.request(report: .none)
        noQueue.replyToQueue = ""
        #expect((#expect(throws: MQError.self) { try MQMD.reply(to: noQueue) })?.field == "ReplyToQ")
    }

    @Test func groupAndSegmentFlags() throws {
        let md = try MQFrame(parsing: SampleMQMD.bytes(bigEndian: true)).descriptor  // MsgFlags 0x8 | 0x2
        #expect(md.isInGroup)
        #expect(!md.isLastInGroup)
        #expect(md.isSegment)
        #expect(!md.isLastSegment)
        #expect(md.messageSequenceNumber == 5)
        #expect(md.offset == 4096)
        #expect(md.deliveryCount == 4)
        var last = md
        last.messageFlags = [.lastMessageInGroup, .lastSegment]
        #expect(last.isInGroup && last.isLastInGroup && last.isSegment && last.isLastSegment)
        #expect(!MQMD(version: 1).isInGroup)
    }

    @Test func messageTypesAndRanges() {
        #expect(MQMessageType.request.name == "request")
        #expect(MQMessageType.reply.name == "reply")
        #expect(MQMessageType.report.name == "report")
        #expect(MQMessageType.datagram.name == "datagram")
        #expect(MQMessageType(rawValue: 65536).isApplicationDefined)
        #expect(MQMessageType(rawValue: 65536).name == "application")
        #expect(!MQMessageType(rawValue: 65535).isApplicationDefined)
        #expect(MQMessageType(rawValue: 1_000_000_000).name == "system")
        #expect(MQReportOptions.confirmOnArrivalWithFullData.contains(.confirmOnArrival))
        #expect(MQReportOptions.exceptionWithData.rawValue == 0x0300_0000)
    }

    @Test func identifiersFromHexAndText() throws {
        let id = try #require(MQIdentifier(hex: String(repeating: "0a", count: 24)))
        #expect(id.bytes == Array(repeating: 0x0A, count: 24))
        #expect(id.jmsID == "ID:" + String(repeating: "0a", count: 24))
        #expect(MQIdentifier(hex: "0a") == nil)
        #expect(MQIdentifier(paddedText: "order-7")?.bytes == Array("order-7".utf8) + Array(repeating: 0x20, count: 17))
        #expect(MQIdentifier(paddedText: String(repeating: "x", count: 25)) == nil)
    }
}

@Suite struct MQFrameFileTests {
    static let frames: [[UInt8]] = [
        RFH2Tests.frame(bigEndian: false), SampleMQMD.bytes(version: 1, bigEndian: true, ebcdic: true) + [0xC1],
        RFH2Tests.frame(bigEndian: true, payload: String(repeating: "z", count: 5000)),
    ]

    /// The frames written with `MQFrameFile` (the encoder under test together with the decoder).
    static var file: [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(MQFrameFile.header)
        for frame in frames { MQFrameFile.append(frame: frame, to: &writer) }
        return writer.bytes
    }

    @Test(arguments: ["whole", "byte by byte", "random chunks"])
    func decodesFramesHoweverTheBytesArrive(_ feeding: String) throws {
        let file = Self.file
        #expect(Array(file.prefix(16)) == Array("FERRYMQF".utf8) + [0, 1, 0, 0, 0, 0, 0, 0])
        var decoder = MQFrameFileDecoder()
        var frames: [[UInt8]] = []
        var random = SplitMix64(seed: 9)
        var at = 0
        while at < file.count {
            let step = feeding == "whole" ? file.count : feeding == "byte by byte" ? 1 : 1 + Int(random.next() % 700)
            decoder.append(Array(file[at..<min(file.count, at + step)]))
            at += step
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        try decoder.finish()
        #expect(frames == Self.frames)
        #expect(decoder.frameCount == 3)
    }

    @Test func memoryStaysBoundedOverALongStream() throws {
        var decoder = MQFrameFileDecoder()
        decoder.append(MQFrameFile.header)
        let frame = RFH2Tests.frame(bigEndian: false)
        var record = ByteWriter()
        MQFrameFile.append(frame: frame, to: &record)
        var largest = 0
        for _ in 0..<2000 {
            decoder.append(record.bytes)
            while try decoder.nextFrame() != nil {}
            largest = max(largest, decoder.bufferCapacityInUse)
        }
        try decoder.finish()
        #expect(decoder.frameCount == 2000)
        #expect(largest <= 4 * record.count)
    }

    @Test func badHeadersLengthsAndEndsAreErrors() throws {
        func decode(_ bytes: [UInt8], maximum: Int = MQFrameFile.maximumFrameLength) throws(MQError) {
            var decoder = MQFrameFileDecoder(maximumFrameLength: maximum)
            decoder.append(bytes)
            while try decoder.nextFrame() != nil {}
            try decoder.finish()
        }
        var file = Self.file
        file[0] = UInt8(ascii: "X")
        #expect((#expect(throws: MQError.self) { try decode(file) })?.field == "magic")
        file = Self.file
        file[9] = 2
        #expect((#expect(throws: MQError.self) { try decode(file) })?.field == "version")
        let empty = MQFrameFile.header + [0, 0, 0, 0]
        let zero = #expect(throws: MQError.self) { try decode(empty) }
        #expect(zero?.field == "frame length")
        #expect(zero?.offset == 16)
        let tooBig = try #require(Self.frames.first { $0.count > 1000 })
        #expect((#expect(throws: MQError.self) { try decode(Self.file, maximum: 1000) })?.found == String(tooBig.count))
        let cut = #expect(throws: MQError.self) { try decode(Array(Self.file.dropLast(3))) }
        #expect(cut?.reason == .truncated)
        #expect(cut?.field == "frame 3")
        #expect((#expect(throws: MQError.self) { try decode(Array("FERRY".utf8)) })?.field == "header")
        try decode(MQFrameFile.header)
    }
}

