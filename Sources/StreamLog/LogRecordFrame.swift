import ByteCoding

/// The on-disk framing of one record in a LocalLog segment.
///
/// ```
/// frame   := length:u32 crc:u32 body                 (big-endian; length = 4 + body size)
/// body    := offset:i64 timestamp:i64
///            keyLength:i32 key  valueLength:i32 value   (length -1 = null)
///            headerCount:i32 { nameLength:u16 name valueLength:i32 value }*
/// crc     := CRC-32C of body
/// ```
/// The offset lives inside the checksummed body, so a record can never be served under a wrong offset.
public enum LogRecordFrame {
    /// Bytes before the body: length and CRC.
    public static let prefixSize = 8
    /// The smallest body: offset, timestamp, key and value lengths, header count.
    public static let minimumBodySize = 28

    /// The encoded size of `record`'s frame.
    @inlinable
    public static func frameSize(of record: StreamRecord) -> Int {
        var size = prefixSize + minimumBodySize + (record.key?.count ?? 0) + (record.value?.count ?? 0)
        for header in record.headers { size += 6 + header.name.utf8.count + (header.value?.count ?? 0) }
        return size
    }

    /// The bytes a record contributes to the `maxRecordBytes` limit: key, value and headers.
    @inlinable
    public static func payloadSize(of record: StreamRecord) -> Int {
        frameSize(of: record) - prefixSize - minimumBodySize
    }

    /// Encodes `record` with `offset` at `pointer`, which must have `frameSize(of:)` bytes of room.
    /// Returns the number of bytes written.
    public static func encode(_ record: StreamRecord, offset: Int64, at pointer: UnsafeMutableRawPointer) -> Int {
        var p = pointer + prefixSize
        @inline(__always) func put<T: FixedWidthInteger>(_ v: T) {
            p.storeBytes(of: v.bigEndian, as: T.self)
            p += MemoryLayout<T>.size
        }
        @inline(__always) func put(bytes: [UInt8]?) {
            guard let bytes else { put(Int32(-1)); return }
            put(Int32(bytes.count))
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { p.copyMemory(from: base, byteCount: raw.count) }
            }
            p += bytes.count
        }
        put(offset)
        put(record.timestamp)
        put(bytes: record.key)
        put(bytes: record.value)
        put(Int32(record.headers.count))
        for header in record.headers {
            var name = header.name
            name.withUTF8 { utf8 in
                put(UInt16(utf8.count))
                if let base = utf8.baseAddress { p.copyMemory(from: base, byteCount: utf8.count) }
                p += utf8.count
            }
            put(bytes: header.value)
        }
        let total = p - pointer
        let body = UnsafeRawBufferPointer(start: pointer + prefixSize, count: total - prefixSize)
        pointer.storeBytes(of: UInt32(total - 4).bigEndian, as: UInt32.self)
        pointer.storeBytes(of: CRC32C.checksum(body).bigEndian, toByteOffset: 4, as: UInt32.self)
        return total
    }

    /// Encodes a batch of records with consecutive offsets from `baseOffset` into one buffer, and reports the
    /// position of each frame within it.
    public static func encodeBatch(_ records: [StreamRecord], baseOffset: Int64) -> (bytes: [UInt8], positions: [Int]) {
        var total = 0
        for record in records { total += frameSize(of: record) }
        var positions = [Int]()
        positions.reserveCapacity(records.count)
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            var at = 0
            for (i, record) in records.enumerated() {
                positions.append(at)
                at += encode(record, offset: baseOffset + Int64(i), at: base + at)
            }
            count = at
        }
        return (bytes, positions)
    }

    /// The result of looking at the bytes where a frame should start.
    public enum Inspection {
        /// A whole frame whose checksum and structure are valid.
        case record(LogRecordView, frameSize: Int)
        /// Fewer bytes than the frame needs: `needed` in all (a torn tail, or read more).
        case incomplete(needed: Int)
        /// The frame is whole but its checksum or structure is wrong.
        case corrupt(frameSize: Int?, detail: String)
    }

    /// Examines the frame at the start of `bytes`, verifying its CRC-32C and structure.
    /// `maxFrameSize` bounds the length field, so a damaged length is reported rather than trusted.
    public static func inspect(_ bytes: UnsafeRawBufferPointer, maxFrameSize: Int) -> Inspection {
        guard bytes.count >= prefixSize else { return .incomplete(needed: prefixSize) }
        let length = Int(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        guard length >= 4 + minimumBodySize, length + 4 <= maxFrameSize else {
            return .corrupt(frameSize: nil, detail: "frame length \(length) is outside 32...\(maxFrameSize - 4)")
        }
        let frameSize = length + 4
        guard bytes.count >= frameSize else { return .incomplete(needed: frameSize) }
        let stored = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let body = UnsafeRawBufferPointer(rebasing: bytes[prefixSize..<frameSize])
        let computed = CRC32C.checksum(body)
        guard stored == computed else {
            return .corrupt(
                frameSize: frameSize,
                detail: "CRC-32C mismatch: stored \(hex(stored)), computed \(hex(computed))")
        }
        do {
            return .record(try LogRecordView(body: body), frameSize: frameSize)
        } catch {
            return .corrupt(frameSize: frameSize, detail: "malformed body: \(error)")
        }
    }

    static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A record inside a segment buffer, read in place (no copies until asked for).
public struct LogRecordView {
    /// The record's offset in its partition.
    public let offset: Int64
    /// Creation time in milliseconds since the Unix epoch.
    public let timestamp: Int64
    /// The key bytes, nil for a null key. Valid only while the buffer it was read from is.
    public let key: UnsafeRawBufferPointer?
    /// The value bytes, nil for a null value.
    public let value: UnsafeRawBufferPointer?
    /// Number of headers.
    public let headerCount: Int
    let headerBytes: UnsafeRawBufferPointer

    init(body: UnsafeRawBufferPointer) throws(ByteCodingError) {
        // The frame's length and CRC were checked by `inspect`; every length read here is still bounds-checked.
        let count = body.count
        guard count >= LogRecordFrame.minimumBodySize else {
            throw .truncated(offset: 0, needed: LogRecordFrame.minimumBodySize, available: count)
        }
        offset = Int64(bigEndian: body.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        timestamp = Int64(bigEndian: body.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        var at = 16
        @inline(__always) func nullable(_ at: inout Int) throws(ByteCodingError) -> UnsafeRawBufferPointer? {
            guard at + 4 <= count else { throw .truncated(offset: at, needed: 4, available: count - at) }
            let length = Int(Int32(bigEndian: body.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            at += 4
            if length == -1 { return nil }
            guard length >= 0, length <= count - at else {
                throw .lengthOutOfRange(offset: at - 4, length: length, maximum: count - at)
            }
            defer { at += length }
            return UnsafeRawBufferPointer(rebasing: body[at..<(at + length)])
        }
        key = try nullable(&at)
        value = try nullable(&at)
        guard at + 4 <= count else { throw .truncated(offset: at, needed: 4, available: count - at) }
        let headers = Int(Int32(bigEndian: body.loadUnaligned(fromByteOffset: at, as: Int32.self)))
        at += 4
        guard headers >= 0, headers <= count else { throw .lengthOutOfRange(offset: at - 4, length: headers, maximum: count) }
        headerCount = headers
        let start = at
        if headers > 0 {
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: body[at...]), baseOffset: at)
            for _ in 0..<headers {
                let nameLength = Int(try reader.readBigEndian(UInt16.self))
                try reader.skip(nameLength)
                _ = try Self.readNullable(&reader)
            }
            at += reader.position
        }
        headerBytes = UnsafeRawBufferPointer(rebasing: body[start..<at])
        guard at == count else {
            throw .lengthOutOfRange(offset: at, length: count - at, maximum: 0)
        }
    }

    @inline(__always)
    static func readNullable(_ reader: inout ByteReader) throws(ByteCodingError) -> UnsafeRawBufferPointer? {
        let at = reader.absoluteOffset
        let length = try reader.readBigEndian(Int32.self)
        if length == -1 { return nil }
        guard length >= 0 else { throw .lengthOutOfRange(offset: at, length: Int(length), maximum: reader.remaining) }
        return try reader.readBytes(Int(length))
    }

    /// The headers, copied out in order.
    public func headers() -> [RecordHeader] {
        guard headerCount > 0 else { return [] }
        var reader = ByteReader(headerBytes)
        var result: [RecordHeader] = []
        result.reserveCapacity(headerCount)
        // The structure was validated when the view was made, so these reads cannot fail.
        for _ in 0..<headerCount {
            do {
                let nameLength = try reader.readBigEndian(UInt16.self)
                let name = try reader.readBytes(Int(nameLength))
                let value: [UInt8]? = try Self.readNullable(&reader).map { Array($0) }
                result.append(RecordHeader(name: String(decoding: name, as: UTF8.self), value: value))
            } catch {
                break
            }
        }
        return result
    }

    /// The record, copied out of the buffer.
    public func materialize() -> StreamRecord {
        StreamRecord(
            key: key.map { Array($0) }, value: value.map { Array($0) }, headers: headers(), timestamp: timestamp)
    }
}
