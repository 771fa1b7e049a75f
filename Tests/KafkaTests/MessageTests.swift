import ByteCoding
import StreamLog
import Testing

@testable import Kafka

/// Requests and responses of the remaining APIs against bytes built from the JSON schemas by hand.
@Suite struct MessageTests {
    static func body(_ build: (inout ByteWriter) -> Void) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeInt32(77)  // correlation id
        writer.writeByte(0)  // response header v1 tagged fields
        build(&writer)
        return writer.bytes
    }

    @Test func fetchV12RequestLayout() {
        var w = ByteWriter()
        FetchRequest(
            maximumWaitMilliseconds: 500, minimumBytes: 1, maximumBytes: 1024,
            topics: [(name: "t", partitions: [.init(partition: 3, fetchOffset: 9, maximumBytes: 256)])]
        ).write(to: &w, version: 12)
        let expected: [UInt8] =
            [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x01, 0xF4, 0, 0, 0, 1, 0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
            + [2, 2, 0x74, 2, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 9, 0xFF, 0xFF, 0xFF, 0xFF]
            + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0, 1, 1, 0]
        #expect(w.bytes == expected)
    }

    @Test func fetchV12ResponseWithRecordsAndAbortedTransactions() throws {
        let batch = try RecordBatch.encode([StreamRecord(key: nil, value: [1, 2], timestamp: 5)])
        let bytes = Self.body { w in
            w.writeInt32(0); w.writeInt16(0); w.writeInt32(0)
            w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true)
            w.writeArrayCount(1, flexible: true)
            w.writeInt32(3); w.writeInt16(0); w.writeInt64(10); w.writeInt64(10); w.writeInt64(0)
            w.writeArrayCount(1, flexible: true); w.writeInt64(99); w.writeInt64(4); w.writeByte(0)
            w.writeInt32(-1)
            w.writeNullableBytes(batch, flexible: true)
            // tagged fields: diverging_epoch (tag 0) present
            w.writeByte(1); w.writeByte(0); w.writeByte(2); w.writeBytes([0xAA, 0xBB])
            w.writeByte(0)
            w.writeByte(0)
        }
        let (id, response) = try decode(FetchRequest.self, version: 12, bytes)
        #expect(id == 77)
        let partition = try #require(response.topics["t"]?.first)
        #expect(partition.partition == 3)
        #expect(partition.highWatermark == 10)
        #expect(Array(partition.records) == batch)
    }

    @Test func listOffsetsV7() throws {
        var w = ByteWriter()
        ListOffsetsRequest(topics: [(name: "t", partitions: [(partition: 1, timestamp: -2)])]).write(to: &w, version: 7)
        #expect(w.bytes == [0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 2, 0x74, 2, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]
            + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0])
        let bytes = Self.body { w in
            w.writeInt32(0)
            w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true)
            w.writeArrayCount(1, flexible: true)
            w.writeInt32(1); w.writeInt16(0); w.writeInt64(-1); w.writeInt64(42); w.writeInt32(0); w.writeByte(0)
            w.writeByte(0); w.writeByte(0)
        }
        let (_, response) = try decode(ListOffsetsRequest.self, version: 7, bytes)
        #expect(response.topics["t"]?.first?.offset == 42)
    }

    @Test func initProducerIdV4() throws {
        var w = ByteWriter()
        InitProducerIdRequest(transactionTimeoutMilliseconds: 1000).write(to: &w, version: 4)
        #expect(w.bytes == [0, 0, 0, 0x03, 0xE8] + Array(repeating: 0xFF, count: 10) + [0])
        let bytes = Self.body { w in w.writeInt32(0); w.writeInt16(0); w.writeInt64(4000); w.writeInt16(2); w.writeByte(0) }
        let (_, response) = try decode(InitProducerIdRequest.self, version: 4, bytes)
        #expect(response.producerID == 4000)
        #expect(response.producerEpoch == 2)
    }

    @Test func createTopicsV5() throws {
        var w = ByteWriter()
        CreateTopicsRequest(topics: [.init(name: "t", partitions: 3, configs: ["a": "b"])], timeoutMilliseconds: 5).write(to: &w, version: 5)
        #expect(w.bytes == [2, 2, 0x74, 0, 0, 0, 3, 0xFF, 0xFF, 1, 2, 2, 0x61, 2, 0x62, 0, 0, 0, 0, 0, 5, 0, 0])
        let bytes = Self.body { w in
            w.writeInt32(0)
            w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true); w.writeInt16(36)
            w.writeNullableString("exists", flexible: true); w.writeInt32(3); w.writeInt16(1)
            w.writeArrayCount(nil, flexible: true); w.writeByte(0)
            w.writeByte(0)
        }
        let (_, response) = try decode(CreateTopicsRequest.self, version: 5, bytes)
        #expect(response.topics.first?.errorCode == .topicAlreadyExists)
        #expect(response.topics.first?.errorMessage == "exists")
    }

    @Test func groupOffsetsAndCoordinator() throws {
        var w = ByteWriter()
        FindCoordinatorRequest(group: "g").write(to: &w, version: 4)
        #expect(w.bytes == [0, 2, 2, 0x67, 0])
        let coordinator = Self.body { w in
            w.writeInt32(0); w.writeArrayCount(1, flexible: true)
            w.writeString("g", flexible: true); w.writeInt32(111); w.writeString("h", flexible: true); w.writeInt32(9092)
            w.writeInt16(0); w.writeNullableString(nil, flexible: true); w.writeByte(0); w.writeByte(0)
        }
        let (_, found) = try decode(FindCoordinatorRequest.self, version: 4, coordinator)
        #expect(found.nodeID == 111 && found.host == "h" && found.port == 9092)

        w = ByteWriter()
        OffsetCommitRequest(group: "g", offsets: [(topic: "t", partitions: [(partition: 0, offset: 5)])]).write(to: &w, version: 8)
        #expect(w.bytes == [2, 0x67, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 2, 2, 0x74, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]
            + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])

        let fetched = Self.body { w in
            w.writeInt32(0); w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true)
            w.writeArrayCount(2, flexible: true)
            w.writeInt32(0); w.writeInt64(5); w.writeInt32(-1); w.writeNullableString("", flexible: true); w.writeInt16(0); w.writeByte(0)
            w.writeInt32(1); w.writeInt64(-1); w.writeInt32(-1); w.writeNullableString(nil, flexible: true); w.writeInt16(0); w.writeByte(0)
            w.writeByte(0); w.writeInt16(0); w.writeByte(0)
        }
        let (_, offsets) = try decode(OffsetFetchRequest.self, version: 7, fetched)
        #expect(offsets.offsets["t"]?[0]?.offset == 5)
        #expect(offsets.offsets["t"]?[1]?.offset == -1)
    }

    @Test func bootstrapURLs() throws {
        let configuration = try KafkaClientConfiguration(url: "kafka://a:1,b,[::1]:3")
        #expect(configuration.bootstrapServers == [.init(host: "a", port: 1), .init(host: "b", port: 9092), .init(host: "::1", port: 3)])
        #expect(throws: KafkaError.self) { _ = try KafkaClientConfiguration(url: "kafka://") }
        #expect(throws: KafkaError.self) { _ = try KafkaClientConfiguration(url: "kafka://a:0") }
        #expect(throws: KafkaError.invalidConfiguration(field: "acks", reason: "idempotence needs acks=-1 (all)")) {
            var producer = KafkaProducerConfiguration()
            producer.acks = 1
            try producer.validate()
        }
    }
}

@Suite struct ConsumerProtocolTests {
    @Test func rangeAssignorMatchesKafka() {
        // Kafka's RangeAssignor: 7 partitions over 3 members → 3, 2, 2 in member-id order.
        let plan = ConsumerProtocol.rangeAssign(
            members: ["c": ["t", "u"], "a": ["t"], "b": ["t", "u"]], partitionCounts: ["t": 7, "u": 1])
        #expect(plan["a"] == ["t": [0, 1, 2]])
        #expect(plan["b"] == ["t": [3, 4], "u": [0]])
        #expect(plan["c"] == ["t": [5, 6]])
        // More members than partitions: the last get nothing.
        let sparse = ConsumerProtocol.rangeAssign(members: ["x": ["t"], "y": ["t"], "z": ["t"]], partitionCounts: ["t": 2])
        #expect(sparse["x"] == ["t": [0]] && sparse["y"] == ["t": [1]] && sparse["z"] == [:])
    }

    @Test func subscriptionAndAssignmentBytes() throws {
        let subscription = ConsumerProtocol.subscription(topics: ["ab"])
        #expect(subscription == [0, 0, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConsumerProtocol.parseSubscription(subscription) == ["ab"])
        let assignment = ConsumerProtocol.assignment(["t": [0, 2]])
        #expect(assignment == [0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConsumerProtocol.parseAssignment(assignment) == ["t": [0, 2]])
        #expect(try ConsumerProtocol.parseAssignment([]) == [:])
        #expect(throws: KafkaError.self) { _ = try ConsumerProtocol.parseAssignment([0, 0, 0, 0, 0, 9]) }
    }

    @Test func joinGroupV7Request() {
        var w = ByteWriter()
        JoinGroupRequest(group: "g", sessionTimeoutMilliseconds: 6000, rebalanceTimeoutMilliseconds: 9000, memberID: "",
                         protocols: [(name: "range", metadata: [1])]).write(to: &w, version: 7)
        #expect(w.bytes == [2, 0x67, 0, 0, 0x17, 0x70, 0, 0, 0x23, 0x28, 1, 0, 9] + Array("consumer".utf8)
            + [2, 6] + Array("range".utf8) + [2, 1, 0, 0])
    }
}

@Suite struct DescribeConfigsTests {
    @Test(arguments: [Int16(1), 3, 4])
    func roundTripOfTheResponseLayout(version: Int16) throws {
        let flexible = version >= 4
        var w = ByteWriter()
        DescribeConfigsRequest(topics: [(name: "t", keys: nil)]).write(to: &w, version: version)
        let expectedRequest: [UInt8] = flexible
            ? [2, 2, 2, 0x74, 0, 0, 0, 0, 0]
            : [0, 0, 0, 1, 2, 0, 1, 0x74, 0xFF, 0xFF, 0xFF, 0xFF, 0] + (version >= 3 ? [0] : [])
        #expect(w.bytes == expectedRequest)

        var r = ByteWriter()
        r.writeInt32(9)
        if flexible { r.writeByte(0) }
        r.writeInt32(0)
        r.writeArrayCount(1, flexible: flexible)
        r.writeInt16(0); r.writeNullableString(nil, flexible: flexible); r.writeInt8(2); r.writeString("t", flexible: flexible)
        r.writeArrayCount(1, flexible: flexible)
        r.writeString("cleanup.policy", flexible: flexible); r.writeNullableString("compact", flexible: flexible)
        r.writeBool(false); r.writeInt8(1); r.writeBool(false)
        r.writeArrayCount(0, flexible: flexible)
        if version >= 3 { r.writeInt8(2); r.writeNullableString(nil, flexible: flexible) }
        if flexible { r.writeByte(0); r.writeByte(0); r.writeByte(0) }
        let (_, results) = try decode(DescribeConfigsRequest.self, version: version, r.bytes)
        #expect(results.first?.entries == [.init(name: "cleanup.policy", value: "compact", isReadOnly: false, source: 1, isSensitive: false)])
    }
}
