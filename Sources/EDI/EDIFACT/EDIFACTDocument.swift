/// Everything one pass over an EDIFACT input found: the interchange trees, syntax errors, warnings and issues.
public struct EDIFACTDocument: Sendable {
    /// Interchanges in input order (including ones cut short).
    public var interchanges: [EDIFACTInterchange]
    /// Tokenizer errors (each located; the offending segment was skipped). Also in ``issues`` as `.syntaxError`.
    public var syntaxErrors: [EDIFACTError]
    /// Forgiven or noticed things (repertoire violations, skipped junk, unknown syntax identifiers).
    public var warnings: [EDIFACTWarning]
    /// Envelope issues outside any interchange (segments before the first UNB).
    public var strayIssues: [EDIFACTEnvelopeIssue]
    /// Number of segments read (UNA included).
    public var segmentCount: Int

    /// Every envelope issue in input order of interchanges.
    public var issues: [EDIFACTEnvelopeIssue] { strayIssues + interchanges.flatMap(\.allIssues) }
    /// Whether the input is free of syntax errors and envelope issues.
    public var isValid: Bool { syntaxErrors.isEmpty && issues.isEmpty }

    /// Parses bytes in memory, feeding the tokenizer in `chunkSize` pieces. Never throws: problems are collected.
    public init(
        parsing bytes: [UInt8], chunkSize: Int = 65_536, retainsSegments: Bool = true,
        configuration: EDIFACTTokenizer.Configuration = .init()
    ) {
        var reader = EDIFACTSegmentReader(bytes: bytes, chunkSize: chunkSize, configuration: configuration)
        self.init(reading: &reader, inputLength: bytes.count, retainsSegments: retainsSegments)
    }

    /// Parses from a segment reader (e.g. over a file descriptor) until its end. `inputLength` locates end-of-input
    /// issues; default: the bytes the tokenizer consumed.
    public init(reading reader: inout EDIFACTSegmentReader, inputLength: Int? = nil, retainsSegments: Bool = true) {
        var validator = EDIFACTEnvelopeValidator(retainsSegments: retainsSegments)
        var errors: [EDIFACTError] = []
        var count = 0
        while true {
            do {
                guard let segment = try reader.next() else { break }
                count += 1
                validator.observe(segment, delimiters: reader.tokenizer.delimiters ?? .defaults(syntaxVersion: 4))
            } catch {
                switch error {
                case .syntax(let syntax):
                    errors.append(syntax)
                    validator.observe(syntaxError: syntax)
                case .readFailed: errors.append(.unterminatedSegment(segmentPosition: count, byteOffset: reader.tokenizer.consumedByteCount, tag: "?"))
                }
                if case .readFailed = error { break }
            }
        }
        validator.finish(byteOffset: inputLength ?? reader.tokenizer.consumedByteCount)
        interchanges = validator.interchanges
        strayIssues = validator.strayIssues
        syntaxErrors = errors
        warnings = reader.tokenizer.warnings
        segmentCount = count
    }
}
