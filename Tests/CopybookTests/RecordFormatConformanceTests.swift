import Copybook
import Foundation
import Testing

/// The shared mainframe conformance corpus, `../shared/conformance/mainframe` from the repository root.
enum MainframeCorpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/conformance/mainframe").standardizedFileURL

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("SOURCES.md").path) }

    static let skipMessage: Comment =
        "conformance corpus absent: expected ../shared/conformance/mainframe beside the repository"

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relative)))
    }

    static func lines(_ relative: String) throws -> [String] {
        try String(decoding: bytes(relative), as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init).filter { !$0.isEmpty }
    }

    /// `Record_Byte_Length` of every line of a cobrix expected JSONL file.
    static func recordByteLengths(_ relative: String) throws -> [Int] {
        try lines(relative).map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object?["Record_Byte_Length"] as? Int, "no Record_Byte_Length in \(relative)")
        }
    }

    static func json(_ relative: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes(relative))) as? [String: Any])
    }

    /// Reads a corpus file through a real file descriptor.
    static func read(
        _ relative: String, _ format: RecordFormat, _ options: RecordReaderOptions = RecordReaderOptions()
    ) throws -> ReadOutcome {
        let descriptor = open(path(relative), O_RDONLY)
        try #require(descriptor >= 0, "cannot open \(relative)")
        defer { close(descriptor) }
        return try readAll(FileDescriptorInput(fileDescriptor: descriptor), format, options)
    }
}

/// CUSTDAT / FCUSDAT: 58 fixed bytes, then TRANSACTION-NBR PIC 9(9) COMP at offset 54 drives
/// `OCCURS 0 TO 5` of 25-byte TRANSACTION entries. Stands in for the record decoder's layout length.
let customerLayout = RecordLengthFunction { available throws(RecordLengthRejection) in
    guard available.count >= 58 else { return nil }
    let count = Int(available[54]) << 24 | Int(available[55]) << 16 | Int(available[56]) << 8 | Int(available[57])
    guard count <= 5 else { throw RecordLengthRejection("TRANSACTION-NBR \(count) is above the OCCURS maximum of 5") }
    return 58 + 25 * count
}

@Suite("RecordFormat conformance walks", .enabled(if: MainframeCorpus.isAvailable, MainframeCorpus.skipMessage))
struct RecordFormatConformanceTests {
    /// The cobrix multi-segment cases: cobrix's Record_Byte_Length is the payload length, for the first 60 records
    /// in file order.
    @Test(arguments: [
        ("cobrix-04-multisegment-rdw-little-endian/COMP.DETAILS.SEP30.DATA.dat",
         "cobrix-04-multisegment-rdw-little-endian/expected.test5.jsonl", DescriptorByteOrder.littleEndian, false),
        ("cobrix-05-multisegment-rdw-big-endian/COMP.DETAILS.FEB02.DATA.RDW.BE.dat",
         "cobrix-05-multisegment-rdw-big-endian/expected.test5b.jsonl", .bigEndian, false),
        ("cobrix-13-rdw-includes-header-length/COMP.DETAILS.JUL02.DATA.dat",
         "cobrix-13-rdw-includes-header-length/expected.test14.jsonl", .littleEndian, true),
    ])
    func cobrixRdwFiles(data: String, expected: String, order: DescriptorByteOrder, includesHeader: Bool) throws {
        let format = RecordFormat.rdw(RDWFormat(byteOrder: order, lengthIncludesHeader: includesHeader))
        let outcome = try MainframeCorpus.read(data, format)
        let expectedLengths = try MainframeCorpus.recordByteLengths(expected)
        #expect(expectedLengths.count == 60)
        #expect(outcome.records.prefix(expectedLengths.count).map(\.payload.count) == expectedLengths)
        // The whole file is framed: every byte is in an RDW or a payload.
        let size = try MainframeCorpus.bytes(data).count
        #expect(outcome.records.reduce(0) { $0 + 4 + $1.payload.count } == size)
        // Segment C (company) records are 64 bytes, P (contact) 60: the segment id is the first payload byte, 'C'/'P'.
        for record in outcome.records {
            let segment = record.payload[0]
            #expect(segment == 0xC3 && record.payload.count == 64 || segment == 0xD7 && record.payload.count == 60)
        }
        // The same framing written back is byte-identical.
        #expect(try writeAll(outcome.records.map(\.payload), format) == MainframeCorpus.bytes(data))
        print("cobrix RDW walk \(data): \(outcome.records.count) records")
    }

    @Test func cobrix06LengthFieldMatchesTheRdwWalkOfTheSameFile() throws {
        let data = "cobrix-06-record-length-field/COMP.DETAILS.FEB02.DATA.RDW.BE.dat"
        let field = RecordLengthField(offset: 0, width: 2, encoding: .binaryBigEndian, adjustment: 4)
        let outcome = try MainframeCorpus.read(data, RecordFormat(.lengthField(field)))
        let expectedLengths = try MainframeCorpus.recordByteLengths("cobrix-06-record-length-field/expected.test5d.jsonl")
        #expect(outcome.records.prefix(expectedLengths.count).map(\.payload.count) == expectedLengths)
        let rdw = try MainframeCorpus.read(data, .rdw(RDWFormat(lengthIncludesHeader: false)))
        #expect(outcome.records.count == rdw.records.count)
        #expect(outcome.records.map { $0.payload.count } == rdw.records.map { $0.payload.count + 4 })
    }

    @Test func cobrix02RecordStartAndEndOffsets() throws {
        let format = RecordFormat(.fixed(length: 2202), recordStartOffset: 2, recordEndOffset: 27)
        let outcome = try MainframeCorpus.read("cobrix-02-record-start-end-offsets/example.bin", format)
        let expected = try MainframeCorpus.lines("cobrix-02-record-start-end-offsets/expected.test1a.jsonl")
        #expect(outcome.records.count == expected.count)
        #expect(outcome.records.allSatisfy { $0.bytes.count == 2173 })
    }

    @Test func cobrix11FixedRecordsBetweenFileHeaderAndTrailer() throws {
        let format = RecordFormat(.fixed(length: 45), fileHeaderBytes: 10, fileTrailerBytes: 12)
        let data = "cobrix-11-file-header-footer-offsets/TRAN2.JUN24.DATA.dat"
        let outcome = try MainframeCorpus.read(data, format)
        let expected = try MainframeCorpus.lines("cobrix-11-file-header-footer-offsets/expected.test13a.jsonl")
        #expect(outcome.records.count == expected.count)
        #expect(outcome.fileHeader.count == 10)
        #expect(outcome.fileTrailer.count == 12)
        // Without the offsets the file is not a whole number of 45-byte records.
        #expect(throws: RecordFormatError.self) { _ = try MainframeCorpus.read(data, .fixed(length: 45)) }
        // On a pipe (no seeking) the trailer is held back just the same.
        let viaPipe = try readThroughPipe(MainframeCorpus.bytes(data), format, chunks: [1, 7, 45, 3], readSize: 5)
        #expect(viaPipe == outcome)
    }

    @Test func cobrix12RdwRecordsBetweenFileHeaderAndTrailer() throws {
        let format = RecordFormat(.rdw(RDWFormat(lengthIncludesHeader: false)), fileHeaderBytes: 100, fileTrailerBytes: 120)
        let data = "cobrix-12-rdw-file-header-footer-offsets/COMP.DETAILS.JUN02.DATA.RDW.BE.dat"
        let outcome = try MainframeCorpus.read(data, format)
        let expectedLengths = try MainframeCorpus.recordByteLengths(
            "cobrix-12-rdw-file-header-footer-offsets/expected.test13b.jsonl")
        #expect(outcome.records.map(\.payload.count) == expectedLengths)
        #expect(outcome.fileHeader == [UInt8](repeating: 1, count: 100))
        #expect(outcome.fileTrailer == [UInt8](repeating: 2, count: 120))
        let rewritten = try writeAll(
            outcome.records.map(\.payload), format, header: outcome.fileHeader, trailer: outcome.fileTrailer)
        #expect(rewritten == (try MainframeCorpus.bytes(data)))
    }

    @Test func jrecord03RdwIncludingHeader() throws {
        let data = "jrecord-03-dtar1000-rdw-cp273-binary/DTAR1000_Store_file_std.bin"
        let outcome = try MainframeCorpus.read(data, .rdw())
        let rows = try MainframeCorpus.lines("jrecord-03-dtar1000-rdw-cp273-binary/expected.DTAR1000.csv").count - 1
        #expect(outcome.records.count == rows)
        #expect(rows == 147)
        #expect(outcome.records.allSatisfy { $0.payload.count == 60 && $0.rdw == [0, 64, 0, 0] })
        #expect(try writeAll(outcome.records.map(\.payload), .rdw()) == MainframeCorpus.bytes(data))
    }

    /// The derived summaries of the FCUSTDAT files: record count and the histogram of RDW lengths.
    func checkCustomerFile(_ data: String, summary: String) throws -> ReadOutcome {
        let outcome = try MainframeCorpus.read(data, .rdw())
        let expected = try MainframeCorpus.json(summary)
        #expect(outcome.records.count == expected["record_count"] as? Int)
        var histogram: [String: Int] = [:]
        for record in outcome.records { histogram["\(record.payload.count + 4)", default: 0] += 1 }
        #expect(histogram == expected["rdw_length_histogram"] as? [String: Int])
        // The payload length follows the ODO count: the layout callback sizes every record the same way.
        for record in outcome.records {
            let sized = try record.payload.withUnsafeBytes { try customerLayout.length($0) }
            #expect(sized == record.payload.count)
        }
        return outcome
    }

    @Test func jrecord10CustomerFile150() throws {
        let data = "jrecord-10-rdw-odo-customer-file-150/ZOS.FCUSTDAT_150.vb.bin"
        let outcome = try checkCustomerFile(data, summary: "jrecord-10-rdw-odo-customer-file-150/expected.summary.derived.json")
        // "No BDW despite the .vb name": read as BDW blocks, the first RDW would have to be at byte 4.
        #expect(throws: RecordFormatError.self) { _ = try MainframeCorpus.read(data, .bdw()) }
        // The anchor's continuous-ODO requirement: the payloads written without RDWs are exactly the concatenated
        // payloads, and the layout length alone frames them again.
        let continuous = try writeAll(outcome.records.map(\.payload), RecordFormat(.layout(customerLayout)))
        #expect(continuous == outcome.records.flatMap(\.payload))
        let reframed = try readAll(continuous, RecordFormat(.layout(customerLayout)), chunkSize: 97)
        #expect(reframed.records.map(\.payload) == outcome.records.map(\.payload))
    }

    @Test func legstar02TenThousandRecords() throws {
        let data = "legstar-02-fcustdat-rdw-10000-records/ZOS.FCUSTDAT.RDW.bin"
        let outcome = try checkCustomerFile(data, summary: "legstar-02-fcustdat-rdw-10000-records/expected.summary.derived.json")
        #expect(outcome.records.count == 10_000)
        // The JRecord file is a byte-exact prefix: its 150 records are the first 150 here.
        let prefix = try MainframeCorpus.read("jrecord-10-rdw-odo-customer-file-150/ZOS.FCUSTDAT_150.vb.bin", .rdw())
        #expect(Array(outcome.records.prefix(150)) == prefix.records)
        #expect(try writeAll(outcome.records.map(\.payload), .rdw()) == MainframeCorpus.bytes(data))
    }

    @Test func legstar01ShortLastRecordIsNamedOrSkipped() throws {
        let data = "legstar-01-custdat-odo-short-last-field/custdat.bin"
        let expected = RecordFormatError.shortLastRecord(record: 1, offset: 0, expected: 158, found: 157)
        for format in [RecordFormat.fixed(length: 158), RecordFormat(.layout(customerLayout))] {
            #expect(throws: expected) { _ = try MainframeCorpus.read(data, format) }
            let lenient = try MainframeCorpus.read(data, format, RecordReaderOptions(isLenient: true))
            #expect(lenient.records.isEmpty)
            #expect(lenient.skips.count == 1)
            #expect(lenient.skips.first?.error == expected)
            #expect(lenient.skips.first?.bytes == (try MainframeCorpus.bytes(data)))
            #expect(lenient.bytesSkipped == 157)
        }
        #expect(expected.description == "short last record 1 at byte 0: 157 of 158 bytes")
    }

    @Test func awsMdu02IsRdwOnlyWithoutBdw() throws {
        let data = "aws-mdu-02-vb-rdw-odo-comp3-real-zos/COBVBFM2.EBCDIC.bin"
        let outcome = try MainframeCorpus.read(data, .rdw())
        let rows = try MainframeCorpus.lines("aws-mdu-02-vb-rdw-odo-comp3-real-zos/expected.COBVBFM2.psv").count
        #expect(outcome.records.count == rows)
        #expect(rows == 20)
        #expect(outcome.records.allSatisfy { (40...310).contains($0.payload.count + 4) })
        // Read as VB with BDWs, the 'block' at byte 0 would need an RDW at byte 4, but bytes 4-7 are record data.
        let bytes = try MainframeCorpus.bytes(data)
        #expect(throws: RecordFormatError.descriptorNotZeroed(
            record: 1, offset: 4, source: .rdw, found: Array(bytes[4..<8]))) {
            _ = try MainframeCorpus.read(data, .bdw())
        }
        #expect(try writeAll(outcome.records.map(\.payload), .rdw()) == bytes)
    }
}
