public import ByteCoding
public import StreamLog

/// A record batch compression codec (RecordBatch v2 `attributes` bits 0–2).
public enum Compression: Int, Sendable, CaseIterable {
    case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4
    /// Kafka's name for the codec.
    public var name: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }
}

/// One record read from a batch, with its absolute offset.
public struct KafkaRecord: Hashable, Sendable {
    /// The absolute offset in its partition.
    public var offset: Int64
    /// Key, value, headers and timestamp.
    public var record: StreamRecord
    /// A record at `offset`.
    public init(offset: Int64, record: StreamRecord) {
        self.offset = offset
        self.record = record
    }
}

/// A RecordBatch (magic 2), the unit of Produce and Fetch. Reference: Kafka documentation "Record Batch" and
/// `DefaultRecordBatch.java`.
///
/// ```
/// baseOffset:int64 batchLength:int32 partitionLeaderEpoch:int32 magic:int8(2) crc:uint32
/// attributes:int16 lastOffsetDelta:int32 baseTimestamp:int64 maxTimestamp:int64
/// producerId:int64 producerEpoch:int16 baseSequence:int32 recordCount:int32 records…
/// ```
/// The CRC-32C covers `attributes` to the end. Each record: `length:varint attributes:int8
/// timestampDelta:varlong offsetDelta:varint keyLength:varint key valueLength:varint value
/// headerCount:varint [keyLength:varint key valueLength:varint value]`, lengths -1 for null.
public struct RecordBatch: Hashable, Sendable {
    /// `baseOffset`: the first record's offset (0 in a batch being produced).
    public var baseOffset: Int64
    /// `partitionLeaderEpoch`.
    public var partitionLeaderEpoch: Int32
    /// Attribute bits 0–2.
    public var compression: Compression
    /// Attribute bit 3: the timestamps are the broker's LogAppendTime (``maxTimestamp``).
    public var isLogAppendTime: Bool
    /// Attribute bit 4.
    public var isTransactional: Bool
    /// Attribute bit 5: a control batch (transaction markers), not user records.
    public var isControl: Bool
    /// `lastOffsetDelta`: record count minus one.
    public var lastOffsetDelta: Int32
    /// `baseTimestamp`: the first record's timestamp.
    public var baseTimestamp: Int64
    /// `maxTimestamp`.
    public var maxTimestamp: Int64
    /// `producerId`, -1 when not idempotent.
    public var producerID: Int64
    /// `producerEpoch`.
    public var producerEpoch: Int16
    /// `baseSequence`, -1 when not idempotent.
    public var baseSequence: Int32
    /// The records, with absolute offsets.
    public var records: [KafkaRecord]

    /// Size of the fixed header, through `recordCount`.
    public static let headerSize = 61
    /// Offset of `attributes`, where the CRC starts.
    static let crcStart = 21

    /// Encodes `records` as one batch (offsets 0…n-1 relative to the broker-assigned base).
    ///
    /// `producerID`/`producerEpoch`/`baseSequence` are -1 unless the producer is idempotent.
    public static func encode(
        _ records: [StreamRecord], compression: Compression = .none, producerID: Int64 = -1,
        producerEpoch: Int16 = -1, baseSequence: Int32 = -1, into writer: inout ByteWriter
    ) throws(KafkaError) {
        guard compression == .none || compression == .gzip else {
            throw .unsupportedCompression(codec: compression.rawValue)
        }
        guard !records.isEmpty else { throw .invalid(context: "record batch", detail: "a batch needs at least one record") }
        let baseTimestamp = records[0].timestamp
        var maxTimestamp = baseTimestamp
        for record in records where record.timestamp > maxTimestamp { maxTimestamp = record.timestamp }
        let start = writer.count
        writer.writeInt64(0)  // baseOffset
        writer.writeInt32(0)  // batchLength, patched
        writer.writeInt32(-1)  // partitionLeaderEpoch
        writer.writeInt8(2)  // magic
        writer.writeInt32(0)  // crc, patched
        writer.writeInt16(Int16(compression.rawValue))
        writer.writeInt32(Int32(records.count - 1))
        writer.writeInt64(baseTimestamp)
        writer.writeInt64(maxTimestamp)
        writer.writeInt64(producerID)
        writer.writeInt16(producerEpoch)
        writer.writeInt32(baseSequence)
        writer.writeInt32(Int32(records.count))
        if compression == .none {
            for (index, record) in records.enumerated() {
                writeRecord(record, offsetDelta: index, baseTimestamp: baseTimestamp, into: &writer)
            }
        } else {
            var plain = ByteWriter(capacity: 64 * records.count)
            for (index, record) in records.enumerated() {
                writeRecord(record, offsetDelta: index, baseTimestamp: baseTimestamp, into: &plain)
            }
            let plainBytes = plain.bytes
            let compressed: [UInt8]
            do {
                compressed = try plainBytes.withUnsafeBytes { raw in try Gzip.compress(raw) }
            } catch let error as KafkaError {
                throw error
            } catch {
                throw .compression(detail: "\(error)")
            }
            writer.writeBytes(compressed)
        }
        writer.setBigEndian(Int32(truncatingIfNeeded: writer.count - start - 12), at: start + 8)
        let crc = writer.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + crcStart)...]))
        }
        writer.setBigEndian(crc, at: start + 17)
    }

    /// Encodes `records` as one batch and returns the bytes.
    public static func encode(
        _ records: [StreamRecord], compression: Compression = .none, producerID: Int64 = -1,
        producerEpoch: Int16 = -1, baseSequence: Int32 = -1
    ) throws(KafkaError) -> [UInt8] {
        var writer = ByteWriter(capacity: 128 + records.count * 64)
        try encode(
            records, compression: compression, producerID: producerID, producerEpoch: producerEpoch,
            baseSequence: baseSequence, into: &writer)
        return writer.bytes
    }

    static func varintSize(_ value: Int64) -> Int {
        var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        var n = 1
        while v >= 0x80 {
            v >>= 7
            n += 1
        }
        return n
    }

    static func writeRecord(_ record: StreamRecord, offsetDelta: Int, baseTimestamp: Int64, into writer: inout ByteWriter) {
        let timestampDelta = record.timestamp &- baseTimestamp
        var size = 1 + varintSize(timestampDelta) + varintSize(Int64(offsetDelta))
        size += record.key.map { varintSize(Int64($0.count)) + $0.count } ?? 1
        size += record.value.map { varintSize(Int64($0.count)) + $0.count } ?? 1
        size += varintSize(Int64(record.headers.count))
        for header in record.headers {
            let nameCount = header.name.utf8.count
            size += varintSize(Int64(nameCount)) + nameCount
            size += header.value.map { varintSize(Int64($0.count)) + $0.count } ?? 1
        }
        writer.writeSignedVarint(Int64(size))
        writer.writeByte(0)  // attributes (unused)
        writer.writeSignedVarint(timestampDelta)
        writer.writeSignedVarint(Int64(offsetDelta))
        writeVarintBytes(record.key, into: &writer)
        writeVarintBytes(record.value, into: &writer)
        writer.writeSignedVarint(Int64(record.headers.count))
        for header in record.headers {
            writer.writeSignedVarint(Int64(header.name.utf8.count))
            writer.writeUTF8(header.name)
            writeVarintBytes(header.value, into: &writer)
        }
    }

    static func writeVarintBytes(_ bytes: [UInt8]?, into writer: inout ByteWriter) {
        guard let bytes else {
            writer.writeSignedVarint(-1)
            return
        }
        writer.writeSignedVarint(Int64(bytes.count))
        writer.writeBytes(bytes)
    }
}

/// Limits applied while decoding record batches.
public struct RecordBatchLimits: Sendable, Hashable {
    /// The largest decompressed records section accepted. Default: 64 MiB.
    public var maximumDecompressedSize: Int
    /// Whether the CRC-32C is checked. Default: true.
    public var verifyChecksum: Bool
    /// Limits; the defaults are documented on each field.
    public init(maximumDecompressedSize: Int = 64 << 20, verifyChecksum: Bool = true) {
        self.maximumDecompressedSize = maximumDecompressedSize
        self.verifyChecksum = verifyChecksum
    }
}

extension RecordBatch {
    /// Reads the next batch from `reader`; nil, consuming nothing, when the batch is not complete (a Fetch
    /// response may end inside a batch cut short by the byte limit).
    ///
    /// Throws ``KafkaError/corruptBatch(offset:detail:)`` for a bad CRC, a legacy message set (magic 0/1) or
    /// records that do not fit the batch, and ``KafkaError/unsupportedCompression(codec:)`` for snappy, lz4
    /// and zstd.
    public static func next(from reader: inout ByteReader, limits: RecordBatchLimits = .init()) throws(KafkaError)
        -> RecordBatch?
    {
        guard reader.remaining >= 17 else { return nil }
        let baseOffset: Int64
        let length: Int32
        let magic: Int8
        do {
            var peek = reader
            baseOffset = try peek.readInt64()
            length = try peek.readInt32()
            _ = try peek.readInt32()
            magic = try peek.readInt8()
        } catch {
            return nil
        }
        guard magic == 2 else {
            throw .corruptBatch(offset: baseOffset, detail: "message format magic \(magic) is not supported (only RecordBatch v2)")
        }
        guard length >= Int32(headerSize - 12) else {
            throw .corruptBatch(offset: baseOffset, detail: "batch length \(length) is below the header size")
        }
        guard reader.remaining - 12 >= Int(length) else { return nil }
        var whole: ByteReader
        do { whole = try reader.readSlice(12 + Int(length)) } catch { return nil }
        return try decode(whole: &whole, baseOffset: baseOffset, limits: limits)
    }

    /// Every complete batch in `bytes` (a Fetch response's records), skipping control batches' records.
    /// A trailing partial batch is ignored.
    public static func decodeAll(_ bytes: UnsafeRawBufferPointer, limits: RecordBatchLimits = .init())
        throws(KafkaError) -> [RecordBatch]
    {
        var reader = ByteReader(bytes)
        var batches: [RecordBatch] = []
        while let batch = try next(from: &reader, limits: limits) { batches.append(batch) }
        return batches
    }

    private static func decode(whole: inout ByteReader, baseOffset: Int64, limits: RecordBatchLimits)
        throws(KafkaError) -> RecordBatch
    {
        let context = "record batch at offset \(baseOffset)"
        do {
            _ = try whole.readInt64()
            _ = try whole.readInt32()
            let leaderEpoch = try whole.readInt32()
            _ = try whole.readInt8()
            let storedCRC: UInt32 = try whole.readBigEndian()
            if limits.verifyChecksum {
                let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: whole.buffer[whole.position...]))
                guard computed == storedCRC else {
                    throw KafkaError.corruptBatch(
                        offset: baseOffset,
                        detail: "CRC-32C mismatch: stored \(hex(storedCRC)), computed \(hex(computed))")
                }
            }
            let attributes = try whole.readInt16()
            let lastOffsetDelta = try whole.readInt32()
            let baseTimestamp = try whole.readInt64()
            let maxTimestamp = try whole.readInt64()
            let producerID = try whole.readInt64()
            let producerEpoch = try whole.readInt16()
            let baseSequence = try whole.readInt32()
            let countAt = whole.absoluteOffset
            let count = try whole.readInt32()
            guard let compression = Compression(rawValue: Int(attributes & 0x7)) else {
                throw KafkaError.unsupportedCompression(codec: Int(attributes & 0x7))
            }
            let logAppendTime = attributes & 0x8 != 0
            let control = attributes & 0x20 != 0
            var batch = RecordBatch(
                baseOffset: baseOffset, partitionLeaderEpoch: leaderEpoch, compression: compression,
                isLogAppendTime: logAppendTime, isTransactional: attributes & 0x10 != 0, isControl: control,
                lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
                producerID: producerID, producerEpoch: producerEpoch, baseSequence: baseSequence, records: [])
            if control { return batch }
            // A record takes at least 7 bytes, so a count above remaining/7 … is impossible before decompression;
            // after it, the decompressed size bounds it.
            let body = try whole.readBytes(whole.remaining)
            switch compression {
            case .none:
                guard count >= 0, Int(count) <= body.count / 7 else {
                    throw ByteCodingError.lengthOutOfRange(offset: countAt, length: Int(count), maximum: body.count / 7)
                }
                var records = ByteReader(body, baseOffset: countAt + 4)
                batch.records = try readRecords(&records, count: Int(count), batch: batch, context: context)
            case .gzip:
                let plain = try Gzip.decompress(body, maximumSize: limits.maximumDecompressedSize)
                guard count >= 0, Int(count) <= plain.count / 7 else {
                    throw ByteCodingError.lengthOutOfRange(offset: countAt, length: Int(count), maximum: plain.count / 7)
                }
                batch.records = try plain.withUnsafeBytes { raw throws(KafkaError) in
                    var records = ByteReader(raw)
                    do {
                        return try readRecords(&records, count: Int(count), batch: batch, context: context)
                    } catch let error as KafkaError {
                        throw error
                    } catch let error as ByteCodingError {
                        throw KafkaError.malformed(context: context + " (decompressed)", cause: error)
                    } catch {
                        throw KafkaError.invalid(context: context, detail: "\(error)")
                    }
                }
            default:
                throw KafkaError.unsupportedCompression(codec: compression.rawValue)
            }
            return batch
        } catch let error as KafkaError {
            throw error
        } catch let error as ByteCodingError {
            throw .malformed(context: context, cause: error)
        } catch {
            throw .invalid(context: context, detail: "\(error)")
        }
    }

    /// A header as it was read: its bytes in the batch and the value decoded from them.
    private struct ReadHeader {
        var name: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer?
        var header: RecordHeader
    }

    /// Decodes `count` records. Keys, values and header values are copied out once each, with one exception:
    /// headers repeat from record to record (CloudEvents' `ce_specversion`, `ce_type`, `ce_source`,
    /// `content-type`), so a header whose name and value bytes equal those of the previous record's header at
    /// the same position reuses that decoded header (its storage shared, copy-on-write) instead of allocating
    /// and validating UTF-8 again; when every header repeats, the previous record's header array is reused.
    private static func readRecords(_ reader: inout ByteReader, count: Int, batch: RecordBatch, context: String)
        throws -> [KafkaRecord]
    {
        var records: [KafkaRecord] = []
        records.reserveCapacity(count)
        var previous: [ReadHeader] = []
        var previousHeaders: [RecordHeader] = []
        for _ in 0..<count {
            let lengthAt = reader.absoluteOffset
            let length = try reader.readSignedVarint()
            guard length >= 0, length <= Int64(reader.remaining) else {
                throw ByteCodingError.lengthOutOfRange(offset: lengthAt, length: Int(truncatingIfNeeded: length), maximum: reader.remaining)
            }
            var body = try reader.readSlice(Int(length))
            _ = try body.readByte()  // attributes
            let timestampDelta = try body.readSignedVarint()
            let offsetDelta = try body.readSignedVarint()
            let key = try readVarintBytes(&body)
            let value = try readVarintBytes(&body)
            let headerCountAt = body.absoluteOffset
            let headerCount = try body.readSignedVarint()
            guard headerCount >= 0, headerCount <= Int64(body.remaining / 2) else {
                throw ByteCodingError.lengthOutOfRange(offset: headerCountAt, length: Int(truncatingIfNeeded: headerCount), maximum: body.remaining / 2)
            }
            var headers: [RecordHeader] = []
            var allRepeated = Int(headerCount) == previousHeaders.count
            for index in 0..<Int(headerCount) {
                let nameAt = body.absoluteOffset
                guard let name = try readVarintView(&body) else {
                    throw KafkaError.invalid(context: context, detail: "null header name at byte \(nameAt)")
                }
                let headerValue = try readVarintView(&body)
                if index < previous.count, sameBytes(previous[index].name, name), sameBytes(previous[index].value, headerValue) {
                    if !allRepeated { headers.append(previous[index].header) }
                    continue
                }
                let read = ReadHeader(
                    name: name, value: headerValue,
                    header: RecordHeader(name: String(decoding: name, as: UTF8.self), value: headerValue.map(copyBytes)))
                if index < previous.count { previous[index] = read } else { previous.append(read) }
                if allRepeated {
                    // The headers so far repeated the previous record's: now they differ.
                    allRepeated = false
                    headers.reserveCapacity(Int(headerCount))
                    headers.append(contentsOf: previousHeaders[..<index])
                }
                headers.append(read.header)
            }
            if allRepeated {
                headers = previousHeaders
            } else {
                previousHeaders = headers
            }
            guard body.isAtEnd else {
                throw KafkaError.invalid(context: context, detail: "record at byte \(lengthAt) has \(body.remaining) unread bytes")
            }
            let timestamp = batch.isLogAppendTime ? batch.maxTimestamp : batch.baseTimestamp &+ timestampDelta
            records.append(
                KafkaRecord(
                    offset: batch.baseOffset &+ offsetDelta,
                    record: StreamRecord(key: key, value: value, headers: headers, timestamp: timestamp)))
        }
        guard reader.isAtEnd else {
            throw KafkaError.invalid(context: context, detail: "\(reader.remaining) bytes after the last record")
        }
        return records
    }

    /// Whether two byte ranges (nil: a null value) hold the same bytes.
    private static func sameBytes(_ a: UnsafeRawBufferPointer?, _ b: UnsafeRawBufferPointer?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        guard a.count == b.count else { return false }
        return a.elementsEqual(b)
    }

    /// A varint-length-prefixed byte field as a view into the reader's buffer; nil for length -1.
    private static func readVarintView(_ reader: inout ByteReader) throws(ByteCodingError) -> UnsafeRawBufferPointer? {
        let at = reader.absoluteOffset
        let length = try reader.readSignedVarint()
        if length == -1 { return nil }
        guard length >= 0, length <= Int64(reader.remaining) else {
            throw .lengthOutOfRange(offset: at, length: Int(truncatingIfNeeded: length), maximum: reader.remaining)
        }
        return try reader.readBytes(Int(length))
    }

    /// The bytes of `view` in an array of their own (one allocation, one copy).
    private static func copyBytes(_ view: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: view.count) { target, initialized in
            if let base = target.baseAddress, let source = view.baseAddress {
                base.initialize(from: source.assumingMemoryBound(to: UInt8.self), count: view.count)
            }
            initialized = view.count
        }
    }

    private static func readVarintBytes(_ reader: inout ByteReader) throws(ByteCodingError) -> [UInt8]? {
        try readVarintView(&reader).map(copyBytes)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
