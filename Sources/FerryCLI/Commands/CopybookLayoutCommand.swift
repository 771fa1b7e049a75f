import Copybook

/// `ferry copybook layout FILE [--format fixed|free] [--binary-sizes ibm|gnucobol|microfocus] [--sync …]`.
struct CopybookLayoutCommand: Command {
    static let file = Argument<String>("file", help: "The copybook file.")
    static let format = Option<SourceFormat>(
        "format", valueName: "FORMAT",
        help: "The reference format: fixed or free. Detected from the text when absent.")
    static let binarySizes = Option<BinarySizePolicy>(
        "binary-sizes", valueName: "POLICY", default: .ibm,
        help: "Binary (COMP) sizes by digits: ibm (2/4/8), gnucobol (1/2/4/8) or microfocus (fewest bytes).")
    static let sync = Option<SynchronizationPolicy>(
        "sync", valueName: "POLICY", default: .ibm,
        help: "SYNC alignment: ibm (to the item's size), fujitsu (8-byte items to 4) or ignore.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "layout",
            abstract: "Print the field / level / offset / length / type table of a copybook.",
            discussion: """
                One table per record. START and END are 1-based byte positions (END inclusive, covering all \
                occurrences); LENGTH is one occurrence in bytes. OCCURS DEPENDING ON tables are shown at their \
                maximum and items whose position depends on a count are marked '*'. Exit status 3 when the \
                copybook is rejected; the message names file:line:column and the field.
                """,
            parameters: [file, format, binarySizes, sync])
    }

    let path: String
    let options: CopybookOptions

    init(parsing values: ParsedValues) throws(UsageError) {
        path = try values.value(of: Self.file)
        options = CopybookOptions(
            sourceFormat: try values.valueIfPresent(of: Self.format),
            binarySizes: try values.value(of: Self.binarySizes),
            synchronization: try values.value(of: Self.sync))
    }

    func run(_ context: CommandContext) async throws {
        let bytes = try Self.readFile(path)
        let text = String(decoding: bytes, as: UTF8.self)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        do {
            let copybook = try Copybook(parsing: text, sourceName: name, options: options)
            context.output.write(LayoutTable.render(copybook))
        } catch {
            context.errorOutput.write("error: \(error)\n")
            throw ExitCode.inputRejected
        }
    }

    /// The whole file (at most `limit` bytes; copybooks are small).
    static func readFile(_ path: String, limit: Int = 16 << 20) throws(CommandError) -> [UInt8] {
        let descriptor = POSIX.open(path)
        guard descriptor >= 0 else {
            throw .io(operation: "open", path: path, reason: POSIX.message(POSIX.lastError))
        }
        defer { POSIX.close(descriptor) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { POSIX.read(descriptor, $0.baseAddress!, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw .io(operation: "read", path: path, reason: POSIX.message(POSIX.lastError)) }
            guard result.count + count <= limit else {
                throw .io(operation: "read", path: path, reason: "the file is larger than \(limit >> 20) MiB")
            }
            result += buffer[0..<count]
        }
        return result
    }
}
