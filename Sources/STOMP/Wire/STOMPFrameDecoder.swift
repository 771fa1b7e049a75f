/// Why bytes are not an acceptable STOMP frame. Offsets count from the start of the stream.
public enum STOMPWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame (headers plus body) would pass the configured maximum.
    case frameTooLarge(offset: Int, size: Int, maximum: Int)
    /// A header line without a colon, a bad escape, an empty command, a bad content-length, or bytes
    /// after a content-length body that are not the NUL.
    case malformed(offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .frameTooLarge(offset, size, maximum):
            "STOMP frame at byte \(offset) is \(size) bytes or more, over the maximum of \(maximum)"
        case let .malformed(offset, reason): "malformed STOMP frame at byte \(offset): \(reason)"
        }
    }
}

/// An incremental STOMP 1.2 frame decoder.
///
/// Append bytes as they arrive with ``append(_:)`` and call ``nextFrame()`` until it returns nil
/// ("need more bytes"; nothing is consumed). Heart-beat EOLs between frames are skipped and counted in
/// ``heartBeats``. A frame is limited to ``maximumFrameBytes`` (command, headers and body): a
/// `content-length` above it, or that many bytes without the end of the frame, throws at once, before
/// anything is buffered beyond the limit. After a throw the stream is unusable (STOMP has no resync).
public struct STOMPFrameDecoder: Sendable {
    /// The largest frame accepted, in bytes.
    public let maximumFrameBytes: Int
    /// Heart-beat EOLs seen between frames so far.
    public private(set) var heartBeats = 0
    private var buffer: [UInt8] = []
    private var start = 0
    /// Offset of `buffer[0]` in the stream.
    private var consumedBefore = 0
    /// How far the current frame has been searched for its header end already.
    private var scanned = 0

    /// A decoder refusing frames over `maximumFrameBytes` (default 16 MiB).
    public init(maximumFrameBytes: Int = 16 << 20) {
        self.maximumFrameBytes = maximumFrameBytes
    }

    /// Bytes waiting to be decoded.
    public var bufferedBytes: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            consumedBefore += start
            scanned = max(0, scanned - start)
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes from raw memory.
    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        append(raw.bindMemory(to: UInt8.self))
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func nextFrame() throws(STOMPWireError) -> STOMPFrame? {
        // Heart-beats: EOLs between frames.
        while start < buffer.count, buffer[start] == 0x0A || buffer[start] == 0x0D {
            if buffer[start] == 0x0A { heartBeats += 1 }
            start += 1
            scanned = start
        }
        guard start < buffer.count else { return nil }
        let frameOffset = consumedBefore + start
        // Find the empty line that ends the headers.
        var headerEnd: Int? = nil  // index of the first body byte
        var index = max(scanned, start)
        while index < buffer.count {
            if buffer[index] == 0x0A {
                let next = index + 1
                if next < buffer.count && buffer[next] == 0x0A {
                    headerEnd = next + 1
                    break
                }
                if next + 1 < buffer.count && buffer[next] == 0x0D && buffer[next + 1] == 0x0A {
                    headerEnd = next + 2
                    break
                }
                if next >= buffer.count || (buffer[next] == 0x0D && next + 1 >= buffer.count) { break }
            }
            index += 1
        }
        guard let bodyStart = headerEnd else {
            scanned = max(start, index)
            if buffer.count - start > maximumFrameBytes {
                throw .frameTooLarge(offset: frameOffset, size: buffer.count - start, maximum: maximumFrameBytes)
            }
            return nil
        }
        guard bodyStart - start <= maximumFrameBytes else {
            throw .frameTooLarge(offset: frameOffset, size: bodyStart - start, maximum: maximumFrameBytes)
        }
        let head = start
        let parsed = buffer.withUnsafeBytes { raw in
            Result { () throws(STOMPWireError) in try Self.parseHead(raw[head..<bodyStart], streamOffset: frameOffset) }
        }
        var frame: STOMPFrame
        let length: Int?
        (frame, length) = try parsed.get()
        let bodyEnd: Int
        if let length {
            guard bodyStart - start + length < maximumFrameBytes else {
                throw .frameTooLarge(
                    offset: frameOffset, size: bodyStart - start + length + 1, maximum: maximumFrameBytes)
            }
            guard buffer.count > bodyStart + length else {
                scanned = start
                return nil
            }
            guard buffer[bodyStart + length] == 0 else {
                throw .malformed(
                    offset: consumedBefore + bodyStart + length, reason: "no NUL after content-length \(length)")
            }
            bodyEnd = bodyStart + length
        } else {
            guard let nul = buffer[bodyStart...].firstIndex(of: 0) else {
                if buffer.count - start > maximumFrameBytes {
                    throw .frameTooLarge(offset: frameOffset, size: buffer.count - start, maximum: maximumFrameBytes)
                }
                scanned = start
                return nil
            }
            guard nul - start < maximumFrameBytes else {
                throw .frameTooLarge(offset: frameOffset, size: nul - start + 1, maximum: maximumFrameBytes)
            }
            bodyEnd = nul
        }
        frame.body = Array(buffer[bodyStart..<bodyEnd])
        start = bodyEnd + 1
        scanned = start
        if start == buffer.count {
            consumedBefore += start
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        }
        return frame
    }

    /// Parses the command and header lines (`head` ends with the empty line).
    private static func parseHead(_ head: UnsafeRawBufferPointer.SubSequence, streamOffset: Int)
        throws(STOMPWireError) -> (frame: STOMPFrame, length: Int?)
    {
        var lines: [UnsafeRawBufferPointer.SubSequence] = []
        var lineStart = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == 0x0A {
                var lineEnd = index
                if lineEnd > lineStart && head[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                lines.append(head[lineStart..<lineEnd])
                lineStart = index + 1
            }
            index += 1
        }
        // The last line is the empty one ending the headers.
        if lines.last?.isEmpty == true { lines.removeLast() }
        let base = streamOffset - head.startIndex
        guard let commandLine = lines.first, !commandLine.isEmpty else {
            throw .malformed(offset: streamOffset, reason: "empty command")
        }
        let command = String(decoding: commandLine, as: UTF8.self)
        let escapes = STOMPFrame.escapesHeaders(command)
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        var length: Int? = nil
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .malformed(offset: base + line.startIndex, reason: "header line without ':'")
            }
            let nameBytes = line[line.startIndex..<colon]
            let valueBytes = line[(colon + 1)..<line.endIndex]
            let name: String
            let value: String
            if escapes {
                guard let n = STOMPHeaderEscaping.unescape(nameBytes), let v = STOMPHeaderEscaping.unescape(valueBytes)
                else { throw .malformed(offset: base + line.startIndex, reason: "undefined escape sequence in a header") }
                name = n
                value = v
            } else {
                name = String(decoding: nameBytes, as: UTF8.self)
                value = String(decoding: valueBytes, as: UTF8.self)
            }
            if name == "content-length" && length == nil && !headers.contains(where: { $0.name == name }) {
                guard let parsed = Int(value), parsed >= 0 else {
                    throw .malformed(offset: base + line.startIndex, reason: "content-length is not a byte count")
                }
                length = parsed
            }
            headers.append((name, value))
        }
        return (STOMPFrame(command: command, headers: headers), length)
    }
}
