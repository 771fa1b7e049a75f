import ByteCoding
import StreamLog
import Testing

@testable import Kafka

/// Decodes `bytes` as a response body (header included) for `R` at `version`.
func decode<R: KafkaRequest>(_: R.Type, version: Int16, _ bytes: [UInt8]) throws -> (Int32, R.Response) {
    try bytes.withUnsafeBytes { raw throws in
        let (id, response) = try KafkaFrame.decodeResponse(R.self, version: version, body: raw)
        return (id, response)
    }
}

@Suite struct PrimitiveTests {
    @Test func compactAndClassicStrings() throws {
        var writer = ByteWriter()
        writer.writeString("ab", flexible: true)
        writer.writeNullableString(nil, flexible: true)
        writer.writeString("ab", flexible: false)
        writer.writeNullableString(nil, flexible: false)
        writer.writeArrayCount(2, flexible: true)
        writer.writeArrayCount(nil, flexible: true)
        writer.writeNullableBytes([9], flexible: true)
        #expect(writer.bytes == [3, 0x61, 0x62, 0, 0, 2, 0x61, 0x62, 0xFF, 0xFF, 3, 0, 2, 9])
        try writer.bytes.withUnsafeBytes { raw throws in
            var reader = ByteReader(raw)
            #expect(try reader.readString(flexible: true) == "ab")
            #expect(try reader.readNullableString(flexible: true) == nil)
            #expect(try reader.readString(flexible: false) == "ab")
            #expect(try reader.readNullableString(flexible: false) == nil)
            // A count of 2 needs at least 2 bytes; 4 are left.
            #expect(try reader.readArrayCount(flexible: true) == 2)
            #expect(try reader.readArrayCount(flexible: true) == nil)
            #expect(try reader.readNullableBytes(flexible: true) == [9])
            #expect(reader.isAtEnd)
        }
    }

    @Test func taggedFieldsAreSkipped() throws {
        // two fields: tag 0 size 1, tag 5 size 3; then a trailing byte
        let bytes: [UInt8] = [2, 0, 1, 0xAA, 5, 3, 1, 2, 3, 0x77]
        try bytes.withUnsafeBytes { raw throws in
            var reader = ByteReader(raw)
            try reader.skipTaggedFields()
            #expect(reader.remaining == 1)
        }
    }

    @Test func taggedFieldLongerThanInputThrows() {
        let bytes: [UInt8] = [1, 0, 9, 0xAA]
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            #expect(throws: ByteCodingError.self) { try reader.skipTaggedFields() }
        }
    }

    @Test func forgedArrayCountIsRejectedBeforeAllocating() {
        let bytes: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF, 0, 0]
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            #expect(throws: ByteCodingError.lengthOutOfRange(offset: 0, length: Int(Int32.max), maximum: 1)) {
                _ = try reader.readArrayCount(flexible: false, minimumElementSize: 4)
            }
        }
    }

    @Test func highestCommonVersion() {
        #expect(Kafka.highestCommonVersion(client: 3...9, broker: 0...12) == 9)
        #expect(Kafka.highestCommonVersion(client: 3...9, broker: 0...5) == 5)
        #expect(Kafka.highestCommonVersion(client: 9...9, broker: 0...8) == nil)
    }
}

@Suite struct HeaderTests {
    @Test func requestHeaderV1ForApiVersionsV0() {
        let bytes = KafkaFrame.encode(ApiVersionsRequest(), version: 0, correlationID: 0x0102_0304, clientID: "ab")
        #expect(bytes == [0, 0, 0, 12, 0, 18, 0, 0, 1, 2, 3, 4, 0, 2, 0x61, 0x62])
    }

    @Test func requestHeaderV2ForApiVersionsV3() {
        let bytes = KafkaFrame.encode(
            ApiVersionsRequest(clientSoftwareName: "f", clientSoftwareVersion: "1"), version: 3, correlationID: 7,
            clientID: "c")
        let body: [UInt8] = [0, 18, 0, 3, 0, 0, 0, 7, 0, 1, 0x63, 0, /* body */ 2, 0x66, 2, 0x31, 0]
        #expect(bytes == [0, 0, 0, UInt8(body.count)] + body)
    }

    @Test func metadataV9Request() {
        let bytes = KafkaFrame.encode(MetadataRequest(topics: ["t"]), version: 9, correlationID: 1, clientID: nil)
        let body: [UInt8] = [0, 3, 0, 9, 0, 0, 0, 1, 0xFF, 0xFF, 0, /* topics */ 2, 2, 0x74, 0, 0, 0, 0, 0]
        #expect(bytes == [0, 0, 0, UInt8(body.count)] + body)
        let all = KafkaFrame.encode(MetadataRequest(topics: nil), version: 9, correlationID: 1, clientID: nil)
        #expect(Array(all[15...]) == [0, 0, 0, 0, 0])
    }

    @Test func apiVersionsV3ResponseUsesHeaderV0() throws {
        let body: [UInt8] = [
            0, 0, 0, 9,  // correlation id (header v0: no tagged fields)
            0, 0,  // error
            3,  // 2 apis
            0, 0, 0, 0, 0, 11, 0,
            0, 18, 0, 0, 0, 4, 0,
            0, 0, 0, 0,  // throttle
            1, 0, 1, 0xFF,  // one tagged field
        ]
        let (id, response) = try decode(ApiVersionsRequest.self, version: 3, body)
        #expect(id == 9)
        #expect(response.errorCode == .none)
        #expect(response.versions(of: .produce) == 0...11)
        #expect(response.versions(of: .apiVersions) == 0...4)
        #expect(response.versions(of: .fetch) == nil)
    }

    @Test func metadataV9ResponseHandBuilt() throws {
        var w = ByteWriter()
        w.writeInt32(5); w.writeByte(0)  // header v1
        w.writeInt32(0)  // throttle
        w.writeArrayCount(1, flexible: true)
        w.writeInt32(111); w.writeString("127.0.0.1", flexible: true); w.writeInt32(9092)
        w.writeNullableString(nil, flexible: true); w.writeByte(0)
        w.writeNullableString("cluster", flexible: true)
        w.writeInt32(111)
        w.writeArrayCount(1, flexible: true)
        w.writeInt16(0); w.writeString("orders", flexible: true); w.writeBool(false)
        w.writeArrayCount(2, flexible: true)
        for p in Int32(0)..<2 {
            w.writeInt16(0); w.writeInt32(p); w.writeInt32(111); w.writeInt32(0)
            w.writeInt32Array([111], flexible: true); w.writeInt32Array([111], flexible: true)
            w.writeInt32Array([], flexible: true); w.writeByte(0)
        }
        w.writeInt32(Int32.min); w.writeByte(0)
        w.writeInt32(Int32.min); w.writeByte(0)
        let (id, response) = try decode(MetadataRequest.self, version: 9, w.bytes)
        #expect(id == 5)
        #expect(response.brokers == [.init(nodeID: 111, host: "127.0.0.1", port: 9092, rack: nil)])
        #expect(response.clusterID == "cluster")
        #expect(response.topics.map(\.name) == ["orders"])
        #expect(response.topics[0].partitions.map(\.partitionIndex) == [0, 1])
        #expect(response.topics[0].partitions.map(\.leaderID) == [111, 111])

        // Every truncation is a typed error, never a crash.
        for cut in 0..<w.count {
            #expect(throws: KafkaError.self) { _ = try decode(MetadataRequest.self, version: 9, Array(w.bytes[..<cut])) }
        }
        // Trailing garbage is reported.
        #expect(throws: KafkaError.self) { _ = try decode(MetadataRequest.self, version: 9, w.bytes + [0]) }
    }

    @Test func produceV9RoundTripOfTheRequestLayout() throws {
        let request = ProduceRequest(
            acks: -1, timeoutMilliseconds: 30_000, topics: [(name: "t", partitions: [.init(partition: 2, records: [1, 2, 3])])])
        var w = ByteWriter()
        request.write(to: &w, version: 9)
        #expect(w.bytes == [0, 0xFF, 0xFF, 0, 0, 0x75, 0x30, 2, 2, 0x74, 2, 0, 0, 0, 2, 4, 1, 2, 3, 0, 0, 0])
    }

    @Test func produceV9Response() throws {
        var w = ByteWriter()
        w.writeInt32(3); w.writeByte(0)
        w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true)
        w.writeArrayCount(1, flexible: true)
        w.writeInt32(2); w.writeInt16(6); w.writeInt64(42); w.writeInt64(-1); w.writeInt64(0)
        w.writeArrayCount(0, flexible: true); w.writeNullableString("moved", flexible: true); w.writeByte(0)
        w.writeByte(0)
        w.writeInt32(0); w.writeByte(0)
        let (_, response) = try decode(ProduceRequest.self, version: 9, w.bytes)
        let partition = try #require(response.topics["t"]?.first)
        #expect(partition.partition == 2)
        #expect(partition.errorCode == .notLeaderOrFollower)
        #expect(partition.errorCode.isRetriable)
        #expect(partition.baseOffset == 42)
        #expect(partition.errorMessage == "moved")
    }

    @Test func frameDecoderNeedsMoreAndRejectsOversize() throws {
        let decoder = KafkaFrameDecoder(maximumFrameSize: 100)
        let frame: [UInt8] = [0, 0, 0, 5, 1, 2, 3, 4, 5]
        for cut in 0..<frame.count {
            #expect(try Array(frame[..<cut]).withUnsafeBytes { try decoder.nextFrameLength(in: $0) } == nil)
        }
        #expect(try frame.withUnsafeBytes { try decoder.nextFrameLength(in: $0) } == 5)
        #expect(throws: KafkaError.tooLarge(what: "response frame", size: 101, maximum: 100)) {
            _ = try ([0, 0, 0, 101] as [UInt8]).withUnsafeBytes { try decoder.nextFrameLength(in: $0) }
        }
        #expect(throws: KafkaError.self) { _ = try ([0xFF, 0xFF, 0xFF, 0xFF] as [UInt8]).withUnsafeBytes { try decoder.nextFrameLength(in: $0) } }
    }

    @Test func errorCodesHaveNamesAndClasses() {
        #expect(KafkaErrorCode.notLeaderOrFollower.name == "NOT_LEADER_OR_FOLLOWER")
        #expect(KafkaErrorCode.notLeaderOrFollower.invalidatesMetadata)
        #expect(KafkaErrorCode.topicAlreadyExists.isRetriable == false)
        #expect(KafkaErrorCode(rawValue: 9999).name == "UNKNOWN_CODE_9999")
        #expect(KafkaErrorCode(rawValue: 9999).isRetriable == false)
        let error = KafkaError.broker(code: .unknownTopicOrPartition, context: "t/0", message: nil)
        #expect(error.isRetriable)
        #expect(error.description.contains("UNKNOWN_TOPIC_OR_PARTITION"))
    }
}
