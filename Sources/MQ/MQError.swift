/// Why MQ bytes could not be read or written: what was expected, what was found, and where.
///
/// Every error names the byte offset in the frame (or frame file), the structure (`MQMD`, `MQRFH2`, `MQDLH`, …)
/// and the field (`StrucLength`, `NameValueLength`, …) by their spec names, so a report points at the bytes.
public struct MQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public enum Reason: String, Hashable, Sendable {
        /// Fewer bytes remained than the structure or length needs.
        case truncated
        /// A `StrucId` that is not the one the preceding `Format` announced.
        case unknownStructure
        /// A `Version` this structure does not have.
        case unsupportedVersion
        /// A length field that is negative, too big, too small or not a multiple of 4.
        case badLength
        /// An `Encoding` whose integer part is neither normal (1) nor reversed (2) where integers must be read.
        case unsupportedEncoding
        /// An MQRFH2 NameValueData folder that is not well-formed XML or has a bad `dt` value.
        case malformedFolder
        /// A CCSID with no code page in `CodePages`.
        case unknownCCSID
        /// Text that the code page cannot carry.
        case unmappableText
        /// A frame file whose header or frame length is wrong.
        case badFrameFile
        /// A value that breaks a rule (e.g. a reply to a request without `ReplyToQ`).
        case badValue
    }

    /// The kind of problem.
    public var reason: Reason
    /// Byte offset of the field, from the start of the frame (or of the frame file for frame-file errors).
    public var offset: Int
    /// The structure's spec name: `MQMD`, `MQRFH2`, `MQDLH`, `MQXQH`, `MQCIH`, `MQIIH`, `payload`, `frame file`.
    public var header: String
    /// The field's spec name, e.g. `StrucLength`; empty when the whole structure is meant.
    public var field: String
    /// What a valid value looks like.
    public var expected: String
    /// What was found (numbers in decimal, bytes in hex).
    public var found: String

    /// An error at `offset` in `header`'s `field`.
    public init(
        _ reason: Reason, offset: Int, header: String, field: String, expected: String, found: String
    ) {
        self.reason = reason
        self.offset = offset
        self.header = header
        self.field = field
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let place = field.isEmpty ? header : "\(header) \(field)"
        return "\(place) at byte \(offset): expected \(expected), found \(found) (\(reason.rawValue))"
    }

    static func truncated(_ header: String, field: String = "", at offset: Int, needed: Int, available: Int) -> MQError {
        MQError(
            .truncated, offset: offset, header: header, field: field, expected: "\(needed) bytes",
            found: "\(max(0, available)) bytes")
    }
}
