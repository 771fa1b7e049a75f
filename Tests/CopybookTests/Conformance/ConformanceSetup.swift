import CodePages
import Copybook
import Foundation

/// What a conformance variant's settings mean for the product: the laid-out record, the decoding options, and the
/// records cut from its data exactly as `ferry convert copybook` would cut them. Shared by the conformance adapter
/// and the encoder's round-trip test, so the two can never read a case differently.
struct ConformanceSetup {
    let layout: RecordLayout
    /// The options the case asks for; callers may adjust them (the round trip keeps fillers and padding).
    var options: RecordDecodingOptions
    let settings: CaseSettings
    let data: [UInt8]

    /// One record cut from the data; `isPartial` for a short last record that lenient framing reported.
    struct Record {
        var bytes: [UInt8]
        var number: Int
        var offset: Int
        var isPartial: Bool
    }

    init(_ conformanceCase: ConformanceCase, _ variant: ConformanceVariant) throws {
        settings = variant.settings
        let folder = ConformanceCorpus.caseFolder(conformanceCase)
        let copybookText: String
        switch settings.copybook {
        case let .file(name): copybookText = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        case let .text(text): copybookText = text
        case .bytes:
            throw ConformanceDecodingError.setup(
                caseName: conformanceCase.name, variant: variant.name, reason: "a copybook must be text")
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
        let copybook = try Copybook(parsing: copybookText, sourceName: conformanceCase.name, options: copybookOptions)
        guard let layout = copybook.records.first else {
            throw ConformanceDecodingError.setup(
                caseName: conformanceCase.name, variant: variant.name, reason: "the copybook has no record")
        }
        self.layout = layout

        var options = RecordDecodingOptions(
            codePage: try settings.codePage.ccsid.map { try CodePage(ccsid: $0) } ?? CodePage(named: "ascii"))
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
        self.options = options

        switch settings.data {
        case let .file(name): data = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        case let .bytes(bytes): data = bytes
        case let .text(text): data = Array(text.utf8)
        }
    }

    /// The records of the data. With `lenientFraming` a short last record is returned as partial instead of
    /// failing; other skipped bytes are left out. `decoder` sizes records whose length follows from ODO counts.
    func records(lenientFraming: Bool, decoder: RecordDecoder) throws -> [Record] {
        var records: [Record] = []
        if case .lineSequential = settings.framing {
            var start = 0
            for (index, byte) in data.enumerated() where byte == 0x0A {
                var end = index
                if end > start && data[end - 1] == 0x0D { end -= 1 }
                records.append(Record(bytes: Array(data[start..<end]), number: records.count + 1, offset: start, isPartial: false))
                start = index + 1
            }
            return records
        }
        let framing: RecordFormat.Framing
        switch settings.framing {
        case let .fixed(length):
            framing = .fixed(length: length ?? layout.size + settings.recordStartOffset + settings.recordEndOffset)
        case let .rdw(header):
            framing = .rdw(RDWFormat(
                byteOrder: header.layout == .bigEndian ? .bigEndian : .littleEndian,
                lengthIncludesHeader: header.includesHeader))
        case let .lengthField(name, adjustment):
            guard let item = layout.items.first(where: { $0.name == name }) else {
                throw ConformanceDecodingError.setup(caseName: name, variant: "", reason: "length field \(name) is not in the copybook")
            }
            framing = .lengthField(RecordLengthField(
                offset: item.offset + settings.recordStartOffset, width: item.storageSize,
                encoding: item.usage.isBinary ? .binaryBigEndian : .digits, adjustment: adjustment))
        case .variableFromLayout:
            framing = .layout(decoder.layoutLengthFraming)
        case .lineSequential:
            fatalError("handled above")
        }
        let format = RecordFormat(
            framing, fileHeaderBytes: settings.fileHeaderBytes, fileTrailerBytes: settings.fileTrailerBytes,
            recordStartOffset: settings.recordStartOffset, recordEndOffset: settings.recordEndOffset)
        var reader = try RecordReader(
            input: ByteArrayInput(data), format: format, options: RecordReaderOptions(isLenient: lenientFraming))
        while let result = try reader.next() {
            switch result {
            case let .record(record):
                records.append(Record(bytes: Array(record.bytes), number: record.number, offset: record.offset, isPartial: false))
            case let .skipped(skipped):
                guard skipped.error.isTruncation else { continue }
                let start = min(settings.recordStartOffset, skipped.bytes.count)
                records.append(Record(
                    bytes: Array(skipped.bytes[start...]), number: reader.recordsRead + 1, offset: skipped.offset,
                    isPartial: true))
            }
        }
        return records
    }
}
