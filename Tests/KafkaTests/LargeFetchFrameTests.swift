import ByteCoding
import StreamLog
import Synchronization
import Testing

@testable import Kafka

/// Fetch answers of `KafkaConnection.directReceiveSize` bytes or more are received straight into an array of
/// their own and their records parsed as slices of it (no copy of the records section): against a fake broker
/// answering a ~300 KiB Fetch (three record batches) and, on the same connection, small answers before and after.
@Suite struct LargeFetchFrameTests {
    /// ApiVersions v3 offering Fetch v12, Metadata v9 and ApiVersions 0...3.
    static func apiVersions(_ id: Int32) -> [UInt8] {
        var w = ByteWriter()
        w.writeInt16(0)
        let apis: [(Int16, Int16)] = [(1, 12), (3, 9), (18, 3)]
        w.writeArrayCount(apis.count, flexible: true)
        for (key, version) in apis { w.writeInt16(key); w.writeInt16(key == 18 ? 0 : version); w.writeInt16(version); w.writeByte(0) }
        w.writeInt32(0); w.writeByte(0)
        return FakeBroker.frame(id, w.bytes)
    }

    /// A Fetch v12 answer for "t"/0 carrying `records` (raw batches).
    static func fetched(_ id: Int32, records: [UInt8], highWatermark: Int64) -> [UInt8] {
        var w = ByteWriter()
        w.writeByte(0)  // response header tagged fields
        w.writeInt32(0); w.writeInt16(0); w.writeInt32(0)  // throttle, error, session id
        w.writeArrayCount(1, flexible: true); w.writeString("t", flexible: true)
        w.writeArrayCount(1, flexible: true)
        w.writeInt32(0); w.writeInt16(0); w.writeInt64(highWatermark); w.writeInt64(highWatermark); w.writeInt64(0)
        w.writeArrayCount(0, flexible: true)  // aborted transactions
        w.writeInt32(-1)  // preferred read replica
        w.writeNullableBytes(records, flexible: true)
        w.writeByte(0)  // partition tagged fields
        w.writeByte(0)  // topic tagged fields
        w.writeByte(0)  // response tagged fields
        return FakeBroker.frame(id, w.bytes)
    }

    /// Three batches of 100 records, 1 KiB values with a byte per record, a key and two headers.
    static let batches: [[StreamRecord]] = (0..<3).map { batch in
        (0..<100).map { index in
            let n = batch * 100 + index
            return StreamRecord(
                key: Array("key-\(n)".utf8), value: [UInt8](repeating: UInt8(n % 251), count: 1024),
                headers: [RecordHeader(name: "ce_id", text: "\(n)"), RecordHeader(name: "ce_type", value: nil)],
                timestamp: 1_700_000_000_000 + Int64(n))
        }
    }

    @Test func aFetchAnswerLargerThanTheDirectReceiveSizeDecodesEveryRecord() async throws {
        var raw: [UInt8] = []
        for (index, batch) in Self.batches.enumerated() {
            var encoded = try RecordBatch.encode(batch)
            // The broker's base offset (0 while produced).
            let base = Int64(index * 100)
            withUnsafeBytes(of: base.bigEndian) { encoded.replaceSubrange(0..<8, with: $0) }
            raw += encoded
        }
        let records = raw
        let answer = Self.fetched(0, records: records, highWatermark: 300)
        #expect(answer.count - 4 >= KafkaConnection.directReceiveSize * 4, "a frame far above the direct-receive size")
        let port = SharedPort()
        let broker = try FakeBroker(connections: 4) { id, key, _ in
            switch key {
            case 18: return .init(bytes: Self.apiVersions(id))
            case 3: return .init(bytes: IdempotentRetryTests.metadata(id, port: port.value))
            case 1: return .init(bytes: Self.fetched(id, records: records, highWatermark: 300))
            default: return .init(bytes: [], close: true)
            }
        }
        port.set(broker.port)
        let client = try KafkaClient(configuration: KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)]))
        defer { client.close() }
        for round in 0..<3 {
            // From offset 150: the first batch is skipped, the second is read from its middle.
            let fetched = try await client.fetch(topic: "t", partition: 0, offset: 150, maximumBytes: 1 << 20)
            #expect(fetched.highWatermark == 300)
            #expect(fetched.records.map(\.offset) == (150..<300).map { Int64($0) }, "round \(round)")
            let expected = Self.batches.joined().dropFirst(150)
            #expect(fetched.records.map(\.record) == Array(expected), "keys, values, headers and timestamps, round \(round)")
            // A small answer on the same connection after the large one.
            let metadata = try await client.refreshMetadata(topics: ["t"])
            #expect(metadata.topics.map(\.name) == ["t"])
        }
    }

    @Test func theDeclaredFrameLengthIsCheckedBeforeTheFrameIsComplete() throws {
        let decoder = KafkaFrameDecoder(maximumFrameSize: 1 << 20)
        let prefix: [UInt8] = [0, 2, 0, 0, 1, 2, 3]  // declares 131,072 bytes, 3 there
        #expect(try prefix.withUnsafeBytes { try decoder.declaredFrameLength(in: $0) } == 131_072)
        #expect(try prefix.withUnsafeBytes { try decoder.nextFrameLength(in: $0) } == nil)
        #expect(try [UInt8]([0, 2, 0]).withUnsafeBytes { try decoder.declaredFrameLength(in: $0) } == nil)
        #expect(throws: KafkaError.self) { try [UInt8]([0, 0x20, 0, 0]).withUnsafeBytes { try decoder.declaredFrameLength(in: $0) } }
        #expect(throws: KafkaError.self) { try [UInt8]([0, 0, 0, 3]).withUnsafeBytes { try decoder.declaredFrameLength(in: $0) } }
    }

    @Test func fetchRecordsAreASliceOfTheResponseFrame() throws {
        let batch = try RecordBatch.encode(Self.batches[0])
        let frame = Array(Self.fetched(7, records: batch, highWatermark: 100).dropFirst(4))
        let (id, response) = try KafkaFrame.decodeResponse(FetchRequest.self, version: 12, frame: frame)
        #expect(id == 7)
        let records = try #require(response.topics["t"]?.first?.records)
        #expect(Array(records) == batch)
        let sharesStorage = frame.withUnsafeBytes { whole in
            records.withUnsafeBytes { slice in
                slice.baseAddress.map { $0 >= whole.baseAddress! && $0 + slice.count <= whole.baseAddress! + whole.count } ?? false
            }
        }
        #expect(sharesStorage, "the records point into the frame: no copy")
        let (_, copied) = try frame.withUnsafeBytes { try KafkaFrame.decodeResponse(FetchRequest.self, version: 12, body: $0) }
        #expect(copied == response, "the reader-only parse gives the same response")
    }
}

/// A port number set once the fake broker listens.
final class SharedPort: Sendable {
    private let storage = Mutex(0)
    var value: Int { storage.withLock { $0 } }
    func set(_ port: Int) { storage.withLock { $0 = port } }
}
