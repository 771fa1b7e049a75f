public import ByteCoding

/// Ferry's MQ frame file: a stream of whole MQ frames (MQMD, headers, data), each preceded by its length.
///
/// ```
/// file   = header frame*
/// header = "FERRYMQF" (8 ASCII bytes)  version: UInt16 BE = 1  flags: UInt16 BE = 0  reserved: UInt32 = 0
/// frame  = length: UInt32 BE (1 … 104857600, MQ's largest message)  bytes[length]
/// ```
/// The file ends after a complete frame; anything else at the end is an error. See `Sources/MQ/README.md`.
public enum MQFrameFile {
    /// The 8 magic bytes, `FERRYMQF`.
    public static let magic: [UInt8] = Array("FERRYMQF".utf8)
    /// The format version written and read.
    public static let version: UInt16 = 1
    /// The header's length: 16 bytes.
    public static let headerLength = 16
    /// The largest frame accepted by default: 104,857,600 bytes (100 MiB, MQ's `MAXMSGL` limit).
    public static let maximumFrameLength = 104_857_600

    /// The 16-byte file header.
    public static var header: [UInt8] {
        var writer = ByteWriter(capacity: headerLength)
        writer.writeBytes(magic)
        writer.writeBigEndian(version)
        writer.writeBigEndian(UInt16(0))
        writer.writeBigEndian(UInt32(0))
        return writer.bytes
    }

    /// Appends one frame record (length and bytes).
    public static func append(frame: some Collection<UInt8>, to writer: inout ByteWriter) {
        writer.writeBigEndian(UInt32(truncatingIfNeeded: frame.count))
        writer.writeBytes(frame)
    }
}

/// Reads an MQ frame file incrementally, in constant memory: feed bytes with ``append(_:)`` as they arrive and
/// take frames with ``nextFrame()`` (nil means "need more bytes"); call ``finish()`` at the end of the input.
public struct MQFrameFileDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var headerDone = false
    /// File offset of `buffer[start]`.
    private var consumed = 0
    /// The largest frame accepted. Default: ``MQFrameFile/maximumFrameLength``.
    public var maximumFrameLength: Int
    /// Frames returned so far.
    public private(set) var frameCount = 0
    /// Bytes held but not yet returned: at most one partial frame and one appended chunk beyond what was consumed.
    public var bufferedByteCount: Int { buffer.count - start }
    /// Bytes the decoder's buffer holds, consumed ones included (they are dropped once they are half of it).
    public var bufferCapacityInUse: Int { buffer.count }
    /// File offset of the last frame returned (of its first byte, after the length).
    public private(set) var lastFrameOffset = 0

    /// A decoder accepting frames up to `maximumFrameLength` bytes.
    public init(maximumFrameLength: Int = MQFrameFile.maximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Adds input bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds input bytes.
    public mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// The next whole frame, or nil when more input is needed. Throws ``MQError/Reason/badFrameFile`` for a wrong
    /// header or a frame length of 0 or above ``maximumFrameLength``.
    public mutating func nextFrame() throws(MQError) -> [UInt8]? {
        if !headerDone {
            guard buffer.count - start >= MQFrameFile.headerLength else { return nil }
            let header = buffer[start..<(start + MQFrameFile.headerLength)]
            guard header.prefix(8).elementsEqual(MQFrameFile.magic) else {
                throw MQError(
                    .badFrameFile, offset: consumed, header: "frame file", field: "magic", expected: "\"FERRYMQF\"",
                    found: HexDump.pairs(header.prefix(8)))
            }
            let version = UInt16(header[start + 8]) << 8 | UInt16(header[start + 9])
            guard version == MQFrameFile.version else {
                throw MQError(.badFrameFile, offset: consumed + 8, header: "frame file", field: "version", expected: "1", found: String(version))
            }
            let flags = UInt16(header[start + 10]) << 8 | UInt16(header[start + 11])
            guard flags == 0 else {
                throw MQError(.badFrameFile, offset: consumed + 10, header: "frame file", field: "flags", expected: "0", found: String(flags))
            }
            advance(MQFrameFile.headerLength)
            headerDone = true
        }
        guard buffer.count - start >= 4 else { return nil }
        let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length >= 1, length <= maximumFrameLength else {
            throw MQError(
                .badFrameFile, offset: consumed, header: "frame file", field: "frame length",
                expected: "1 to \(maximumFrameLength)", found: String(length))
        }
        guard buffer.count - start - 4 >= length else { return nil }
        let frame = Array(buffer[(start + 4)..<(start + 4 + length)])
        lastFrameOffset = consumed + 4
        advance(4 + length)
        frameCount += 1
        return frame
    }

    /// Checks that the input ended cleanly: a header was read and no partial frame is left.
    public func finish() throws(MQError) {
        let left = buffer.count - start
        if !headerDone {
            throw .truncated("frame file", field: "header", at: consumed, needed: MQFrameFile.headerLength, available: left)
        }
        guard left == 0 else {
            var needed = 4
            if left >= 4 {
                needed = 4 + (Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3]))
            }
            throw .truncated("frame file", field: "frame \(frameCount + 1)", at: consumed, needed: needed, available: left)
        }
    }

    private mutating func advance(_ count: Int) {
        start += count
        consumed += count
    }
}
