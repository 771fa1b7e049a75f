public import MQ
import ByteCoding
import Events

extension MQEventKey: ArgumentValue {
    public static var expectation: String { "msgid, correlid, groupid, usr:NAME or jms:NAME" }
    public var argumentText: String {
        switch self {
        case .messageID: "msgid"
        case .correlationID: "correlid"
        case .groupID: "groupid"
        case .property(let folder, let name): "\(folder):\(name)"
        case .computed: "computed"
        }
    }
}

/// `ferry mq`: look into MQ frame files and make them.
struct MQCommand: CommandGroup {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "mq",
            abstract: "Inspect and build IBM MQ frame files.",
            discussion: """
                A frame file holds whole MQ messages (MQMD, the MQRFH2/MQDLH/MQXQH/MQCIH/MQIIH chain, the data), \
                each preceded by its length (Sources/MQ/README.md describes the format). 'ferry convert mq' turns \
                one into CloudEvents.
                """,
            subcommands: [MQInspectCommand.self, MQPackCommand.self])
    }

    /// Streams the frames of the frame file at `path` ('-' for standard input) in constant memory, calling `body`
    /// with each frame's number (from 1), its file offset and its bytes. Frame-file errors (bad header, bad
    /// length, truncated end) are thrown as ``MQError``.
    static func forEachFrame(
        path: String, _ body: (Int, Int, [UInt8]) throws -> Void
    ) throws {
        let descriptor = try POSIX.openInput(path)
        defer { POSIX.closeInput(descriptor) }
        var decoder = MQFrameFileDecoder()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { POSIX.read(descriptor, $0, raw.count) } ?? 0
            }
            if count < 0 {
                throw CommandError.io(operation: "read", path: path == "-" ? "<stdin>" : path, reason: POSIX.message(POSIX.lastError))
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            while let frame = try decoder.nextFrame() {
                try body(decoder.frameCount, decoder.lastFrameOffset, frame)
            }
        }
        try decoder.finish()
    }
}

/// `ferry mq inspect INPUT`: every frame as readable JSON, one line each.
struct MQInspectCommand: Command {
    static let input = Argument<String>("input", isOptional: true, help: "The frame file; '-' or absent reads standard input.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "inspect",
            abstract: "Print each MQ frame as JSON: every MQMD field, the header chain, RFH2 folders, the payload.",
            discussion: """
                One JSON object per frame and line: "frame" (from 1), "offset" (of the frame in the file), the \
                MQMD with every field by its spec name, "headers" (MQRFH2 with its folders' XML and typed \
                properties, MQDLH, MQXQH, MQCIH, MQIIH; others in hex) and "payload" (text for MQSTR in its \
                CCSID, hex otherwise). A frame that cannot be read prints "error" with the structure, field and \
                byte offset, and the exit status is 3. 'ferry mq pack' reads this output back.
                """,
            parameters: [input])
    }

    let path: String

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.valueIfPresent(of: Self.input) ?? "-"
    }

    func run(_ context: CommandContext) async throws {
        let source = path == "-" ? "<stdin>" : path
        var writer = JSONWriter(capacity: 4096)
        var rejected = 0
        do {
            try MQCommand.forEachFrame(path: path) { number, offset, bytes in
                writer.removeAll()
                do throws(MQError) {
                    let frame = try MQFrame(parsing: bytes)
                    frame.writeInspection(to: &writer, frameNumber: number, fileOffset: offset)
                } catch {
                    rejected += 1
                    writer.removeAll()
                    writer.beginObject()
                    writer.writeKey("frame"); writer.writeInteger(Int64(number))
                    writer.writeKey("offset"); writer.writeInteger(Int64(offset))
                    writer.writeKey("length"); writer.writeInteger(Int64(bytes.count))
                    writer.writeKey("error"); writer.writeString(error.description)
                    writer.endObject()
                    context.errorOutput.write("\(source): frame \(number) (file byte \(offset)): \(error)\n")
                }
                writer.endLine()
                context.output.write(bytes: writer.bytes)
            }
        } catch let error as MQError {
            context.output.flush()
            context.errorOutput.write("\(source): \(error)\n")
            throw ExitCode.inputRejected
        }
        context.output.flush()
        if rejected > 0 { throw ExitCode.inputRejected }
    }
}

/// `ferry mq pack INPUT`: build a frame file from JSON Lines descriptions (the shape `inspect` prints).
struct MQPackCommand: Command {
    static let input = Argument<String>(
        "input", isOptional: true, help: "JSON Lines, one frame description per line; '-' or absent reads standard input.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "pack",
            abstract: "Build an MQ frame file from JSON frame descriptions.",
            discussion: """
                Each line describes one frame in the shape 'ferry mq inspect' prints: "MQMD" with fields by their \
                spec names (absent ones keep MQMD_DEFAULT; "byteOrder" big|little, "characterSet" ascii|ebcdic), \
                "headers" (MQRFH2 with folders as "xml" or typed "properties", MQDLH), and "payload" as "text" \
                (encoded in the chain's CCSID) or "hex". The frame file goes to standard output. Blank lines are \
                skipped. Exit status 3 names the first line that cannot be packed.
                """,
            parameters: [input])
    }

    let path: String

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.valueIfPresent(of: Self.input) ?? "-"
    }

    func run(_ context: CommandContext) async throws {
        let source = path == "-" ? "<stdin>" : path
        let input = try EDICommand.readInput(path)
        var writer = ByteWriter(capacity: 1 << 16)
        writer.writeBytes(MQFrameFile.header)
        var lineNumber = 0
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { continue }
            do {
                let description = try JSONValue(parsing: Array(line))
                let frame = try MQFrame(description: description)
                MQFrameFile.append(frame: frame.bytes, to: &writer)
            } catch {
                throw CommandError.inputRejected(source: source, line: lineNumber, reason: "\(error)")
            }
        }
        context.output.write(bytes: writer.bytes)
        context.output.flush()
    }
}

/// `ferry convert mq INPUT|-`: every frame of a frame file becomes one CloudEvent, as JSON Lines.
struct ConvertMQCommand: Command {
    static let input = Argument<String>("input", isOptional: true, help: "The frame file; '-' or absent reads standard input.")
    static let key = Option<MQEventKey>(
        "key", valueName: "KEY", default: .messageID,
        help: "The event key (partitionkey): msgid, correlid, groupid, usr:NAME or jms:NAME.")
    static let type = Option<String>(
        "type", valueName: "NAME", help: "The CloudEvents type (default: mq.<msgtype>.v1, e.g. mq.datagram.v1).")
    static let source = Option<String>("source", valueName: "URI", default: "/mq", help: "The CloudEvents source.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "mq",
            abstract: "Convert IBM MQ frames to CloudEvents (JSON Lines).",
            discussion: """
                Streams a frame file (Sources/MQ/README.md) and writes one structured-mode CloudEvent per frame: the \
                id derives from MsgId, time from PutDate/PutTime, MQMD fields and RFH2 properties become typed \
                extensions (mqpriority, mqpersistence, usrcontentlength, …), CorrelId (or jms.Cid) becomes \
                correlationid and ReplyToQ/ReplyToQMgr replyto; MQSTR data is text in its CCSID, other data \
                data_base64. A frame that cannot be read or converted gives no event: the error names the frame, \
                the structure, the field and the byte offset, and the exit status is 3.
                """,
            parameters: [input, key, type, source])
    }

    let path: String
    let options: MQEventOptions

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.valueIfPresent(of: Self.input) ?? "-"
        options = MQEventOptions(
            source: try values.value(of: Self.source), type: try values.valueIfPresent(of: Self.type),
            key: try values.value(of: Self.key))
    }

    func run(_ context: CommandContext) async throws {
        let sourceName = path == "-" ? "<stdin>" : path
        var writer = JSONWriter(capacity: 8192)
        var rejected = 0
        var written = 0
        do {
            try MQCommand.forEachFrame(path: path) { number, offset, bytes in
                do {
                    let event = try MQFrame(parsing: bytes).cloudEvent(options)
                    writer.removeAll()
                    try CloudEventJSONFormat.write(event, to: &writer)
                    writer.endLine()
                    context.output.write(bytes: writer.bytes)
                    written += 1
                } catch {
                    rejected += 1
                    context.errorOutput.write("\(sourceName): frame \(number) (file byte \(offset)): \(error)\n")
                }
            }
        } catch let error as MQError {
            context.output.flush()
            context.errorOutput.write("\(sourceName): \(error)\n")
            throw ExitCode.inputRejected
        }
        context.output.flush()
        if rejected > 0 {
            context.errorOutput.write("\(sourceName): \(written) frames converted, \(rejected) rejected\n")
            throw ExitCode.inputRejected
        }
    }
}
