/// Settings for a ``RecordWriter``.
public struct RecordWriterOptions: Sendable {
    /// Buffered bytes that trigger a write to the output. Default: 1 MiB.
    public var bufferSize: Int
    /// The largest BDW block written, BDW included (the classic z/OS BLKSIZE limit is 32,760). Blocks above
    /// 32,767 bytes get an extended (large block interface) BDW. Default: 32,760.
    public var maximumBlockBytes: Int

    /// Options; the defaults are z/OS-compatible.
    public init(bufferSize: Int = 1 << 20, maximumBlockBytes: Int = 32_760) {
        self.bufferSize = bufferSize
        self.maximumBlockBytes = maximumBlockBytes
    }
}

/// Writes records with their framing: fixed, RDW (either byte order, length with or without the header), BDW
/// blocks of RDW records. For length-field and layout formats the length lives inside the record, so payloads are
/// written as they are.
///
/// What it writes reads back through ``RecordReader`` with the same format to the same payloads, framing bytes
/// included. Payloads are physical records: they include any record start and end offset bytes
/// (``RecordView/payload``, not ``RecordView/bytes``).
public struct RecordWriter<Output: RecordOutput>: ~Copyable {
    /// The framing written.
    public let format: RecordFormat
    /// The writer's settings.
    public let options: RecordWriterOptions
    /// Records written so far.
    public private(set) var recordsWritten = 0

    private var output: Output
    private var pending: [UInt8] = []
    /// Bytes already handed to the output.
    private var flushedBytes = 0
    private var headerWritten = false
    /// Index in `pending` of the open block's BDW, if a block is open.
    private var blockStart: Int?

    /// A writer into `output`; validates the format and options.
    public init(output: Output, format: RecordFormat, options: RecordWriterOptions = RecordWriterOptions())
        throws(RecordFormatError)
    {
        try format.validate()
        if options.bufferSize < 1 {
            throw .invalidFormat(option: "bufferSize", reason: "\(options.bufferSize) is below 1")
        }
        if case .bdw(let bdw, _) = format.framing {
            let limit = bdw.byteOrder == .bigEndian ? 0x7FFF_FFFF : 0xFFFF
            if options.maximumBlockBytes < 9 || options.maximumBlockBytes > limit {
                throw .invalidFormat(
                    option: "maximumBlockBytes", reason: "\(options.maximumBlockBytes) is not in 9...\(limit)")
            }
        }
        self.format = format
        self.options = options
        self.output = output
        pending.reserveCapacity(options.bufferSize + 64)
        headerWritten = format.fileHeaderBytes == 0
    }

    /// Writes the file header; required first when the format has ``RecordFormat/fileHeaderBytes``.
    public mutating func writeFileHeader(_ header: [UInt8]) throws(RecordFormatError) {
        guard !headerWritten || (format.fileHeaderBytes == 0 && header.isEmpty && recordsWritten == 0) else {
            throw .invalidFormat(option: "fileHeaderBytes", reason: "the file header must be written once, first")
        }
        guard header.count == format.fileHeaderBytes else {
            throw .invalidFormat(
                option: "fileHeaderBytes", reason: "header of \(header.count) bytes, the format says \(format.fileHeaderBytes)")
        }
        pending.append(contentsOf: header)
        headerWritten = true
    }

    /// Writes one record's payload with its framing.
    public mutating func write(_ payload: UnsafeRawBufferPointer) throws(RecordFormatError) {
        guard headerWritten else {
            throw .invalidFormat(option: "fileHeaderBytes", reason: "write the \(format.fileHeaderBytes)-byte file header first")
        }
        let number = recordsWritten + 1
        let count = payload.count
        switch format.framing {
        case .fixed(let length):
            guard count == length else {
                throw .recordDoesNotFit(record: number, length: count, reason: "the fixed record length is \(length)")
            }
            pending.append(contentsOf: payload)
        case .rdw(let rdw):
            try appendRDW(rdw, payload, number: number)
        case .bdw(let bdw, let rdw):
            let recordBytes = 4 + count
            if 4 + recordBytes > options.maximumBlockBytes {
                throw .recordDoesNotFit(
                    record: number, length: count,
                    reason: "with its RDW and a BDW it exceeds the maximum block of \(options.maximumBlockBytes) bytes")
            }
            if let blockStart, pending.count - blockStart + recordBytes > options.maximumBlockBytes {
                closeBlock(bdw)
            }
            if blockStart == nil {
                blockStart = pending.count
                pending.append(contentsOf: [0, 0, 0, 0])
            }
            try appendRDW(rdw, payload, number: number)
        case .lengthField, .layout:
            guard count > 0 else { throw .recordDoesNotFit(record: number, length: 0, reason: "the record is empty") }
            pending.append(contentsOf: payload)
        }
        recordsWritten += 1
        if blockStart == nil && pending.count >= options.bufferSize { try flush() }
    }

    /// Writes one record's payload with its framing.
    public mutating func write(_ payload: [UInt8]) throws(RecordFormatError) {
        let result: Result<Void, RecordFormatError> = payload.withUnsafeBytes { bytes in
            Result { () throws(RecordFormatError) in try write(bytes) }
        }
        try result.get()
    }

    /// Closes the open block, writes the file trailer and flushes everything; returns the output.
    public consuming func finish(fileTrailer: [UInt8] = []) throws(RecordFormatError) -> Output {
        if !headerWritten {
            throw .invalidFormat(option: "fileHeaderBytes", reason: "the file header was never written")
        }
        guard fileTrailer.count == format.fileTrailerBytes else {
            throw .invalidFormat(
                option: "fileTrailerBytes",
                reason: "trailer of \(fileTrailer.count) bytes, the format says \(format.fileTrailerBytes)")
        }
        if case .bdw(let bdw, _) = format.framing, blockStart != nil { closeBlock(bdw) }
        pending.append(contentsOf: fileTrailer)
        try flush()
        return output
    }

    private mutating func appendRDW(_ rdw: RDWFormat, _ payload: UnsafeRawBufferPointer, number: Int)
        throws(RecordFormatError)
    {
        let count = payload.count
        guard count >= rdw.minimumPayloadBytes, count <= rdw.maximumPayloadBytes else {
            throw .recordDoesNotFit(
                record: number, length: count,
                reason: "an RDW payload must be \(rdw.minimumPayloadBytes)...\(rdw.maximumPayloadBytes) bytes")
        }
        let value = count + (rdw.lengthIncludesHeader ? 4 : 0)
        let high = UInt8(truncatingIfNeeded: value >> 8), low = UInt8(truncatingIfNeeded: value)
        switch rdw.byteOrder {
        case .bigEndian: pending.append(contentsOf: [high, low, 0, 0])
        case .littleEndian: pending.append(contentsOf: [0, 0, low, high])
        }
        pending.append(contentsOf: payload)
    }

    /// Patches the open block's BDW with its final length.
    private mutating func closeBlock(_ bdw: BDWFormat) {
        guard let start = blockStart else { return }
        let value = pending.count - start - (bdw.lengthIncludesHeader ? 0 : 4)
        let word: [UInt8]
        switch bdw.byteOrder {
        case .bigEndian where value > 0x7FFF:
            word = [
                UInt8(truncatingIfNeeded: value >> 24) | 0x80, UInt8(truncatingIfNeeded: value >> 16),
                UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
            ]
        case .bigEndian:
            word = [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value), 0, 0]
        case .littleEndian:
            word = [0, 0, UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
        }
        pending.replaceSubrange(start..<(start + 4), with: word)
        blockStart = nil
    }

    private mutating func flush() throws(RecordFormatError) {
        guard !pending.isEmpty else { return }
        let offset = flushedBytes
        let result: Result<Void, RecordFormatError> = pending.withUnsafeBytes { bytes in
            Result { () throws(RecordFormatError) in try output.write(bytes, offset: offset) }
        }
        try result.get()
        flushedBytes += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}

extension RecordWriter where Output == FileDescriptorOutput {
    /// A writer into a file descriptor (1 for stdout). The descriptor stays open.
    public init(fileDescriptor: Int32, format: RecordFormat, options: RecordWriterOptions = RecordWriterOptions())
        throws(RecordFormatError)
    {
        try self.init(output: FileDescriptorOutput(fileDescriptor: fileDescriptor), format: format, options: options)
    }
}
