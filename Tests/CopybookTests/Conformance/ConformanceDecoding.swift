import CodePages
import Copybook
import Events
import Foundation

/// Why the conformance adapter could not decode.
enum ConformanceDecodingError: Error, CustomStringConvertible {
    case setup(caseName: String, variant: String, reason: String)

    var description: String {
        switch self {
        case let .setup(caseName, variant, reason): "conformance \(caseName)/\(variant): \(reason)"
        }
    }
}

/// THE adapter between the conformance suite and the record decoder: decode `variant`'s data with its copybook
/// and settings and return one JSON object per record, exactly as `ferry convert copybook` writes them (keys =
/// COBOL names as written, groups nested, single root collapsed unless `.keep`, OCCURS as arrays with only the
/// live ODO elements, numbers with exactly the PIC scale, text trimmed per `settings.trimming`, nulls as `.null`).
///
/// Strict-mode failures throw; lenient mode nulls invalid fields, and a short last record is decoded as far as
/// its bytes go (the framing reports it, the decoder nulls the missing fields). The harness applies
/// `rules.keepOnly` and `rules.orderBy` itself.
func decodeRecords(_ conformanceCase: ConformanceCase, variant: ConformanceVariant) throws -> [JSONValue] {
    let settings = variant.settings
    let folder = ConformanceCorpus.caseFolder(conformanceCase)
    func fail(_ reason: String) -> ConformanceDecodingError {
        .setup(caseName: conformanceCase.name, variant: variant.name, reason: reason)
    }

    // The copybook, laid out with the case's binary-size and SYNC policies.
    let copybookText: String
    switch settings.copybook {
    case let .file(name): copybookText = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    case let .text(text): copybookText = text
    case .bytes: throw fail("a copybook must be text")
    }
    var copybookOptions = CopybookOptions()
    copybookOptions.binarySizes =
        switch settings.binarySizes {
        case .ibm: .ibm
        case .ibmWithCobrixExtension: .ibm  // the layout sizes binaries beyond 18 digits as cobrix does
        case .gnuCOBOL1248: .gnuCOBOL
        case .minimalBytes: .microFocus
        }
    copybookOptions.synchronization =
        switch settings.sync {
        case .ignored: .ignore
        case .itemSize: .ibm
        case .itemSizeAtMost4: .eightByteToFour
        }
    let copybook = try Copybook(parsing: copybookText, sourceName: "\(conformanceCase.name)", options: copybookOptions)
    guard let layout = copybook.records.first else { throw fail("the copybook has no record") }

    // Decoding options.
    var options = RecordDecodingOptions(codePage: try settings.codePage.ccsid.map { try CodePage(ccsid: $0) }
        ?? CodePage(named: "ascii"))
    options.trimming =
        switch settings.trimming {
        case .none: .none
        case .leading: .left
        case .trailing: .right
        case .both: .both
        }
    options.variableOccurs = settings.odoStorage == .shifting ? .shifting : .maximumSize
    options.floatingPoint = settings.floatFormat == .ibmHexadecimal ? .ibmHexadecimal : .ieee754BigEndian
    options.nativeBinaryByteOrder = settings.comp5ByteOrder == .bigEndian ? .bigEndian : .littleEndian
    if case let .segmentMap(field, alternatives, otherwise) = settings.redefines {
        options.redefines = .segmentField(field: field, alternatives: alternatives, otherwise: otherwise)
    }
    options.lowValuesAsNull = settings.lowValuesAreNull
    options.invalidData = settings.invalidData == .strict ? .strict : .lenient
    options.asciiZonedConvention = .ibmOverpunch
    options.collapseRoot = settings.rootGroup == .collapse
    options.keepFiller = !settings.dropFillers
    options.relaxedDisplayNumbers = settings.relaxedDisplayNumbers
    var decoder = try RecordDecoder(layout: layout, options: options)

    // The data, cut into records.
    let data: [UInt8]
    switch settings.data {
    case let .file(name): data = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    case let .bytes(bytes): data = bytes
    case let .text(text): data = Array(text.utf8)
    }
    var output: [UInt8] = []
    var number = 0
    if case .lineSequential = settings.framing {
        var start = 0
        for (index, byte) in data.enumerated() where byte == 0x0A {
            var end = index
            if end > start && data[end - 1] == 0x0D { end -= 1 }
            number += 1
            try data[start..<end].withUnsafeBytes { line in
                _ = try decoder.decode(line, recordNumber: number, recordOffset: Int64(start), into: &output)
            }
            start = index + 1
        }
    } else {
        let framing: RecordFormat.Framing
        switch settings.framing {
        case let .fixed(length):
            framing = .fixed(length: length ?? layout.size + settings.recordStartOffset + settings.recordEndOffset)
        case let .rdw(header):
            framing = .rdw(RDWFormat(
                byteOrder: header.layout == .bigEndian ? .bigEndian : .littleEndian,
                lengthIncludesHeader: header.includesHeader))
        case let .lengthField(name, adjustment):
            guard let item = layout.items.first(where: { $0.name == name }), let picture = item.picture else {
                throw fail("length field \(name) is not in the copybook")
            }
            let encoding: RecordLengthField.Encoding = item.usage.isBinary ? .binaryBigEndian : .digits
            _ = picture
            framing = .lengthField(RecordLengthField(
                offset: item.offset + settings.recordStartOffset, width: item.storageSize, encoding: encoding,
                adjustment: adjustment))
        case .variableFromLayout:
            framing = .layout(decoder.layoutLengthFraming)
        case .lineSequential:
            throw fail("unreachable")
        }
        let format = RecordFormat(
            framing, fileHeaderBytes: settings.fileHeaderBytes, fileTrailerBytes: settings.fileTrailerBytes,
            recordStartOffset: settings.recordStartOffset, recordEndOffset: settings.recordEndOffset)
        var reader = try RecordReader(
            input: ByteArrayInput(data), format: format,
            options: RecordReaderOptions(isLenient: settings.invalidData == .lenient))
        while let result = try reader.next() {
            switch result {
            case let .record(record):
                _ = try decoder.decode(
                    record.bytes, recordNumber: record.number, recordOffset: Int64(record.offset), into: &output)
            case let .skipped(skipped):
                // Lenient: a short last record is decoded as far as its bytes go (missing fields are null).
                guard skipped.error.isTruncation else { continue }
                let start = min(settings.recordStartOffset, skipped.bytes.count)
                _ = try decoder.decode(
                    UnsafeRawBufferPointer(rebasing: skipped.bytes[start...]), recordNumber: reader.recordsRead + 1,
                    recordOffset: Int64(skipped.offset), into: &output)
            }
        }
    }
    var records: [JSONValue] = []
    var lineStart = 0
    for (index, byte) in output.enumerated() where byte == 0x0A {
        var record = try JSONValue(parsing: Array(output[lineStart..<index]))
        // `_errors` is the decoder's side channel (checked by the decoder's own tests), not a copybook field.
        if case let .object(members) = record { record = .object(members.filter { $0.key != "_errors" }) }
        records.append(record)
        lineStart = index + 1
    }
    return records
}
