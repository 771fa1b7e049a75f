import ByteCoding
import StreamLog
import Synchronization
import Testing

@testable import Kafka

/// The idempotent producer's retry against a fake broker that drops the connection after reading the first
/// Produce: the retried batch carries the same producer id, epoch and base sequence (so a real broker would
/// drop the duplicate), and the next batch continues the sequence.
@Suite struct IdempotentRetryTests {
    /// What the fake saw of each Produce: (producer id, epoch, base sequence, record count).
    final class Seen: Sendable {
        let produces = Mutex<[(Int64, Int16, Int32, Int32)]>([])
        let port = Mutex<Int>(0)
    }

    static func apiVersions(_ id: Int32) -> [UInt8] {
        var w = ByteWriter()
        w.writeInt16(0)
        let apis: [(Int16, Int16)] = [(0, 9), (3, 9), (18, 3), (22, 4)]
        w.writeArrayCount(apis.count, flexible: true)
        for (key, version) in apis { w.writeInt16(key); w.writeInt16(0); w.writeInt16(version); w.writeByte(0) }
        w.writeInt32(0); w.writeByte(0)
        return FakeBroker.frame(id, w.bytes)
    }

    static func metadata(_ id: Int32, port: Int) -> [UInt8] {
        var w = ByteWriter()
        w.writeByte(0); w.writeInt32(0)
        w.writeArrayCount(1, flexible: true)
        w.writeInt32(1); w.writeString("127.0.0.1", flexible: true); w.writeInt32(Int32(port)); w.writeNullableString(nil, flexible: true); w.writeByte(0)
        w.writeNullableString(nil, flexible: true); w.writeInt32(1)
        w.writeArrayCount(1, flexible: true)
        w.writeInt16(0); w.writeString("t", flexible: true); w.writeBool(false)
        w.writeArrayCount(1, flexible: true)
        w.writeInt16(0); w.writeInt32(0); w.writeInt32(1); w.writeInt32(0)
        w.writeInt32Array([1], flexible: true); w.writeInt32Array([1], flexible: true); w.writeInt32Array([], flexible: true); w.writeByte(0)
        w.writeInt32(0); w.writeByte(0)
        w.writeInt32(0); w.writeByte(0)
        return FakeBroker.frame(id, w.bytes)
    }

    static func produced(_ id: Int32, baseOffset: Int64, errorCode: Int16 = 0) -> [UInt8] {
        var w = ByteWriter()
        w.writeByte(0)
        w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true)
        w.writeArrayCount(1, flexible: true)
        w.writeInt32(0); w.writeInt16(errorCode); w.writeInt64(baseOffset); w.writeInt64(-1); w.writeInt64(0)
        w.writeArrayCount(0, flexible: true); w.writeNullableString(nil, flexible: true); w.writeByte(0)
        w.writeByte(0)
        w.writeInt32(0); w.writeByte(0)
        return FakeBroker.frame(id, w.bytes)
    }

    /// The producer fields of the record batch inside a Produce v9 frame for topic "t".
    static func batchFields(_ frame: [UInt8]) throws -> (Int64, Int16, Int32, Int32) {
        try frame.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            _ = try r.readInt32(); _ = try r.readInt16(); _ = try r.readInt16(); _ = try r.readInt32()
            _ = try r.readNullableString(flexible: false); try r.skipTaggedFields()
            _ = try r.readNullableString(flexible: true); _ = try r.readInt16(); _ = try r.readInt32()
            _ = try r.readArrayCount(flexible: true); _ = try r.readString(flexible: true)
            _ = try r.readArrayCount(flexible: true); _ = try r.readInt32()
            let records = try r.readNullableBytes(flexible: true) ?? []
            let batch = try records.withUnsafeBytes { try RecordBatch.decodeAll($0) }
            let first = try #require(batch.first)
            return (first.producerID, first.producerEpoch, first.baseSequence, first.lastOffsetDelta + 1)
        }
    }

    @Test func retriedBatchKeepsItsSequence() async throws {
        let seen = Seen()
        let broker = try FakeBroker(connections: 3) { id, key, frame in
            switch key {
            case 18: return .init(bytes: Self.apiVersions(id))
            case 3: return .init(bytes: Self.metadata(id, port: seen.port.withLock { $0 }))
            case 22:
                var w = ByteWriter()
                w.writeByte(0); w.writeInt32(0); w.writeInt16(0); w.writeInt64(4242); w.writeInt16(7); w.writeByte(0)
                return .init(bytes: FakeBroker.frame(id, w.bytes))
            case 0:
                guard let fields = try? Self.batchFields(frame) else { return .init(bytes: [], close: true) }
                let count = seen.produces.withLock { list in
                    list.append(fields)
                    return list.count
                }
                // The first Produce is "lost": the connection drops before the answer.
                if count == 1 { return .init(bytes: [], close: true) }
                return .init(bytes: Self.produced(id, baseOffset: Int64(fields.2)))
            default:
                return .init(bytes: [], close: true)
            }
        }
        seen.port.withLock { $0 = broker.port }
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.retryBackoff = .milliseconds(10)
        configuration.requestTimeout = .seconds(5)
        let client = try KafkaClient(configuration: configuration)
        defer { client.close() }
        let producer = try KafkaProducer(client: client)
        let records = (0..<3).map { StreamRecord(key: nil, value: [UInt8($0)], timestamp: 1) }
        let first = try await producer.send(batch: records, topic: "t", partition: 0)
        let second = try await producer.send(batch: [records[0]], topic: "t", partition: 0)
        #expect(first == AppendResult(partition: 0, baseOffset: 0, count: 3))
        #expect(second == AppendResult(partition: 0, baseOffset: 3, count: 1))
        let produces = seen.produces.withLock { $0 }
        #expect(produces.count == 3)
        #expect(produces.map(\.0) == [4242, 4242, 4242])
        #expect(produces.map(\.1) == [7, 7, 7])
        #expect(produces.map(\.2) == [0, 0, 3], "the retry repeats sequence 0; the next batch starts at 3")
        #expect(produces.map(\.3) == [3, 3, 1])
    }

    @Test func notLeaderRefreshesMetadataAndRetries() async throws {
        let seen = Seen()
        let metadataRequests = Mutex(0)
        let broker = try FakeBroker(connections: 4) { id, key, frame in
            switch key {
            case 18: return .init(bytes: Self.apiVersions(id))
            case 3:
                metadataRequests.withLock { $0 += 1 }
                return .init(bytes: Self.metadata(id, port: seen.port.withLock { $0 }))
            case 22:
                var w = ByteWriter()
                w.writeByte(0); w.writeInt32(0); w.writeInt16(0); w.writeInt64(1); w.writeInt16(0); w.writeByte(0)
                return .init(bytes: FakeBroker.frame(id, w.bytes))
            case 0:
                guard let fields = try? Self.batchFields(frame) else { return .init(bytes: [], close: true) }
                let count = seen.produces.withLock { list in
                    list.append(fields)
                    return list.count
                }
                return .init(bytes: Self.produced(id, baseOffset: 0, errorCode: count == 1 ? 6 : 0))  // NOT_LEADER_OR_FOLLOWER once
            default:
                return .init(bytes: [], close: true)
            }
        }
        seen.port.withLock { $0 = broker.port }
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.retryBackoff = .milliseconds(10)
        let client = try KafkaClient(configuration: configuration)
        defer { client.close() }
        let producer = try KafkaProducer(client: client)
        let result = try await producer.send(batch: [StreamRecord(key: nil, value: [1], timestamp: 1)], topic: "t", partition: 0)
        #expect(result.baseOffset == 0)
        #expect(seen.produces.withLock { $0.count } == 2)
        #expect(metadataRequests.withLock { $0 } == 2, "the NOT_LEADER_OR_FOLLOWER answer made the client ask for metadata again")
        #expect(seen.produces.withLock { $0.map(\.2) } == [0, 0])
    }

    @Test func nonRetriableBrokerErrorFailsAtOnceWithItsName() async throws {
        let seen = Seen()
        let broker = try FakeBroker(connections: 3) { id, key, _ in
            switch key {
            case 18: return .init(bytes: Self.apiVersions(id))
            case 3: return .init(bytes: Self.metadata(id, port: seen.port.withLock { $0 }))
            case 22:
                var w = ByteWriter()
                w.writeByte(0); w.writeInt32(0); w.writeInt16(0); w.writeInt64(1); w.writeInt16(0); w.writeByte(0)
                return .init(bytes: FakeBroker.frame(id, w.bytes))
            case 0: return .init(bytes: Self.produced(id, baseOffset: -1, errorCode: 10))  // MESSAGE_TOO_LARGE
            default: return .init(bytes: [], close: true)
            }
        }
        seen.port.withLock { $0 = broker.port }
        let client = try KafkaClient(configuration: KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)]))
        defer { client.close() }
        let producer = try KafkaProducer(client: client)
        await #expect {
            _ = try await producer.send(batch: [StreamRecord(key: nil, value: [1], timestamp: 1)], topic: "t", partition: 0)
        } throws: { error in
            guard let error = error as? KafkaError else { return false }
            return error.brokerCode == .messageTooLarge && !error.isRetriable && error.description.contains("MESSAGE_TOO_LARGE")
        }
    }
}

extension IdempotentRetryTests {
    @Test func unknownOutcomeTakesANewProducerID() async throws {
        let seen = Seen()
        let identities = Mutex<Int64>(100)
        let broker = try FakeBroker(connections: 30) { id, key, frame in
            switch key {
            case 18: return .init(bytes: Self.apiVersions(id))
            case 3: return .init(bytes: Self.metadata(id, port: seen.port.withLock { $0 }))
            case 22:
                let next = identities.withLock { value in
                    value += 1
                    return value
                }
                var w = ByteWriter()
                w.writeByte(0); w.writeInt32(0); w.writeInt16(0); w.writeInt64(next); w.writeInt16(0); w.writeByte(0)
                return .init(bytes: FakeBroker.frame(id, w.bytes))
            case 0:
                guard let fields = try? Self.batchFields(frame) else { return .init(bytes: [], close: true) }
                let count = seen.produces.withLock { list in
                    list.append(fields)
                    return list.count
                }
                // The first batch's answer never arrives, on every try; later batches succeed.
                if fields.2 == 0 && fields.0 == 101 { return .init(bytes: [], close: true) }
                return .init(bytes: Self.produced(id, baseOffset: Int64(count)))
            default:
                return .init(bytes: [], close: true)
            }
        }
        seen.port.withLock { $0 = broker.port }
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.retryBackoff = .milliseconds(5)
        configuration.maximumRetryBackoff = .milliseconds(10)
        configuration.retries = 3
        let client = try KafkaClient(configuration: configuration)
        defer { client.close() }
        let producer = try KafkaProducer(client: client)
        await #expect(throws: KafkaError.self) {
            _ = try await producer.send(batch: [StreamRecord(key: nil, value: [1], timestamp: 1)], topic: "t", partition: 0)
        }
        _ = try await producer.send(batch: [StreamRecord(key: nil, value: [2], timestamp: 1)], topic: "t", partition: 0)
        let produces = seen.produces.withLock { $0 }
        #expect(produces.count == 5, "four tries of the first batch, then the second")
        #expect(produces.dropLast().allSatisfy { $0.0 == 101 && $0.2 == 0 })
        #expect(produces.last?.0 == 102, "a new producer id after the unknown outcome")
        #expect(produces.last?.2 == 0, "whose sequences start again at 0")
    }
}
