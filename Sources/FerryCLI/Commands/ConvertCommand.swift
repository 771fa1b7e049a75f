import Events
import Foundation
import Mapping

/// `ferry convert`: turn legacy bytes into JSON records or CloudEvents, and back.
///
/// One subcommand per legacy format; `ferry convert --mapping FILE INPUT` applies a declarative mapping instead.
struct ConvertCommand: Command {
    static let mapping = Option<String>(
        "mapping", short: "m", valueName: "FILE", help: "Apply this mapping (mappings/<name>/mapping.json) to INPUT.")
    static let encode = Flag(
        "encode",
        help: "With --mapping: the reverse, for replies. INPUT holds CloudEvents (JSON Lines) and the output is the "
            + "adapter's bytes (copybook records, or a frame file of MQ reply frames).")
    static let input = Argument<String>("input", isOptional: true, help: "With --mapping: the input file; '-' or absent reads standard input.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "convert",
            abstract: "Convert legacy records to JSON Lines or CloudEvents, and back.",
            discussion: """
                Reads a legacy file (or standard input with '-') and writes one JSON object per record to \
                standard output. Exit status 3 when the input is rejected; the message names the record, its byte \
                offset, the field and the bytes in hex. With --mapping FILE the mapping's adapter reads INPUT and \
                each record becomes the CloudEvent the mapping describes (errors name the record and the mapping's \
                JSON path); --encode runs a reversible mapping backwards.
                """,
            parameters: [mapping, encode, input],
            subcommands: [ConvertCopybookCommand.self, ConvertX12Command.self, ConvertEDIFACTCommand.self, ConvertMQCommand.self])
    }

    let mappingFile: String?
    let encodes: Bool
    let inputPath: String

    init() {
        mappingFile = nil
        encodes = false
        inputPath = "-"
    }

    init(parsing values: ParsedValues) throws(UsageError) {
        mappingFile = try values.valueIfPresent(of: Self.mapping)
        encodes = values.isSet(Self.encode)
        inputPath = try values.valueIfPresent(of: Self.input) ?? "-"
        if mappingFile == nil && (encodes || values.isGiven(Self.input)) {
            throw .invalid("an input file or --encode without a subcommand needs --mapping FILE")
        }
    }

    func run(_ context: CommandContext) async throws {
        guard let mappingFile else {
            context.output.write(context.help)
            return
        }
        let mapping = try MappingDefinition(contentsOf: mappingFile)
        let engine = MappingEngine(mapping: mapping)
        if !encodes { return try streamEvents(engine, context) }
        let bytes: [UInt8]
        if inputPath == "-" {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: inputPath) else {
                throw CommandError.io(operation: "read", path: inputPath, reason: "cannot read the file")
            }
            bytes = [UInt8](data)
        }
        let name = inputPath == "-" ? "<stdin>" : inputPath
        do {
            if encodes {
                context.output.write(bytes: engine.encodedFileHeader)
                for (index, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 13 }) {
                    let event: JSONValue
                    do { event = try JSONValue(parsing: Array(line)) } catch {
                        throw CommandError.inputRejected(source: name, line: index + 1, reason: "\(error)")
                    }
                    context.output.write(bytes: try engine.encode(event: event))
                }
            }
        } catch let error as MappingError {
            context.output.flush()
            context.errorOutput.write("\(name): error: \(error)\n")
            throw ExitCode.inputRejected
        }
        context.output.flush()
    }

    /// `--mapping` forwards: the input read in 1 MiB pieces; copybook records are mapped as they arrive, so memory
    /// stays constant on large files.
    private func streamEvents(_ engine: MappingEngine, _ context: CommandContext) throws {
        let name = inputPath == "-" ? "<stdin>" : inputPath
        let handle: FileHandle
        if inputPath == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: inputPath) else {
                throw CommandError.io(operation: "read", path: inputPath, reason: "cannot read the file")
            }
            handle = file
        }
        defer { if inputPath != "-" { try? handle.close() } }
        do {
            var stream = try EventLineStream(engine: engine, inputName: name)
            while true {
                let piece = handle.readData(ofLength: 1 << 20)
                if piece.isEmpty { break }
                try stream.append([UInt8](piece)) { context.output.write(bytes: $0) }
            }
            try stream.finish { context.output.write(bytes: $0) }
        } catch {
            context.output.flush()
            context.errorOutput.write("\(name): error: \(error)\n")
            throw ExitCode.inputRejected
        }
        context.output.flush()
    }
}
