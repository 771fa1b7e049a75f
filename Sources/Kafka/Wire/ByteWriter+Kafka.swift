public import ByteCoding

/// Kafka's primitive types (protocol guide, "Protocol Primitive Types"), written to a ``ByteWriter``.
/// `flexible` selects the compact encodings of flexible versions (KIP-482).
extension ByteWriter {
    /// INT8.
    @inlinable public mutating func writeInt8(_ value: Int8) { writeByte(UInt8(bitPattern: value)) }
    /// INT16.
    @inlinable public mutating func writeInt16(_ value: Int16) { writeBigEndian(value) }
    /// INT32.
    @inlinable public mutating func writeInt32(_ value: Int32) { writeBigEndian(value) }
    /// INT64.
    @inlinable public mutating func writeInt64(_ value: Int64) { writeBigEndian(value) }
    /// BOOLEAN.
    @inlinable public mutating func writeBool(_ value: Bool) { writeByte(value ? 1 : 0) }

    /// STRING / COMPACT_STRING.
    public mutating func writeString(_ value: String, flexible: Bool) {
        let count = value.utf8.count
        if flexible { writeUnsignedVarint(UInt64(count) + 1) } else { writeInt16(Int16(truncatingIfNeeded: count)) }
        writeUTF8(value)
    }

    /// NULLABLE_STRING / COMPACT_NULLABLE_STRING.
    public mutating func writeNullableString(_ value: String?, flexible: Bool) {
        guard let value else {
            if flexible { writeUnsignedVarint(0) } else { writeInt16(-1) }
            return
        }
        writeString(value, flexible: flexible)
    }

    /// NULLABLE_BYTES (INT32 length) / COMPACT_NULLABLE_BYTES.
    public mutating func writeNullableBytes(_ value: [UInt8]?, flexible: Bool) {
        guard let value else {
            if flexible { writeUnsignedVarint(0) } else { writeInt32(-1) }
            return
        }
        if flexible { writeUnsignedVarint(UInt64(value.count) + 1) } else { writeInt32(Int32(truncatingIfNeeded: value.count)) }
        writeBytes(value)
    }

    /// An ARRAY / COMPACT_ARRAY element count (nil: a null array).
    public mutating func writeArrayCount(_ count: Int?, flexible: Bool) {
        guard let count else {
            if flexible { writeUnsignedVarint(0) } else { writeInt32(-1) }
            return
        }
        if flexible { writeUnsignedVarint(UInt64(count) + 1) } else { writeInt32(Int32(truncatingIfNeeded: count)) }
    }

    /// An empty TAGGED_FIELDS section, written only when `flexible`.
    @inlinable public mutating func writeEmptyTaggedFields(flexible: Bool = true) {
        if flexible { writeByte(0) }
    }

    /// An INT32 array.
    mutating func writeInt32Array(_ values: [Int32], flexible: Bool) {
        writeArrayCount(values.count, flexible: flexible)
        for value in values { writeInt32(value) }
    }
}
