import ByteCoding
import Copybook
import Dispatch
import Foundation
import Testing

/// A record copied out of the reader's buffer, for assertions.
struct ReadRecord: Equatable {
    var number: Int
    var offset: Int
    var bdw: [UInt8]
    var rdw: [UInt8]
    var payload: [UInt8]
    var bytes: [UInt8]
    var blockNumber: Int
}

/// A skipped item copied out of the reader's buffer.
struct ReadSkip: Equatable {
    var error: RecordFormatError
    var offset: Int
    var bytes: [UInt8]
    var isContinuation: Bool
}

/// Everything one pass of a reader produced.
struct ReadOutcome: Equatable {
    var records: [ReadRecord] = []
    var skips: [ReadSkip] = []
    var fileHeader: [UInt8] = []
    var fileTrailer: [UInt8] = []
    var skipCount = 0
    var bytesSkipped = 0
}

/// Reads every item from `input` with `format`.
func readAll(
    _ input: some RecordInput, _ format: RecordFormat, _ options: RecordReaderOptions = RecordReaderOptions()
) throws(RecordFormatError) -> ReadOutcome {
    var reader = try RecordReader(input: input, format: format, options: options)
    var outcome = ReadOutcome()
    while let item = try reader.next() {
        switch item {
        case .record(let record):
            outcome.records.append(
                ReadRecord(
                    number: record.number, offset: record.offset, bdw: Array(record.bdw), rdw: Array(record.rdw),
                    payload: Array(record.payload), bytes: Array(record.bytes), blockNumber: record.blockNumber))
        case .skipped(let skipped):
            outcome.skips.append(
                ReadSkip(
                    error: skipped.error, offset: skipped.offset, bytes: Array(skipped.bytes),
                    isContinuation: skipped.isContinuation))
        }
    }
    #expect(reader.recordsRead == outcome.records.count)
    outcome.fileHeader = reader.fileHeader
    outcome.fileTrailer = reader.fileTrailer
    outcome.skipCount = reader.skipCount
    outcome.bytesSkipped = reader.bytesSkipped
    return outcome
}

/// Reads `bytes` with `format` from memory.
func readAll(
    _ bytes: [UInt8], _ format: RecordFormat, chunkSize: Int? = nil,
    _ options: RecordReaderOptions = RecordReaderOptions()
) throws(RecordFormatError) -> ReadOutcome {
    try readAll(ByteArrayInput(bytes, chunkSize: chunkSize), format, options)
}

/// The error a full read throws, or nil.
func readError(_ bytes: [UInt8], _ format: RecordFormat, _ options: RecordReaderOptions = RecordReaderOptions())
    -> RecordFormatError?
{
    do {
        _ = try readAll(bytes, format, options)
        return nil
    } catch {
        return error
    }
}

/// Feeds `bytes` through a pipe, written in `chunks` (sizes cycled) by another thread, and reads them with
/// `format` from the pipe's read end.
func readThroughPipe(
    _ bytes: [UInt8], _ format: RecordFormat, chunks: [Int], readSize: Int
) throws -> ReadOutcome {
    signal(SIGPIPE, SIG_IGN)
    var descriptors: [Int32] = [0, 0]
    guard pipe(&descriptors) == 0 else { throw POSIXError(.EIO) }
    let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        var position = 0
        var index = 0
        bytes.withUnsafeBytes { source in
            while position < source.count {
                let size = min(max(chunks[index % chunks.count], 1), source.count - position)
                index += 1
                var written = 0
                while written < size {
                    let count = write(writeEnd, source.baseAddress! + position + written, size - written)
                    if count <= 0 { break }
                    written += count
                }
                if written < size { break }
                position += size
            }
        }
        close(writeEnd)
        done.signal()
    }
    defer {
        close(readEnd)
        done.wait()
    }
    return try readAll(
        FileDescriptorInput(fileDescriptor: readEnd), format,
        RecordReaderOptions(readSize: readSize))
}


/// Payloads of varied lengths and contents.
func samplePayloads(count: Int, maximumLength: Int = 300, seed: UInt64 = 7) -> [[UInt8]] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let length = Int.random(in: 1...maximumLength, using: &generator)
        return (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// An RDW built by hand (independently of the writer).
func rdwBytes(payloadLength: Int, order: DescriptorByteOrder = .bigEndian, includesHeader: Bool = true) -> [UInt8] {
    let value = payloadLength + (includesHeader ? 4 : 0)
    let high = UInt8(value >> 8), low = UInt8(value & 0xFF)
    return order == .bigEndian ? [high, low, 0, 0] : [0, 0, low, high]
}

/// A BDW built by hand.
func bdwBytes(blockLength: Int) -> [UInt8] { [UInt8(blockLength >> 8), UInt8(blockLength & 0xFF), 0, 0] }

/// RDW records concatenated.
func rdwFile(_ payloads: [[UInt8]], order: DescriptorByteOrder = .bigEndian, includesHeader: Bool = true) -> [UInt8] {
    payloads.flatMap { rdwBytes(payloadLength: $0.count, order: order, includesHeader: includesHeader) + $0 }
}

/// BDW blocks, each holding the given groups of RDW records.
func bdwFile(_ blocks: [[[UInt8]]]) -> [UInt8] {
    blocks.flatMap { block -> [UInt8] in
        let records = rdwFile(block)
        return bdwBytes(blockLength: 4 + records.count) + records
    }
}
