/// A consuming cursor over borrowed bytes.
///
/// `read*` consumes, `peek*` does not. The reader never copies: `readBytes` hands back a slice view of the
/// same memory. The memory must outlive the reader (make it inside `withUnsafeBytes`).
public struct ByteReader {
    /// The bytes being read.
    public let buffer: UnsafeRawBufferPointer
    @usableFromInline var cursor: Int
    /// Offset of the next unread byte, from the start of `buffer`.
    @inlinable public var position: Int { cursor }
    /// Added to `position` in error reports, so a reader over a slice reports offsets in the whole input.
    public let baseOffset: Int

    /// A reader over `buffer`, starting at its first byte.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer, baseOffset: Int = 0) {
        self.buffer = buffer
        self.cursor = 0
        self.baseOffset = baseOffset
    }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { buffer.count - position }
    /// True when every byte has been read.
    @inlinable public var isAtEnd: Bool { position >= buffer.count }
    /// The offset of the next byte in the whole input (`baseOffset + position`).
    @inlinable public var absoluteOffset: Int { baseOffset + position }

    @inlinable
    func require(_ count: Int) throws(ByteCodingError) {
        guard count >= 0, count <= buffer.count - position else {
            throw .truncated(offset: baseOffset + position, needed: count, available: buffer.count - position)
        }
    }

    /// Reads a big-endian integer of `T`'s width.
    @inlinable
    public mutating func readBigEndian<T: FixedWidthInteger>(_: T.Type = T.self) throws(ByteCodingError) -> T {
        let value: T = try peekBigEndian()
        cursor &+= MemoryLayout<T>.size
        return value
    }

    /// Reads a little-endian integer of `T`'s width.
    @inlinable
    public mutating func readLittleEndian<T: FixedWidthInteger>(_: T.Type = T.self) throws(ByteCodingError) -> T {
        try require(MemoryLayout<T>.size)
        let value = T(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: T.self))
        cursor &+= MemoryLayout<T>.size
        return value
    }

    /// Reads a big-endian integer without consuming it.
    @inlinable
    public func peekBigEndian<T: FixedWidthInteger>(_: T.Type = T.self) throws(ByteCodingError) -> T {
        try require(MemoryLayout<T>.size)
        return T(bigEndian: buffer.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// Reads one byte.
    @inlinable
    public mutating func readByte() throws(ByteCodingError) -> UInt8 {
        try require(1)
        let value = buffer[position]
        cursor &+= 1
        return value
    }

    /// Returns the next byte without consuming it, or nil at the end.
    @inlinable
    public func peekByte() -> UInt8? { isAtEnd ? nil : buffer[position] }

    /// Consumes `count` bytes and returns a view of them (no copy).
    @inlinable
    public mutating func readBytes(_ count: Int) throws(ByteCodingError) -> UnsafeRawBufferPointer {
        try require(count)
        let slice = UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)])
        cursor &+= count
        return slice
    }

    /// Consumes `count` bytes and returns a reader bounded to them, reporting offsets in the whole input.
    @inlinable
    public mutating func readSlice(_ count: Int) throws(ByteCodingError) -> ByteReader {
        let start = absoluteOffset
        return ByteReader(try readBytes(count), baseOffset: start)
    }

    /// Skips `count` bytes.
    @inlinable
    public mutating func skip(_ count: Int) throws(ByteCodingError) {
        try require(count)
        cursor &+= count
    }

    /// Reads a length that must lie in `0...maximum`, for sizing what follows.
    @inlinable
    public mutating func readLength<T: FixedWidthInteger>(
        bigEndian _: T.Type, maximum: Int
    ) throws(ByteCodingError) -> Int {
        let at = absoluteOffset
        let raw: T = try readBigEndian()
        guard raw >= 0, let value = Int(exactly: raw), value <= maximum else {
            throw .lengthOutOfRange(offset: at, length: Int(truncatingIfNeeded: raw), maximum: maximum)
        }
        return value
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes (Kafka, protobuf).
    @inlinable
    public mutating func readUnsignedVarint() throws(ByteCodingError) -> UInt64 {
        let start = absoluteOffset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformedVarint(offset: start) }
        }
    }

    /// Reads a zig-zag encoded signed varint.
    @inlinable
    public mutating func readSignedVarint() throws(ByteCodingError) -> Int64 {
        let raw = try readUnsignedVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}
