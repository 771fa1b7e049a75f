import CodePages
import Copybook
import Events

/// `ferry convert copybook --copybook FILE [options] INPUT|-`: EBCDIC (or ASCII) records described by a COBOL
/// copybook to JSON Lines, or to CloudEvents with `--key` and `--type`.
struct ConvertCopybookCommand: Command {
    static let input = Argument<String>(
        "input", isOptional: true, help: "The data file; '-' or absent reads standard input.")
    static let copybook = Option<String>(
        "copybook", short: "c", valueName: "FILE", isRequired: true, help: "The COBOL copybook describing the records.")
    static let record = Option<String>(
        "record", valueName: "NAME", help: "The 01 record to use when the copybook has several (default: the first).")
    static let codePage = Option<String>(
        "codepage", valueName: "NAME", default: "cp037",
        help: "Code page of text and zoned fields: cp037, cp1047, cp273, cp500, cp1140…cp1149, ascii, latin-1, utf-8 …")
    static let fieldCodePages = Option<String>(
        "field-codepage", valueName: "FIELD=NAME",
        help: "A code page for one field, by COBOL name or dotted path (repeatable), e.g. NAME-DE=cp273.")
    static let recordFormat = Option<CopybookRecordFormat>(
        "record-format", short: "f", valueName: "FORMAT", default: .fixed,
        help: """
            fixed (F/FB), rdw (IBM RDW: big-endian length including the 4-byte header), rdw-le (little-endian \
            00 00 LL HH, payload length), bdw (blocks of RDW records) or variable (no prefix; the length follows \
            from OCCURS DEPENDING ON counts).
            """)
    static let rdwLength = Option<CopybookRDWLength>(
        "rdw-length", valueName: "COUNTS",
        help: "What an RDW's length counts: header (IBM, the default for rdw and bdw) or payload (default for rdw-le).")
    static let lengthField = Option<String>(
        "length-field", valueName: "FIELD[+N|-N]",
        help: "Records carry their length in this field (plus or minus N bytes); replaces --record-format.")
    static let recordLength = Option<Positive>(
        "record-length", valueName: "N", help: "Length of fixed records (default: the copybook's record size).")
    static let fileHeader = Option<NonNegative>(
        "file-header", valueName: "N", default: NonNegative(0), help: "Bytes to skip at the start of the input.")
    static let fileTrailer = Option<NonNegative>(
        "file-trailer", valueName: "N", default: NonNegative(0), help: "Bytes to ignore at the end of the input.")
    static let binarySizes = Option<BinarySizePolicy>(
        "binary-sizes", valueName: "POLICY", default: .ibm,
        help: "Binary (COMP) sizes by digits: ibm (2/4/8), gnucobol (1/2/4/8) or microfocus (fewest bytes).")
    static let sync = Option<SynchronizationPolicy>(
        "sync", valueName: "POLICY", default: .ibm, help: "SYNC alignment: ibm, fujitsu or ignore.")
    static let comp5 = Option<CopybookByteOrder>(
        "comp5", valueName: "ORDER", default: .big,
        help: "Byte order of COMP-5 items: big (z/OS) or little (PC-written files).")
    static let floats = Option<CopybookFloatFormat>(
        "float", valueName: "FORMAT", default: .ibm,
        help: "COMP-1/COMP-2 format: ibm (hexadecimal floating point), ieee (big-endian) or ieee-le.")
    static let occurs = Option<CopybookOccursStorage>(
        "odo", valueName: "STORAGE", default: .shifting,
        help: "OCCURS DEPENDING ON storage: shifting (only live elements, z/OS) or maximum (always the maximum).")
    static let keepSpaces = Flag("keep-spaces", help: "Keep trailing spaces of text fields.")
    static let keepFiller = Flag("keep-filler", help: "Emit FILLER items.")
    static let lenient = Flag(
        "lenient",
        help: """
            Emit null for invalid fields and list them in the record's _errors; decode a short last record as \
            far as it goes. Without it the first invalid field stops the conversion (exit 3).
            """)
    static let strictSigns = Flag(
        "strict-signs", help: "Accept only preferred signs (C/D/F signed, F unsigned) in zoned and packed fields.")
    static let relaxedNumbers = Flag(
        "relaxed-numbers", help: "Read DISPLAY numbers padded with spaces (\"  33\", \"789.09  \") as numbers.")
    static let debugHex = Flag("debug-hex", help: "Add <FIELD>_debug with each field's raw bytes in hex.")
    static let encode = Flag(
        "encode",
        help: """
            The reverse: read JSON Lines (records as this command writes them, or CloudEvents whose data is one)             and write the records' bytes in the layout, code page and --record-format, with preferred signs. \
            Records decoded with --keep-spaces (and --keep-filler) come back byte for byte.
            """)
    static let segmentField = Option<String>(
        "segment-field", valueName: "FIELD",
        help: "The field whose value selects which REDEFINES alternative each record emits (see --segment).")
    static let segments = Option<String>(
        "segment", valueName: "ID=ALTERNATIVE",
        help: "With --segment-field: records whose id is ID emit the REDEFINES alternative named ALTERNATIVE "
            + "(repeatable; '*=NAME' for every other id).")
    static let key = Option<String>(
        "key", valueName: "FIELD",
        help: "Emit CloudEvents keyed by this field (member id, account number) instead of plain records.")
    static let type = Option<String>("type", valueName: "NAME", help: "The CloudEvents type (with --key).")
    static let source = Option<String>(
        "source", valueName: "URI", help: "The CloudEvents source (with --key; default: file:<input name>).")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "copybook",
            abstract: "Decode records described by a COBOL copybook to JSON Lines or CloudEvents.",
            discussion: """
                One JSON object per record: keys are the COBOL names as written (CLAIM-ID), groups are nested \
                objects, a single 01 level is collapsed, OCCURS are arrays (with DEPENDING ON, only the live \
                elements), numbers carry exactly the picture's scale (-711.20), text loses its trailing spaces \
                unless --keep-spaces. With --key FIELD and --type NAME each record becomes a CloudEvent whose id \
                is derived from the input name and record number, so a re-run yields the same ids. A progress \
                line is shown on standard error when it is a terminal.
                """,
            parameters: [
                input, copybook, record, codePage, fieldCodePages, recordFormat, rdwLength, lengthField, recordLength, fileHeader, fileTrailer, binarySizes,
                sync, comp5, floats, occurs, keepSpaces, keepFiller, lenient, strictSigns, relaxedNumbers, debugHex, encode, segmentField,
                segments, key, type, source,
            ])
    }

    let inputPath: String
    let copybookPath: String
    let recordName: String?
    let copybookOptions: CopybookOptions
    let decodingOptions: RecordDecodingOptions
    let framing: CopybookRecordFormat
    let fixedLength: Int?
    let rdwIncludesHeader: Bool
    let lengthFieldRule: (name: String, adjustment: Int)?
    let headerBytes: Int
    let trailerBytes: Int
    let eventKey: String?
    let eventType: String?
    let eventSource: String?
    let encodes: Bool

    init(parsing values: ParsedValues) throws(UsageError) {
        inputPath = try values.valueIfPresent(of: Self.input) ?? "-"
        copybookPath = try values.value(of: Self.copybook)
        recordName = try values.valueIfPresent(of: Self.record)
        copybookOptions = CopybookOptions(
            binarySizes: try values.value(of: Self.binarySizes), synchronization: try values.value(of: Self.sync))
        let pageName = try values.value(of: Self.codePage)
        let page: CodePage
        do throws(CodePageError) {
            page = try CodePage(named: pageName)
        } catch {
            throw .invalid("--codepage: \(error)")
        }
        var options = RecordDecodingOptions(codePage: page)
        for rule in try values.values(of: Self.fieldCodePages) {
            guard let equals = rule.firstIndex(of: "="), equals != rule.startIndex else {
                throw .invalid("--field-codepage '\(rule)' is not FIELD=NAME")
            }
            do throws(CodePageError) {
                options.fieldCodePages[String(rule[..<equals])] = try CodePage(named: String(rule[rule.index(after: equals)...]))
            } catch {
                throw .invalid("--field-codepage \(rule): \(error)")
            }
        }
        options.trimming = values.isSet(Self.keepSpaces) ? .none : .right
        options.keepFiller = values.isSet(Self.keepFiller)
        options.invalidData = values.isSet(Self.lenient) ? .lenient : .strict
        options.relaxedDisplayNumbers = values.isSet(Self.relaxedNumbers)
        options.strictSigns = values.isSet(Self.strictSigns)
        options.debugHex = values.isSet(Self.debugHex)
        options.nativeBinaryByteOrder = try values.value(of: Self.comp5) == .big ? .bigEndian : .littleEndian
        options.floatingPoint =
            switch try values.value(of: Self.floats) {
            case .ibm: .ibmHexadecimal
            case .ieee: .ieee754BigEndian
            case .ieeeLittleEndian: .ieee754LittleEndian
            }
        options.variableOccurs = try values.value(of: Self.occurs) == .shifting ? .shifting : .maximumSize
        let segmentRules = try values.values(of: Self.segments)
        if let field = try values.valueIfPresent(of: Self.segmentField) {
            guard !segmentRules.isEmpty else { throw .invalid("--segment-field needs at least one --segment ID=NAME") }
            var map: [String: String] = [:]
            var otherwise: String?
            for rule in segmentRules {
                guard let equals = rule.firstIndex(of: "="), equals != rule.startIndex else {
                    throw .invalid("--segment '\(rule)' is not ID=ALTERNATIVE")
                }
                let id = String(rule[..<equals])
                let name = String(rule[rule.index(after: equals)...])
                if id == "*" { otherwise = name } else { map[id] = name }
            }
            options.redefines = .segmentField(field: field, alternatives: map, otherwise: otherwise)
        } else if !segmentRules.isEmpty {
            throw .invalid("--segment needs --segment-field")
        }
        decodingOptions = options
        framing = try values.value(of: Self.recordFormat)
        fixedLength = try values.valueIfPresent(of: Self.recordLength)?.value
        let rdwCounts = try values.valueIfPresent(of: Self.rdwLength)
        if rdwCounts != nil && ![.rdw, .rdwLittleEndian, .bdw].contains(framing) {
            throw .invalid("--rdw-length applies to --record-format rdw, rdw-le or bdw")
        }
        rdwIncludesHeader = rdwCounts.map { $0 == .header } ?? (framing != .rdwLittleEndian)
        if let rule = try values.valueIfPresent(of: Self.lengthField) {
            if values.isGiven(Self.recordFormat) { throw .invalid("--length-field replaces --record-format") }
            var name = Substring(rule)
            var adjustment = 0
            if let sign = rule.lastIndex(where: { $0 == "+" || $0 == "-" }), sign != rule.startIndex,
                let amount = Int(rule[rule.index(after: sign)...])
            {
                name = rule[..<sign]
                adjustment = rule[sign] == "-" ? -amount : amount
            }
            lengthFieldRule = (String(name), adjustment)
        } else {
            lengthFieldRule = nil
        }
        if fixedLength != nil && framing != .fixed { throw .invalid("--record-length applies to --record-format fixed") }
        headerBytes = try values.value(of: Self.fileHeader).value
        trailerBytes = try values.value(of: Self.fileTrailer).value
        eventKey = try values.valueIfPresent(of: Self.key)
        eventType = try values.valueIfPresent(of: Self.type)
        eventSource = try values.valueIfPresent(of: Self.source)
        if (eventKey == nil) != (eventType == nil) { throw .invalid("--key and --type go together") }
        if eventSource != nil && eventKey == nil { throw .invalid("--source needs --key and --type") }
        encodes = values.isSet(Self.encode)
        if encodes && eventKey != nil { throw .invalid("--encode reads CloudEvents as they are; drop --key and --type") }
        if encodes && framing == .variable { throw .invalid("--encode writes variable records as rdw, rdw-le or bdw") }
    }

    func run(_ context: CommandContext) async throws {
        let copybookName = copybookPath.split(separator: "/").last.map(String.init) ?? copybookPath
        let text = String(decoding: try CopybookLayoutCommand.readFile(copybookPath), as: UTF8.self)
        let layout: RecordLayout
        var decoder: RecordDecoder
        do {
            let parsed = try Copybook(parsing: text, sourceName: copybookName, options: copybookOptions)
            guard let chosen = recordName.map({ parsed.record(named: $0) }) ?? parsed.records.first else {
                let known = parsed.records.map(\.name).joined(separator: ", ")
                throw CommandError.inputRejected(
                    source: copybookName, line: 1, reason: "no 01 record named \(recordName ?? "") (records: \(known))")
            }
            layout = chosen
            decoder = try RecordDecoder(layout: layout, options: decodingOptions)
        } catch let error as CommandError {
            throw error
        } catch {
            context.errorOutput.write("error: \(error)\n")
            throw ExitCode.inputRejected
        }

        let format = try recordFormat(layout: layout, decoder: decoder)
        if encodes { return try encodeRecords(layout: layout, format: format, context: context) }
        let descriptor: Int32
        if inputPath == "-" {
            descriptor = 0
        } else {
            descriptor = POSIX.open(inputPath)
            guard descriptor >= 0 else {
                throw CommandError.io(operation: "open", path: inputPath, reason: POSIX.message(POSIX.lastError))
            }
        }
        defer { if descriptor != 0 { POSIX.close(descriptor) } }
        let inputName = inputPath == "-" ? "<stdin>" : inputPath
        var reader: RecordReader
        do {
            reader = try RecordReader(
                fileDescriptor: descriptor, format: format,
                options: RecordReaderOptions(
                    maximumRecordBytes: max(16 << 20, layout.size + 64), isLenient: decodingOptions.invalidData == .lenient))
        } catch {
            throw CommandError.inputRejected(source: inputName, line: 1, reason: error.description)
        }

        var events = eventKey.map { key in
            EventWriter(
                key: key, type: eventType ?? "", fileName: inputPath == "-" ? "stdin" : inputPath,
                source: eventSource ?? "file:" + (inputPath == "-" ? "stdin" : (inputPath.split(separator: "/").last.map(String.init) ?? inputPath)))
        }
        var progress = ProgressLine(isShown: POSIX.isTerminal(2), output: context.errorOutput)
        var output: [UInt8] = []
        output.reserveCapacity(1 << 20 + 65536)
        var recordJSON: [UInt8] = []
        var partial = 0
        var fieldsWithErrors = 0
        var inputBytes = 0
        /// One record to JSON Lines, or to a CloudEvent around its JSON with `--key`.
        func emit(_ bytes: UnsafeRawBufferPointer, number: Int, offset: Int) throws {
            guard events != nil else {
                fieldsWithErrors += try decoder.decode(bytes, recordNumber: number, recordOffset: Int64(offset), into: &output)
                return
            }
            recordJSON.removeAll(keepingCapacity: true)
            fieldsWithErrors += try decoder.decode(bytes, recordNumber: number, recordOffset: Int64(offset), into: &recordJSON)
            try events!.append(recordJSON, recordNumber: number, to: &output)
        }
        do {
            while let result = try reader.next() {
                switch result {
                case let .record(record):
                    inputBytes += record.payload.count
                    try emit(record.bytes, number: record.number, offset: record.offset)
                case let .skipped(skipped):
                    // Lenient: a short last record is decoded as far as it goes; other skipped bytes are reported.
                    context.errorOutput.write("warning: \(inputName): \(skipped.error) (\(skipped.bytes.count) bytes)\n")
                    guard skipped.error.isTruncation else { continue }
                    partial += 1
                    try emit(skipped.bytes, number: reader.recordsRead + 1, offset: skipped.offset)
                }
                if output.count >= 1 << 20 {
                    context.output.write(bytes: output)
                    output.removeAll(keepingCapacity: true)
                    progress.update(records: reader.recordsRead, bytes: inputBytes)
                }
            }
        } catch let error as RecordFormatError {
            // The message names the record and its byte offset; a binary file has no lines to point at.
            context.output.write(bytes: output)
            context.output.flush()
            context.errorOutput.write("error: \(inputName): \(error)\n")
            throw ExitCode.inputRejected
        } catch let error as RecordDecodingError {
            context.output.write(bytes: output)
            context.output.flush()
            context.errorOutput.write("error: \(inputName): \(error)\n")
            throw ExitCode.inputRejected
        }
        context.output.write(bytes: output)
        context.output.flush()
        progress.finish(records: reader.recordsRead, bytes: inputBytes)
        if fieldsWithErrors > 0 || partial > 0 || reader.skipCount > 0 {
            context.errorOutput.write(
                "\(inputName): \(reader.recordsRead) records, \(fieldsWithErrors) invalid fields emitted as null, "
                    + "\(partial) short records decoded partially, \(reader.skipCount) byte ranges skipped\n")
        }
    }

    /// `--encode`: JSON Lines in, record bytes out.
    func encodeRecords(layout: RecordLayout, format: RecordFormat, context: CommandContext) throws {
        var encoder = try RecordEncoder(layout: layout, options: decodingOptions)
        let reader = try LineReader(path: inputPath, maxLineBytes: 64 << 20)
        var writer = try RecordWriter(fileDescriptor: 1, format: format)
        if headerBytes > 0 { try writer.writeFileHeader([UInt8](repeating: 0x40, count: headerBytes)) }
        var number = 0
        while let line = try reader.nextLine() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            number += 1
            do {
                var value = try JSONValue(parsing: line)
                // A CloudEvent written by `--key`: its data is the record.
                if case let .object(members) = value, members.contains(where: { $0.key == "specversion" }),
                    let data = members.first(where: { $0.key == "data" })?.value
                {
                    value = data
                }
                try writer.write(try encoder.encode(value, recordNumber: number))
            } catch let error as RecordFormatError {
                throw CommandError.io(operation: "write", path: "<stdout>", reason: error.description)
            } catch {
                throw CommandError.inputRejected(source: reader.source, line: reader.lineNumber, reason: "\(error)")
            }
        }
        _ = try writer.finish(fileTrailer: [UInt8](repeating: 0x40, count: trailerBytes))
    }

    func recordFormat(layout: RecordLayout, decoder: RecordDecoder) throws -> RecordFormat {
        var framing: RecordFormat.Framing =
            switch framing {
            case .fixed: .fixed(length: fixedLength ?? layout.size)
            case .rdw: .rdw(RDWFormat(byteOrder: .bigEndian, lengthIncludesHeader: rdwIncludesHeader))
            case .rdwLittleEndian: .rdw(RDWFormat(byteOrder: .littleEndian, lengthIncludesHeader: rdwIncludesHeader))
            case .bdw: .bdw(BDWFormat(), RDWFormat(lengthIncludesHeader: rdwIncludesHeader))
            case .variable: .layout(decoder.layoutLengthFraming)
            }
        if let rule = lengthFieldRule {
            guard let item = layout.items.first(where: { $0.name == rule.name }), item.isElementary,
                !item.isVariablyLocated
            else {
                throw CommandError.inputRejected(
                    source: copybookPath, line: 1,
                    reason: "--length-field \(rule.name) is not a fixed-position elementary field of \(layout.name)")
            }
            let encoding: RecordLengthField.Encoding =
                item.usage.isBinary
                ? (decodingOptions.binaryByteOrder == .bigEndian ? .binaryBigEndian : .binaryLittleEndian) : .digits
            framing = .lengthField(RecordLengthField(
                offset: item.offset, width: item.storageSize, encoding: encoding, adjustment: rule.adjustment))
        }
        return RecordFormat(framing, fileHeaderBytes: headerBytes, fileTrailerBytes: trailerBytes)
    }
}

/// Turns decoded records into CloudEvents JSON Lines: ``RecordEventWriter`` (the library's writer, which the
/// benchmark runs too), its errors turned into the command's.
struct EventWriter {
    let key: String
    let fileName: String
    var writer: RecordEventWriter

    init(key: String, type: String, fileName: String, source: String) {
        self.key = key
        self.fileName = fileName
        writer = RecordEventWriter(key: key, type: type, fileName: fileName, source: source)
    }

    /// Appends the event for one record (its JSON line, newline included) to `output`.
    mutating func append(_ recordLine: [UInt8], recordNumber: Int, to output: inout [UInt8]) throws {
        do {
            try recordLine.withUnsafeBytes { line in
                // Without the newline.
                try writer.append(
                    record: UnsafeRawBufferPointer(rebasing: line.dropLast()), recordNumber: recordNumber, to: &output)
            }
        } catch let error as RecordEventError {
            switch error {
            case .missingKey:
                throw CommandError.inputRejected(source: fileName, line: recordNumber, reason: error.description)
            case let .malformedRecord(_, cause): throw cause
            case let .invalidEvent(cause): throw cause
            }
        }
    }
}

/// A progress line on standard error, rewritten in place, when it is a terminal.
struct ProgressLine {
    let isShown: Bool
    let output: OutputChannel
    var lastUpdate = POSIX.currentTimeMilliseconds()
    let started = POSIX.currentTimeMilliseconds()

    init(isShown: Bool, output: OutputChannel) {
        self.isShown = isShown
        self.output = output
    }

    mutating func update(records: Int, bytes: Int) {
        guard isShown else { return }
        let now = POSIX.currentTimeMilliseconds()
        guard now - lastUpdate >= 500 else { return }
        lastUpdate = now
        output.write("\r\(line(records: records, bytes: bytes, now: now))")
        output.flush()
    }

    func finish(records: Int, bytes: Int) {
        guard isShown else { return }
        output.write("\r\(line(records: records, bytes: bytes, now: POSIX.currentTimeMilliseconds()))\n")
        output.flush()
    }

    func line(records: Int, bytes: Int, now: Int64) -> String {
        let seconds = max(Double(now - started) / 1000, 0.001)
        let rate = Double(bytes) / seconds / 1_000_000
        return "\(records) records, \(bytes / 1_000_000) MB, \(Int(rate)) MB/s"
    }
}

/// Record framings by their command-line names.
enum CopybookRecordFormat: String, ArgumentValue {
    case fixed, rdw, bdw, variable
    case rdwLittleEndian = "rdw-le"
    init?(argument: String) { self.init(rawValue: argument) }
    static var expectation: String { "fixed, rdw, rdw-le, bdw or variable" }
    var argumentText: String { rawValue }
}

enum CopybookRDWLength: String, ArgumentValue {
    case header, payload
    init?(argument: String) { self.init(rawValue: argument) }
    static var expectation: String { "header or payload" }
    var argumentText: String { rawValue }
}

enum CopybookByteOrder: String, ArgumentValue {
    case big, little
    init?(argument: String) { self.init(rawValue: argument) }
    static var expectation: String { "big or little" }
    var argumentText: String { rawValue }
}

enum CopybookFloatFormat: String, ArgumentValue {
    case ibm, ieee
    case ieeeLittleEndian = "ieee-le"
    init?(argument: String) { self.init(rawValue: argument) }
    static var expectation: String { "ibm, ieee or ieee-le" }
    var argumentText: String { rawValue }
}

enum CopybookOccursStorage: String, ArgumentValue {
    case shifting, maximum
    init?(argument: String) { self.init(rawValue: argument) }
    static var expectation: String { "shifting or maximum" }
    var argumentText: String { rawValue }
}
