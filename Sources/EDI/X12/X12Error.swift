/// Why X12 input could not be read, or what is wrong with its envelopes.
///
/// Syntax cases are thrown by ``X12Tokenizer`` and stop the stream; envelope cases are collected by
/// ``X12EnvelopeValidator`` as findings and do not stop it. Every case carries where it happened: a byte
/// offset from the start of the input (BOM included) and, once a segment has been recognised, its 1-based
/// position in the input. Values are never copied into errors beyond segment ids and control numbers
/// (claims are PHI).
public enum X12Error: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    // MARK: Syntax (fatal)

    /// The input is UTF-16 (with or without a byte-order mark). Ferry reads X12 as bytes in an ASCII-compatible
    /// encoding (ASCII, UTF-8, Latin-1); transcode first (e.g. `iconv -f UTF-16LE -t UTF-8`).
    case unsupportedEncoding(encoding: String, offset: Int)
    /// The first segment is not an `ISA`, so the delimiters cannot be known. No delimiter guessing is done.
    case missingISA(offset: Int, found: String)
    /// The `ISA` ended before its 16 elements and segment terminator were complete.
    case truncatedISA(offset: Int)
    /// The `ISA` runs on for more than `maximum` bytes without 16 element separators.
    case malformedISA(offset: Int, maximum: Int)
    /// A delimiter taken from the `ISA` is alphanumeric, a space, or equal to another delimiter.
    /// `role` is `element`, `component`, `repetition` or `segment`.
    case invalidDelimiter(role: String, offset: Int, byte: UInt8)
    /// The input ended inside a segment (no segment terminator after it).
    case missingSegmentTerminator(offset: Int, position: Int)
    /// A segment longer than the configured maximum (no terminator within `maximum` bytes).
    case segmentTooLong(offset: Int, position: Int, maximum: Int)
    /// A segment does not start with a 2–3 character id (uppercase letter, then uppercase letters or digits)
    /// followed by an element separator or the terminator: garbage between segments or binary noise.
    case invalidSegmentID(offset: Int, position: Int, found: [UInt8])
    /// Two segment terminators with nothing between them.
    case emptySegment(offset: Int, position: Int)
    /// Reading the input failed (`errno`).
    case readFailed(errno: Int32)
    /// The writer was asked to write a repeated element but its delimiters have no repetition separator.
    case repetitionWithoutSeparator(segmentID: String, element: Int)
    /// The writer was asked to write a value containing one of the delimiters it writes with.
    case delimiterInValue(segmentID: String, element: Int, byte: UInt8)

    // MARK: Envelopes (findings)

    /// A segment occurred where the envelope structure does not allow it (e.g. `ST` outside a `GS`,
    /// `GE` without `GS`, an `ISA` before the previous `IEA`). `expected` names what was allowed.
    case unexpectedSegment(position: Int, segmentID: String, expected: String)
    /// The input ended with an envelope still open (`IEA`, `GE` or `SE` missing).
    /// `controlNumber` is the open header's ISA13 / GS06 / ST02.
    case missingTrailer(position: Int, trailer: String, controlNumber: String)
    /// A count element (SE01, GE01, IEA01) is not a number.
    case invalidCount(position: Int, element: String, found: String)
    /// SE01 (segments in the set, ST and SE included) differs from the count.
    case segmentCountMismatch(position: Int, controlNumber: String, declared: Int, actual: Int)
    /// GE01 (transaction sets in the group) differs from the count.
    case transactionSetCountMismatch(position: Int, controlNumber: String, declared: Int, actual: Int)
    /// IEA01 (functional groups in the interchange) differs from the count.
    case functionalGroupCountMismatch(position: Int, controlNumber: String, declared: Int, actual: Int)
    /// A trailer's control number (SE02, GE02, IEA02) differs from its header's (ST02, GS06, ISA13),
    /// compared as strings. `element` names the trailer element.
    case controlNumberMismatch(position: Int, element: String, header: String, trailer: String)
    /// Warning: the last segment had no terminator and was accepted (lenient tokenizing only).
    case unterminatedFinalSegment(position: Int, offset: Int)
    /// Warning: the `ISA` is not the fixed 106 bytes wide (delimiters were still found by counting separators).
    case isaNotFixedWidth(position: Int, width: Int)

    /// Whether the case is a warning rather than an error.
    public var isWarning: Bool {
        switch self {
        case .isaNotFixedWidth, .unterminatedFinalSegment: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .unsupportedEncoding(encoding, offset):
            "input at byte \(offset) is \(encoding); X12 is read as ASCII/UTF-8 bytes — transcode it first"
        case let .missingISA(offset, found):
            "no ISA at byte \(offset) (found '\(found)'): cannot get the delimiters"
        case let .truncatedISA(offset):
            "ISA at byte \(offset) is truncated: expected 16 elements and a segment terminator"
        case let .malformedISA(offset, maximum):
            "ISA at byte \(offset) has no 16th element separator within \(maximum) bytes"
        case let .invalidDelimiter(role, offset, byte):
            "invalid \(role) delimiter 0x\(String(byte, radix: 16)) at byte \(offset)"
        case let .missingSegmentTerminator(offset, position):
            "segment \(position) at byte \(offset) has no segment terminator before the end of input"
        case let .segmentTooLong(offset, position, maximum):
            "segment \(position) at byte \(offset) is longer than \(maximum) bytes"
        case let .invalidSegmentID(offset, position, found):
            "segment \(position) at byte \(offset): expected a segment id, found bytes \(found.map { String($0, radix: 16) })"
        case let .emptySegment(offset, position):
            "segment \(position) at byte \(offset) is empty"
        case let .readFailed(errno):
            "reading the input failed (errno \(errno))"
        case let .repetitionWithoutSeparator(segmentID, element):
            "\(segmentID)\(element < 10 ? "0" : "")\(element) repeats but no repetition separator is set"
        case let .delimiterInValue(segmentID, element, byte):
            "\(segmentID)\(element < 10 ? "0" : "")\(element) contains delimiter 0x\(String(byte, radix: 16))"
        case let .unexpectedSegment(position, segmentID, expected):
            "segment \(position) \(segmentID) is out of place: expected \(expected)"
        case let .missingTrailer(position, trailer, controlNumber):
            "input ends after segment \(position) without \(trailer) for control number \(controlNumber)"
        case let .invalidCount(position, element, found):
            "segment \(position): \(element) '\(found)' is not a count"
        case let .segmentCountMismatch(position, controlNumber, declared, actual):
            "segment \(position): SE01=\(declared) but transaction set \(controlNumber) has \(actual) segments"
        case let .transactionSetCountMismatch(position, controlNumber, declared, actual):
            "segment \(position): GE01=\(declared) but group \(controlNumber) has \(actual) transaction sets"
        case let .functionalGroupCountMismatch(position, controlNumber, declared, actual):
            "segment \(position): IEA01=\(declared) but interchange \(controlNumber) has \(actual) functional groups"
        case let .controlNumberMismatch(position, element, header, trailer):
            "segment \(position): \(element)='\(trailer)' does not match the header's '\(header)'"
        case let .unterminatedFinalSegment(position, offset):
            "warning: segment \(position) at byte \(offset) ends the input without a segment terminator"
        case let .isaNotFixedWidth(position, width):
            "warning: ISA (segment \(position)) is \(width) bytes wide, not 106"
        }
    }
}
