public import ByteCoding

/// Kafka's primitive types (protocol guide, "Protocol Primitive Types"), read from a ``ByteReader``.
///
/// `flexible` selects the compact encodings of flexible versions (KIP-482): unsigned-varint lengths stored
/// plus one, 0 meaning null. Every length is checked against the bytes left before anything is allocated.
extension ByteReader {
    /// INT8.
    @inlinable public mutating func readInt8() throws(ByteCodingError) -> Int8 { Int8(bitPattern: try readByte()) }
    /// INT16.
    @inlinable public mutating func readInt16() throws(ByteCodingError) -> Int16 { try readBigEndian() }
    /// INT32.
    @inlinable public mutating func readInt32() throws(ByteCodingError) -> Int32 { try readBigEndian() }
    /// INT64.
    @inlinable public mutating func readInt64() throws(ByteCodingError) -> Int64 { try readBigEndian() }
    /// BOOLEAN: 0 false, anything else true.
    @inlinable public mutating func readBool() throws(ByteCodingError) -> Bool { try readByte() != 0 }

    /// UNSIGNED_VARINT as a non-negative `Int`, at most `maximum`.
    public mutating func readUnsignedVarintLength(maximum: Int) throws(ByteCodingError) -> Int {
        let at = absoluteOffset
        let raw = try readUnsignedVarint()
        guard raw <= UInt64(maximum) else {
            throw .lengthOutOfRange(offset: at, length: Int(truncatingIfNeeded: raw), maximum: maximum)
        }
        return Int(raw)
    }

    /// A length prefix: INT16 (`-1` null) or, when flexible, UNSIGNED_VARINT minus one. Nil for null; the
    /// length is at most the bytes left.
    mutating func readStringLength(flexible: Bool) throws(ByteCodingError) -> Int? {
        if flexible {
            let n = try readUnsignedVarintLength(maximum: remaining + 1)
            return n == 0 ? nil : n - 1
        }
        let at = absoluteOffset
        let n: Int16 = try readBigEndian()
        if n == -1 { return nil }
        guard n >= 0, Int(n) <= remaining else {
            throw .lengthOutOfRange(offset: at, length: Int(n), maximum: remaining)
        }
        return Int(n)
    }

    /// NULLABLE_STRING / COMPACT_NULLABLE_STRING.
    public mutating func readNullableString(flexible: Bool) throws(ByteCodingError) -> String? {
        guard let count = try readStringLength(flexible: flexible) else { return nil }
        return String(decoding: try readBytes(count), as: UTF8.self)
    }

    /// STRING / COMPACT_STRING; a null read where a string is required is an error.
    public mutating func readString(flexible: Bool) throws(ByteCodingError) -> String {
        let at = absoluteOffset
        guard let value = try readNullableString(flexible: flexible) else {
            throw .lengthOutOfRange(offset: at, length: -1, maximum: remaining)
        }
        return value
    }

    /// NULLABLE_BYTES (INT32 length) / COMPACT_NULLABLE_BYTES, copied out.
    public mutating func readNullableBytes(flexible: Bool) throws(ByteCodingError) -> [UInt8]? {
        try readNullableBytesView(flexible: flexible).map { Array($0) }
    }

    /// NULLABLE_BYTES (INT32 length) / COMPACT_NULLABLE_BYTES as a view into the reader's buffer (valid while
    /// the buffer is); nil for null.
    public mutating func readNullableBytesView(flexible: Bool) throws(ByteCodingError) -> UnsafeRawBufferPointer? {
        let count: Int
        if flexible {
            let n = try readUnsignedVarintLength(maximum: remaining + 1)
            if n == 0 { return nil }
            count = n - 1
        } else {
            let at = absoluteOffset
            let n: Int32 = try readBigEndian()
            if n == -1 { return nil }
            guard n >= 0, Int(n) <= remaining else {
                throw .lengthOutOfRange(offset: at, length: Int(n), maximum: remaining)
            }
            count = Int(n)
        }
        return try readBytes(count)
    }

    /// An ARRAY / COMPACT_ARRAY element count; nil for a null array. The count is bounded by the bytes left
    /// divided by `minimumElementSize`, so a forged count cannot make the caller allocate.
    public mutating func readArrayCount(flexible: Bool, minimumElementSize: Int = 1) throws(ByteCodingError)
        -> Int?
    {
        let limit = remaining / max(minimumElementSize, 1)
        if flexible {
            let n = try readUnsignedVarintLength(maximum: limit + 1)
            return n == 0 ? nil : n - 1
        }
        let at = absoluteOffset
        let n: Int32 = try readBigEndian()
        if n == -1 { return nil }
        guard n >= 0, Int(n) <= limit else { throw .lengthOutOfRange(offset: at, length: Int(n), maximum: limit) }
        return Int(n)
    }

    /// An array count where null is read as empty.
    public mutating func readArrayCountOrZero(flexible: Bool, minimumElementSize: Int = 1) throws(ByteCodingError)
        -> Int
    {
        try readArrayCount(flexible: flexible, minimumElementSize: minimumElementSize) ?? 0
    }

    /// Skips a TAGGED_FIELDS section (count, then tag, size and bytes per field) of a flexible version.
    public mutating func skipTaggedFields() throws(ByteCodingError) {
        let count = try readUnsignedVarintLength(maximum: remaining)
        for _ in 0..<count {
            _ = try readUnsignedVarint()
            let size = try readUnsignedVarintLength(maximum: remaining)
            try skip(size)
        }
    }

    /// UUID: 16 bytes.
    public mutating func readUUID() throws(ByteCodingError) -> [UInt8] { Array(try readBytes(16)) }

    /// An INT32 array (ARRAY/COMPACT_ARRAY of INT32), null read as empty.
    mutating func readInt32Array(flexible: Bool) throws(ByteCodingError) -> [Int32] {
        let count = try readArrayCountOrZero(flexible: flexible, minimumElementSize: 4)
        var values: [Int32] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try readInt32()) }
        return values
    }
}
