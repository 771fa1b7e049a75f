/// Settings for a ``RecordReader``.
public struct RecordReaderOptions: Sendable {
    /// The largest payload accepted; a longer one is an error (before anything is allocated for it). The reader's
    /// buffer grows to hold a record up to this size and never beyond. Default: 16 MiB.
    public var maximumRecordBytes: Int
    /// How many bytes one `read(2)` asks for. Default: 1 MiB.
    public var readSize: Int
    /// Report framing errors as ``RecordReadResult/skipped(_:)`` items instead of throwing. Default: false.
    ///
    /// A short last record (or a cut-off RDW/BDW) is skipped with its bytes. After a bad RDW, length field or
    /// layout length the framing is lost: inside a BDW block the rest of the block is skipped, otherwise the rest of
    /// the input, in buffer-sized chunks. Nothing is dropped without a skipped item that carries the bytes.
    public var isLenient: Bool

    /// Options; the defaults suit files of any size.
    public init(maximumRecordBytes: Int = 16 << 20, readSize: Int = 1 << 20, isLenient: Bool = false) {
        self.maximumRecordBytes = maximumRecordBytes
        self.readSize = readSize
        self.isLenient = isLenient
    }
}

/// One framed record, as views into the reader's buffer: valid only until the next call to
/// ``RecordReader/next()``.
public struct RecordView {
    /// The record number in the input, from 1 (skipped bad records take a number too).
    public let number: Int
    /// Byte offset in the input of the record's first framing byte: its RDW, or its first payload byte without one.
    /// For the first record of a BDW block, the BDW lies 4 bytes before.
    public let offset: Int
    /// The BDW that opened a block, for the first record of each block; empty otherwise.
    public let bdw: UnsafeRawBufferPointer
    /// The record's RDW; empty for formats without one.
    public let rdw: UnsafeRawBufferPointer
    /// The physical record after its RDW, including record start and end offset bytes.
    public let payload: UnsafeRawBufferPointer
    /// The part of the payload the layout describes (without the record start and end offset bytes).
    public let bytes: UnsafeRawBufferPointer
    /// The 1-based BDW block the record is in; 0 without blocks.
    public let blockNumber: Int

    /// Byte offset in the input of the first payload byte.
    public var payloadOffset: Int { offset + rdw.count }
    /// Byte offset in the input of the first described byte.
    public var bytesOffset: Int {
        guard let described = bytes.baseAddress, let physical = payload.baseAddress else { return payloadOffset }
        return payloadOffset + (described - physical)
    }
}

/// Bytes a lenient reader skipped, with the error that made it skip them.
public struct SkippedBytes {
    /// Why the bytes were skipped.
    public let error: RecordFormatError
    /// Byte offset in the input of the first skipped byte.
    public let offset: Int
    /// The skipped bytes, valid until the next call to ``RecordReader/next()``.
    public let bytes: UnsafeRawBufferPointer
    /// True when this continues the previous skipped item (a long skip is reported in buffer-sized chunks).
    public let isContinuation: Bool
}

/// What ``RecordReader/next()`` returns.
public enum RecordReadResult {
    /// A record.
    case record(RecordView)
    /// Bytes skipped in lenient mode.
    case skipped(SkippedBytes)

    /// The record, or nil for skipped bytes.
    public var record: RecordView? {
        if case .record(let record) = self { record } else { nil }
    }
}

/// Reads framed records from a file, a pipe or stdin in constant memory.
///
/// One reusable buffer (about ``RecordReaderOptions/readSize`` bytes, grown only for a larger record and never
/// beyond ``RecordReaderOptions/maximumRecordBytes``) is filled with large sequential reads; ``next()`` hands out
/// views into it. The file trailer is held back until the input ends, so it works on unseekable input.
///
/// ```swift
/// var reader = try RecordReader(fileDescriptor: 0, format: .rdw())
/// while let item = try reader.next() {
///     guard case .record(let record) = item else { continue }
///     decode(record.bytes)
/// }
/// ```
public struct RecordReader: ~Copyable {
    /// The framing read.
    public let format: RecordFormat
    /// The reader's settings.
    public let options: RecordReaderOptions
    /// Records returned so far.
    public private(set) var recordsRead = 0
    /// Skipped items that started a skip (not continuations) so far, lenient mode only.
    public private(set) var skipCount = 0
    /// Bytes skipped so far, lenient mode only.
    public private(set) var bytesSkipped = 0
    /// The file header bytes, once read (kept when at most 1 MiB).
    public private(set) var fileHeader: [UInt8] = []
    /// The file trailer bytes, once the input has ended.
    public private(set) var fileTrailer: [UInt8] = []

    /// The size of the reader's buffer now: about ``RecordReaderOptions/readSize`` (at least 64 KiB) plus the file
    /// trailer, larger only after a larger record.
    public var bufferCapacity: Int { buffer.count }

    private var input: any RecordInput
    private var buffer: UnsafeMutableRawBufferPointer
    /// Unconsumed bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    /// Input offset of `buffer[0]`.
    private var bufferOffset = 0
    private var atEndOfInput = false
    private var headerRead = false
    private var finished = false
    private var failure: RecordFormatError?
    private var nextRecordNumber = 1
    private var blockCount = 0
    /// Bytes of the current BDW block not yet framed; 0 between blocks.
    private var blockLeft = 0
    private var pendingSkip: PendingSkip?

    private struct PendingSkip {
        var error: RecordFormatError
        /// Bytes still to skip; nil for the rest of the input.
        var remaining: Int?
        var isContinuation: Bool
    }

    /// A reader over `input`; validates the format and options.
    public init(input: some RecordInput, format: RecordFormat, options: RecordReaderOptions = RecordReaderOptions())
        throws(RecordFormatError)
    {
        try format.validate()
        if options.maximumRecordBytes < 1 {
            throw .invalidFormat(option: "maximumRecordBytes", reason: "\(options.maximumRecordBytes) is below 1")
        }
        if options.readSize < 1 {
            throw .invalidFormat(option: "readSize", reason: "\(options.readSize) is below 1")
        }
        if case .fixed(let length) = format.framing, length > options.maximumRecordBytes {
            throw .invalidFormat(
                option: "fixed.length",
                reason: "\(length) is above maximumRecordBytes \(options.maximumRecordBytes)")
        }
        self.format = format
        self.options = options
        self.input = input
        let capacity = max(options.readSize, 64 << 10) + format.fileTrailerBytes
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    }

    /// A reader over a file descriptor (0 for stdin). The descriptor stays open.
    public init(fileDescriptor: Int32, format: RecordFormat, options: RecordReaderOptions = RecordReaderOptions())
        throws(RecordFormatError)
    {
        try self.init(input: FileDescriptorInput(fileDescriptor: fileDescriptor), format: format, options: options)
    }

    deinit { buffer.deallocate() }

    /// The next record (or, in lenient mode, skipped bytes), or nil at the end of the input.
    ///
    /// The views in the result stay valid until the next call. After an error is thrown every further call
    /// throws it again.
    public mutating func next() throws(RecordFormatError) -> RecordReadResult? {
        if let failure { throw failure }
        if finished { return nil }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: - Framing

    private enum SkipExtent {
        /// The given number of usable bytes (the input has ended).
        case bytes(Int)
        /// The rest of the current block, this many bytes.
        case block(Int)
        /// The rest of the input.
        case rest
    }

    private enum Step {
        case record(headerBytes: Int, bdwBytes: Int, payload: Int, blockLeftAfter: Int?)
        case needMore(Int)
        case end
        case failed(RecordFormatError, SkipExtent)
    }

    private mutating func step() throws(RecordFormatError) -> RecordReadResult? {
        if !headerRead { try readHeader() }
        while true {
            if pendingSkip != nil, let skipped = try emitSkip() { return .skipped(skipped) }
            let usable = try usableCount()
            let window = UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: usable)
            switch frame(window, atEnd: atEndOfInput) {
            case .needMore(let count):
                try fill(usable: count)
            case .end:
                fileTrailer = Array(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                start = end
                finished = true
                return nil
            case .failed(let error, let extent):
                guard options.isLenient else { throw error }
                skipCount += 1
                nextRecordNumber += 1
                blockLeft = 0
                switch extent {
                case .bytes(let count): pendingSkip = PendingSkip(error: error, remaining: count, isContinuation: false)
                case .block(let count):
                    pendingSkip = PendingSkip(error: error, remaining: count, isContinuation: false)
                case .rest: pendingSkip = PendingSkip(error: error, remaining: nil, isContinuation: false)
                }
            case .record(let headerBytes, let bdwBytes, let payloadCount, let blockLeftAfter):
                let base = buffer.baseAddress! + start
                let payload = UnsafeRawBufferPointer(start: base + headerBytes, count: payloadCount)
                let described = UnsafeRawBufferPointer(
                    start: payload.baseAddress! + format.recordStartOffset,
                    count: payloadCount - format.recordOffsetBytes)
                if bdwBytes > 0 { blockCount += 1 }
                if let blockLeftAfter { blockLeft = blockLeftAfter }
                let view = RecordView(
                    number: nextRecordNumber,
                    offset: bufferOffset + start + bdwBytes,
                    bdw: UnsafeRawBufferPointer(start: base, count: bdwBytes),
                    rdw: UnsafeRawBufferPointer(start: base + bdwBytes, count: headerBytes - bdwBytes),
                    payload: payload, bytes: described,
                    blockNumber: blockCount)
                start += headerBytes + payloadCount
                nextRecordNumber += 1
                recordsRead += 1
                return .record(view)
            }
        }
    }

    /// Frames the record at the start of `window` (the unconsumed bytes minus the held-back trailer).
    private func frame(_ window: UnsafeRawBufferPointer, atEnd: Bool) -> Step {
        let count = window.count
        let record = nextRecordNumber
        let offset = bufferOffset + start
        switch format.framing {
        case .fixed(let length):
            if count == 0 { return atEnd ? .end : .needMore(1) }
            if count >= length { return .record(headerBytes: 0, bdwBytes: 0, payload: length, blockLeftAfter: nil) }
            return atEnd
                ? .failed(.shortLastRecord(record: record, offset: offset, expected: length, found: count), .bytes(count))
                : .needMore(length)

        case .rdw(let rdw):
            if count == 0 { return atEnd ? .end : .needMore(1) }
            return frameRDW(rdw, window, at: 0, blockLeft: nil, atEnd: atEnd)

        case .bdw(let bdw, let rdw):
            if blockLeft > 0 {
                if count == 0 && atEnd {
                    return .failed(
                        .truncatedBlock(record: record, offset: offset, bytesLeftInBlock: blockLeft, found: 0),
                        .bytes(0))
                }
                return frameRDW(rdw, window, at: 0, blockLeft: blockLeft, atEnd: atEnd)
            }
            if count == 0 { return atEnd ? .end : .needMore(1) }
            if count < 4 {
                return atEnd
                    ? .failed(
                        .truncatedDescriptor(record: record, offset: offset, source: .bdw, found: count), .bytes(count))
                    : .needMore(4)
            }
            let b0 = window[0], b1 = window[1], b2 = window[2], b3 = window[3]
            var blockLength: Int
            switch bdw.byteOrder {
            case .bigEndian where b0 & 0x80 != 0:
                // Extended BDW (large block interface): bits 1–31 hold the length.
                blockLength = Int(b0 & 0x7F) << 24 | Int(b1) << 16 | Int(b2) << 8 | Int(b3)
            case .bigEndian:
                if b2 | b3 != 0 {
                    return .failed(
                        .descriptorNotZeroed(record: record, offset: offset, source: .bdw, found: [b0, b1, b2, b3]),
                        .rest)
                }
                blockLength = Int(b0) << 8 | Int(b1)
            case .littleEndian:
                if b0 | b1 != 0 {
                    return .failed(
                        .descriptorNotZeroed(record: record, offset: offset, source: .bdw, found: [b0, b1, b2, b3]),
                        .rest)
                }
                blockLength = Int(b3) << 8 | Int(b2)
            }
            let lengthValue = blockLength
            if !bdw.lengthIncludesHeader { blockLength += 4 }
            if blockLength < max(bdw.minimumBlockBytes, 8) {
                let minimum = max(bdw.minimumBlockBytes, 8) - (bdw.lengthIncludesHeader ? 0 : 4)
                return .failed(
                    .lengthBelowMinimum(record: record, offset: offset, source: .bdw, length: lengthValue, minimum: minimum),
                    .rest)
            }
            return frameRDW(rdw, window, at: 4, blockLeft: blockLength - 4, atEnd: atEnd)

        case .lengthField(let field):
            if count == 0 { return atEnd ? .end : .needMore(1) }
            let fieldEnd = field.offset + field.width
            if count < fieldEnd {
                return atEnd
                    ? .failed(.shortLastRecord(record: record, offset: offset, expected: nil, found: count), .bytes(count))
                    : .needMore(fieldEnd)
            }
            var value = 0
            let fieldBytes = UnsafeRawBufferPointer(rebasing: window[field.offset..<fieldEnd])
            switch field.encoding {
            case .binaryBigEndian:
                for byte in fieldBytes { value = value << 8 | Int(byte) }
            case .binaryLittleEndian:
                for index in fieldBytes.indices.reversed() { value = value << 8 | Int(fieldBytes[index]) }
            case .digits:
                for byte in fieldBytes {
                    let zone = byte & 0xF0, digit = byte & 0x0F
                    guard zone == 0xF0 || zone == 0x30, digit <= 9 else {
                        return .failed(
                            .lengthFieldInvalid(record: record, offset: offset, found: Array(fieldBytes)), .rest)
                    }
                    value = value * 10 + Int(digit)
                }
            }
            if value < 0 {  // an 8-byte binary with the top bit set
                return .failed(
                    .lengthAboveMaximum(
                        record: record, offset: offset, source: .lengthField, length: value,
                        maximum: options.maximumRecordBytes), .rest)
            }
            let (length, overflow) = value.addingReportingOverflow(field.adjustment)
            let minimum = max(fieldEnd, format.recordOffsetBytes, 1)
            if overflow || length > options.maximumRecordBytes {
                return .failed(
                    .lengthAboveMaximum(
                        record: record, offset: offset, source: .lengthField, length: value,
                        maximum: options.maximumRecordBytes - field.adjustment), .rest)
            }
            if length < minimum {
                return .failed(
                    .lengthBelowMinimum(
                        record: record, offset: offset, source: .lengthField, length: value,
                        minimum: minimum - field.adjustment), .rest)
            }
            if count < length {
                return atEnd
                    ? .failed(.shortLastRecord(record: record, offset: offset, expected: length, found: count), .bytes(count))
                    : .needMore(length)
            }
            return .record(headerBytes: 0, bdwBytes: 0, payload: length, blockLeftAfter: nil)

        case .layout(let function):
            if count == 0 { return atEnd ? .end : .needMore(1) }
            let leading = format.recordStartOffset
            if count <= leading {
                return atEnd
                    ? .failed(.shortLastRecord(record: record, offset: offset, expected: nil, found: count), .bytes(count))
                    : .needMore(leading + 1)
            }
            let described = UnsafeRawBufferPointer(rebasing: window[leading...])
            let length: Int?
            do {
                length = try function.length(described)
            } catch {
                return .failed(.layoutLengthRejected(record: record, offset: offset, message: error.message), .rest)
            }
            guard let length else {
                if described.count >= options.maximumRecordBytes {
                    return .failed(
                        .layoutLengthUndetermined(record: record, offset: offset, available: described.count), .rest)
                }
                return atEnd
                    ? .failed(.shortLastRecord(record: record, offset: offset, expected: nil, found: count), .bytes(count))
                    : .needMore(count + 1)
            }
            if length < 1 {
                return .failed(
                    .lengthBelowMinimum(record: record, offset: offset, source: .layout, length: length, minimum: 1), .rest)
            }
            if length > options.maximumRecordBytes - format.recordOffsetBytes {
                return .failed(
                    .lengthAboveMaximum(
                        record: record, offset: offset, source: .layout, length: length,
                        maximum: options.maximumRecordBytes - format.recordOffsetBytes), .rest)
            }
            let total = length + format.recordOffsetBytes
            if count < total {
                return atEnd
                    ? .failed(.shortLastRecord(record: record, offset: offset, expected: total, found: count), .bytes(count))
                    : .needMore(total)
            }
            return .record(headerBytes: 0, bdwBytes: 0, payload: total, blockLeftAfter: nil)
        }
    }

    /// Frames an RDW record that starts `headerBytes` into `window` (after a BDW, or at 0).
    private func frameRDW(
        _ rdw: RDWFormat, _ window: UnsafeRawBufferPointer, at headerBytes: Int, blockLeft: Int?, atEnd: Bool
    ) -> Step {
        let record = nextRecordNumber
        let offset = bufferOffset + start + headerBytes
        let count = window.count - headerBytes
        let skipAfterError: SkipExtent = blockLeft.map { .block(headerBytes + $0) } ?? .rest
        if let blockLeft, blockLeft < 4 {
            return .failed(.blockNotFilled(record: record, offset: offset, bytesLeftInBlock: blockLeft), skipAfterError)
        }
        if count < 4 {
            return atEnd
                ? .failed(
                    .truncatedDescriptor(record: record, offset: offset, source: .rdw, found: count),
                    .bytes(window.count))
                : .needMore(headerBytes + 4)
        }
        let b0 = window[headerBytes], b1 = window[headerBytes + 1]
        let b2 = window[headerBytes + 2], b3 = window[headerBytes + 3]
        let value: Int
        let reserved: UInt8
        switch rdw.byteOrder {
        case .bigEndian: (value, reserved) = (Int(b0) << 8 | Int(b1), b2 | b3)
        case .littleEndian: (value, reserved) = (Int(b3) << 8 | Int(b2), b0 | b1)
        }
        if reserved != 0 {
            return .failed(
                .descriptorNotZeroed(record: record, offset: offset, source: .rdw, found: [b0, b1, b2, b3]),
                skipAfterError)
        }
        let headerCounted = rdw.lengthIncludesHeader ? 4 : 0
        let minimumPayload = max(rdw.minimumPayloadBytes, format.recordOffsetBytes)
        if value < minimumPayload + headerCounted {
            return .failed(
                .lengthBelowMinimum(
                    record: record, offset: offset, source: .rdw, length: value, minimum: minimumPayload + headerCounted),
                skipAfterError)
        }
        let payload = value - headerCounted
        if payload > options.maximumRecordBytes {
            return .failed(
                .lengthAboveMaximum(
                    record: record, offset: offset, source: .rdw, length: value,
                    maximum: options.maximumRecordBytes + headerCounted),
                skipAfterError)
        }
        if let blockLeft, 4 + payload > blockLeft {
            return .failed(
                .recordOverflowsBlock(record: record, offset: offset, length: 4 + payload, bytesLeftInBlock: blockLeft),
                skipAfterError)
        }
        if count < 4 + payload {
            return atEnd
                ? .failed(
                    .shortLastRecord(record: record, offset: offset, expected: payload, found: count - 4),
                    .bytes(window.count))
                : .needMore(headerBytes + 4 + payload)
        }
        return .record(
            headerBytes: headerBytes + 4, bdwBytes: headerBytes, payload: payload,
            blockLeftAfter: blockLeft.map { $0 - 4 - payload })
    }

    // MARK: - Skipping (lenient mode)

    private mutating func emitSkip() throws(RecordFormatError) -> SkippedBytes? {
        guard var skip = pendingSkip else { return nil }
        let capacityForSkip = buffer.count - format.fileTrailerBytes
        var usable = try usableCount()
        if usable == 0 && !atEndOfInput || (skip.remaining == nil && usable < capacityForSkip && !atEndOfInput) {
            try fill(usable: min(skip.remaining ?? capacityForSkip, capacityForSkip))
            usable = try usableCount()
        }
        if usable == 0 {
            // The input ended before the skip did. A fresh error is still reported, with no bytes.
            pendingSkip = nil
            if skip.isContinuation { return nil }
            return SkippedBytes(
                error: skip.error, offset: bufferOffset + start,
                bytes: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: 0), isContinuation: false)
        }
        let take = min(usable, skip.remaining ?? usable)
        let skipped = SkippedBytes(
            error: skip.error, offset: bufferOffset + start,
            bytes: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: take),
            isContinuation: skip.isContinuation)
        start += take
        bytesSkipped += take
        if let remaining = skip.remaining, remaining == take {
            pendingSkip = nil
        } else {
            skip.remaining = skip.remaining.map { $0 - take }
            skip.isContinuation = true
            pendingSkip = skip
        }
        return skipped
    }

    // MARK: - Buffer

    /// Unconsumed bytes that are certainly not file trailer.
    private func usableCount() throws(RecordFormatError) -> Int {
        let raw = end - start
        let trailer = format.fileTrailerBytes
        if atEndOfInput && raw < trailer { throw .missingFileTrailer(expected: trailer, found: raw) }
        return max(0, raw - trailer)
    }

    private mutating func readHeader() throws(RecordFormatError) {
        var left = format.fileHeaderBytes
        let keep = left <= 1 << 20
        while left > 0 {
            if start == end {
                if atEndOfInput {
                    throw .missingFileHeader(expected: format.fileHeaderBytes, found: format.fileHeaderBytes - left)
                }
                try readOnce()
                continue
            }
            let take = min(left, end - start)
            if keep { fileHeader.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<(start + take)])) }
            start += take
            left -= take
        }
        headerRead = true
    }

    /// Reads until at least `usable` bytes beyond the held-back trailer are buffered, or the input ends.
    private mutating func fill(usable: Int) throws(RecordFormatError) {
        let needed = usable + format.fileTrailerBytes
        while end - start < needed && !atEndOfInput {
            if start + needed > buffer.count {
                if needed > buffer.count {
                    let grown = UnsafeMutableRawBufferPointer.allocate(
                        byteCount: max(needed, min(buffer.count * 2, needed + options.readSize)), alignment: 16)
                    grown.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                    buffer.deallocate()
                    buffer = grown
                } else {
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                }
                bufferOffset += start
                end -= start
                start = 0
            }
            try readOnce()
        }
    }

    /// One `read` into the free space at the end of the buffer (compacting first when it is empty).
    private mutating func readOnce() throws(RecordFormatError) {
        if start == end {
            bufferOffset += start
            start = 0
            end = 0
        }
        let room = min(buffer.count - end, options.readSize)
        guard room > 0 else { return }
        let target = UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + end, count: room)
        let count = try input.read(into: target, offset: bufferOffset + end)
        if count == 0 { atEndOfInput = true }
        end += count
    }
}
