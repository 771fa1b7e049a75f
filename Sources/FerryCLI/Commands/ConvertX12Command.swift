import EDI

/// `ferry convert x12 INPUT|-`: X12 to CloudEvents JSON Lines — one event per 837 claim, per 835 claim payment,
/// and per other transaction set (with its loop tree).
struct ConvertX12Command: Command {
    static let input = Argument<String>(
        "input", isOptional: true, help: "The X12 file; '-' or absent reads standard input.")

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            name: "x12",
            abstract: "Convert X12 claims (837), payments (835) and other sets to CloudEvents.",
            discussion: """
                Streams the input (constant memory) and writes one structured-mode CloudEvent per line: \
                claim.professional.v1, claim.institutional.v1 or claim.dental.v1 per 837 claim, claim.payment.v1 \
                per 835 claim payment, x12.transaction.v1 with the loop tree (ids and positions only) per other \
                transaction set. Event ids derive from ISA13, GS06, ST02 and the claim id, so a re-run gives the \
                same ids; the partition key is the subscriber's member id. A transaction set with an envelope or \
                syntax error gives no events; every rejection is reported on standard error with its segment \
                position and byte offset (never a value: claims are PHI). Exit status 3 when anything was rejected.
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
        let output = context.output
        let errors = context.errorOutput
        var conversion = X12ClaimEventConversion(
            source: source, events: { output.write(bytes: $0) }, diagnostics: { errors.write($0) })
        conversion.convert(readingFrom: descriptor)
        output.flush()
        if conversion.rejections > 0 {
            errors.write("\(source): \(conversion.rejections) rejected (\(conversion.eventCount) events written)\n")
            throw ExitCode.inputRejected
        }
    }
}
