/// The CloudEvents 1.0 type system (spec §2 "Type System"), for extension attributes.
public enum CloudEventAttributeType: String, Sendable, Hashable, CaseIterable {
    case boolean = "Boolean"
    case integer = "Integer"
    case string = "String"
    case binary = "Binary"
    case uri = "URI"
    case uriReference = "URI-reference"
    case timestamp = "Timestamp"
}

/// A typed extension attribute value (CloudEvents 1.0 §2 "Type System"), with the canonical string encoding the
/// spec requires of every implementation (used for Kafka `ce_` headers).
public enum CloudEventAttributeValue: Hashable, Sendable, CustomStringConvertible {
    /// `Boolean`: "true" or "false".
    case boolean(Bool)
    /// `Integer`: a signed 32-bit whole number (the spec's range -2,147,483,648 … 2,147,483,647).
    case integer(Int32)
    /// `String`: Unicode text without control characters (U+0000–U+001F, U+007F–U+009F).
    case string(String)
    /// `Binary`: bytes; string encoding Base64 (RFC 4648).
    case binary([UInt8])
    /// `URI`: an absolute URI (RFC 3986 §4.3).
    case uri(String)
    /// `URI-reference`: a URI or relative reference (RFC 3986 §4.1).
    case uriReference(String)
    /// `Timestamp`: an RFC 3339 date-time.
    case timestamp(RFC3339Timestamp)

    /// The value's type.
    public var type: CloudEventAttributeType {
        switch self {
        case .boolean: .boolean
        case .integer: .integer
        case .string: .string
        case .binary: .binary
        case .uri: .uri
        case .uriReference: .uriReference
        case .timestamp: .timestamp
        }
    }

    /// The spec's canonical string encoding of the value.
    public var canonicalString: String {
        switch self {
        case let .boolean(flag): flag ? "true" : "false"
        case let .integer(number): String(number)
        case let .string(text), let .uri(text), let .uriReference(text): text
        case let .binary(bytes): Base64.encode(bytes)
        case let .timestamp(time): time.description
        }
    }

    /// The canonical string encoding (never log it: extension values can carry PHI such as member ids).
    public var description: String { canonicalString }

    /// The string, when this is a `String`, `URI` or `URI-reference`.
    public var stringValue: String? {
        switch self {
        case let .string(text), let .uri(text), let .uriReference(text): text
        default: nil
        }
    }

    /// Decodes the canonical string encoding of `type`; `attribute` names the attribute in errors.
    public init(
        canonicalString text: String, as type: CloudEventAttributeType, attribute: String
    ) throws(CloudEventError) {
        switch type {
        case .boolean:
            switch text {
            case "true": self = .boolean(true)
            case "false": self = .boolean(false)
            default: throw .invalidAttributeValue(attribute: attribute, reason: "Boolean must be 'true' or 'false'")
            }
        case .integer:
            self = .integer(try Self.parseInteger(text, attribute: attribute))
        case .string:
            self = .string(text)
        case .binary:
            do throws(Base64DecodingError) {
                self = .binary(try Base64.decode(text))
            } catch {
                throw .invalidAttributeValue(attribute: attribute, reason: "Binary: \(error)")
            }
        case .uri:
            self = .uri(text)
        case .uriReference:
            self = .uriReference(text)
        case .timestamp:
            do throws(RFC3339TimestampError) {
                self = .timestamp(try RFC3339Timestamp(parsing: text))
            } catch {
                throw .invalidAttributeValue(attribute: attribute, reason: "Timestamp: \(error)")
            }
        }
        try validate(attribute: attribute)
    }

    /// The spec's Integer string encoding: RFC 7159 §6 `int` with an optional minus sign, in Int32 range.
    static func parseInteger(_ text: String, attribute: String) throws(CloudEventError) -> Int32 {
        let utf8 = text.utf8
        var digits = utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            first != UInt8(ascii: "0") || digits.count == 1
        else { throw .invalidAttributeValue(attribute: attribute, reason: "Integer must be decimal digits without leading zeros") }
        guard digits.count <= 11, let wide = Int64(text), let value = Int32(exactly: wide) else {
            throw .invalidAttributeValue(attribute: attribute, reason: "Integer out of the 32-bit signed range")
        }
        return value
    }

    /// Checks the type's constraints (no control characters in text, an absolute URI has a scheme).
    public func validate(attribute: String) throws(CloudEventError) {
        switch self {
        case let .string(text):
            try Self.validateString(text, attribute: attribute)
        case let .uri(text):
            try Self.validateURIReference(text, attribute: attribute)
            guard Self.hasScheme(text) else {
                throw .invalidAttributeValue(attribute: attribute, reason: "URI must be absolute (scheme ':' …)")
            }
        case let .uriReference(text):
            try Self.validateURIReference(text, attribute: attribute)
        case .boolean, .integer, .binary, .timestamp:
            break
        }
    }

    /// CloudEvents String: no control characters U+0000–U+001F or U+007F–U+009F.
    static func validateString(_ text: String, attribute: String) throws(CloudEventError) {
        for scalar in text.unicodeScalars where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            throw .invalidAttributeValue(attribute: attribute, reason: "String contains a control character")
        }
    }

    /// A light RFC 3986 check: no spaces, controls or characters outside the URI repertoire except
    /// percent-encodable non-ASCII (IRIs are tolerated).
    static func validateURIReference(_ text: String, attribute: String) throws(CloudEventError) {
        for byte in text.utf8 where byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\\")
            || byte == UInt8(ascii: "^") || byte == UInt8(ascii: "`") || byte == UInt8(ascii: "{")
            || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "}")
        {
            throw .invalidAttributeValue(attribute: attribute, reason: "URI contains a character RFC 3986 forbids")
        }
    }

    /// RFC 3986 §3.1: `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` followed by ':'.
    static func hasScheme(_ text: String) -> Bool {
        var first = true
        for byte in text.utf8 {
            let isAlpha = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            if byte == UInt8(ascii: ":") { return !first }
            if first {
                guard isAlpha else { return false }
                first = false
                continue
            }
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isAlpha || isDigit || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: ".")
            else { return false }
        }
        return false
    }
}
