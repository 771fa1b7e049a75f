import Copybook
import Foundation
import Testing

/// Writes `payloads` with `format` into memory.
func writeAll(
    _ payloads: [[UInt8]], _ format: RecordFormat, options: RecordWriterOptions = RecordWriterOptions(),
    header: [UInt8] = [], trailer: [UInt8] = []
) throws(RecordFormatError) -> [UInt8] {
    var writer = try RecordWriter(output: ByteArrayOutput(), format: format, options: options)
    if !header.isEmpty { try writer.writeFileHeader(header) }
    for payload in payloads { try writer.write(payload) }
    return try writer.finish(fileTrailer: trailer).bytes
}

func writeError(_ payloads: [[UInt8]], _ format: RecordFormat, options: RecordWriterOptions = RecordWriterOptions())
    -> RecordFormatError?
{
    do {
        _ = try writeAll(payloads, format, options: options)
        return nil
    } catch {
        return error
    }
}

@Suite("RecordWriter")
struct RecordWriterTests {
    @Test(arguments: [
        (DescriptorByteOrder.bigEndian, true), (.bigEndian, false), (.littleEndian, true), (.littleEndian, false),
    ])
    func rdwBytesMatchTheHandBuiltFraming(order: DescriptorByteOrder, includesHeader: Bool) throws {
        let payloads = samplePayloads(count: 30)
        let format = RecordFormat.rdw(RDWFormat(byteOrder: order, lengthIncludesHeader: includesHeader))
        let written = try writeAll(payloads, format)
        #expect(written == rdwFile(payloads, order: order, includesHeader: includesHeader))
        #expect(try readAll(written, format).records.map(\.payload) == payloads)
    }

    @Test func fixedRecordsAreConcatenated() throws {
        let payloads: [[UInt8]] = [[1, 2, 3], [4, 5, 6]]
        #expect(try writeAll(payloads, .fixed(length: 3)) == [1, 2, 3, 4, 5, 6])
        #expect(writeError([[1, 2]], .fixed(length: 3))
            == .recordDoesNotFit(record: 1, length: 2, reason: "the fixed record length is 3"))
    }

    @Test(arguments: [100, 257, 32_760])
    func bdwBlocksAreFilledGreedilyAndReadBack(maximumBlockBytes: Int) throws {
        let payloads = samplePayloads(count: 200, maximumLength: 80, seed: 21)
        let written = try writeAll(payloads, .bdw(), options: RecordWriterOptions(maximumBlockBytes: maximumBlockBytes))
        // The expected blocking, computed independently: start a new block when the next record would not fit.
        var blocks: [[[UInt8]]] = [[]]
        var used = 4
        for payload in payloads {
            if used + 4 + payload.count > maximumBlockBytes {
                blocks.append([])
                used = 4
            }
            blocks[blocks.count - 1].append(payload)
            used += 4 + payload.count
        }
        #expect(written == bdwFile(blocks))
        let outcome = try readAll(written, .bdw())
        #expect(outcome.records.map(\.payload) == payloads)
        #expect(outcome.records.last?.blockNumber == blocks.count)
    }

    @Test(arguments: [
        (BDWFormat(byteOrder: .littleEndian, lengthIncludesHeader: false), RDWFormat(byteOrder: .littleEndian)),
        (BDWFormat(lengthIncludesHeader: false), RDWFormat(lengthIncludesHeader: false)),
    ])
    func bdwVariantsRoundTrip(bdw: BDWFormat, rdw: RDWFormat) throws {
        let payloads = samplePayloads(count: 50, seed: 4)
        let format = RecordFormat.bdw(bdw, rdw)
        let written = try writeAll(payloads, format, options: RecordWriterOptions(maximumBlockBytes: 1000))
        #expect(try readAll(written, format).records.map(\.payload) == payloads)
    }

    @Test func largeBlocksGetAnExtendedBdw() throws {
        let payloads = [[UInt8](repeating: 0xC1, count: 30_000), [UInt8](repeating: 0xC2, count: 30_000)]
        let written = try writeAll(
            payloads, .bdw(BDWFormat(), RDWFormat()), options: RecordWriterOptions(maximumBlockBytes: 100_000))
        let blockLength = 4 + 2 * (4 + 30_000)
        #expect(Array(written.prefix(4)) == [0x80, 0, UInt8(blockLength >> 8), UInt8(blockLength & 0xFF)])
        #expect(try readAll(written, .bdw()).records.map(\.payload) == payloads)
    }

    @Test func recordsThatDoNotFitTheirFraming() {
        #expect(writeError([[]], .rdw())
            == .recordDoesNotFit(record: 1, length: 0, reason: "an RDW payload must be 1...65531 bytes"))
        #expect(writeError([[UInt8](repeating: 0, count: 65_532)], .rdw()) != nil)
        #expect(writeError([[UInt8](repeating: 0, count: 65_535)], .rdw(RDWFormat(lengthIncludesHeader: false))) == nil)
        #expect(writeError([[UInt8](repeating: 0, count: 93)], .bdw(), options: RecordWriterOptions(maximumBlockBytes: 100))
            == .recordDoesNotFit(
                record: 1, length: 93, reason: "with its RDW and a BDW it exceeds the maximum block of 100 bytes"))
        #expect(writeError([[1]], .bdw(BDWFormat(byteOrder: .littleEndian)), options: RecordWriterOptions(maximumBlockBytes: 70_000))
            == .invalidFormat(option: "maximumBlockBytes", reason: "70000 is not in 9...65535"))
    }

    @Test func headerAndTrailerAreWrittenAndChecked() throws {
        let format = RecordFormat(.rdw(RDWFormat()), fileHeaderBytes: 3, fileTrailerBytes: 2)
        let written = try writeAll([[1], [2, 3]], format, header: [7, 7, 7], trailer: [9, 9])
        #expect(written == [7, 7, 7] + rdwFile([[1], [2, 3]]) + [9, 9])
        let outcome = try readAll(written, format)
        #expect(outcome.fileHeader == [7, 7, 7])
        #expect(outcome.fileTrailer == [9, 9])
        #expect(writeError([[1]], format) == .invalidFormat(
            option: "fileHeaderBytes", reason: "write the 3-byte file header first"))
    }

    @Test func layoutRecordsAreWrittenWithoutFraming() throws {
        let records = RecordReaderFramingTests.countedRecords([2, 0, 4])
        let format = RecordFormat(.layout(RecordReaderFramingTests.countedLayout))
        let written = try writeAll(records, format)
        #expect(written == records.flatMap { $0 })
        #expect(try readAll(written, format).records.map(\.payload) == records)
    }

    @Test func writesToAFileDescriptorThatReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-rw-\(UUID().uuidString).bin").path
        defer { unlink(path) }
        let payloads = samplePayloads(count: 5000, seed: 8)
        let format = RecordFormat.bdw()
        let output = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(output >= 0)
        var writer = try RecordWriter(
            fileDescriptor: output, format: format, options: RecordWriterOptions(bufferSize: 4096))
        for payload in payloads { try writer.write(payload) }
        _ = try writer.finish()
        close(output)

        let input = open(path, O_RDONLY)
        try #require(input >= 0)
        defer { close(input) }
        let outcome = try readAll(FileDescriptorInput(fileDescriptor: input), format)
        #expect(outcome.records.map(\.payload) == payloads)
        let onDisk = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(onDisk == (try writeAll(payloads, format)))
    }
}
