import ByteCoding
import Copybook
import Foundation
import Testing

@Suite("RecordReader framing")
struct RecordReaderFramingTests {
    @Test func fixedRecordsAreSplitAtTheLength() throws {
        let data: [UInt8] = Array(1...15)
        let outcome = try readAll(data, .fixed(length: 5))
        #expect(outcome.records.map(\.payload) == [Array(1...5), Array(6...10), Array(11...15)])
        #expect(outcome.records.map(\.number) == [1, 2, 3])
        #expect(outcome.records.map(\.offset) == [0, 5, 10])
        #expect(outcome.records.allSatisfy { $0.rdw.isEmpty && $0.bdw.isEmpty && $0.blockNumber == 0 })
    }

    @Test(arguments: [
        (DescriptorByteOrder.bigEndian, true), (.bigEndian, false), (.littleEndian, true), (.littleEndian, false),
    ])
    func rdwRecordsInEveryVariant(order: DescriptorByteOrder, includesHeader: Bool) throws {
        let payloads = samplePayloads(count: 60)
        let data = rdwFile(payloads, order: order, includesHeader: includesHeader)
        let format = RecordFormat.rdw(RDWFormat(byteOrder: order, lengthIncludesHeader: includesHeader))
        let outcome = try readAll(data, format)
        #expect(outcome.records.map(\.payload) == payloads)
        #expect(outcome.records.map(\.bytes) == payloads)
        #expect(
            outcome.records.map(\.rdw)
                == payloads.map { rdwBytes(payloadLength: $0.count, order: order, includesHeader: includesHeader) })
        var offset = 0
        for (record, payload) in zip(outcome.records, payloads) {
            #expect(record.offset == offset)
            offset += 4 + payload.count
        }
        #expect(outcome.records.last?.number == 60)
    }

    @Test func bdwBlocksOfRdwRecords() throws {
        let payloads = samplePayloads(count: 6, maximumLength: 40)
        let blocks = [[payloads[0], payloads[1]], [payloads[2]], [payloads[3], payloads[4], payloads[5]]]
        let data = bdwFile(blocks)
        let outcome = try readAll(data, .bdw())
        #expect(outcome.records.map(\.payload) == payloads)
        #expect(outcome.records.map(\.blockNumber) == [1, 1, 2, 3, 3, 3])
        #expect(outcome.records.map { !$0.bdw.isEmpty } == [true, false, true, true, false, false])
        // The first record's RDW sits after the BDW.
        #expect(outcome.records[0].offset == 4)
        #expect(outcome.records[0].bdw == bdwBytes(blockLength: 4 + 8 + payloads[0].count + payloads[1].count))
        #expect(outcome.records[2].offset == 4 + 8 + payloads[0].count + payloads[1].count + 4)
    }

    @Test func littleEndianBdwWithLengthsExcludingHeaders() throws {
        let payloads: [[UInt8]] = [[1, 2, 3], [4, 5]]
        let records = rdwFile(payloads, order: .littleEndian, includesHeader: false)
        let blockValue = records.count  // excludes the BDW itself
        let data = [0, 0, UInt8(blockValue), 0] + records
        let format = RecordFormat.bdw(
            BDWFormat(byteOrder: .littleEndian, lengthIncludesHeader: false),
            RDWFormat(byteOrder: .littleEndian, lengthIncludesHeader: false))
        let outcome = try readAll(data, format)
        #expect(outcome.records.map(\.payload) == payloads)
    }

    @Test func extendedBdwCarriesA31BitLength() throws {
        let payload = [UInt8](repeating: 0xC1, count: 40_000)
        let records = rdwFile([payload, payload], includesHeader: false)
        let length = 4 + records.count
        let data = [UInt8(0x80 | (length >> 24)), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + records
        let outcome = try readAll(data, .bdw(BDWFormat(), RDWFormat(lengthIncludesHeader: false)))
        #expect(outcome.records.map(\.payload) == [payload, payload])
    }

    @Test(arguments: [
        (RecordLengthField(offset: 0, width: 2, encoding: .binaryBigEndian, adjustment: 4), [UInt8(0), 8]),
        (RecordLengthField(offset: 2, width: 4, encoding: .binaryLittleEndian), [UInt8(0xAA), 0xBB, 12, 0, 0, 0]),
        (RecordLengthField(offset: 1, width: 3, encoding: .digits, adjustment: -1), [UInt8(0x5C), 0xF0, 0xF1, 0xF3]),
        (RecordLengthField(offset: 0, width: 4, encoding: .digits), Array("0012".utf8)),
    ])
    func lengthFieldInsideTheRecord(field: RecordLengthField, prefix: [UInt8]) throws {
        // Every record is the prefix (which encodes a length of 12) plus filler up to 12 bytes.
        let record = prefix + [UInt8](repeating: 0x40, count: 12 - prefix.count)
        let data = record + record.map { $0 } + record
        let outcome = try readAll(data, RecordFormat(.lengthField(field)))
        #expect(outcome.records.count == 3)
        #expect(outcome.records.allSatisfy { $0.payload == record })
        #expect(outcome.records.map(\.offset) == [0, 12, 24])
    }

    /// A layout whose first two bytes are an ODO count (big-endian) of 3-byte elements.
    static let countedLayout = RecordLengthFunction { available throws(RecordLengthRejection) in
        guard available.count >= 2 else { return nil }
        let count = Int(available[0]) << 8 | Int(available[1])
        guard count <= 50 else { throw RecordLengthRejection("ODO count \(count) is above the maximum of 50") }
        return 2 + 3 * count
    }

    static func countedRecords(_ counts: [Int]) -> [[UInt8]] {
        counts.map { count in [UInt8(count >> 8), UInt8(count & 0xFF)] + (0..<(3 * count)).map { UInt8($0 & 0xFF) } }
    }

    @Test(arguments: [nil, 1, 3])
    func layoutLengthFromTheCallback(chunkSize: Int?) throws {
        let records = Self.countedRecords([0, 5, 1, 50, 2])
        let outcome = try readAll(
            records.flatMap { $0 }, RecordFormat(.layout(Self.countedLayout)), chunkSize: chunkSize,
            RecordReaderOptions(readSize: chunkSize ?? 1 << 20))
        #expect(outcome.records.map(\.payload) == records)
    }

    @Test func fileHeaderAndTrailerAreSkippedAndKept() throws {
        let header: [UInt8] = [9, 9, 9]
        let trailer: [UInt8] = [7, 7, 7, 7, 7]
        let body: [UInt8] = Array(1...12)
        let format = RecordFormat(.fixed(length: 4), fileHeaderBytes: 3, fileTrailerBytes: 5)
        for chunk in [nil, 1, 2] as [Int?] {
            let outcome = try readAll(header + body + trailer, format, chunkSize: chunk, RecordReaderOptions(readSize: chunk ?? 1 << 20))
            #expect(outcome.records.map(\.payload) == [Array(1...4), Array(5...8), Array(9...12)])
            #expect(outcome.records.map(\.offset) == [3, 7, 11])
            #expect(outcome.fileHeader == header)
            #expect(outcome.fileTrailer == trailer)
        }
    }

    @Test func recordStartAndEndOffsetsNarrowTheDescribedBytes() throws {
        let payloads: [[UInt8]] = [Array(0..<10), Array(10..<25)]
        let format = RecordFormat(.rdw(RDWFormat()), recordStartOffset: 2, recordEndOffset: 3)
        let outcome = try readAll(rdwFile(payloads), format)
        #expect(outcome.records.map(\.payload) == payloads)
        #expect(outcome.records.map(\.bytes) == [Array(2..<7), Array(12..<22)])

        let fixed = try readAll(Array(0..<20), RecordFormat(.fixed(length: 10), recordStartOffset: 1, recordEndOffset: 4))
        #expect(fixed.records.map(\.bytes) == [Array(1..<6), Array(11..<16)])
    }

    @Test func layoutSeesOnlyTheDescribedPart() throws {
        // Each record: 2 prefix bytes (0xFF) + described part sized by the layout + 1 suffix byte (0xEE).
        let described = Self.countedRecords([1, 3])
        let data: [UInt8] = described.flatMap { [0xFF, 0xFF] + $0 + [0xEE] as [UInt8] }
        let format = RecordFormat(.layout(Self.countedLayout), recordStartOffset: 2, recordEndOffset: 1)
        let outcome = try readAll(data, format, chunkSize: 1, RecordReaderOptions(readSize: 1))
        #expect(outcome.records.map(\.bytes) == described)
        #expect(outcome.records.map { $0.payload.count } == described.map { $0.count + 3 })
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(try readAll([], .rdw()).records.isEmpty)
        #expect(try readAll([], .bdw()).records.isEmpty)
        #expect(try readAll([], .fixed(length: 3)).records.isEmpty)
    }
}

@Suite("RecordReader errors")
struct RecordReaderErrorTests {
    @Test func truncatedRdwHeader() {
        let data = rdwFile([[1, 2, 3]]) + [0, 9]
        let error = readError(data, .rdw())
        #expect(error == .truncatedDescriptor(record: 2, offset: 7, source: .rdw, found: 2))
        #expect(error?.description == "record 2 at byte 7: the input ends after 2 of the 4 RDW bytes")
    }

    @Test func rdwLengthBelowTheMinimum() {
        let error = readError([0, 2, 0, 0, 1, 2], .rdw())
        #expect(error == .lengthBelowMinimum(record: 1, offset: 0, source: .rdw, length: 2, minimum: 5))
        #expect(error?.description == "record 1 at byte 0: RDW length 2 is below the minimum of 5")
        #expect(readError([0, 0, 0, 0, 0, 0, 0, 0], .rdw(RDWFormat(lengthIncludesHeader: false)))
            == .lengthBelowMinimum(record: 1, offset: 0, source: .rdw, length: 0, minimum: 1))
    }

    @Test func rdwLengthAboveTheConfiguredMaximum() {
        let data = [0xFF, 0xFF, 0, 0] + [UInt8](repeating: 0, count: 100)
        #expect(readError(data, .rdw(), RecordReaderOptions(maximumRecordBytes: 1000))
            == .lengthAboveMaximum(record: 1, offset: 0, source: .rdw, length: 65535, maximum: 1004))
    }

    @Test(arguments: [
        (DescriptorByteOrder.bigEndian, [UInt8(0), 10, 0, 1]), (.littleEndian, [UInt8(1), 0, 10, 0]),
    ])
    func rdwReservedBytesMustBeZero(order: DescriptorByteOrder, rdw: [UInt8]) {
        // A good record first, then garbage.
        let good = rdwFile([[1]], order: order)
        let error = readError(good + rdw + [UInt8](repeating: 0, count: 10), .rdw(RDWFormat(byteOrder: order)))
        #expect(error == .descriptorNotZeroed(record: 2, offset: 5, source: .rdw, found: rdw))
    }

    @Test func bdwWhoseRecordOverflowsIt() {
        // The block claims 18 bytes (BDW + 14) but its RDW announces 4 + 20.
        let data = bdwBytes(blockLength: 18) + rdwBytes(payloadLength: 20) + [UInt8](repeating: 1, count: 20)
        let error = readError(data, .bdw())
        #expect(error == .recordOverflowsBlock(record: 1, offset: 4, length: 24, bytesLeftInBlock: 14))
    }

    @Test func bdwWithBytesLeftOverAfterItsRecords() {
        let record = rdwBytes(payloadLength: 5) + [1, 2, 3, 4, 5]
        let data = bdwBytes(blockLength: 4 + record.count + 2) + record + [0, 0]
        #expect(readError(data, .bdw()) == .blockNotFilled(record: 2, offset: 13, bytesLeftInBlock: 2))
    }

    @Test func inputEndingInsideABlock() {
        let record = rdwBytes(payloadLength: 5) + [1, 2, 3, 4, 5]
        let data = bdwBytes(blockLength: 30) + record
        #expect(readError(data, .bdw()) == .truncatedBlock(record: 2, offset: 13, bytesLeftInBlock: 17, found: 0))
    }

    @Test func bdwReservedBytesAndTinyBlocks() {
        #expect(readError([0, 20, 0, 3] + [UInt8](repeating: 0, count: 16), .bdw())
            == .descriptorNotZeroed(record: 1, offset: 0, source: .bdw, found: [0, 20, 0, 3]))
        #expect(readError([0, 4, 0, 0, 0, 0], .bdw())
            == .lengthBelowMinimum(record: 1, offset: 0, source: .bdw, length: 4, minimum: 8))
        #expect(readError([0, 8], .bdw()) == .truncatedDescriptor(record: 1, offset: 0, source: .bdw, found: 2))
    }

    @Test func shortLastFixedRecordIsNamed() {
        let error = readError([UInt8](repeating: 0xF0, count: 27), .fixed(length: 10))
        #expect(error == .shortLastRecord(record: 3, offset: 20, expected: 10, found: 7))
        #expect(error?.description == "short last record 3 at byte 20: 7 of 10 bytes")
        #expect(error?.isTruncation == true)
    }

    @Test func shortLastRdwRecord() {
        let data = rdwFile([[1, 2], [3, 4, 5, 6]]).dropLast()
        #expect(readError(Array(data), .rdw()) == .shortLastRecord(record: 2, offset: 6, expected: 4, found: 3))
    }

    @Test func lengthFieldThatIsNotDigits() {
        let field = RecordLengthField(offset: 0, width: 2, encoding: .digits)
        #expect(readError([0xF0, 0xC1, 1, 2], RecordFormat(.lengthField(field)))
            == .lengthFieldInvalid(record: 1, offset: 0, found: [0xF0, 0xC1]))
    }

    @Test func lengthFieldOutOfRange() {
        // Value 4 with adjustment -10 is a negative length; the record must at least hold its length field.
        let negative = RecordLengthField(offset: 0, width: 1, encoding: .binaryBigEndian, adjustment: -10)
        #expect(readError([4, 1, 1, 1], RecordFormat(.lengthField(negative)))
            == .lengthBelowMinimum(record: 1, offset: 0, source: .lengthField, length: 4, minimum: 11))
        let wide = RecordLengthField(offset: 0, width: 8, encoding: .binaryBigEndian)
        let error = readError([0x80, 0, 0, 0, 0, 0, 0, 1], RecordFormat(.lengthField(wide)))
        guard case .lengthAboveMaximum(1, 0, .lengthField, _, _) = error else {
            Issue.record("expected lengthAboveMaximum, got \(String(describing: error))")
            return
        }
    }

    @Test func layoutRejectionCarriesTheDecodersMessage() {
        let data = RecordReaderFramingTests.countedRecords([1]).flatMap { $0 } + [0, 99] + [UInt8](repeating: 0, count: 10)
        let error = readError(data, RecordFormat(.layout(RecordReaderFramingTests.countedLayout)))
        #expect(error == .layoutLengthRejected(record: 2, offset: 5, message: "ODO count 99 is above the maximum of 50"))
    }

    @Test func layoutThatNeverDecides() {
        let undecided = RecordLengthFunction { _ throws(RecordLengthRejection) in nil }
        let error = readError(
            [UInt8](repeating: 0, count: 500), RecordFormat(.layout(undecided)), RecordReaderOptions(maximumRecordBytes: 100))
        #expect(error == .layoutLengthUndetermined(record: 1, offset: 0, available: 500))
        #expect(readError([1, 2, 3], RecordFormat(.layout(undecided)))
            == .shortLastRecord(record: 1, offset: 0, expected: nil, found: 3))
    }

    @Test func missingFileHeaderOrTrailer() {
        #expect(readError([1, 2], RecordFormat(.fixed(length: 1), fileHeaderBytes: 5)) == .missingFileHeader(expected: 5, found: 2))
        #expect(readError([1, 2, 3], RecordFormat(.fixed(length: 1), fileHeaderBytes: 1, fileTrailerBytes: 4))
            == .missingFileTrailer(expected: 4, found: 2))
    }

    @Test func invalidFormatsAreRejectedUpFront() {
        let cases: [(RecordFormat, String)] = [
            (.fixed(length: 0), "fixed.length"),
            (RecordFormat(.fixed(length: 5), recordStartOffset: 3, recordEndOffset: 2), "fixed.length"),
            (RecordFormat(.rdw(RDWFormat()), fileHeaderBytes: -1), "fileHeaderBytes"),
            (RecordFormat(.lengthField(RecordLengthField(offset: 0, width: 9, encoding: .binaryBigEndian))), "lengthField.width"),
            (RecordFormat(.rdw(RDWFormat(minimumPayloadBytes: -1))), "rdw.minimumPayloadBytes"),
        ]
        for (format, option) in cases {
            guard case .invalidFormat(let named, _) = readError([], format) else {
                Issue.record("\(option): expected invalidFormat")
                continue
            }
            #expect(named == option)
        }
    }

    @Test func theErrorIsThrownAgainOnTheNextCall() throws {
        var reader = try RecordReader(input: ByteArrayInput([0, 1, 0, 0]), format: .rdw())
        #expect(throws: RecordFormatError.self) { _ = try reader.next() }
        #expect(throws: RecordFormatError.lengthBelowMinimum(record: 1, offset: 0, source: .rdw, length: 1, minimum: 5)) {
            _ = try reader.next()
        }
    }

    @Test func groupedOffsetsInMessages() {
        let error = RecordFormatError.lengthBelowMinimum(record: 1207, offset: 3_145_772, source: .rdw, length: 2, minimum: 4)
        #expect(error.description == "record 1207 at byte 3,145,772: RDW length 2 is below the minimum of 4")
    }
}

@Suite("RecordReader lenient mode")
struct RecordReaderLenientTests {
    let lenient = RecordReaderOptions(isLenient: true)

    @Test func shortLastRecordIsReportedAndSkipped() throws {
        let data = [UInt8](repeating: 0xF1, count: 20) + [0xF2, 0xF3, 0xF4]
        let outcome = try readAll(data, .fixed(length: 10), lenient)
        #expect(outcome.records.count == 2)
        #expect(outcome.skips == [
            ReadSkip(error: .shortLastRecord(record: 3, offset: 20, expected: 10, found: 3), offset: 20,
                     bytes: [0xF2, 0xF3, 0xF4], isContinuation: false),
        ])
        #expect(outcome.skipCount == 1)
        #expect(outcome.bytesSkipped == 3)
    }

    @Test func badRdwWithoutBlocksSkipsTheRestInChunks() throws {
        let good = samplePayloads(count: 3)
        var tail: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        var generator = SplitMix64(seed: 3)
        tail += (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let trailer: [UInt8] = [0xEE, 0xEE]
        let format = RecordFormat(.rdw(RDWFormat()), fileTrailerBytes: 2)
        // A 64 KiB buffer (the smallest), so the 200 KB tail is reported in several chunks.
        let outcome = try readAll(rdwFile(good) + tail + trailer, format, RecordReaderOptions(readSize: 1000, isLenient: true))
        #expect(outcome.records.map(\.payload) == good)
        #expect(outcome.skips.first?.error == .descriptorNotZeroed(
            record: 4, offset: rdwFile(good).count, source: .rdw, found: [0x12, 0x34, 0x56, 0x78]))
        #expect(outcome.skips.count > 1)
        #expect(outcome.skips.map(\.isContinuation) == [false] + Array(repeating: true, count: outcome.skips.count - 1))
        #expect(outcome.skips.flatMap(\.bytes) == tail)
        #expect(outcome.bytesSkipped == tail.count)
        #expect(outcome.skipCount == 1)
        #expect(outcome.fileTrailer == trailer)
    }

    @Test func badRdwInsideABlockSkipsOnlyThatBlock() throws {
        let payloads = samplePayloads(count: 4, maximumLength: 20)
        let badBlockRecords = rdwFile([payloads[1]]) + [0, 0, 0, 0] + [1, 2, 3]
        let data = bdwFile([[payloads[0]]])
            + bdwBytes(blockLength: 4 + badBlockRecords.count) + badBlockRecords
            + bdwFile([[payloads[2], payloads[3]]])
        let outcome = try readAll(data, .bdw(), lenient)
        #expect(outcome.records.map(\.payload) == [payloads[0], payloads[1], payloads[2], payloads[3]])
        #expect(outcome.records.map(\.number) == [1, 2, 4, 5])
        #expect(outcome.skips.count == 1)
        #expect(outcome.skips[0].bytes == [0, 0, 0, 0, 1, 2, 3])
        guard case .lengthBelowMinimum(3, _, .rdw, 0, 5) = outcome.skips[0].error else {
            Issue.record("unexpected \(outcome.skips[0].error)")
            return
        }
    }

    @Test func truncatedBlockIsReportedOnce() throws {
        let record = rdwBytes(payloadLength: 2) + [1, 2]
        let outcome = try readAll(bdwBytes(blockLength: 40) + record, .bdw(), lenient)
        #expect(outcome.records.count == 1)
        #expect(outcome.skips.map(\.error) == [.truncatedBlock(record: 2, offset: 10, bytesLeftInBlock: 30, found: 0)])
    }
}

@Suite("RecordReader incremental input")
struct RecordReaderIncrementalTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var format: RecordFormat
        var data: [UInt8]
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let payloads = samplePayloads(count: 40, maximumLength: 120, seed: 11)
        let counted = RecordReaderFramingTests.countedRecords([3, 0, 7, 1, 12, 2])
        let lengthField = RecordLengthField(offset: 0, width: 2, encoding: .binaryBigEndian, adjustment: 4)
        let withLengthField = payloads.map { [UInt8($0.count >> 8), UInt8($0.count & 0xFF), 0, 0] + $0 }
        return [
            Case(name: "fixed", format: .fixed(length: 16), data: Array(payloads.joined().prefix(16 * 30))),
            Case(name: "rdw", format: .rdw(), data: rdwFile(payloads)),
            Case(
                name: "rdw-le-excl",
                format: .rdw(RDWFormat(byteOrder: .littleEndian, lengthIncludesHeader: false)),
                data: rdwFile(payloads, order: .littleEndian, includesHeader: false)),
            Case(
                name: "bdw", format: .bdw(),
                data: bdwFile([Array(payloads[0..<10]), Array(payloads[10..<11]), Array(payloads[11...])])),
            Case(name: "length-field", format: RecordFormat(.lengthField(lengthField)), data: withLengthField.flatMap { $0 }),
            Case(
                name: "layout", format: RecordFormat(.layout(RecordReaderFramingTests.countedLayout)),
                data: counted.flatMap { $0 }),
            Case(
                name: "rdw+header+trailer+offsets",
                format: RecordFormat(
                    .rdw(RDWFormat()), fileHeaderBytes: 7, fileTrailerBytes: 9, recordStartOffset: 1, recordEndOffset: 0),
                data: [UInt8](repeating: 0xAB, count: 7) + rdwFile(payloads) + [UInt8](repeating: 0xCD, count: 9)),
        ]
    }()

    @Test(arguments: cases)
    func allAtOnceByteByByteAndRandomChunksAgree(_ testCase: Case) throws {
        let whole = try readAll(testCase.data, testCase.format)
        #expect(!whole.records.isEmpty)
        let byteByByte = try readAll(testCase.data, testCase.format, chunkSize: 1, RecordReaderOptions(readSize: 1))
        #expect(byteByByte == whole)
        var generator = SplitMix64(seed: 99)
        for _ in 0..<5 {
            let chunk = Int.random(in: 2...50, using: &generator)
            #expect(try readAll(testCase.data, testCase.format, chunkSize: chunk) == whole)
        }
    }

    @Test(arguments: cases)
    func throughAPipeByteByByteAndInRandomChunks(_ testCase: Case) throws {
        let whole = try readAll(testCase.data, testCase.format)
        #expect(try readThroughPipe(testCase.data, testCase.format, chunks: [1], readSize: 1) == whole)
        var generator = SplitMix64(seed: 5)
        let chunks = (0..<64).map { _ in Int.random(in: 1...300, using: &generator) }
        #expect(try readThroughPipe(testCase.data, testCase.format, chunks: chunks, readSize: 4096) == whole)
        #expect(try readThroughPipe(testCase.data, testCase.format, chunks: chunks, readSize: 7) == whole)
    }

    @Test func constantMemoryOverALargeStream() throws {
        // 40 MiB of 1,000-byte RDW records through a pipe; the buffer stays at its initial size.
        let record = rdwBytes(payloadLength: 996) + [UInt8](repeating: 0xC3, count: 996)
        let count = 40 * 1024 * 1024 / record.count
        var data: [UInt8] = []
        data.reserveCapacity(record.count * count)
        for _ in 0..<count { data += record }
        signal(SIGPIPE, SIG_IGN)
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        let writeEnd = descriptors[1]
        let shared = data
        let writer = Thread {
            shared.withUnsafeBytes { bytes in
                var position = 0
                while position < bytes.count {
                    let written = write(writeEnd, bytes.baseAddress! + position, min(65536, bytes.count - position))
                    if written <= 0 { break }
                    position += written
                }
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(descriptors[0]) }
        var reader = try RecordReader(fileDescriptor: descriptors[0], format: .rdw())
        let initialCapacity = reader.bufferCapacity
        var seen = 0
        while let item = try reader.next() {
            guard let view = item.record else { continue }
            #expect(view.payload.count == 996)
            seen += 1
        }
        #expect(seen == count)
        #expect(reader.bufferCapacity == initialCapacity)
        #expect(initialCapacity <= (1 << 20) + (64 << 10))
    }

    @Test func bufferGrowsForALargeRecordAndNoFurther() throws {
        let big = [UInt8](repeating: 0x5A, count: 3 << 20)
        let field = RecordLengthField(offset: 0, width: 4, encoding: .binaryBigEndian)
        let record = [0, 0x30, 0, 4] + big  // 0x300004 = 4 + 3 MiB
        var reader = try RecordReader(
            input: ByteArrayInput(record + record), format: RecordFormat(.lengthField(field)),
            options: RecordReaderOptions(maximumRecordBytes: 4 << 20))
        var lengths: [Int] = []
        while let item = try reader.next() { lengths.append(item.record?.payload.count ?? -1) }
        #expect(lengths == [record.count, record.count])
        #expect(reader.bufferCapacity >= record.count)
        #expect(reader.bufferCapacity <= (4 << 20) + (1 << 20))
    }
}
