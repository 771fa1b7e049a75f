/// An appending byte buffer.
///
/// `write*` appends, `set*(at:)` patches bytes already written (for lengths and checksums known only later).
public struct ByteWriter: Sendable {
    @usableFromInline var storage: [UInt8]
    /// The bytes written so far.
    @inlinable public var bytes: [UInt8] { storage }

    /// An empty writer with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 256) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// Bytes written so far.
    @inlinable public var count: Int { storage.count }

    /// Forgets what was written, keeping the capacity.
    @inlinable public mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    /// Appends `value` big-endian.
    @inlinable
    public mutating func writeBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { storage.append(contentsOf: $0) }
    }

    /// Appends `value` little-endian.
    @inlinable
    public mutating func writeLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { storage.append(contentsOf: $0) }
    }

    /// Appends one byte.
    @inlinable
    public mutating func writeByte(_ byte: UInt8) { storage.append(byte) }

    /// Appends raw bytes.
    @inlinable
    public mutating func writeBytes(_ source: UnsafeRawBufferPointer) { storage.append(contentsOf: source) }

    /// Appends raw bytes.
    @inlinable
    public mutating func writeBytes(_ source: some Sequence<UInt8>) { storage.append(contentsOf: source) }

    /// Appends a string's UTF-8 bytes (no terminator, no length).
    @inlinable
    public mutating func writeUTF8(_ string: String) {
        var string = string
        string.withUTF8 { storage.append(contentsOf: $0) }
    }

    /// Appends an unsigned LEB128 varint.
    @inlinable
    public mutating func writeUnsignedVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        storage.append(UInt8(v))
    }

    /// Appends a zig-zag encoded signed varint.
    @inlinable
    public mutating func writeSignedVarint(_ value: Int64) {
        writeUnsignedVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Overwrites `T`'s width of bytes at `offset` with `value` big-endian.
    @inlinable
    public mutating func setBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= storage.count, "setBigEndian out of range")
        storage.withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self) }
    }

    /// Runs `body` over the bytes written so far.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }
}
