import ByteCoding

/// One segment file of a partition: `<20-digit base offset>.log`, with a sparse offset index beside it
/// (`.index`: entries of relative offset u32 and file position u32, big-endian, one per `indexIntervalBytes`).
struct LogSegment: Sendable {
    /// The segment file header: magic and format version.
    static let magic: [UInt8] = Array("FERRYLOG".utf8) + [0, 0, 0, 1] + [0, 0, 0, 0]
    static var headerSize: Int { magic.count }

    /// One index entry.
    struct IndexEntry: Sendable, Equatable {
        var relativeOffset: UInt32
        var position: UInt32
    }

    var baseOffset: Int64
    var logPath: String
    var indexPath: String
    /// Bytes of whole, valid frames plus the header: where the next frame goes.
    var size: Int64
    /// The offset after this segment's last record.
    var nextOffset: Int64
    var index: [IndexEntry]
    /// Positions of frames found corrupt (CRC or structure), with what was wrong; reads fail on them.
    var corrupt: [Int64: String] = [:]

    static func fileName(baseOffset: Int64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func parseBaseOffset(fileName: String) -> Int64? {
        guard fileName.hasSuffix(".log") else { return nil }
        let stem = fileName.dropLast(4)
        guard stem.count == 20, stem.allSatisfy(\.isASCII), stem.allSatisfy(\.isNumber) else { return nil }
        return Int64(stem)
    }

    /// The file position from which to scan for `offset`: the last index entry at or below it.
    func startPosition(for offset: Int64) -> Int64 {
        let relative = offset - baseOffset
        var low = 0
        var high = index.count - 1
        var best: Int64 = Int64(Self.headerSize)
        while low <= high {
            let mid = (low + high) / 2
            if Int64(index[mid].relativeOffset) <= relative {
                best = Int64(index[mid].position)
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        return best
    }

    func encodedIndex() -> [UInt8] {
        var writer = ByteWriter(capacity: index.count * 8)
        for entry in index {
            writer.writeBigEndian(entry.relativeOffset)
            writer.writeBigEndian(entry.position)
        }
        return writer.bytes
    }

    static func decodeIndex(_ bytes: [UInt8], segmentSize: Int64) -> [IndexEntry]? {
        guard bytes.count % 8 == 0 else { return nil }
        var entries: [IndexEntry] = []
        entries.reserveCapacity(bytes.count / 8)
        var ok = true
        bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            var last: IndexEntry?
            while !reader.isAtEnd {
                guard let rel = try? reader.readBigEndian(UInt32.self), let pos = try? reader.readBigEndian(UInt32.self)
                else { ok = false; return }
                let entry = IndexEntry(relativeOffset: rel, position: pos)
                if let last, entry.relativeOffset <= last.relativeOffset || entry.position <= last.position {
                    ok = false
                    return
                }
                if Int64(pos) < Int64(headerSize) || Int64(pos) >= segmentSize { ok = false; return }
                entries.append(entry)
                last = entry
            }
        }
        return ok ? entries : nil
    }
}

/// What scanning a segment's frames found.
struct SegmentScan {
    /// The position after the last whole frame (valid or corrupt-but-skippable).
    var end: Int64
    /// The offset after the last valid record.
    var nextOffset: Int64
    var index: [LogSegment.IndexEntry]
    var corrupt: [Int64: String]
    /// Bytes after `end` that do not form a whole frame: a torn tail.
    var tornBytes: Int64
    /// Why the tail was judged torn.
    var tornDetail: String?
}

/// Reads a segment's frames in chunks through a reusable buffer.
struct SegmentReader: ~Copyable {
    private var buffer: UnsafeMutableRawBufferPointer
    let maxFrameSize: Int

    init(maxFrameSize: Int, chunkSize: Int = 1 << 20) {
        self.maxFrameSize = maxFrameSize
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Walks frames of `fd` from `position` up to `end`, handing each frame's inspection to `body`, which returns
    /// false to stop. Returns the position after the last frame handed over.
    mutating func walk(
        _ fd: FileDescriptor, from position: Int64, to end: Int64,
        _ body: (_ position: Int64, _ inspection: LogRecordFrame.Inspection) throws(StreamLogError) -> Bool
    ) throws(StreamLogError) -> Int64 {
        var chunkStart = position
        var cursor = position
        while cursor < end {
            let wanted = Int(min(Int64(buffer.count), end - chunkStart))
            let got = try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: chunkStart)
            guard got > 0 else { break }  // the file is shorter than `end`: a reader racing a truncation
            var local = 0  // each chunk starts at `cursor`
            while local < got {
                let view = UnsafeRawBufferPointer(rebasing: buffer[local..<got])
                let inspection = LogRecordFrame.inspect(view, maxFrameSize: maxFrameSize)
                switch inspection {
                case let .incomplete(needed):
                    if chunkStart + Int64(got) >= end || got < wanted {
                        // At the end of what exists: hand the torn tail over and stop.
                        _ = try body(cursor, inspection)
                        return cursor
                    }
                    if needed > buffer.count {
                        let bigger = UnsafeMutableRawBufferPointer.allocate(
                            byteCount: max(needed, buffer.count * 2), alignment: 16)
                        buffer.deallocate()
                        buffer = bigger
                    }
                    local = got  // leave the inner loop and re-read from `cursor`
                    continue
                case let .record(_, frameSize):
                    guard try body(cursor, inspection) else { return cursor + Int64(frameSize) }
                    cursor += Int64(frameSize)
                    local += frameSize
                case .corrupt:
                    _ = try body(cursor, inspection)
                    return cursor
                }
            }
            chunkStart = cursor
        }
        return cursor
    }

    /// Scans every frame from `position`, validating CRCs and offset order, to find the valid end of a segment.
    ///
    /// A damaged frame followed by a valid one is corruption in place: it is recorded (reads fail on it) and
    /// takes its offset by position. An incomplete or damaged frame with nothing valid after it is the torn
    /// tail. A valid frame holding an unexpected offset means the files were tampered with: that throws.
    mutating func scan(
        _ fd: FileDescriptor, baseOffset: Int64, from position: Int64, expectedOffset: Int64,
        fileSize: Int64, indexIntervalBytes: Int, index: [LogSegment.IndexEntry]
    ) throws(StreamLogError) -> SegmentScan {
        var result = SegmentScan(
            end: position, nextOffset: expectedOffset, index: index, corrupt: [:], tornBytes: 0)
        var sinceIndex = index.last.map { Int(position - Int64($0.position)) } ?? indexIntervalBytes
        let maxFrame = maxFrameSize
        var from = position
        while from < fileSize {
            var skip: (position: Int64, size: Int, detail: String)?
            var torn: (position: Int64, detail: String)?
            var mismatch: (position: Int64, detail: String)?
            _ = try walk(fd, from: from, to: fileSize) { (at, inspection) throws(StreamLogError) in
                switch inspection {
                case let .record(view, frameSize):
                    guard view.offset == result.nextOffset else {
                        mismatch = (at, "frame holds offset \(view.offset), expected \(result.nextOffset)")
                        return false
                    }
                    if sinceIndex >= indexIntervalBytes {
                        result.index.append(.init(
                            relativeOffset: UInt32(truncatingIfNeeded: view.offset - baseOffset),
                            position: UInt32(truncatingIfNeeded: at)))
                        sinceIndex = 0
                    }
                    sinceIndex += frameSize
                    result.nextOffset += 1
                    result.end = at + Int64(frameSize)
                    return true
                case let .incomplete(needed):
                    torn = (at, "incomplete frame: \(needed) bytes needed, \(fileSize - at) present")
                    return false
                case let .corrupt(frameSize, detail):
                    if let frameSize, at + Int64(frameSize) < fileSize,
                        Self.validFrameFollows(fd, at: at + Int64(frameSize), fileSize: fileSize, maxFrame: maxFrame)
                    {
                        skip = (at, frameSize, detail)
                    } else {
                        torn = (at, detail)
                    }
                    return false
                }
            }
            if let mismatch {
                throw .corruptRecord(file: fd.path, position: mismatch.position, detail: mismatch.detail)
            }
            if let torn {
                result.end = torn.position
                result.tornBytes = fileSize - torn.position
                result.tornDetail = torn.detail
                break
            }
            guard let skip else { break }
            result.corrupt[skip.position] = "offset \(result.nextOffset): " + skip.detail
            result.nextOffset += 1
            result.end = skip.position + Int64(skip.size)
            sinceIndex += skip.size
            from = result.end
        }
        return result
    }

    static func validFrameFollows(_ fd: FileDescriptor, at position: Int64, fileSize: Int64, maxFrame: Int) -> Bool {
        let length = Int(min(Int64(maxFrame), fileSize - position))
        guard length >= LogRecordFrame.prefixSize else { return false }
        let probe = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
        defer { probe.deallocate() }
        guard let n = try? fd.read(into: probe, at: position) else { return false }
        if case .record = LogRecordFrame.inspect(UnsafeRawBufferPointer(rebasing: probe[0..<n]), maxFrameSize: maxFrame) {
            return true
        }
        return false
    }
}
