/// Syntax errors raised by the EDIFACT tokenizer (ISO 9735 level), each located by byte offset.
///
/// After a thrown error the tokenizer has skipped the offending segment, so reading may continue.
public enum EDIFACTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `UNA` service string advice is malformed.
    case invalidServiceStringAdvice(byteOffset: Int, reason: String)
    /// No `UNA` or `UNB` was found where an interchange should start.
    case missingInterchangeHeader(byteOffset: Int, found: String)
    /// A segment tag is not 1–3 upper-case letters or digits (ISO 9735 segment tag `an..3`).
    case invalidSegmentTag(segmentPosition: Int, byteOffset: Int, found: String)
    /// The input ended inside a segment (no segment terminator).
    case unterminatedSegment(segmentPosition: Int, byteOffset: Int, tag: String)
    /// A segment exceeded ``EDIFACTTokenizer/Configuration/maximumSegmentBytes``; it was skipped.
    case segmentTooLong(segmentPosition: Int, byteOffset: Int, limit: Int)
    /// The release character was the last byte of the input.
    case danglingRelease(byteOffset: Int)

    /// Byte offset of the problem from the start of the input.
    public var byteOffset: Int {
        switch self {
        case .invalidServiceStringAdvice(let offset, _), .missingInterchangeHeader(let offset, _),
            .invalidSegmentTag(_, let offset, _), .unterminatedSegment(_, let offset, _),
            .segmentTooLong(_, let offset, _), .danglingRelease(let offset):
            return offset
        }
    }

    public var description: String {
        switch self {
        case .invalidServiceStringAdvice(let offset, let reason): "byte \(offset): invalid UNA: \(reason)"
        case .missingInterchangeHeader(let offset, let found): "byte \(offset): expected UNA or UNB, found \(found)"
        case .invalidSegmentTag(let position, let offset, let found):
            "segment \(position) (byte \(offset)): invalid segment tag \(found)"
        case .unterminatedSegment(let position, let offset, let tag):
            "segment \(position) (byte \(offset)): \(tag) has no segment terminator before end of input"
        case .segmentTooLong(let position, let offset, let limit):
            "segment \(position) (byte \(offset)): longer than \(limit) bytes"
        case .danglingRelease(let offset): "byte \(offset): release character at end of input"
        }
    }
}

/// Something the tokenizer forgave or noticed without failing (never contains a data value).
public struct EDIFACTWarning: Sendable, Hashable, CustomStringConvertible {
    /// What was noticed.
    public enum Kind: Sendable, Hashable {
        /// Bytes before `UNA`/`UNB` were skipped.
        case skippedBytesBeforeInterchange(count: Int)
        /// A byte outside the declared level A/B repertoire (ISO 9735 syntax error 21, "invalid character").
        case characterOutsideRepertoire(syntaxIdentifier: String, elementIndex: Int, componentIndex: Int)
        /// The syntax identifier is not one this reader knows; text decodes as UTF-8 or Latin-1.
        case unknownSyntaxIdentifier(String)
    }
    /// What was noticed.
    public var kind: Kind
    /// 1-based segment position in the input (0 before the first segment).
    public var segmentPosition: Int
    /// Byte offset from the start of the input.
    public var byteOffset: Int

    public var description: String {
        let what: String
        switch kind {
        case .skippedBytesBeforeInterchange(let count):
            what = "\(count) bytes before UNA/UNB were skipped"
        case let .characterOutsideRepertoire(syntaxIdentifier, element, component):
            what = "element \(element), component \(component) has characters outside the \(syntaxIdentifier) repertoire (kept as they are)"
        case .unknownSyntaxIdentifier(let identifier):
            what = "unknown syntax identifier \(identifier); text is read as UTF-8, else Latin-1"
        }
        return "segment \(segmentPosition) (byte \(byteOffset)): \(what)"
    }
}
