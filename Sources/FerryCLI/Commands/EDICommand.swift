public import EDI
import Events

/// `ferry edi`: inspect and validate EDI interchanges.
struct EDICommand: CommandGroup {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "edi",
            abstract: "Inspect and validate X12 interchanges.",
            discussion: """
                Reads X12 from a file or standard input ('-'), any number of interchanges, groups and transaction \
                sets, with the delimiters each ISA declares.
                """,
            subcommands: [EDITreeCommand.self, EDIValidateCommand.self])
    }

    /// Reads the whole input: a file or standard input.
    static func readInput(_ path: String) throws -> [UInt8] {
        if path == "-" {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { POSIX.read(0, $0.baseAddress!, $0.count) }
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            return bytes
        }
        return try CopybookLayoutCommand.readFile(path, limit: 1 << 31)
    }
}

extension X12AckKind: ArgumentValue {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    public static var expectation: String { "999, 997 or ta1" }
    public var argumentText: String { rawValue }
}

/// `ferry edi tree INPUT`: the implementation-guide loop tree of every transaction set, as JSON Lines.
struct EDITreeCommand: Command {
    static let input = Argument<String>("input", isOptional: true, help: "The X12 file; '-' or absent reads standard input.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "tree",
            abstract: "Print the loop tree of each transaction set as JSON Lines.",
            discussion: """
                One line per transaction set: its interchange, group and set control numbers, the implementation \
                guide chosen from ST03 or GS08 (837P, 837I, 835, 999), the loop tree (loop ids and segment \
                positions only: segment values are claim data and are not printed) and every segment the guide \
                does not place where it stands. Exit status 3 when a set has findings or the input is not X12.
                """,
            parameters: [input])
    }

    let path: String

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.valueIfPresent(of: Self.input) ?? "-"
    }

    func run(_ context: CommandContext) async throws {
        let source = path == "-" ? "<stdin>" : path
        let descriptor = try POSIX.openInput(path)
        defer { POSIX.closeInput(descriptor) }
        var interchange = ""
        var group = ""
        var convention = ""
        var builder: X12LoopTreeBuilder?
        var header: (type: String, control: String, guide: String?) = ("", "", nil)
        var findings = 0
        do {
            // Streaming, constant memory: one set's tree at a time.
            try X12Tokenizer.forEachSegment(readingFrom: descriptor) { (segment: X12SegmentView) throws(X12Error) in
                switch segment.id {
                case "ISA": interchange = segment.element(13)?.text ?? ""
                case "GS":
                    group = segment.element(6)?.text ?? ""
                    convention = segment.element(8)?.text ?? ""
                case "ST":
                    let type = segment.element(1)?.text ?? ""
                    let reference = segment.element(3)?.text ?? convention
                    let guide = X12Guide.bundled(forConvention: reference, transactionSet: type)
                    header = (type, segment.element(2)?.text ?? "", guide?.id)
                    builder = guide.map { X12LoopTreeBuilder(guide: $0) }
                    builder?.consume(segment)
                case "SE":
                    builder?.consume(segment)
                    var line = JSONWriter(capacity: 4096)
                    line.beginObject()
                    line.writeKey("interchange"); line.writeString(interchange)
                    line.writeKey("group"); line.writeString(group)
                    line.writeKey("transactionSet"); line.writeString(header.control)
                    line.writeKey("type"); line.writeString(header.type)
                    line.writeKey("guide")
                    if let guide = header.guide { line.writeString(guide) } else { line.writeNull() }
                    if var current = builder {
                        let issues = current.issues  // finish() starts over and clears them
                        let tree = current.finish()
                        line.writeKey("tree"); line.writeRawJSON(Array(tree.compactJSON.utf8))
                        line.writeKey("issues")
                        line.beginArray()
                        for issue in issues { line.writeString(issue.description) }
                        line.endArray()
                        findings += issues.count
                    } else {
                        line.writeKey("tree"); line.writeNull()
                    }
                    line.endObject()
                    line.endLine()
                    context.output.write(bytes: line.takeBytes())
                    builder = nil
                default:
                    builder?.consume(segment)
                }
            }
        } catch {
            context.output.flush()
            throw CommandError.inputRejected(source: source, line: 1, reason: "\(error)")
        }
        context.output.flush()
        if findings > 0 {
            context.errorOutput.write("\(source): \(findings) segments not placed as the guide expects\n")
            throw ExitCode.inputRejected
        }
    }
}

/// `ferry edi validate INPUT [--ack 999|997|ta1]`: checks envelopes and syntax and prints the acknowledgement.
struct EDIValidateCommand: Command {
    static let input = Argument<String>("input", isOptional: true, help: "The X12 file; '-' or absent reads standard input.")
    static let ack = Option<X12AckKind>(
        "ack", valueName: "KIND", default: .implementation999, help: "The acknowledgement to print: 999, 997 or ta1.")
    static let controlNumber = Option<Positive>(
        "control-number", valueName: "N", default: Positive(1),
        help: "ISA13 and GS06 of the acknowledgement (your own sequence).")
    static let envelopesOnly = Flag("envelopes-only", help: "SNIP level 1 only: skip the implementation-guide checks.")
    static let badValues = Flag(
        "include-bad-values", help: "Copy bad values into AK404/IK404 (they may be PHI; left out by default).")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "validate",
            abstract: "Validate X12 interchanges (SNIP levels 1 and 2) and print the acknowledgement.",
            discussion: """
                Checks delimiters, segment syntax and the ISA/IEA, GS/GE, ST/SE counts and control numbers \
                (SNIP level 1), then each transaction set against its bundled implementation guide, chosen by \
                ST03 (4010: REF*87, else GS08): loops, required and unexpected segments, element usage, syntax \
                rules, types, lengths and codes (SNIP level 2; a set without a guide gets SNIP level 1 only and \
                a warning on standard error). Prints one acknowledgement interchange per input interchange, \
                addressed back to the sender, with AK3/AK4 (IK3/IK4) for guide errors. The input is read whole \
                into memory (use 'ferry edi tree' to stream large files). Exit status 0 when everything is \
                accepted, 3 when something is rejected.
                """,
            parameters: [input, ack, controlNumber, envelopesOnly, badValues])
    }

    let path: String
    let kind: X12AckKind
    let control: Int
    let guides: X12GuideValidator.Options?

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.valueIfPresent(of: Self.input) ?? "-"
        kind = try values.value(of: Self.ack)
        control = try values.value(of: Self.controlNumber).value
        guides = values.isSet(Self.envelopesOnly) ? nil : X12GuideValidator.Options(includesBadValues: values.isSet(Self.badValues))
    }

    func run(_ context: CommandContext) async throws {
        let bytes = try EDICommand.readInput(path)
        let result = X12AckValidationResult(validating: bytes, guides: guides)
        for interchange in result.interchanges {
            for group in interchange.groups {
                for set in group.transactionSets {
                    for warning in set.warnings {
                        if case .noGuide = warning.kind {
                            context.errorOutput.write("warning: transaction set \(set.controlNumber): \(warning)\n")
                        }
                    }
                }
            }
        }
        // CCYYMMDD and HHMM (UTC) from "2026-11-21T13:45:07.123Z".
        let digits = RFC3339Timestamp.now().inUTC.description.filter(\.isNumber)
        let date = String(digits.prefix(8))
        let time = String(digits.dropFirst(8).prefix(4))
        for (index, interchange) in result.interchanges.enumerated() {
            let generator = X12AckGenerator(envelope: X12AckEnvelope(
                interchangeControlNumber: control + index, groupControlNumber: control + index, date: date, time: time,
                segmentSuffix: [0x0A]))
            context.output.write(bytes: try generator.write(kind, for: interchange))
        }
        for finding in result.unattributedFindings where !finding.isWarning {
            context.errorOutput.write("error: \(finding)\n")
        }
        context.output.flush()
        if !result.isAccepted { throw ExitCode.inputRejected }
    }
}
