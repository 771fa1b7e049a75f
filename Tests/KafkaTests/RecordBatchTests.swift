import ByteCoding
import StreamLog
import Testing

@testable import Kafka

@Suite struct RecordBatchTests {
    static let records = [
        StreamRecord(
            key: Array("k1".utf8), value: Array("v1".utf8),
            headers: [RecordHeader(name: "h", text: "x"), RecordHeader(name: "n", value: nil)], timestamp: 1_700_000_000_000),
        StreamRecord(key: nil, value: nil, headers: [], timestamp: 1_699_999_999_000),
        StreamRecord(key: [], value: Array(repeating: 0x41, count: 300), headers: [], timestamp: 1_700_000_000_500),
    ]

    /// The same batch written field by field from the format description, independently of the encoder.
    static func handBuilt() -> [UInt8] {
        var records = ByteWriter()
        func record(_ body: (inout ByteWriter) -> Void) {
            var inner = ByteWriter()
            body(&inner)
            records.writeSignedVarint(Int64(inner.count))
            records.writeBytes(inner.bytes)
        }
        record { w in
            w.writeByte(0); w.writeSignedVarint(0); w.writeSignedVarint(0)
            w.writeSignedVarint(2); w.writeUTF8("k1"); w.writeSignedVarint(2); w.writeUTF8("v1")
            w.writeSignedVarint(2)
            w.writeSignedVarint(1); w.writeUTF8("h"); w.writeSignedVarint(1); w.writeUTF8("x")
            w.writeSignedVarint(1); w.writeUTF8("n"); w.writeSignedVarint(-1)
        }
        record { w in
            w.writeByte(0); w.writeSignedVarint(-1000); w.writeSignedVarint(1)
            w.writeSignedVarint(-1); w.writeSignedVarint(-1); w.writeSignedVarint(0)
        }
        record { w in
            w.writeByte(0); w.writeSignedVarint(500); w.writeSignedVarint(2)
            w.writeSignedVarint(0); w.writeSignedVarint(300); w.writeBytes(Array(repeating: 0x41, count: 300))
            w.writeSignedVarint(0)
        }
        var tail = ByteWriter()  // attributes onwards: what the CRC covers
        tail.writeBigEndian(Int16(0)); tail.writeBigEndian(Int32(2))
        tail.writeBigEndian(Int64(1_700_000_000_000)); tail.writeBigEndian(Int64(1_700_000_000_500))
        tail.writeBigEndian(Int64(77)); tail.writeBigEndian(Int16(3)); tail.writeBigEndian(Int32(10))
        tail.writeBigEndian(Int32(3))
        tail.writeBytes(records.bytes)
        var batch = ByteWriter()
        batch.writeBigEndian(Int64(0))
        batch.writeBigEndian(Int32(4 + 1 + 4 + tail.count))
        batch.writeBigEndian(Int32(-1))
        batch.writeByte(2)
        batch.writeBigEndian(CRC32C.checksum(tail.bytes))
        batch.writeBytes(tail.bytes)
        return batch.bytes
    }

    @Test func encoderMatchesTheFormatByteForByte() throws {
        let bytes = try RecordBatch.encode(Self.records, producerID: 77, producerEpoch: 3, baseSequence: 10)
        #expect(bytes == Self.handBuilt())
    }

    @Test(arguments: [Compression.none, .gzip])
    func roundTrip(compression: Compression) throws {
        var writer = ByteWriter()
        try RecordBatch.encode(Self.records, compression: compression, producerID: 77, producerEpoch: 3, baseSequence: 10, into: &writer)
        // Simulate the broker assigning base offset 100.
        writer.setBigEndian(Int64(100), at: 0)
        let batches = try writer.bytes.withUnsafeBytes { try RecordBatch.decodeAll($0) }
        let batch = try #require(batches.first)
        #expect(batches.count == 1)
        #expect(batch.compression == compression)
        #expect(batch.producerID == 77)
        #expect(batch.producerEpoch == 3)
        #expect(batch.baseSequence == 10)
        #expect(batch.lastOffsetDelta == 2)
        #expect(batch.maxTimestamp == 1_700_000_000_500)
        #expect(batch.records.map(\.offset) == [100, 101, 102])
        #expect(batch.records.map(\.record) == Self.records)
    }

    @Test func gzipCompressesRepetitiveValues() throws {
        let big = (0..<50).map { StreamRecord(key: nil, value: Array(repeating: 0x42, count: 1000), timestamp: Int64($0)) }
        let plain = try RecordBatch.encode(big)
        let zipped = try RecordBatch.encode(big, compression: .gzip)
        #expect(zipped.count < plain.count / 10)
        let decoded = try zipped.withUnsafeBytes { try RecordBatch.decodeAll($0) }
        #expect(decoded.first?.records.map(\.record) == big)
    }

    @Test func severalBatchesAndATrailingPartialOne() throws {
        let one = try RecordBatch.encode([Self.records[0]])
        let two = try RecordBatch.encode([Self.records[1], Self.records[2]])
        let stream = one + two + Array(one.prefix(30))
        let batches = try stream.withUnsafeBytes { try RecordBatch.decodeAll($0) }
        #expect(batches.map(\.records.count) == [1, 2])
    }

    @Test func everyTruncationIsNeedMoreNotACrash() throws {
        let bytes = Self.handBuilt()
        for cut in 0..<bytes.count {
            let batches = try Array(bytes[..<cut]).withUnsafeBytes { try RecordBatch.decodeAll($0) }
            #expect(batches.isEmpty)
        }
    }

    @Test func flippedBitFailsTheCRC() {
        var bytes = Self.handBuilt()
        bytes[70] ^= 0x01
        #expect {
            _ = try bytes.withUnsafeBytes { try RecordBatch.decodeAll($0) }
        } throws: { error in
            guard case KafkaError.corruptBatch(0, let detail) = error else { return false }
            return detail.contains("CRC-32C")
        }
    }

    @Test func unsupportedCodecIsTyped() throws {
        for codec in [2, 3, 4, 7] {
            var bytes = Self.handBuilt()
            bytes[22] = UInt8(codec)  // attributes low byte
            let crc = CRC32C.checksum(bytes[21...])
            bytes.replaceSubrange(17..<21, with: withUnsafeBytes(of: crc.bigEndian) { Array($0) })
            #expect(throws: KafkaError.unsupportedCompression(codec: codec)) {
                _ = try bytes.withUnsafeBytes { try RecordBatch.decodeAll($0) }
            }
        }
        #expect(throws: KafkaError.unsupportedCompression(codec: 4)) {
            _ = try RecordBatch.encode(Self.records, compression: .zstd)
        }
    }

    @Test func legacyMagicIsRejected() {
        var bytes = Self.handBuilt()
        bytes[16] = 1
        #expect(throws: KafkaError.self) { _ = try bytes.withUnsafeBytes { try RecordBatch.decodeAll($0) } }
    }

    @Test func forgedRecordCountAndLengthsAreTypedErrors() throws {
        // record count far above what the bytes can hold
        var bytes = Self.handBuilt()
        bytes.replaceSubrange(57..<61, with: [0x7F, 0xFF, 0xFF, 0xFF])
        let crc = CRC32C.checksum(bytes[21...])
        bytes.replaceSubrange(17..<21, with: withUnsafeBytes(of: crc.bigEndian) { Array($0) })
        #expect(throws: KafkaError.self) { _ = try bytes.withUnsafeBytes { try RecordBatch.decodeAll($0) } }

        // random garbage inside a batch with a valid CRC
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var noisy = Self.handBuilt()
            for _ in 0..<4 { noisy[Int.random(in: 61..<noisy.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            let crc = CRC32C.checksum(noisy[21...])
            noisy.replaceSubrange(17..<21, with: withUnsafeBytes(of: crc.bigEndian) { Array($0) })
            do {
                _ = try noisy.withUnsafeBytes { try RecordBatch.decodeAll($0) }
            } catch {
                #expect(error is KafkaError)
            }
        }
    }

    @Test func gzipBombIsBounded() throws {
        let big = [StreamRecord(key: nil, value: Array(repeating: 0, count: 1 << 20), timestamp: 0)]
        let zipped = try RecordBatch.encode(big, compression: .gzip)
        #expect(throws: KafkaError.self) {
            _ = try zipped.withUnsafeBytes { try RecordBatch.decodeAll($0, limits: .init(maximumDecompressedSize: 64 * 1024)) }
        }
    }

    /// Headers that repeat from record to record are decoded once and shared; every mix of repeated, changed,
    /// added, dropped, reordered and null headers must still decode to exactly what was encoded.
    @Test(arguments: [Compression.none, .gzip])
    func repeatedHeadersDecodeExactly(compression: Compression) throws {
        let a = RecordHeader(name: "ce_specversion", text: "1.0")
        let b = RecordHeader(name: "ce_type", text: "org.example.claim.v1")
        let c = RecordHeader(name: "ce_source", value: nil)
        let layouts: [[RecordHeader]] = [
            [a, b, c], [a, b, c], [a, b, RecordHeader(name: "ce_source", text: "/x")], [a, b, c],
            [a, b], [a, b, c, RecordHeader(name: "ce_id", text: "4")], [b, a, c], [], [a, b, c], [a, b, c],
            [a, RecordHeader(name: "ce_type", text: "org.example.claim.v2"), c], [a, RecordHeader(name: "ce_typ", text: "e"), c],
            [RecordHeader(name: "ce_specversion", value: []), b, c], [a, b, c], [a, a, a], [a, a, a], [a, a],
        ]
        let records = layouts.enumerated().map { index, headers in
            StreamRecord(key: [UInt8(index)], value: Array("v\(index)".utf8), headers: headers, timestamp: 1_700_000_000_000 + Int64(index))
        }
        let bytes = try RecordBatch.encode(records, compression: compression)
        let decoded = try bytes.withUnsafeBytes { try RecordBatch.decodeAll($0) }
        #expect(decoded.flatMap(\.records).map(\.record) == records)
    }
}
