import ByteCoding
import Testing

@Suite struct ByteReaderTests {
    @Test func readsIntegersAndLeavesTheRest() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0xAA]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(try reader.readBigEndian(UInt16.self) == 0x0001)
            #expect(try reader.readLittleEndian(UInt32.self) == 0x0504_0302)
            #expect(reader.remaining == 1)
            #expect(reader.peekByte() == 0xAA)
        }
    }

    @Test func truncatedReadNamesOffsetAndConsumesNothing() throws {
        let bytes: [UInt8] = [1, 2, 3]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw, baseOffset: 100)
            _ = try? reader.readByte()
            #expect(throws: ByteCodingError.truncated(offset: 101, needed: 4, available: 2)) {
                try reader.readBigEndian(UInt32.self)
            }
            #expect(reader.position == 1)
        }
    }

    @Test func lengthAboveMaximumIsRejected() throws {
        let bytes: [UInt8] = [0x00, 0x00, 0x10, 0x00]
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(throws: ByteCodingError.lengthOutOfRange(offset: 0, length: 4096, maximum: 1024)) {
                try reader.readLength(bigEndian: Int32.self, maximum: 1024)
            }
        }
    }

    @Test(arguments: [Int64(0), 1, -1, 63, -64, 64, 300, Int64.max, Int64.min])
    func varintRoundTrip(value: Int64) throws {
        var writer = ByteWriter()
        writer.writeSignedVarint(value)
        writer.writeByte(0x7E)
        try writer.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(try reader.readSignedVarint() == value)
            #expect(try reader.readByte() == 0x7E)
            #expect(reader.isAtEnd)
        }
    }

    @Test func overlongVarintIsMalformed() throws {
        let bytes = [UInt8](repeating: 0xFF, count: 11)
        try bytes.withUnsafeBytes { (raw) throws in
            var reader = ByteReader(raw)
            #expect(throws: ByteCodingError.malformedVarint(offset: 0)) { try reader.readUnsignedVarint() }
        }
    }
}
